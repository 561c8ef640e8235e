//! Moving every sealed secret to the current encryption key, a batch at a time, while Herald
//! serves: `herald rekey` after an operator changes `HERALD_ENCRYPTION_KEY`.
//!
//! Each batch locks its rows (`FOR UPDATE`) and writes them back in one statement, so a
//! concurrent change of a subscription waits for the batch rather than being overwritten by
//! the older plaintext, and the `subscriptions_version` trigger fires once per batch (every
//! process drops its subscription cache once per batch, not once per row).

use herald_domain::SubscriptionId;
use sqlx::Row as _;
use uuid::Uuid;

use crate::{EncryptionKey, Store, StoreError};

/// What one batch did.
#[derive(Debug, Default)]
pub struct RekeyBatch {
    /// The last subscription of the batch: where the next one starts. `None`: nothing was left.
    pub last: Option<SubscriptionId>,
    /// Sealed under an old key, now under the current one.
    pub resealed: usize,
    /// Already sealed under the current key.
    pub current: usize,
    /// Open with no key given, with why: left as they are.
    pub unreadable: Vec<(SubscriptionId, String)>,
}

impl Store {
    /// Also opens secrets sealed under `keys` (`HERALD_ENCRYPTION_KEYS`); sealing always uses
    /// the current key.
    pub fn with_old_keys(mut self, keys: &[EncryptionKey]) -> Self {
        self.cipher = self.cipher.with_old_keys(keys);
        self
    }

    /// Re-seals up to `limit` subscriptions after `after` (in id order) with the current key.
    pub async fn rekey_batch(
        &self,
        after: Option<SubscriptionId>,
        limit: u32,
    ) -> Result<RekeyBatch, StoreError> {
        let mut tx = self.pool.begin().await?;
        let rows = sqlx::query(
            "SELECT id, spec_sealed FROM subscriptions
             WHERE ($1::uuid IS NULL OR id > $1) ORDER BY id LIMIT $2 FOR UPDATE",
        )
        .bind(after.map(|id| id.as_uuid()))
        .bind(i64::from(limit))
        .fetch_all(&mut *tx)
        .await?;
        let mut batch = RekeyBatch::default();
        let (mut ids, mut sealed) = (Vec::new(), Vec::new());
        for row in &rows {
            let uuid: Uuid = row.try_get("id")?;
            let id = SubscriptionId::from_uuid(uuid);
            batch.last = Some(id);
            let old: Vec<u8> = row.try_get("spec_sealed")?;
            match self.cipher.reseal(&old) {
                Ok(Some(new)) => {
                    ids.push(uuid);
                    sealed.push(new);
                }
                Ok(None) => batch.current += 1,
                Err(error) => batch.unreadable.push((id, error.to_string())),
            }
        }
        if !ids.is_empty() {
            sqlx::query(
                "UPDATE subscriptions s SET spec_sealed = r.sealed
                 FROM UNNEST($1::uuid[], $2::bytea[]) AS r(id, sealed) WHERE s.id = r.id",
            )
            .bind(&ids)
            .bind(&sealed)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        batch.resealed = ids.len();
        Ok(batch)
    }
}
