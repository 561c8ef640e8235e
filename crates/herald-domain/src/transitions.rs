//! `notify: transitions` (issue 12): a job's changes of state instead of its every event.
//! [`JobTrack`] is what Herald remembers of one job for one subscription, and [`JobTrack::apply`]
//! the decision an event leads to, so the rules are tested here without a database; the store
//! keeps the state in Postgres and applies it under a row lock when it settles a job's held
//! events (`herald_store::Settle`).
//!
//! Every time is the event's own (its CloudEvents `time`), never the clock of the replica
//! that happens to process it: events of one job may arrive late or out of order, and two
//! replicas must come to the same state whatever order they see them in.

use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};

use crate::Outcome;

/// What a delivery of a `transitions` subscription says beyond its event: stored with the
/// delivery (`deliveries.notice`) and shown by every channel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobNotice {
    pub kind: JobNoticeKind,
    /// The failed runs of the failing period: so far (`failing`, `still_failing`), or in all
    /// (`recovered`).
    pub failures: u32,
    /// The event time of the period's first failure.
    pub since: DateTime<Utc>,
    /// `recovered` only: from the first failure to the success that ended it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub down_for_seconds: Option<u64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JobNoticeKind {
    /// The job's first failure after a success (or ever).
    Failing,
    /// A reminder: it has kept failing for `repeat_interval` since the last notice.
    StillFailing,
    /// The first success after failures.
    Recovered,
}

impl JobNoticeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            JobNoticeKind::Failing => "failing",
            JobNoticeKind::StillFailing => "still_failing",
            JobNoticeKind::Recovered => "recovered",
        }
    }
}

impl JobNotice {
    /// `down_for_seconds` as a duration, for `recovered`.
    pub fn down_for(&self) -> Option<Duration> {
        self.down_for_seconds.map(Duration::from_secs)
    }
}

/// What Herald remembers of one job for one subscription (a `job_states` row).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct JobTrack {
    pub failing: bool,
    /// Failed runs in the current failing period; 0 when not failing.
    pub failures: u32,
    /// The first failure of the current failing period.
    pub failing_since: Option<DateTime<Utc>>,
    pub last_failure_at: Option<DateTime<Utc>>,
    pub last_success_at: Option<DateTime<Utc>>,
    /// The event that last notified (failing, still failing or recovered).
    pub last_notice_at: Option<DateTime<Utc>>,
}

/// What an event of a `transitions` subscription leads to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// Delivered with this notice.
    Notify(JobNotice),
    /// Not delivered: it changes nothing a person needs to hear now.
    Quiet(Quiet),
    /// Delivered as with `every_event` (a start, a warning, an info): its outcome is no
    /// change of state, and the state is left as it was.
    PassThrough,
}

/// Why an event of a `transitions` subscription was not delivered: kept with its delivery
/// (`suppressed`), so "where did my event go" has an answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Quiet {
    /// A further failure before its reminder is due.
    StillFailing {
        failures: u32,
        since: DateTime<Utc>,
        next_reminder: Option<DateTime<Utc>>,
    },
    /// A success while the job was not failing.
    NotFailing,
    /// Older than an event of the job already decided on.
    Late,
}

impl Quiet {
    /// The reason stored with the delivery, naming the job.
    pub fn reason(&self, job_key: &str) -> String {
        match self {
            Quiet::StillFailing {
                failures,
                since,
                next_reminder,
            } => {
                let since = since.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
                let reminder = next_reminder.map_or_else(String::new, |at| {
                    format!(
                        "; the next reminder goes with a failure from {}",
                        at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
                    )
                });
                format!(
                    "notify: transitions: {job_key} still failing ({failures} failures since {since}){reminder}"
                )
            }
            Quiet::NotFailing => {
                format!("notify: transitions: {job_key} succeeded and was not failing")
            }
            Quiet::Late => format!(
                "notify: transitions: arrived after a newer event of {job_key} was decided on"
            ),
        }
    }
}

impl JobTrack {
    /// The newest event already applied: anything older arrived late.
    fn newest(&self) -> Option<DateTime<Utc>> {
        self.last_failure_at.max(self.last_success_at)
    }

    /// Applies one event, of outcome `outcome` and time `time`, and says what it leads to.
    ///
    /// In time order: a failure while not failing notifies `failing`; further failures are
    /// quiet but for a `still_failing` reminder once `repeat_interval` has passed since the
    /// last notice; the first success after failures notifies `recovered`; a success while
    /// not failing is quiet. An event older than the newest one applied (it arrived late)
    /// never notifies: the notices it would have changed have gone out already. A late
    /// failure of the current failing period still counts, and may move its start earlier;
    /// anything older than the last success belongs to a period already closed and changes
    /// nothing.
    pub fn apply(
        &mut self,
        outcome: Outcome,
        time: DateTime<Utc>,
        repeat_interval: Duration,
    ) -> Step {
        let late = self.newest().is_some_and(|newest| time < newest);
        match (outcome, late) {
            (Outcome::Failure, false) => {
                self.last_failure_at = Some(time);
                if !self.failing {
                    self.failing = true;
                    self.failures = 1;
                    self.failing_since = Some(time);
                    self.last_notice_at = Some(time);
                    return Step::Notify(JobNotice {
                        kind: JobNoticeKind::Failing,
                        failures: 1,
                        since: time,
                        down_for_seconds: None,
                    });
                }
                self.failures = self.failures.saturating_add(1);
                let due = self.last_notice_at.is_none_or(|last| {
                    (time - last)
                        .to_std()
                        .is_ok_and(|passed| passed >= repeat_interval)
                });
                if !due {
                    return Step::Quiet(Quiet::StillFailing {
                        failures: self.failures,
                        since: self.failing_since.unwrap_or(time),
                        next_reminder: self.last_notice_at.and_then(|last| {
                            TimeDelta::from_std(repeat_interval).ok().map(|d| last + d)
                        }),
                    });
                }
                self.last_notice_at = Some(time);
                Step::Notify(JobNotice {
                    kind: JobNoticeKind::StillFailing,
                    failures: self.failures,
                    since: self.failing_since.unwrap_or(time),
                    down_for_seconds: None,
                })
            }
            (Outcome::Failure, true) => {
                let in_this_period =
                    self.failing && self.last_success_at.is_none_or(|success| time >= success);
                if in_this_period {
                    self.failures = self.failures.saturating_add(1);
                    self.failing_since = Some(self.failing_since.map_or(time, |s| s.min(time)));
                }
                Step::Quiet(Quiet::Late)
            }
            (Outcome::Success, false) => {
                self.last_success_at = Some(time);
                if !self.failing {
                    return Step::Quiet(Quiet::NotFailing);
                }
                let since = self.failing_since.unwrap_or(time);
                let notice = JobNotice {
                    kind: JobNoticeKind::Recovered,
                    failures: self.failures,
                    since,
                    down_for_seconds: Some((time - since).num_seconds().max(0).unsigned_abs()),
                };
                self.failing = false;
                self.failures = 0;
                self.failing_since = None;
                self.last_notice_at = Some(time);
                Step::Notify(notice)
            }
            (Outcome::Success, true) => Step::Quiet(Quiet::Late),
            (Outcome::Warning | Outcome::Started | Outcome::Info, _) => Step::PassThrough,
        }
    }
}

#[cfg(test)]
mod tests;
