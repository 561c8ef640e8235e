//! Settling a job of a `transitions` subscription (issue 12): the events ingest held under
//! the job's key are applied to its state in event-time order, in one transaction under the
//! lock of the job's `job_states` row (taken SKIP LOCKED, so a replica already on it is left
//! to it). The deliveries that notify become pending with their notice and their jobs go in
//! the outbox; the others end `suppressed` with the reason. A kill -9 before the commit leaves
//! the events held for the next try; after it, the outbox sweep publishes what the hand-over
//! missed.

use std::time::Duration;

use chrono::{DateTime, Utc};
use herald_domain::{JobNotice, JobTrack, Outcome, Step, SubscriptionId};
use sqlx::Row as _;
use uuid::Uuid;

use crate::events::{JobRow, job_row};
use crate::outbox::QueuedJob;
use crate::transitions::{held_job, track};
use crate::{Store, StoreError, storable};

/// A job to settle.
#[derive(Debug, Clone, Copy)]
pub struct Settle<'a> {
    pub subscription_id: SubscriptionId,
    pub hold_key: &'a str,
    /// How long the job's oldest held event must have waited (checked under the lock).
    pub settle: Duration,
    /// The subscription's `repeat_interval`; `None` when it no longer follows transitions,
    /// so what was held goes out as every event does.
    pub repeat_interval: Option<Duration>,
}

/// What a settle made of the held events.
#[derive(Debug, Default)]
pub struct Settled {
    /// The deliveries that go out, with their jobs queued in the outbox.
    pub jobs: Vec<QueuedJob>,
    pub suppressed: usize,
}

struct HeldEvent {
    job: JobRow,
    outcome: Outcome,
    time: DateTime<Utc>,
}

impl Store {
    /// Settles one job; `None` when another replica holds it or it is not due yet.
    pub async fn settle_job(&self, settle: &Settle<'_>) -> Result<Option<Settled>, StoreError> {
        let Some(job_key) = held_job(settle.hold_key) else {
            return Err(StoreError::Corrupt(format!(
                "{} is not a job's hold key",
                settle.hold_key
            )));
        };
        let subscription = settle.subscription_id.as_uuid();
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "INSERT INTO job_states (subscription_id, job_key) VALUES ($1, $2)
             ON CONFLICT DO NOTHING",
        )
        .bind(subscription)
        .bind(job_key)
        .execute(&mut *tx)
        .await?;
        let state = sqlx::query(
            "SELECT failing, failures, failing_since, last_failure_at, last_success_at,
                    last_notice_at
             FROM job_states WHERE subscription_id = $1 AND job_key = $2
             FOR UPDATE SKIP LOCKED",
        )
        .bind(subscription)
        .bind(job_key)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(state) = state else {
            return Ok(None);
        };
        let mut track = track(&state)?;
        let rows = sqlx::query(
            "SELECT d.id, d.event_id, d.subscription_id, d.tenant, d.channel, d.event_type,
                    d.created_at, e.outcome, e.time, now() AS now
             FROM deliveries d JOIN events e ON e.id = d.event_id
             WHERE d.subscription_id = $1 AND d.hold_key = $2 AND d.status = 'held'
             ORDER BY e.time, e.id
             FOR UPDATE OF d",
        )
        .bind(subscription)
        .bind(settle.hold_key)
        .fetch_all(&mut *tx)
        .await?;
        let oldest = rows
            .iter()
            .map(|row| row.try_get::<DateTime<Utc>, _>("created_at"))
            .collect::<Result<Vec<_>, _>>()?
            .into_iter()
            .min();
        let now: Option<DateTime<Utc>> = rows.first().map(|r| r.try_get("now")).transpose()?;
        let due = match (oldest, now) {
            (Some(oldest), Some(now)) => (now - oldest).to_std().is_ok_and(|w| w >= settle.settle),
            _ => false,
        };
        if !due {
            return Ok(None);
        }
        let mut sent: Vec<(JobRow, Option<JobNotice>)> = Vec::new();
        let mut suppressed: Vec<(Uuid, String)> = Vec::new();
        for row in &rows {
            let held = held_event(row)?;
            let Some(repeat_interval) = settle.repeat_interval else {
                sent.push((held.job, None));
                continue;
            };
            match track.apply(held.outcome, held.time, repeat_interval) {
                Step::Notify(notice) => sent.push((held.job, Some(notice))),
                Step::PassThrough => sent.push((held.job, None)),
                Step::Quiet(quiet) => {
                    suppressed.push((held.job.delivery_id.as_uuid(), quiet.reason(job_key)));
                }
            }
        }
        release(&mut tx, &sent, &suppressed).await?;
        save(&mut tx, subscription, job_key, &track).await?;
        let jobs: Vec<QueuedJob> = sent
            .into_iter()
            .map(|(job, _)| QueuedJob::first(job))
            .collect();
        crate::outbox::enqueue(&mut tx, &jobs).await?;
        tx.commit().await?;
        Ok(Some(Settled {
            jobs,
            suppressed: suppressed.len(),
        }))
    }
}

