//! Fallback deliveries (`fallback_subscription_id`): when a delivery fails for good, the same
//! event goes to the subscription it names, once, with the reason. Written with their jobs in
//! the outbox in one transaction (like a replay or a digest), so a crash before the jobs are
//! published leaves them to the dispatcher's sweep. Deliveries are unique per (event,
//! subscription), so an event reaches a fallback at most once however often it fails.

use std::sync::Arc;

use herald_domain::{DeliveryId, EventDocument, SubscriptionId};
use serde_json::{Value, json};
use sqlx::Row as _;

use crate::events::job_row;
use crate::outbox::QueuedJob;
use crate::{Store, StoreError};

/// CloudEvents extension attributes a fallback delivery's event carries, so its message can
/// say why it came (lower-case letters only, as the spec asks of extension names).
pub const FALLBACK_OF_ATTRIBUTE: &str = "heraldfallbackof";
pub const FALLBACK_REASON_ATTRIBUTE: &str = "heraldfallbackreason";

/// The delivery that failed, where its event goes instead, and why.
#[derive(Debug, Clone)]
pub struct FallbackRequest {
    pub failed: DeliveryId,
    pub fallback: SubscriptionId,
    pub reason: String,
}

impl Store {
    /// Writes a delivery of each failed delivery's event to its fallback, with its job in the
    /// outbox, and returns the jobs to hand over. None is written when the failed delivery is
    /// itself a fallback (no chains), when the fallback is gone, disabled, a digest or of
    /// another tenant, or when the event already went there.
    pub async fn record_fallbacks(
        &self,
        requests: &[FallbackRequest],
    ) -> Result<Vec<QueuedJob>, StoreError> {
        if requests.is_empty() {
            return Ok(Vec::new());
        }
        let mut tx = self.pool.begin().await?;
        let rows = sqlx::query(
            "INSERT INTO deliveries (id, event_id, subscription_id, tenant, channel, event_type,
                                     fallback_of, fallback_reason)
             SELECT r.id, d.event_id, s.id, d.tenant, s.channel, d.event_type, d.id, r.reason
             FROM UNNEST($1::uuid[], $2::uuid[], $3::uuid[], $4::text[])
                  AS r(id, failed, fallback, reason)
             JOIN deliveries d ON d.id = r.failed AND d.fallback_of IS NULL
             JOIN subscriptions s ON s.id = r.fallback AND s.tenant = d.tenant AND s.enabled
                                  AND NOT s.spec_masked ? 'digest'
             ON CONFLICT (event_id, subscription_id) DO NOTHING
             RETURNING id, event_id, subscription_id, tenant, channel, event_type",
        )
        .bind(
            requests
                .iter()
                .map(|_| DeliveryId::new().as_uuid())
                .collect::<Vec<_>>(),
        )
        .bind(
            requests
                .iter()
                .map(|r| r.failed.as_uuid())
                .collect::<Vec<_>>(),
        )
        .bind(
            requests
                .iter()
                .map(|r| r.fallback.as_uuid())
                .collect::<Vec<_>>(),
        )
        .bind(
            requests
                .iter()
                .map(|r| crate::storable::text(&r.reason).into_owned())
                .collect::<Vec<_>>(),
        )
        .fetch_all(&mut *tx)
        .await?;
        let jobs = rows
            .iter()
            .map(|row| Ok(QueuedJob::first(job_row(row)?)))
            .collect::<Result<Vec<_>, StoreError>>()?;
        crate::outbox::enqueue(&mut tx, &jobs).await?;
        tx.commit().await?;
        Ok(jobs)
    }
}

impl Store {
    /// The fallbacks of deliveries whose subscription is disabled (the dispatcher fails those
    /// without an attempt), with the reason. A deleted subscription has no fallback to name.
    pub async fn disabled_fallbacks(
        &self,
        deliveries: &[DeliveryId],
    ) -> Result<Vec<FallbackRequest>, StoreError> {
        if deliveries.is_empty() {
            return Ok(Vec::new());
        }
        let rows = sqlx::query(
            "SELECT d.id, s.name, s.spec_masked->>'fallback_subscription_id' AS fallback
             FROM deliveries d
             JOIN subscriptions s ON s.id = d.subscription_id AND NOT s.enabled
             WHERE d.id = ANY($1) AND d.fallback_of IS NULL
               AND s.spec_masked ? 'fallback_subscription_id'",
        )
        .bind(deliveries.iter().map(|d| d.as_uuid()).collect::<Vec<_>>())
        .fetch_all(&self.pool)
        .await?;
        let mut requests = Vec::with_capacity(rows.len());
        for row in rows {
            let fallback: Option<String> = row.try_get("fallback")?;
            // The API stored a valid id; one that no longer parses names no fallback.
            let Some(fallback) = fallback.and_then(|f| f.parse::<SubscriptionId>().ok()) else {
                continue;
            };
            let name: String = row.try_get("name")?;
            requests.push(FallbackRequest {
                failed: DeliveryId::from_uuid(row.try_get("id")?),
                fallback,
                reason: format!("subscription '{name}' is disabled"),
            });
        }
        Ok(requests)
    }
}

/// The event as a fallback delivery sends it: with the delivery it stands in for and the
/// reason as extension attributes (a row of `load_jobs` with `fallback_of` and
/// `fallback_reason`). Every other delivery shares the event's one document.
pub(crate) fn annotated(
    row: &sqlx::postgres::PgRow,
    document: &Arc<EventDocument>,
) -> Result<Arc<EventDocument>, StoreError> {
    let reason: Option<String> = row.try_get("fallback_reason")?;
    let Some(reason) = reason else {
        return Ok(document.clone());
    };
    let mut event = document.value().clone();
    if let Value::Object(attributes) = &mut event {
        let of: Option<uuid::Uuid> = row.try_get("fallback_of")?;
        if let Some(of) = of {
            attributes.insert(
                FALLBACK_OF_ATTRIBUTE.into(),
                json!(DeliveryId::from_uuid(of).to_string()),
            );
        }
        attributes.insert(FALLBACK_REASON_ATTRIBUTE.into(), json!(reason));
    }
    Ok(Arc::new(EventDocument::new(event)))
}
