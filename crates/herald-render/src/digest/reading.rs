//! A digest report in words, the same in the mail and in chat: the counts, the change from the
//! day before, and each failure and warning on a line.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use herald_domain::Outcome;
use serde::Serialize;

use super::{DigestFailure, DigestReport, DigestWarning, FamilyCounts};
use crate::mail_subject;
use crate::notice::{ErrorText, Route};
use crate::text::fit_plain;
use crate::{human, read, style};

/// Names, routes and errors in a list: enough to recognise and act on.
pub(super) const NAME_MAX: usize = 200;
const ROUTE_MAX: usize = 400;
const ERROR_MAX: usize = 1000;
const WARNING_MAX: usize = 1000;

/// The day's counts over all families.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Totals {
    pub succeeded: u64,
    pub failed: u64,
    pub warnings: u64,
    pub started: u64,
    pub total: u64,
}

impl Totals {
    pub(crate) fn of(families: &[FamilyCounts]) -> Totals {
        families.iter().fold(Totals::default(), |sum, f| Totals {
            succeeded: sum.succeeded + f.succeeded,
            failed: sum.failed + f.failed,
            warnings: sum.warnings + f.warnings,
            started: sum.started + f.started,
            total: sum.total + f.total,
        })
    }

    /// `15 ok, 2 failed`, with `, 1 warning` when there are any; `no events` for none.
    fn words(self) -> String {
        if self.total == 0 {
            return "no events".to_owned();
        }
        let mut words = format!("{} ok, {} failed", self.succeeded, self.failed);
        if self.warnings > 0 {
            words.push_str(", ");
            words.push_str(&plural(self.warnings, "warning", "warnings"));
        }
        words
    }
}

impl DigestReport {
    pub(crate) fn totals(&self) -> Totals {
        Totals::of(&self.day.families)
    }

    fn failed_any(&self) -> bool {
        self.totals().failed > 0 || self.failures_total > 0 || !self.failures.is_empty()
    }

    /// A day without events: nothing to report, which is worth a look in itself.
    pub(crate) fn is_quiet(&self) -> bool {
        self.totals().total == 0 && !self.failed_any()
    }

    pub(crate) fn outcome(&self) -> Outcome {
        if self.failed_any() {
            Outcome::Failure
        } else if self.is_quiet() {
            Outcome::Info
        } else {
            Outcome::Success
        }
    }

    pub(crate) fn tenant_name(&self) -> String {
        clean(&self.tenant, NAME_MAX).unwrap_or_default()
    }

    /// `Herald daily report — acme — 2026-11-21`.
    pub(crate) fn title(&self) -> String {
        let tenant = self.tenant_name();
        format!(
            "Herald daily report — {tenant} — {}",
            self.date.format("%Y-%m-%d")
        )
    }

    /// `15 ok, 2 failed, 1 warning`, or `No events`.
    pub(crate) fn counts(&self) -> String {
        if self.is_quiet() {
            return "No events".to_owned();
        }
        self.totals().words()
    }

    /// `Herald daily report — acme — 2026-11-21: 15 ok, 2 failed, 1 warning`.
    pub(crate) fn subject(&self) -> String {
        mail_subject(&format!("{}: {}", self.title(), self.totals().words()))
    }

    /// `15 ok, 2 failed, 1 warning · 3.4 GiB transferred`, or `No events`.
    pub(crate) fn summary(&self) -> String {
        if self.is_quiet() {
            return self.counts();
        }
        format!("{} · {}", self.counts(), bytes_line(self.day.bytes))
    }

    /// `Day before: 13 ok, 0 failed · 2.9 GiB transferred`.
    pub(crate) fn previous_summary(&self) -> Option<String> {
        let previous = self.previous.as_ref()?;
        let totals = Totals::of(&previous.families);
        Some(if totals.total == 0 {
            "Day before: no events".to_owned()
        } else {
            format!(
                "Day before: {} · {}",
                totals.words(),
                bytes_line(previous.bytes)
            )
        })
    }

    /// `acme · times in Europe/Berlin`.
    pub(crate) fn footer(&self) -> String {
        format!("{} · times in {}", self.tenant_name(), self.timezone.name())
    }

    /// A family's counts on the day before: zero when it had none, `None` without a day before.
    pub(crate) fn previous_of(&self, family: &str) -> Option<FamilyCounts> {
        let previous = self.previous.as_ref()?;
        let found = previous.families.iter().find(|f| f.family == family);
        Some(found.cloned().unwrap_or_default())
    }
}

/// `3.4 GiB transferred`.
pub(crate) fn bytes_line(bytes: u64) -> String {
    format!("{} transferred", human::bytes(bytes as f64))
}

/// The change from the day before: `▲3`, `▼2`; nothing when it stayed the same.
pub(crate) fn delta(now: u64, before: u64) -> Option<String> {
    match now.cmp(&before) {
        std::cmp::Ordering::Greater => Some(format!("▲{}", now - before)),
        std::cmp::Ordering::Less => Some(format!("▼{}", before - now)),
        std::cmp::Ordering::Equal => None,
    }
}

