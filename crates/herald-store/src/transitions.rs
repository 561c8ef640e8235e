//! `notify: transitions` in the ingest transaction: each job's state is locked, the batch's
//! new events of that job are applied to it in event-time order ([`JobTrack::apply`]), the
//! deliveries that notify are written with their notice, and the state goes back, all before
//! the batch commits. So a notice exists exactly when its event does, and two replicas
//! routing events of the same job wait for each other on the job's row instead of both
//! deciding from the same old state.

use std::collections::HashSet;
use std::time::Duration;

use chrono::{DateTime, Utc};
use herald_domain::{
    DeliveryId, Event, EventId, JobNotice, JobTrack, Notify, Outcome, Step, SubscriptionId,
};
use sqlx::Row as _;
use uuid::Uuid;

use crate::events::{Batch, JobRow, bind_jobs, insert_batch};
use crate::{Store, StoreError, SubscriptionCache};

/// One routed event of a `transitions` subscription that can change its job's state: a
/// failure or a success with a job identity.
#[derive(Debug, Clone)]
pub(crate) struct Candidate {
    /// The event's index in the batch.
    pub index: usize,
    pub event_id: EventId,
    pub subscription_id: SubscriptionId,
    pub tenant: String,
    pub channel: String,
    pub event_type: String,
    pub job_key: String,
    pub repeat_interval: Duration,
    pub outcome: Outcome,
    pub time: DateTime<Utc>,
}

/// A delivery that notifies, for the event at `index`.
pub(crate) struct Noticed {
    pub index: usize,
    pub job: JobRow,
    pub notice: JobNotice,
}

impl Store {
    /// The batch in one transaction: events and their every-event deliveries first (so it is
    /// known which events are new), then the job states of the `transitions` subscriptions
    /// and the deliveries that notify. When the subscriptions changed under the batch it
    /// writes nothing, as the single statement does, and says so through the row's version.
    pub(crate) async fn record_with_transitions(
        &self,
        batch: &Batch<'_, '_>,
        mut candidates: Vec<Candidate>,
    ) -> Result<(sqlx::postgres::PgRow, Vec<Noticed>), StoreError> {
        let mut tx = self.pool.begin().await?;
        let row = insert_batch(&mut *tx, batch).await?;
        if row.try_get::<i64, _>("version")? != batch.version {
            tx.rollback().await?;
            return Ok((row, Vec::new()));
        }
        let inserted: HashSet<Uuid> = row
            .try_get::<Vec<Uuid>, _>("inserted")?
            .into_iter()
            .collect();
        candidates.retain(|c| inserted.contains(&c.event_id.as_uuid()));
        let noticed = if candidates.is_empty() {
            Vec::new()
        } else {
            apply(&mut tx, candidates).await?
        };
        tx.commit().await?;
        Ok((row, noticed))
    }
}

/// The jobs of `event` that go out as they are, and the events a `transitions` subscription
/// decides on with its job's state (a failure or a success naming its job).
pub(crate) fn route(
    cache: &SubscriptionCache,
    event: &Event,
    event_id: EventId,
    index: usize,
) -> (Vec<JobRow>, Vec<Candidate>) {
    let mut jobs = Vec::new();
    let mut candidates = Vec::new();
    for (subscription_id, channel) in cache.route(event) {
        let job = JobRow {
            delivery_id: DeliveryId::new(),
            event_id,
            subscription_id,
            tenant: event.tenant.as_str().to_owned(),
            channel: channel.as_str().to_owned(),
            event_type: event.event_type.as_str().to_owned(),
        };
        match transition(cache, event, subscription_id) {
            Some((job_key, repeat_interval)) => candidates.push(Candidate {
                index,
                event_id,
                subscription_id,
                tenant: job.tenant,
                channel: job.channel,
                event_type: job.event_type,
                job_key,
                repeat_interval,
                outcome: event.outcome(),
                time: event.time,
            }),
            None => jobs.push(job),
        }
    }
    (jobs, candidates)
}

/// The job and reminder interval, when `subscription` follows the state of `event`'s job.
/// Starts, warnings and infos change no state, and an event naming no job has none to
/// change: those are delivered as with `every_event`.
fn transition(
    cache: &SubscriptionCache,
    event: &Event,
    subscription: SubscriptionId,
) -> Option<(String, Duration)> {
    if !matches!(event.outcome(), Outcome::Failure | Outcome::Success) {
        return None;
    }
    let spec = cache.enabled(&event.tenant, subscription)?;
    let Notify::Transitions {
        repeat_interval, ..
    } = &spec.spec.notify
    else {
        return None;
    };
    Some((spec.spec.notify.job_key(event)?, *repeat_interval))
}

