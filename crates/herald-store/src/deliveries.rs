//! Deliveries as the dispatcher and the API see them: jobs to load, attempts to record in
//! batches, and the history of each delivery.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use herald_domain::{DeliveryId, DeliveryStatus, EventDocument, EventId, SubscriptionId};
use sqlx::Row as _;
use uuid::Uuid;

use crate::events::job_row;
use crate::id_time::{ids_from, ids_until};
use crate::lookup::DeliveryRecord;
use crate::outbox::QueuedJob;
use crate::{Store, StoreError, storable};

/// What the dispatcher needs to attempt one delivery.
#[derive(Debug, Clone)]
pub struct JobState {
    pub delivery_id: DeliveryId,
    pub event_id: EventId,
    pub subscription_id: SubscriptionId,
    pub tenant: String,
    pub status: DeliveryStatus,
    pub attempt_count: i32,
    /// Attempts made before the last manual retry; the policy counts from here.
    pub attempts_base: i32,
    pub cloudevent: Arc<EventDocument>,
    /// What a `notify: transitions` delivery says beyond its event.
    pub notice: Option<herald_domain::JobNotice>,
}

/// A dispatcher batch's deliveries, and the subscriptions version they were read at (`None`
/// when none was found).
#[derive(Debug, Default)]
pub struct LoadedJobs {
    pub subscriptions_version: Option<i64>,
    pub jobs: HashMap<DeliveryId, JobState>,
}

/// One finished attempt and the delivery status it leads to.
#[derive(Debug, Clone)]
pub struct AttemptRecord {
    pub delivery_id: DeliveryId,
    pub number: i32,
    pub started_at: DateTime<Utc>,
    pub duration_ms: i32,
    /// Where it went, secrets masked.
    pub destination: String,
    /// The HTTP method, for channels that speak HTTP.
    pub method: Option<&'static str>,
    /// The HTTP status or SMTP reply code.
    pub status_code: Option<i32>,
    pub response_headers: Option<serde_json::Value>,
    pub response_body: Option<String>,
    pub error_class: Option<&'static str>,
    pub error: Option<String>,
    pub trace_id: Option<String>,
    pub span_id: Option<String>,
    /// `Delivered`, `Retrying` or `Failed`.
    pub new_status: DeliveryStatus,
    /// `Retrying`: when the next attempt is due (the NAK delay from now); `None` otherwise.
    pub next_attempt_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Default, Clone)]
pub struct DeliveryListFilter {
    pub status: Option<DeliveryStatus>,
    pub subscription_id: Option<SubscriptionId>,
    pub event_type: Option<String>,
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
    pub tenant: Option<String>,
}

pub(crate) const DELIVERY_COLUMNS: &str = "id, tenant, event_id, event_type, subscription_id, channel, status, attempt_count, failure_reason, notice, grouped_into, fallback_of, fallback_reason, next_attempt_at, created_at, updated_at";

impl Store {
    /// The current state of each job's delivery and its event, in one statement: each event is
    /// sent and parsed once however many of the batch's deliveries share it (a fan-out). Also
    /// returns the subscriptions version, for the caller's cache.
    pub async fn load_jobs(&self, ids: &[DeliveryId]) -> Result<LoadedJobs, StoreError> {
        let rows = sqlx::query(
            "SELECT d.id, d.event_id, d.subscription_id, d.tenant, d.status, d.attempt_count,
                    d.attempts_base, d.notice, d.fallback_of, d.fallback_reason,
                    CASE WHEN row_number() OVER (PARTITION BY d.event_id) = 1
                         THEN e.cloudevent END AS cloudevent,
                    e.cloudevent_exact,
                    (SELECT version FROM subscriptions_version) AS version
             FROM deliveries d JOIN events e ON e.id = d.event_id
             WHERE d.id = ANY($1)",
        )
        .bind(ids.iter().map(|id| id.as_uuid()).collect::<Vec<_>>())
        .fetch_all(&self.pool)
        .await?;
        let mut events: HashMap<Uuid, Arc<EventDocument>> = HashMap::new();
        for row in &rows {
            let exact = row.try_get::<Option<serde_json::Value>, _>("cloudevent_exact")?;
            if let Some(event) = exact.or(row.try_get("cloudevent")?) {
                events.insert(
                    row.try_get("event_id")?,
                    Arc::new(EventDocument::new(event)),
                );
            }
        }
        let mut loaded = LoadedJobs {
            subscriptions_version: rows.first().map(|r| r.try_get("version")).transpose()?,
            jobs: HashMap::with_capacity(rows.len()),
        };
        for row in &rows {
            let event_id: Uuid = row.try_get("event_id")?;
            let Some(cloudevent) = events.get(&event_id) else {
                return Err(StoreError::Corrupt(format!(
                    "event {event_id} not returned"
                )));
            };
            let job = JobState {
                delivery_id: DeliveryId::from_uuid(row.try_get("id")?),
                event_id: EventId::from_uuid(event_id),
                subscription_id: SubscriptionId::from_uuid(row.try_get("subscription_id")?),
                tenant: row.try_get("tenant")?,
                status: status_of(row)?,
                attempt_count: row.try_get("attempt_count")?,
                attempts_base: row.try_get("attempts_base")?,
                cloudevent: crate::fallbacks::annotated(row, cloudevent)?,
                notice: crate::transitions::notice(row)?,
            };
            loaded.jobs.insert(job.delivery_id, job);
        }
        Ok(loaded)
    }