/// `1 run`, `7 runs`.
pub(crate) fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// `transfer` → `Transfers`, `gc` → `Garbage collections`, `other` → `Other`.
pub(crate) fn family_label(family: &str) -> String {
    match family {
        "transfer" => "Transfers".to_owned(),
        "backup" => "Backups".to_owned(),
        "snapshot" => "Snapshots".to_owned(),
        "restore" => "Restores".to_owned(),
        "gc" => "Garbage collections".to_owned(),
        "verify" => "Verifications".to_owned(),
        other => clean(&human::label(other), NAME_MAX).unwrap_or_else(|| "Other".to_owned()),
    }
}

/// `Transfers: 10 ok, 2 failed, 1 started`: the counts a family had, `None` for none.
pub(crate) fn family_line(counts: &FamilyCounts) -> Option<String> {
    let parts: Vec<String> = [
        (counts.succeeded, "ok"),
        (counts.failed, "failed"),
        (counts.warnings, "with warnings"),
        (counts.started, "started"),
    ]
    .into_iter()
    .filter(|(n, _)| *n > 0)
    .map(|(n, what)| format!("{n} {what}"))
    .collect();
    (!parts.is_empty()).then(|| format!("{}: {}", family_label(&counts.family), parts.join(", ")))
}

/// `02:30` in the report's zone.
pub(crate) fn local_time(time: DateTime<Utc>, zone: Tz) -> String {
    time.with_timezone(&zone).format("%H:%M").to_string()
}

/// Publisher text for one line of a list: cleaned, on one line, bounded.
pub(super) fn clean(text: &str, max: usize) -> Option<String> {
    read::clean(text).map(|text| fit_plain(&read::one_line(text), max))
}

fn clean_opt(text: Option<&str>, max: usize) -> Option<String> {
    text.and_then(|text| clean(text, max))
}

/// One failure, ready to list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct FailureText {
    pub time: String,
    /// `Transfer failed`.
    pub title: String,
    pub name: Option<String>,
    pub route: Option<String>,
    /// `Access denied (ACCESS_DENIED)`.
    pub error: Option<String>,
}

impl FailureText {
    fn new(failure: &DigestFailure, zone: Tz) -> FailureText {
        let error = ErrorText {
            code: clean_opt(failure.error_code.as_deref(), ERROR_MAX),
            message: clean_opt(failure.error_message.as_deref(), ERROR_MAX),
            details: None,
        };
        let has_error = error.code.is_some() || error.message.is_some();
        let route = Route::new(
            clean_opt(failure.source.as_deref(), ROUTE_MAX),
            clean_opt(failure.destination.as_deref(), ROUTE_MAX),
        );
        FailureText {
            time: local_time(failure.time, zone),
            title: style::title(&clean(&failure.event_type, NAME_MAX).unwrap_or_default()),
            name: clean_opt(failure.name.as_deref(), NAME_MAX),
            route: route.map(|route| fit_plain(&route.to_string(), ROUTE_MAX)),
            error: has_error.then(|| error.summary()),
        }
    }

    /// `02:30 Transfer failed: nightly — a → b — Access denied (DENIED)`, at most `max` long.
    pub(crate) fn line(&self, max: usize) -> String {
        let mut line = format!("{} {}", self.time, self.title);
        if let Some(name) = &self.name {
            line.push_str(": ");
            line.push_str(name);
        }
        for part in [&self.route, &self.error].into_iter().flatten() {
            line.push_str(" — ");
            line.push_str(part);
        }
        fit_plain(&line, max)
    }
}

/// Up to `max` failures, and how many more the day had.
pub(crate) fn failures(report: &DigestReport, max: usize) -> (Vec<FailureText>, u64) {
    let shown: Vec<FailureText> = report
        .failures
        .iter()
        .take(max)
        .map(|failure| FailureText::new(failure, report.timezone))
        .collect();
    let all = report.failures_total.max(report.failures.len() as u64);
    let more = all - shown.len() as u64;
    (shown, more)
}

/// One warning, ready to list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct WarningText {
    pub time: String,
    pub title: String,
    pub name: Option<String>,
    pub text: String,
}

/// Up to `max` warnings, and how many more the day had.
pub(crate) fn warnings(report: &DigestReport, max: usize) -> (Vec<WarningText>, u64) {
    let shown: Vec<WarningText> = report
        .warnings
        .iter()
        .take(max)
        .map(|warning: &DigestWarning| WarningText {
            time: local_time(warning.time, report.timezone),
            title: style::title(&clean(&warning.event_type, NAME_MAX).unwrap_or_default()),
            name: clean_opt(warning.name.as_deref(), NAME_MAX),
            text: clean(&warning.text, WARNING_MAX).unwrap_or_default(),
        })
        .collect();
    let all = report.warnings_total.max(report.warnings.len() as u64);
    let more = all - shown.len() as u64;
    (shown, more)
}
