//! The tenants Herald knows of: those with a subscription or a token. Tenants are not a table
//! of their own (a tenant exists by being named), so this is read from the two that name them.

use sqlx::Row as _;

use crate::{Store, StoreError};

/// One tenant and how many subscriptions it has (0 when it only has tokens).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TenantSummary {
    pub tenant: String,
    pub subscriptions: i64,
}

impl Store {
    /// Every tenant, sorted by name: a few hundred rows at most, read whole.
    pub async fn tenants(&self) -> Result<Vec<TenantSummary>, StoreError> {
        let rows = sqlx::query(
            "SELECT t.tenant, COALESCE(s.n, 0) AS subscriptions
             FROM (SELECT tenant FROM subscriptions UNION SELECT tenant FROM api_tokens) t
             LEFT JOIN (SELECT tenant, count(*) AS n FROM subscriptions GROUP BY tenant) s
                  USING (tenant)
             ORDER BY t.tenant",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(TenantSummary {
                    tenant: row.try_get("tenant")?,
                    subscriptions: row.try_get("subscriptions")?,
                })
            })
            .collect()
    }
}