    /// Records a batch of attempts and the status each leads to, in one statement (so one
    /// round trip and one commit).
    pub async fn record_attempts(&self, attempts: &[AttemptRecord]) -> Result<(), StoreError> {
        if attempts.is_empty() {
            return Ok(());
        }
        // A delivered delivery stays delivered whatever a late duplicate attempt says, and has
        // no next attempt; nor has a failed one (its `u.next` is NULL).
        sqlx::query(
            "WITH recorded AS (
                 INSERT INTO delivery_attempts (delivery_id, number, started_at, duration_ms,
                     status_code, response_headers, response_body, error_class, error, trace_id,
                     span_id, destination, method)
                 SELECT * FROM UNNEST($1::uuid[], $2::int4[], $3::timestamptz[], $4::int4[],
                     $5::int4[], $6::jsonb[], $7::text[], $8::text[], $9::text[], $10::text[],
                     $11::text[], $13::text[], $14::text[])
                 ON CONFLICT (delivery_id, number) DO NOTHING
             )
             UPDATE deliveries d
             SET status = CASE WHEN d.status = 'delivered' THEN d.status ELSE u.status END,
                 attempt_count = GREATEST(d.attempt_count, u.number),
                 troubled = d.troubled OR u.status <> 'delivered',
                 next_attempt_at = CASE WHEN d.status = 'delivered' THEN NULL ELSE u.next END,
                 updated_at = now()
             FROM UNNEST($1::uuid[], $12::text[], $2::int4[], $15::timestamptz[])
                  AS u(id, status, number, next)
             WHERE d.id = u.id",
        )
        .bind(
            attempts
                .iter()
                .map(|a| a.delivery_id.as_uuid())
                .collect::<Vec<_>>(),
        )
        .bind(attempts.iter().map(|a| a.number).collect::<Vec<_>>())
        .bind(attempts.iter().map(|a| a.started_at).collect::<Vec<_>>())
        .bind(attempts.iter().map(|a| a.duration_ms).collect::<Vec<_>>())
        .bind(attempts.iter().map(|a| a.status_code).collect::<Vec<_>>())
        .bind(
            attempts
                .iter()
                .map(|a| a.response_headers.clone())
                .collect::<Vec<_>>(),
        )
        .bind(
            attempts
                .iter()
                .map(|a| a.response_body.as_deref().map(storable::text))
                .collect::<Vec<_>>(),
        )
        .bind(attempts.iter().map(|a| a.error_class).collect::<Vec<_>>())
        .bind(
            attempts
                .iter()
                .map(|a| a.error.as_deref().map(storable::text))
                .collect::<Vec<_>>(),
        )
        .bind(
            attempts
                .iter()
                .map(|a| a.trace_id.as_deref())
                .collect::<Vec<_>>(),
        )
        .bind(
            attempts
                .iter()
                .map(|a| a.span_id.as_deref())
                .collect::<Vec<_>>(),
        )
        .bind(
            attempts
                .iter()
                .map(|a| a.new_status.as_str())
                .collect::<Vec<_>>(),
        )
        .bind(
            attempts
                .iter()
                .map(|a| storable::text(&a.destination))
                .collect::<Vec<_>>(),
        )
        .bind(attempts.iter().map(|a| a.method).collect::<Vec<_>>())
        .bind(
            attempts
                .iter()
                .map(|a| a.next_attempt_at)
                .collect::<Vec<_>>(),
        )
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Marks deliveries failed without an attempt, each with the reason no attempt was made
    /// (its subscription is gone or disabled, or it could not be loaded).
    pub async fn fail_deliveries(
        &self,
        failures: &[(DeliveryId, String)],
    ) -> Result<(), StoreError> {
        self.end_with_reasons(
            "UPDATE deliveries d
             SET status = 'failed', troubled = true, failure_reason = r.reason,
                 next_attempt_at = NULL, updated_at = now()
             FROM UNNEST($1::uuid[], $2::text[]) AS r(id, reason)
             WHERE d.id = r.id AND d.status <> 'delivered'",
            failures,
        )
        .await
    }