/// Applies `candidates` (of newly stored events only: a redelivered event must not count
/// twice) to their jobs' states and writes the deliveries that notify. Runs inside the
/// batch's transaction.
pub(crate) async fn apply(
    tx: &mut sqlx::PgConnection,
    mut candidates: Vec<Candidate>,
) -> Result<Vec<Noticed>, StoreError> {
    // One fixed order for every replica: rows are locked in it, so two batches sharing jobs
    // wait for each other and never deadlock; within a job the events go in time order.
    candidates.sort_by(|a, b| {
        (a.subscription_id.as_uuid(), &a.job_key, a.time, a.index).cmp(&(
            b.subscription_id.as_uuid(),
            &b.job_key,
            b.time,
            b.index,
        ))
    });
    let mut keys: Vec<(Uuid, &str)> = candidates
        .iter()
        .map(|c| (c.subscription_id.as_uuid(), c.job_key.as_str()))
        .collect();
    keys.dedup();
    let mut tracks = lock(tx, &keys).await?;
    let mut noticed = Vec::new();
    for candidate in &candidates {
        let key = (
            candidate.subscription_id.as_uuid(),
            candidate.job_key.as_str(),
        );
        let Some((_, track)) = tracks.iter_mut().find(|(k, _)| *k == key) else {
            return Err(StoreError::Corrupt(format!(
                "job state {} of {} not locked",
                candidate.job_key, candidate.subscription_id
            )));
        };
        match track.apply(candidate.outcome, candidate.time, candidate.repeat_interval) {
            Step::Notify(notice) => noticed.push(Noticed {
                index: candidate.index,
                job: JobRow {
                    delivery_id: DeliveryId::new(),
                    event_id: candidate.event_id,
                    subscription_id: candidate.subscription_id,
                    tenant: candidate.tenant.clone(),
                    channel: candidate.channel.clone(),
                    event_type: candidate.event_type.clone(),
                },
                notice,
            }),
            Step::Quiet | Step::PassThrough => {}
        }
    }
    save(tx, &tracks, &noticed).await?;
    Ok(noticed)
}

