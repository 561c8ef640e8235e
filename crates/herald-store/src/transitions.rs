//! `notify: transitions` at ingest: each event a `transitions` subscription decides on (a
//! failure or a success naming its job) is written, in the statement that stores the event, as
//! a delivery `held` under its job's key. Nothing is decided here: the dispatcher's releaser
//! settles the job a moment later ([`Store::settle_job`]), so events of one job that arrive
//! together in any order (several ingest workers or replicas, a backlog) are decided in the
//! order they happened.

use herald_domain::{
    DeliveryId, Event, EventId, JobNotice, JobTrack, Notify, Outcome, SubscriptionId,
};
use sqlx::Row as _;

use crate::events::JobRow;
use crate::{Store, StoreError, SubscriptionCache};

/// Hold keys of jobs waiting to be settled start with this. A group's key is a JSON array and
/// quiet hours' is `quiet`, so none of theirs can.
const JOB_HOLD_PREFIX: &str = "job:";

/// The hold key of the events of `job_key` waiting to be settled.
pub fn job_hold_key(job_key: &str) -> String {
    format!("{JOB_HOLD_PREFIX}{job_key}")
}

/// The job a hold key is for, when it is a job's.
pub fn held_job(hold_key: &str) -> Option<&str> {
    hold_key.strip_prefix(JOB_HOLD_PREFIX)
}

/// A delivery written `held` under `hold_key`, with no job published.
#[derive(Debug, Clone)]
pub(crate) struct HeldJob {
    pub job: JobRow,
    pub hold_key: String,
}

/// The jobs of `event` that go out as they are, and the deliveries held for their job's
/// `transitions` subscription to decide on.
pub(crate) fn route(
    cache: &SubscriptionCache,
    event: &Event,
    event_id: EventId,
) -> (Vec<JobRow>, Vec<HeldJob>) {
    let mut jobs = Vec::new();
    let mut held = Vec::new();
    for (subscription_id, channel) in cache.route(event) {
        let job = JobRow {
            delivery_id: DeliveryId::new(),
            event_id,
            subscription_id,
            tenant: event.tenant.as_str().to_owned(),
            channel: channel.as_str().to_owned(),
            event_type: event.event_type.as_str().to_owned(),
        };
        match job_key(cache, event, subscription_id) {
            Some(key) => held.push(HeldJob {
                job,
                hold_key: job_hold_key(&key),
            }),
            None => jobs.push(job),
        }
    }
    (jobs, held)
}

/// The job `event` moves, when `subscription` follows the state of its job. Starts, warnings
/// and infos change no state, and an event naming no job has none to change: those are
/// delivered as with `every_event`.
fn job_key(
    cache: &SubscriptionCache,
    event: &Event,
    subscription: SubscriptionId,
) -> Option<String> {
    if !matches!(event.outcome(), Outcome::Failure | Outcome::Success) {
        return None;
    }
    let spec = cache.enabled(&event.tenant, subscription)?;
    if !matches!(spec.spec.notify, Notify::Transitions { .. }) {
        return None;
    }
    spec.spec.notify.job_key(event)
}

pub(crate) fn track(row: &sqlx::postgres::PgRow) -> Result<JobTrack, StoreError> {
    Ok(JobTrack {
        failing: row.try_get("failing")?,
        failures: u32::try_from(row.try_get::<i32, _>("failures")?).unwrap_or(0),
        failing_since: row.try_get("failing_since")?,
        last_failure_at: row.try_get("last_failure_at")?,
        last_success_at: row.try_get("last_success_at")?,
        last_notice_at: row.try_get("last_notice_at")?,
    })
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
