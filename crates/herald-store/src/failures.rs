//! Which subscriptions are failing: deliveries failed for good since their last delivered one
//! (migration 0011). The dispatcher notes both ends, and the first delivery that goes through
//! after failures is the subscription's recovery, taken by exactly one replica.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use herald_domain::SubscriptionId;
use sqlx::Row as _;
use uuid::Uuid;

use crate::{Store, StoreError};

/// A subscription that delivered again after deliveries failed for good.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recovery {
    pub subscription_id: SubscriptionId,
    /// When its first delivery failed for good.
    pub since: DateTime<Utc>,
    /// Deliveries that failed for good since then.
    pub failed: i32,
    pub last_error: Option<String>,
}

impl Store {
    /// Notes deliveries that failed for good: one `(subscription, error)` per delivery.
    pub async fn note_failed_deliveries(
        &self,
        failed: &[(SubscriptionId, Option<String>)],
    ) -> Result<(), StoreError> {
        // One row per subscription: an upsert may not touch a row twice in one statement.
        let mut per_subscription: BTreeMap<Uuid, (i32, Option<&str>)> = BTreeMap::new();
        for (id, error) in failed {
            let entry = per_subscription.entry(id.as_uuid()).or_insert((0, None));
            entry.0 += 1;
            if error.is_some() {
                entry.1 = error.as_deref();
            }
        }
        if per_subscription.is_empty() {
            return Ok(());
        }
        sqlx::query(
            "INSERT INTO subscription_failures (subscription_id, failed, last_error)
             SELECT * FROM UNNEST($1::uuid[], $2::int[], $3::text[])
             ON CONFLICT (subscription_id) DO UPDATE
             SET failed = subscription_failures.failed + EXCLUDED.failed,
                 last_error = COALESCE(EXCLUDED.last_error, subscription_failures.last_error)",
        )
        .bind(per_subscription.keys().copied().collect::<Vec<_>>())
        .bind(per_subscription.values().map(|v| v.0).collect::<Vec<_>>())
        .bind(
            per_subscription
                .values()
                .map(|v| v.1.map(|e| crate::storable::text(e).into_owned()))
                .collect::<Vec<_>>(),
        )
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Notes that these subscriptions delivered: those that were failing have recovered, and
    /// are returned. Each recovery is returned to one caller only.
    pub async fn note_delivered(
        &self,
        delivered: &[SubscriptionId],
    ) -> Result<Vec<Recovery>, StoreError> {
        let ids: BTreeSet<Uuid> = delivered.iter().map(|id| id.as_uuid()).collect();
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let rows = sqlx::query(
            "DELETE FROM subscription_failures WHERE subscription_id = ANY($1)
             RETURNING subscription_id, since, failed, last_error",
        )
        .bind(ids.into_iter().collect::<Vec<_>>())
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(Recovery {
                    subscription_id: SubscriptionId::from_uuid(row.try_get("subscription_id")?),
                    since: row.try_get("since")?,
                    failed: row.try_get("failed")?,
                    last_error: row.try_get("last_error")?,
                })
            })
            .collect()
    }
}
