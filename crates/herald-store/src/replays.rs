//! What the API does to events and deliveries after the fact: list events, replay one (a
//! stored copy fanned out again), and retry many failed deliveries by filter.

use chrono::{DateTime, Utc};
use herald_domain::{Channel, DeliveryId, EventId, SubscriptionId};
use uuid::Uuid;

use crate::events::job_row;
use crate::id_time::{ids_from, ids_until};
use crate::lookup::{EventSummary, event_summary};
use crate::outbox::{QueuedJob, enqueue};
use crate::{Store, StoreError};

/// `since` is inclusive and `until` exclusive, both on `received_at` (when Herald stored it).
#[derive(Debug, Default, Clone)]
pub struct EventListFilter {
    pub tenant: Option<String>,
    pub event_type: Option<String>,
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
}

/// Failed deliveries to retry; `since` inclusive and `until` exclusive on `created_at`.
#[derive(Debug, Default, Clone)]
pub struct FailedFilter {
    pub tenant: Option<String>,
    pub subscription_id: Option<SubscriptionId>,
    pub event_type: Option<String>,
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
}

/// The copy a replay stored, and the jobs to publish for it.
#[derive(Debug)]
pub struct Replay {
    pub event_id: EventId,
    pub jobs: Vec<QueuedJob>,
}

/// How often a replay picks the next copy number when a concurrent replay (or a publisher
/// event with that very id) took it.
const REPLAY_TRIES: i64 = 5;

/// The matching failed deliveries, oldest first; `troubled` is in the text so the planner can
/// use the partial index (every failed delivery is troubled).
const FAILED_MATCHING: &str = "
    SELECT id FROM deliveries
    WHERE status = 'failed' AND troubled
      AND ($1::text IS NULL OR tenant = $1)
      AND ($2::uuid IS NULL OR subscription_id = $2)
      AND ($3::text IS NULL OR event_type = $3)
      AND ($4::timestamptz IS NULL OR (id >= $5 AND created_at >= $4))
      AND ($6::timestamptz IS NULL OR (id < $7 AND created_at < $6))
    ORDER BY id LIMIT $8";

/// Binds `$1..$8` of [`FAILED_MATCHING`] to any sqlx query kind.
macro_rules! bind_failed {
    ($query:expr, $filter:expr, $limit:expr $(,)?) => {
        $query
            .bind($filter.tenant.as_deref())
            .bind($filter.subscription_id.map(|id| id.as_uuid()))
            .bind($filter.event_type.as_deref())
            .bind($filter.since)
            .bind($filter.since.map(ids_from))
            .bind($filter.until)
            .bind($filter.until.map(ids_until))
            .bind(i64::from($limit))
    };
}

