//! How each subscription is doing, for the API to show beside it: switched off and why
//! (`subscriptions.disabled_reason`), failing since when (`subscription_failures`, 0011), and
//! how its deliveries ended in the last 24 hours. One statement for a whole page.

use std::collections::HashMap;

use chrono::{DateTime, TimeDelta, Utc};
use herald_domain::SubscriptionId;
use sqlx::Row as _;
use uuid::Uuid;

use crate::id_time::ids_from;
use crate::{Store, StoreError};

/// Deliveries counted are those that ended (delivered or failed) within this window.
const WINDOW: TimeDelta = TimeDelta::hours(24);
/// How long before the window a counted delivery may have been created: one that ends in the
/// window started at most this long before it (the default policy gives up after about 3.5 h;
/// a longer one is counted while it is younger than this). It bounds the scan to a range of
/// `deliveries_subscription (subscription_id, id)`, ids being UUIDv7.
const LONGEST_LIFE: TimeDelta = TimeDelta::hours(24);

/// Where a subscription stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    Active,
    /// Deliveries failed for good since its last delivered one.
    Failing,
    /// Switched off: by an operator, or because its receiver said the target is gone.
    Disabled,
}

impl Standing {
    pub fn as_str(self) -> &'static str {
        match self {
            Standing::Active => "active",
            Standing::Failing => "failing",
            Standing::Disabled => "disabled",
        }
    }
}

/// One subscription's health as stored; the API derives its success rate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubscriptionStanding {
    pub standing: Standing,
    /// When its first delivery failed for good since the last delivered one.
    pub failing_since: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    /// Why it is switched off; `None` while it is on.
    pub disabled_reason: Option<String>,
    pub delivered_24h: i64,
    pub failed_24h: i64,
}

/// The counts walk each subscription's slice of `deliveries_subscription (subscription_id, id)`
/// from the oldest id that can still count; `updated_at` (when it ended) decides.
const STANDINGS: &str = "SELECT s.id, s.enabled, s.disabled_reason, f.since, f.last_error,
        c.delivered, c.failed
    FROM subscriptions s
    LEFT JOIN subscription_failures f ON f.subscription_id = s.id
    CROSS JOIN LATERAL (
        SELECT count(*) FILTER (WHERE d.status = 'delivered') AS delivered,
               count(*) FILTER (WHERE d.status = 'failed') AS failed
        FROM deliveries d
        WHERE d.subscription_id = s.id AND d.id >= $2
          AND d.status IN ('delivered', 'failed') AND d.updated_at >= $3
    ) c
    WHERE s.id = ANY($1)";

impl Store {
    /// The standing of each of `ids` that exists, in one statement.
    pub async fn subscription_standings(
        &self,
        ids: &[SubscriptionId],
    ) -> Result<HashMap<SubscriptionId, SubscriptionStanding>, StoreError> {
        if ids.is_empty() {
            return Ok(HashMap::new());
        }
        let rows = self.standings_statement(STANDINGS, ids).await?;
        rows.iter()
            .map(|row| {
                let id = SubscriptionId::from_uuid(row.try_get::<Uuid, _>("id")?);
                let enabled: bool = row.try_get("enabled")?;
                let failing_since: Option<DateTime<Utc>> = row.try_get("since")?;
                let standing = match (enabled, failing_since.is_some()) {
                    (false, _) => Standing::Disabled,
                    (true, true) => Standing::Failing,
                    (true, false) => Standing::Active,
                };
                Ok((
                    id,
                    SubscriptionStanding {
                        standing,
                        failing_since,
                        last_error: row.try_get("last_error")?,
                        disabled_reason: if enabled {
                            None
                        } else {
                            row.try_get("disabled_reason")?
                        },
                        delivered_24h: row.try_get("delivered")?,
                        failed_24h: row.try_get("failed")?,
                    },
                ))
            })
            .collect()
    }

    /// The plan `subscription_standings` gets for `ids`, as `EXPLAIN (FORMAT JSON)` gives it:
    /// for the test that keeps the counts on the index.
    pub async fn explain_subscription_standings(
        &self,
        ids: &[SubscriptionId],
    ) -> Result<serde_json::Value, StoreError> {
        let explain = format!("EXPLAIN (FORMAT JSON) {STANDINGS}");
        let rows = self.standings_statement(&explain, ids).await?;
        let row = rows
            .first()
            .ok_or(StoreError::Database(sqlx::Error::RowNotFound))?;
        Ok(row.try_get(0)?)
    }

    async fn standings_statement(
        &self,
        statement: &str,
        ids: &[SubscriptionId],
    ) -> Result<Vec<sqlx::postgres::PgRow>, StoreError> {
        let now = Utc::now();
        Ok(sqlx::query(statement)
            .bind(ids.iter().map(|id| id.as_uuid()).collect::<Vec<_>>())
            .bind(ids_from(now - WINDOW - LONGEST_LIFE))
            .bind(now - WINDOW)
            .fetch_all(&self.pool)
            .await?)
    }
}
