//! The daily digest: a tenant's previous local day in one report, from the numbers the database
//! gathers. [`digest_mail`](crate::digest_mail) lays it out as an email; [`digest_chat`] reads
//! it as the few lines the Slack, Discord and Teams digests show.

mod reading;
mod schedules;

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use herald_domain::Outcome;
use serde::{Deserialize, Serialize};

pub(crate) use reading::{
    FailureText, Totals, WarningText, bytes_line, delta, failures, family_label, family_line,
    plural, warnings,
};
pub(crate) use schedules::{ScheduleText, schedules};

/// One tenant's local day. Text comes from events, so it is publisher text: the renderers
/// clean, bound and escape it like any event's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DigestReport {
    pub tenant: String,
    /// The local day covered.
    pub date: NaiveDate,
    /// The zone of that day; times in the report are shown in it.
    pub timezone: Tz,
    pub day: DayCounts,
    /// The day before, for comparison; `None` when there is nothing to compare with (a tenant
    /// newer than that day), which leaves the comparison out rather than showing zeros.
    pub previous: Option<DayCounts>,
    /// The day's failures, oldest first; the query may cap the list.
    pub failures: Vec<DigestFailure>,
    /// All of the day's failures, for "and N more".
    pub failures_total: u64,
    pub warnings: Vec<DigestWarning>,
    pub warnings_total: u64,
    /// Each schedule that ran (or was due) that day.
    pub schedules: Vec<ScheduleRuns>,
    /// The jobs with the most runs, busiest first.
    pub busiest: Vec<JobActivity>,
}

/// What a day's events add up to.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct DayCounts {
    /// One row per family (`transfer`, `backup`, …, and `other`).
    pub families: Vec<FamilyCounts>,
    /// Data moved: transfers' bytes and backups' sizes.
    pub bytes: u64,
}

/// One family's events by outcome; `total` counts all of them, informational ones included.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct FamilyCounts {
    pub family: String,
    pub succeeded: u64,
    pub failed: u64,
    pub warnings: u64,
    pub started: u64,
    pub total: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DigestFailure {
    pub time: DateTime<Utc>,
    pub event_type: String,
    /// The job, transfer or repository, as the event's notice names it.
    pub name: Option<String>,
    pub source: Option<String>,
    pub destination: Option<String>,
    pub error_code: Option<String>,
    pub error_message: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DigestWarning {
    pub time: DateTime<Utc>,
    pub event_type: String,
    pub name: Option<String>,
    pub text: String,
}

/// How one schedule's runs went.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScheduleRuns {
    /// Its name, else its id.
    pub schedule: String,
    /// The family of the jobs it runs, so the digest can say "recurring transfers".
    pub family: String,
    pub runs: u64,
    pub failed: u64,
    pub last_failure: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobActivity {
    pub name: String,
    pub runs: u64,
    pub bytes: u64,
}

/// A digest in the few lines a chat message has room for; plain text, each line bounded,
/// escaped by the renderer that places it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DigestLines {
    /// Failure when anything failed, Success when the day went well, Info when it was empty.
    pub outcome: Outcome,
    /// `Herald daily report — acme — 2026-11-21`.
    pub title: String,
    /// `15 ok, 2 failed, 1 warning · 3.4 GiB transferred`, or `No events`.
    pub summary: String,
    /// `Day before: 13 ok, 0 failed · 2.9 GiB transferred`.
    pub previous: Option<String>,
    /// `Transfers: 10 ok, 2 failed`, one per family with events.
    pub families: Vec<String>,
    /// `02:30 Transfer failed: nightly — a → b — Access denied (DENIED)`, at most ten.
    pub failures: Vec<String>,
    pub failures_more: u64,
    /// `All 5 recurring transfers ran successfully (23 runs)`, or a line per schedule that
    /// had failures.
    pub schedules: Vec<String>,
    /// `acme · times in Europe/Berlin`.
    pub footer: String,
}

impl DigestLines {
    /// The summary, the day before and the families, one per line.
    pub(crate) fn counts_text(&self) -> String {
        let mut lines = vec![self.summary.clone()];
        lines.extend(self.previous.clone());
        lines.extend(self.families.iter().cloned());
        lines.join("\n")
    }

    /// `• 02:30 Transfer failed: …` per failure and `…and 3 more`; `None` without failures.
    pub(crate) fn failures_text(&self) -> Option<String> {
        let mut lines: Vec<String> = self.failures.iter().map(|f| format!("• {f}")).collect();
        if self.failures_more > 0 {
            lines.push(format!("…and {} more", self.failures_more));
        }
        (!lines.is_empty()).then(|| lines.join("\n"))
    }

    /// The schedule lines as a list; `None` without schedules.
    pub(crate) fn schedules_text(&self) -> Option<String> {
        let lines: Vec<String> = self.schedules.iter().map(|s| format!("• {s}")).collect();
        (!lines.is_empty()).then(|| lines.join("\n"))
    }
}

/// A chat message lists this many failures; the mail has room for more.
const CHAT_FAILURES: usize = 10;
const CHAT_LINE_MAX: usize = 300;

/// The digest as a chat message's lines.
pub fn digest_chat(report: &DigestReport) -> DigestLines {
    let (failures, failures_more) = failures(report, CHAT_FAILURES);
    DigestLines {
        outcome: report.outcome(),
        title: report.title(),
        summary: report.summary(),
        previous: report.previous_summary(),
        families: report.day.families.iter().filter_map(family_line).collect(),
        failures: failures
            .iter()
            .map(|failure| failure.line(CHAT_LINE_MAX))
            .collect(),
        failures_more,
        schedules: schedules(report).lines,
        footer: report.footer(),
    }
}

#[cfg(test)]
mod tests;