/// Creates the rows that do not exist yet and locks them all, in `keys`' order.
async fn lock<'k>(
    tx: &mut sqlx::PgConnection,
    keys: &[(Uuid, &'k str)],
) -> Result<Vec<((Uuid, &'k str), JobTrack)>, StoreError> {
    let subscriptions: Vec<Uuid> = keys.iter().map(|(s, _)| *s).collect();
    let job_keys: Vec<&str> = keys.iter().map(|(_, k)| *k).collect();
    sqlx::query(
        "INSERT INTO job_states (subscription_id, job_key)
         SELECT * FROM UNNEST($1::uuid[], $2::text[])
         ON CONFLICT (subscription_id, job_key) DO NOTHING",
    )
    .bind(&subscriptions)
    .bind(&job_keys)
    .execute(&mut *tx)
    .await?;
    let rows = sqlx::query(
        "SELECT j.subscription_id, j.job_key, j.failing, j.failures, j.failing_since,
                j.last_failure_at, j.last_success_at, j.last_notice_at
         FROM job_states j
         JOIN UNNEST($1::uuid[], $2::text[]) AS k(subscription_id, job_key)
           ON j.subscription_id = k.subscription_id AND j.job_key = k.job_key
         ORDER BY j.subscription_id, j.job_key COLLATE \"C\"
         FOR UPDATE OF j",
    )
    .bind(&subscriptions)
    .bind(&job_keys)
    .fetch_all(&mut *tx)
    .await?;
    let mut tracks = Vec::with_capacity(keys.len());
    for row in &rows {
        let subscription: Uuid = row.try_get("subscription_id")?;
        let job_key: String = row.try_get("job_key")?;
        let Some(key) = keys
            .iter()
            .find(|(s, k)| *s == subscription && *k == job_key)
        else {
            continue;
        };
        tracks.push((*key, track(row)?));
    }
    Ok(tracks)
}

fn track(row: &sqlx::postgres::PgRow) -> Result<JobTrack, StoreError> {
    Ok(JobTrack {
        failing: row.try_get("failing")?,
        failures: u32::try_from(row.try_get::<i32, _>("failures")?).unwrap_or(0),
        failing_since: row.try_get("failing_since")?,
        last_failure_at: row.try_get("last_failure_at")?,
        last_success_at: row.try_get("last_success_at")?,
        last_notice_at: row.try_get("last_notice_at")?,
    })
}

/// Writes the states back and the deliveries that notify, in one statement.
async fn save(
    tx: &mut sqlx::PgConnection,
    tracks: &[((Uuid, &str), JobTrack)],
    noticed: &[Noticed],
) -> Result<(), StoreError> {
    let times = |f: fn(&JobTrack) -> Option<DateTime<Utc>>| {
        tracks.iter().map(|(_, t)| f(t)).collect::<Vec<_>>()
    };
    let jobs: Vec<&JobRow> = noticed.iter().map(|n| &n.job).collect();
    let notices = noticed
        .iter()
        .map(|n| serde_json::to_value(&n.notice))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| StoreError::Corrupt(format!("notice not serializable: {e}")))?;
    let query = sqlx::query(
        "WITH saved AS (
             UPDATE job_states j
             SET failing = u.failing, failures = u.failures, failing_since = u.failing_since,
                 last_failure_at = u.last_failure_at, last_success_at = u.last_success_at,
                 last_notice_at = u.last_notice_at
             FROM UNNEST($1::uuid[], $2::text[], $3::bool[], $4::int4[], $5::timestamptz[],
                         $6::timestamptz[], $7::timestamptz[], $8::timestamptz[])
                  AS u(subscription_id, job_key, failing, failures, failing_since,
                       last_failure_at, last_success_at, last_notice_at)
             WHERE j.subscription_id = u.subscription_id AND j.job_key = u.job_key
         )
         INSERT INTO deliveries (id, event_id, subscription_id, tenant, channel, event_type,
                                 notice)
         SELECT * FROM UNNEST($9::uuid[], $10::uuid[], $11::uuid[], $12::text[], $13::text[],
                              $14::text[], $15::jsonb[])
         ON CONFLICT (event_id, subscription_id) DO NOTHING",
    )
    // u.subscription_id, u.job_key, u.failing, u.failures
    .bind(tracks.iter().map(|((s, _), _)| *s).collect::<Vec<_>>())
    .bind(tracks.iter().map(|((_, k), _)| *k).collect::<Vec<_>>())
    .bind(tracks.iter().map(|(_, t)| t.failing).collect::<Vec<_>>())
    .bind(
        tracks
            .iter()
            .map(|(_, t)| i32::try_from(t.failures).unwrap_or(i32::MAX))
            .collect::<Vec<_>>(),
    )
    // u.failing_since, u.last_failure_at, u.last_success_at, u.last_notice_at
    .bind(times(|t| t.failing_since))
    .bind(times(|t| t.last_failure_at))
    .bind(times(|t| t.last_success_at))
    .bind(times(|t| t.last_notice_at));
    // the deliveries: id, event_id, subscription_id, tenant, channel, event_type, notice
    bind_jobs(query, &jobs)
        .bind(notices)
        .execute(&mut *tx)
        .await?;
    Ok(())
}

/// The stored notice; one this binary cannot read (a newer release's kind during a rolling
/// upgrade) is left out, so the delivery still goes out as its plain event.
pub(crate) fn notice(row: &sqlx::postgres::PgRow) -> Result<Option<JobNotice>, StoreError> {
    let Some(value) = row.try_get::<Option<serde_json::Value>, _>("notice")? else {
        return Ok(None);
    };
    Ok(serde_json::from_value(value)
        .inspect_err(|error| tracing::warn!(%error, "Unreadable delivery notice; sent without it."))
        .ok())
}

impl Store {
    /// What `subscription` knows of the job `job_key`: for tests and support.
    pub async fn job_track(
        &self,
        subscription: SubscriptionId,
        job_key: &str,
    ) -> Result<Option<JobTrack>, StoreError> {
        let row = sqlx::query(
            "SELECT failing, failures, failing_since, last_failure_at, last_success_at,
                    last_notice_at
             FROM job_states WHERE subscription_id = $1 AND job_key = $2",
        )
        .bind(subscription.as_uuid())
        .bind(job_key)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(track).transpose()
    }
}
