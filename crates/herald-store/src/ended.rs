//! Deliveries ended without an attempt, each with the reason: one statement shape for the
//! several ways that happens (failed at intake, dropped by quiet hours).

use herald_domain::DeliveryId;

use crate::{Store, StoreError, storable};

impl Store {
    /// Runs `statement`, which ends deliveries `$1` (ids) each with its reason `$2`.
    pub(crate) async fn end_with_reasons(
        &self,
        statement: &'static str,
        ended: &[(DeliveryId, String)],
    ) -> Result<(), StoreError> {
        if ended.is_empty() {
            return Ok(());
        }
        sqlx::query(statement)
            .bind(ended.iter().map(|(id, _)| id.as_uuid()).collect::<Vec<_>>())
            .bind(
                ended
                    .iter()
                    .map(|(_, reason)| storable::text(reason))
                    .collect::<Vec<_>>(),
            )
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}