fn held_event(row: &sqlx::postgres::PgRow) -> Result<HeldEvent, StoreError> {
    let outcome: String = row.try_get("outcome")?;
    Ok(HeldEvent {
        job: job_row(row)?,
        outcome: Outcome::parse(&outcome)
            .ok_or_else(|| StoreError::Corrupt(format!("event outcome {outcome:?}")))?,
        time: row.try_get("time")?,
    })
}

/// The deliveries that go out become pending with their notice; the others end suppressed.
async fn release(
    tx: &mut sqlx::PgConnection,
    sent: &[(JobRow, Option<JobNotice>)],
    suppressed: &[(Uuid, String)],
) -> Result<(), StoreError> {
    let notices = sent
        .iter()
        .map(|(_, notice)| notice.as_ref().map(serde_json::to_value).transpose())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| StoreError::Corrupt(format!("notice not serializable: {e}")))?;
    sqlx::query(
        "UPDATE deliveries d SET status = 'pending', hold_key = NULL, notice = s.notice,
                                 updated_at = now()
         FROM UNNEST($1::uuid[], $2::jsonb[]) AS s(id, notice)
         WHERE d.id = s.id AND d.status = 'held'",
    )
    .bind(
        sent.iter()
            .map(|(job, _)| job.delivery_id.as_uuid())
            .collect::<Vec<_>>(),
    )
    .bind(notices)
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "UPDATE deliveries d SET status = 'suppressed', hold_key = NULL,
                                 failure_reason = s.reason, updated_at = now()
         FROM UNNEST($1::uuid[], $2::text[]) AS s(id, reason)
         WHERE d.id = s.id AND d.status = 'held'",
    )
    .bind(suppressed.iter().map(|(id, _)| *id).collect::<Vec<_>>())
    .bind(
        suppressed
            .iter()
            .map(|(_, reason)| storable::text(reason))
            .collect::<Vec<_>>(),
    )
    .execute(&mut *tx)
    .await?;
    Ok(())
}

async fn save(
    tx: &mut sqlx::PgConnection,
    subscription: Uuid,
    job_key: &str,
    track: &JobTrack,
) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE job_states
         SET failing = $3, failures = $4, failing_since = $5, last_failure_at = $6,
             last_success_at = $7, last_notice_at = $8
         WHERE subscription_id = $1 AND job_key = $2",
    )
    .bind(subscription)
    .bind(job_key)
    .bind(track.failing)
    .bind(i32::try_from(track.failures).unwrap_or(i32::MAX))
    .bind(track.failing_since)
    .bind(track.last_failure_at)
    .bind(track.last_success_at)
    .bind(track.last_notice_at)
    .execute(&mut *tx)
    .await?;
    Ok(())
}
