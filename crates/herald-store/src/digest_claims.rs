//! Digests as deliveries: a claim per (subscription, local day) taken once however many digest
//! replicas run, and the `herald.digest` event and delivery it becomes, written idempotently
//! so a replica that died half-way is finished by the next one.

use chrono::{DateTime, NaiveDate, Utc};
use herald_domain::{DeliveryId, DigestSchedule, EventId, Outcome, SubscriptionId};
use sqlx::Row as _;

use crate::events::job_row;
use crate::outbox::QueuedJob;
use crate::{Store, StoreError, Subscription};

/// A digest claimed for one subscription and day, with the ids its event and delivery get.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DigestClaim {
    pub subscription_id: SubscriptionId,
    pub day: NaiveDate,
    pub event_id: EventId,
    pub delivery_id: DeliveryId,
}

/// The `herald.digest` event of one digest: its publisher id (unique per tenant, so writing
/// it twice is a no-op) and its CloudEvents document.
pub struct DigestEvent {
    pub tenant: String,
    pub ce_id: String,
    pub channel: String,
    pub cloudevent: serde_json::Value,
    pub time: DateTime<Utc>,
}

impl Store {
    /// Enabled subscriptions that send a daily digest, secrets opened.
    pub async fn digest_subscriptions(&self) -> Result<Vec<Subscription>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, spec_sealed, created_at, updated_at FROM subscriptions
             WHERE enabled AND spec_masked ? 'digest' ORDER BY id",
        )
        .fetch_all(&self.pool)
        .await?;
        let mut subscriptions = Vec::with_capacity(rows.len());
        for row in &rows {
            match self.open_subscription(row) {
                Ok(subscription) => subscriptions.push(subscription),
                Err(error) => {
                    tracing::error!(%error, "Digest subscription cannot be read; it gets no digest.")
                }
            }
        }
        Ok(subscriptions)
    }

    /// Takes the digest of `subscription_id` for `day`; `None` when another replica (or an
    /// earlier run) already has.
    pub async fn claim_digest(
        &self,
        subscription_id: SubscriptionId,
        day: NaiveDate,
    ) -> Result<Option<DigestClaim>, StoreError> {
        let claim = DigestClaim {
            subscription_id,
            day,
            event_id: EventId::new(),
            delivery_id: DeliveryId::new(),
        };
        let taken = sqlx::query(
            "INSERT INTO digest_claims (subscription_id, day, event_id, delivery_id)
             VALUES ($1, $2, $3, $4) ON CONFLICT (subscription_id, day) DO NOTHING",
        )
        .bind(subscription_id.as_uuid())
        .bind(day)
        .bind(claim.event_id.as_uuid())
        .bind(claim.delivery_id.as_uuid())
        .execute(&self.pool)
        .await?
        .rows_affected()
            == 1;
        Ok(taken.then_some(claim))
    }

    /// Claims taken more than `older_than` ago whose digest was never handed to NATS: their
    /// replica died between the claim and the publish.
    pub async fn unfinished_digests(
        &self,
        older_than: DateTime<Utc>,
    ) -> Result<Vec<DigestClaim>, StoreError> {
        let rows = sqlx::query(
            "SELECT subscription_id, day, event_id, delivery_id FROM digest_claims
             WHERE NOT published AND claimed_at < $1",
        )
        .bind(older_than)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(DigestClaim {
                    subscription_id: SubscriptionId::from_uuid(row.try_get("subscription_id")?),
                    day: row.try_get("day")?,
                    event_id: EventId::from_uuid(row.try_get("event_id")?),
                    delivery_id: DeliveryId::from_uuid(row.try_get("delivery_id")?),
                })
            })
            .collect()
    }

    /// Writes the digest's event and its one delivery (no-ops when they exist) and returns the
    /// job to publish.
    pub async fn record_digest(
        &self,
        event_id: EventId,
        delivery_id: DeliveryId,
        subscription_id: SubscriptionId,
        event: &DigestEvent,
    ) -> Result<QueuedJob, StoreError> {
        let mut tx = self.pool.begin().await?;
        let row = sqlx::query(
            "WITH stored AS (
                 INSERT INTO events (id, tenant, ce_id, type, source, outcome, time, received_at,
                                     cloudevent)
                 VALUES ($1, $2, $3, $4, 'herald', $5, $6, now(), $7)
                 ON CONFLICT (tenant, ce_id) DO UPDATE SET ce_id = EXCLUDED.ce_id
                 RETURNING id
             ),
             delivery AS (
                 INSERT INTO deliveries (id, event_id, subscription_id, tenant, channel, event_type)
                 SELECT $8, stored.id, $9, $2, $10, $4 FROM stored
                 ON CONFLICT (event_id, subscription_id) DO UPDATE SET tenant = EXCLUDED.tenant
                 RETURNING id, event_id, subscription_id, tenant, channel, event_type
             )
             SELECT * FROM delivery",
        )
        .bind(event_id.as_uuid())
        .bind(&event.tenant)
        .bind(&event.ce_id)
        .bind(DigestSchedule::EVENT_TYPE)
        .bind(Outcome::Info.as_str())
        .bind(event.time)
        .bind(&event.cloudevent)
        .bind(delivery_id.as_uuid())
        .bind(subscription_id.as_uuid())
        .bind(&event.channel)
        .fetch_one(&mut *tx)
        .await?;
        let job = QueuedJob::first(job_row(&row)?);
        crate::outbox::enqueue(&mut tx, std::slice::from_ref(&job)).await?;
        tx.commit().await?;
        Ok(job)
    }

    /// The claim's digest is in NATS (or, for an empty day with `skip_empty`, not to be sent).
    pub async fn digest_finished(
        &self,
        subscription_id: SubscriptionId,
        day: NaiveDate,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE digest_claims SET published = true WHERE subscription_id = $1 AND day = $2",
        )
        .bind(subscription_id.as_uuid())
        .bind(day)
        .execute(&self.pool)
        .await?;
        Ok(())
    }
}

/// The claim's key as a publisher id: one digest event per subscription and day.
pub fn digest_ce_id(subscription_id: SubscriptionId, day: NaiveDate) -> String {
    format!("digest:{subscription_id}:{day}")
}