    /// Newest first; a page continues below `before`.
    pub async fn list_deliveries(
        &self,
        filter: &DeliveryListFilter,
        before: Option<DeliveryId>,
        limit: u32,
    ) -> Result<Vec<DeliveryRecord>, StoreError> {
        // Only troubled deliveries can be retrying or failed; saying so in the SQL text (not
        // as a parameter) lets the planner use their partial index.
        let troubled_only = matches!(
            filter.status,
            Some(DeliveryStatus::Retrying | DeliveryStatus::Failed)
        );
        let rows = sqlx::query(&format!(
            "SELECT {DELIVERY_COLUMNS} FROM deliveries
             WHERE ($1::text IS NULL OR status = $1)
               AND ($2::uuid IS NULL OR subscription_id = $2)
               AND ($3::text IS NULL OR event_type = $3)
               AND ($4::timestamptz IS NULL OR (id >= $5 AND created_at >= $4))
               AND ($6::text IS NULL OR tenant = $6)
               AND ($7::uuid IS NULL OR id < $7)
               AND ($9::timestamptz IS NULL OR (id < $10 AND created_at < $9))
               {}
             ORDER BY id DESC LIMIT $8",
            if troubled_only { "AND troubled" } else { "" }
        ))
        .bind(filter.status.map(DeliveryStatus::as_str))
        .bind(filter.subscription_id.map(|id| id.as_uuid()))
        .bind(filter.event_type.as_deref())
        .bind(filter.since)
        .bind(filter.since.map(ids_from))
        .bind(filter.tenant.as_deref())
        .bind(before.map(|id| id.as_uuid()))
        .bind(i64::from(limit))
        .bind(filter.until)
        .bind(filter.until.map(ids_until))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(delivery_record).collect()
    }

    pub async fn delivery(&self, id: DeliveryId) -> Result<Option<DeliveryRecord>, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {DELIVERY_COLUMNS} FROM deliveries WHERE id = $1"
        ))
        .bind(id.as_uuid())
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(delivery_record).transpose()
    }

    /// Puts a failed delivery back to pending with a fresh set of attempts and returns its job;
    /// `None` when it does not exist or is not failed.
    pub async fn retry_delivery(&self, id: DeliveryId) -> Result<Option<QueuedJob>, StoreError> {
        let mut tx = self.pool.begin().await?;
        let row = sqlx::query(
            "UPDATE deliveries
             SET status = 'pending', attempts_base = attempt_count, failure_reason = NULL,
                 updated_at = now()
             WHERE id = $1 AND status = 'failed'
             RETURNING id, event_id, subscription_id, tenant, channel, event_type",
        )
        .bind(id.as_uuid())
        .fetch_optional(&mut *tx)
        .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let job = QueuedJob::again(job_row(&row)?);
        crate::outbox::enqueue(&mut tx, std::slice::from_ref(&job)).await?;
        tx.commit().await?;
        Ok(Some(job))
    }
}

pub(crate) fn delivery_record(row: &sqlx::postgres::PgRow) -> Result<DeliveryRecord, StoreError> {
    Ok(DeliveryRecord {
        id: DeliveryId::from_uuid(row.try_get::<Uuid, _>("id")?),
        tenant: row.try_get("tenant")?,
        event_id: EventId::from_uuid(row.try_get("event_id")?),
        event_type: row.try_get("event_type")?,
        subscription_id: SubscriptionId::from_uuid(row.try_get("subscription_id")?),
        channel: row.try_get("channel")?,
        status: status_of(row)?,
        attempt_count: row.try_get("attempt_count")?,
        failure_reason: row.try_get("failure_reason")?,
        notice: crate::transitions::notice(row)?,
        grouped_into: row
            .try_get::<Option<Uuid>, _>("grouped_into")?
            .map(DeliveryId::from_uuid),
        fallback_of: row
            .try_get::<Option<Uuid>, _>("fallback_of")?
            .map(DeliveryId::from_uuid),
        fallback_reason: row.try_get("fallback_reason")?,
        next_attempt_at: row.try_get("next_attempt_at")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

fn status_of(row: &sqlx::postgres::PgRow) -> Result<DeliveryStatus, StoreError> {
    let text: String = row.try_get("status")?;
    DeliveryStatus::parse(&text)
        .ok_or_else(|| StoreError::Corrupt(format!("unknown delivery status {text:?}")))
}