impl Store {
    /// Events newest first, without replay copies (they repeat an event, they are not new
    /// ones); a page continues below `before`.
    pub async fn list_events(
        &self,
        filter: &EventListFilter,
        before: Option<EventId>,
        limit: u32,
    ) -> Result<Vec<EventSummary>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, tenant, ce_id, type, source, subject, outcome, time, received_at, trace_id
             FROM events
             WHERE replay_of IS NULL
               AND ($1::text IS NULL OR tenant = $1)
               AND ($2::text IS NULL OR type = $2)
               AND ($3::timestamptz IS NULL OR (id >= $4 AND received_at >= $3))
               AND ($5::timestamptz IS NULL OR (id < $6 AND received_at < $5))
               AND ($7::uuid IS NULL OR id < $7)
             ORDER BY id DESC LIMIT $8",
        )
        .bind(filter.tenant.as_deref())
        .bind(filter.event_type.as_deref())
        .bind(filter.since)
        .bind(filter.since.map(ids_from))
        .bind(filter.until)
        .bind(filter.until.map(ids_until))
        .bind(before.map(|id| id.as_uuid()))
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(event_summary).collect()
    }

    /// Stores a copy of event `original` (same CloudEvents JSON, publisher id
    /// `{original ce_id}:replay:{n}`) and one new delivery per target, in one statement, so the
    /// copy exists only together with its fan-out, and the jobs in the outbox in the same
    /// transaction. `None` when the original does not exist
    /// or there are no targets.
    pub async fn replay_event(
        &self,
        original: EventId,
        targets: &[(SubscriptionId, Channel)],
    ) -> Result<Option<Replay>, StoreError> {
        if targets.is_empty() {
            // Nothing to deliver: no copy either (it would be an event without its fan-out).
            return Ok(None);
        }
        let taken: i64 = sqlx::query_scalar("SELECT count(*) FROM events WHERE replay_of = $1")
            .bind(original.as_uuid())
            .fetch_one(&self.pool)
            .await?;
        let delivery_ids: Vec<DeliveryId> = targets.iter().map(|_| DeliveryId::new()).collect();
        for n in (taken + 1)..=(taken + REPLAY_TRIES) {
            let copy = EventId::new();
            let mut tx = self.pool.begin().await?;
            let rows = sqlx::query(
                "WITH copy AS (
                     INSERT INTO events (id, tenant, ce_id, type, source, subject, outcome, time,
                                         received_at, trace_id, cloudevent, cloudevent_exact,
                                         replay_of)
                     SELECT $1, e.tenant, e.ce_id || ':replay:' || $3::text, e.type, e.source,
                            e.subject, e.outcome, e.time, now(), e.trace_id, e.cloudevent,
                            e.cloudevent_exact, e.id
                     FROM events e WHERE e.id = $2
                     ON CONFLICT (tenant, ce_id) DO NOTHING
                     RETURNING id, tenant, type
                 )
                 INSERT INTO deliveries (id, event_id, subscription_id, tenant, channel, event_type)
                 SELECT j.id, c.id, j.subscription_id, c.tenant, j.channel, c.type
                 FROM UNNEST($4::uuid[], $5::uuid[], $6::text[]) AS j(id, subscription_id, channel)
                      CROSS JOIN copy c
                 RETURNING id, event_id, subscription_id, tenant, channel, event_type",
            )
            // copy id, original, n; then j.id, j.subscription_id, j.channel
            .bind(copy.as_uuid())
            .bind(original.as_uuid())
            .bind(n.to_string())
            .bind(
                delivery_ids
                    .iter()
                    .map(|id| id.as_uuid())
                    .collect::<Vec<_>>(),
            )
            .bind(
                targets
                    .iter()
                    .map(|(id, _)| id.as_uuid())
                    .collect::<Vec<_>>(),
            )
            .bind(targets.iter().map(|(_, c)| c.as_str()).collect::<Vec<_>>())
            .fetch_all(&mut *tx)
            .await?;
            if !rows.is_empty() {
                let jobs = rows
                    .iter()
                    .map(|row| job_row(row).map(QueuedJob::first))
                    .collect::<Result<Vec<_>, _>>()?;
                enqueue(&mut tx, &jobs).await?;
                tx.commit().await?;
                return Ok(Some(Replay {
                    event_id: copy,
                    jobs,
                }));
            }
            // No row: the original is gone, or copy `n` exists already (try the next).
            tx.rollback().await?;
            let exists: Option<Uuid> = sqlx::query_scalar("SELECT id FROM events WHERE id = $1")
                .bind(original.as_uuid())
                .fetch_optional(&self.pool)
                .await?;
            if exists.is_none() {
                return Ok(None);
            }
        }
        Err(StoreError::Corrupt(format!(
            "no free replay number for event {original} after {REPLAY_TRIES} tries"
        )))
    }

    /// How many deliveries [`Self::retry_failed`] would retry now with the same filter and cap,
    /// and whether more than `cap` match.
    pub async fn count_failed(
        &self,
        filter: &FailedFilter,
        cap: u32,
    ) -> Result<(u32, bool), StoreError> {
        let count: i64 = bind_failed!(
            sqlx::query_scalar(&format!("SELECT count(*) FROM ({FAILED_MATCHING}) AS m")),
            filter,
            cap + 1,
        )
        .fetch_one(&self.pool)
        .await?;
        let count = u32::try_from(count).unwrap_or(u32::MAX);
        Ok((count.min(cap), count > cap))
    }

    /// Puts up to `cap` matching failed deliveries (oldest first) back to pending with a fresh
    /// set of attempts, as [`Self::retry_delivery`] does one, and returns their jobs, queued in
    /// the outbox in the same transaction.
    pub async fn retry_failed(
        &self,
        filter: &FailedFilter,
        cap: u32,
    ) -> Result<Vec<QueuedJob>, StoreError> {
        let mut tx = self.pool.begin().await?;
        // `status = 'failed'` again in the UPDATE: a row the dispatcher changed between the
        // pick and the update is left alone.
        let rows = bind_failed!(
            sqlx::query(&format!(
                "WITH picked AS ({FAILED_MATCHING} FOR UPDATE)
                 UPDATE deliveries d
                 SET status = 'pending', attempts_base = d.attempt_count, failure_reason = NULL,
                     updated_at = now()
                 FROM picked WHERE d.id = picked.id AND d.status = 'failed'
                 RETURNING d.id, d.event_id, d.subscription_id, d.tenant, d.channel,
                           d.event_type"
            )),
            filter,
            cap,
        )
        .fetch_all(&mut *tx)
        .await?;
        let jobs = rows
            .iter()
            .map(|row| job_row(row).map(QueuedJob::again))
            .collect::<Result<Vec<_>, _>>()?;
        enqueue(&mut tx, &jobs).await?;
        tx.commit().await?;
        Ok(jobs)
    }
}
