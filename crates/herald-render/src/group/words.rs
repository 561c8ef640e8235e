//! A group in words: its title from what its members have in common (one type reads as that
//! type's words, one family as the family's noun), the first names, and one line per member.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use herald_domain::{JobNoticeKind, Outcome};
use serde::Serialize;

use super::{GroupMember, GroupReason, GroupReport, QuietSpan};
use crate::text::fit_plain;
use crate::{human, read, style};

/// Names the headline shows before "… and N more".
const HEADLINE_NAMES: usize = 3;
const NAME_MAX: usize = 60;
const ROUTE_MAX: usize = 100;
const LINE_NAME_MAX: usize = 120;
const ERROR_MAX: usize = 200;

/// Outcomes in the order a reader wants them: trouble first.
const OUTCOME_ORDER: [Outcome; 5] = [
    Outcome::Failure,
    Outcome::Warning,
    Outcome::Success,
    Outcome::Started,
    Outcome::Info,
];

/// One member as a line: `02:30:05 ❌ nightly-a — Access denied (ACCESS_DENIED)`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct MemberLine {
    pub time: String,
    pub icon: &'static str,
    /// Its name; with members of several types, its type's title first (`Transfer failed:
    /// nightly-a`); its type's title alone when it has no name.
    pub title: String,
    pub error: Option<String>,
}

impl MemberLine {
    pub(crate) fn new(report: &GroupReport, member: &GroupMember) -> MemberLine {
        let name = member
            .name
            .as_deref()
            .and_then(read::clean)
            .map(|n| fit_plain(&read::one_line(n), LINE_NAME_MAX));
        let kind = style::title(&member.event_type);
        let title = match name {
            Some(name) if report.types.len() > 1 => format!("{kind}: {name}"),
            Some(name) => name,
            None => kind,
        };
        let (title, outcome) = with_notice(title, member);
        let error = member.error.as_ref().and_then(|e| {
            let message = e.message.as_deref().and_then(read::clean);
            let code = e.code.as_deref().and_then(read::clean);
            let text = match (message, code) {
                (Some(message), Some(code)) => format!("{message} ({code})"),
                (Some(text), None) | (None, Some(text)) => text,
                (None, None) => return None,
            };
            Some(fit_plain(&read::one_line(text), ERROR_MAX))
        });
        MemberLine {
            time: clock(member.time, report),
            icon: style::icon(outcome),
            title,
            error,
        }
    }

    pub(crate) fn text(&self) -> String {
        match &self.error {
            Some(error) => format!("{} {} {} — {error}", self.time, self.icon, self.title),
            None => format!("{} {} {}", self.time, self.icon, self.title),
        }
    }
}

/// The member's title with what its job notice says, and the outcome its icon shows: a
/// transitions notice held by quiet hours would otherwise read as a bare event, and "✅
/// nightly-a recovered after 5 failures" is the point of it.
fn with_notice(title: String, member: &GroupMember) -> (String, Outcome) {
    let Some(notice) = &member.notice else {
        return (title, member.outcome);
    };
    let plural = |n: u32, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    match notice.kind {
        JobNoticeKind::Failing => (format!("{title} failing"), Outcome::Failure),
        JobNoticeKind::StillFailing => (
            format!(
                "{title} still failing — {}",
                plural(notice.failures, "run", "runs")
            ),
            Outcome::Failure,
        ),
        JobNoticeKind::Recovered => {
            let after = plural(notice.failures, "failure", "failures");
            let title = match notice.down_for() {
                Some(down) => format!(
                    "{title} recovered after {after} (down {})",
                    human::duration(down.as_secs_f64())
                ),
                None => format!("{title} recovered after {after}"),
            };
            (title, Outcome::Success)
        }
    }
}

pub(super) fn title(report: &GroupReport) -> String {
    let count = report.count;
    let noun = noun(report, count == 1);
    let base = format!("{count} {noun}{}", route(report));
    let verb = verb(report);
    match report.reason {
        GroupReason::Group => {
            let span = span(report);
            match verb {
                Some(verb) => format!("{base} {verb}{span}"),
                None => format!("{base}{span}: {}", breakdown(report)),
            }
        }
        GroupReason::QuietHours => {
            let prefix = match &report.quiet_hours {
                Some(q) => format!("While quiet hours ran ({}–{})", q.from, q.to),
                None => "While quiet hours ran".to_owned(),
            };
            match verb {
                Some(verb) => format!("{prefix}: {base} {verb}"),
                None => format!("{prefix}: {base} — {}", breakdown(report)),
            }
        }
    }
}

pub(super) fn names(report: &GroupReport) -> Option<String> {
    let mut distinct: Vec<(String, u64)> = Vec::new();
    for member in &report.members {
        let Some(name) = member.name.as_deref().and_then(read::clean) else {
            continue;
        };
        let name = fit_plain(&read::one_line(name), NAME_MAX);
        match distinct.iter_mut().find(|(known, _)| *known == name) {
            Some((_, members)) => *members += 1,
            None => distinct.push((name, 1)),
        }
    }
    if distinct.is_empty() {
        return None;
    }
    let shown = &distinct[..distinct.len().min(HEADLINE_NAMES)];
    let covered: u64 = shown.iter().map(|(_, members)| members).sum();
    let list = shown
        .iter()
        .map(|(name, _)| name.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    let more = report.count.saturating_sub(covered);
    Some(if more > 0 {
        format!("{list}, … and {more} more")
    } else {
        list
    })
}

/// `22:00–07:00 (Europe/Berlin)`.
pub(super) fn quiet_span(quiet: &QuietSpan) -> String {
    format!("{}–{} ({})", quiet.from, quiet.to, quiet.timezone.name())
}

/// `10 failed, 2 succeeded` when the members' outcomes differ.
pub(super) fn mixed_outcomes(report: &GroupReport) -> Option<String> {
    (report.outcomes.values().filter(|n| **n > 0).count() > 1).then(|| outcome_counts(report))
}

/// `2026-03-01 09:30:05 UTC`, or in the quiet hours' zone.
pub(super) fn stamp(time: DateTime<Utc>, zone: Option<Tz>) -> String {
    match zone {
        Some(zone) => time
            .with_timezone(&zone)
            .format("%Y-%m-%d %H:%M:%S %Z")
            .to_string(),
        None => time.format("%Y-%m-%d %H:%M:%S UTC").to_string(),
    }
}

/// A member's time: the time of day when the group spans less than a day, else the date too.
fn clock(time: DateTime<Utc>, report: &GroupReport) -> String {
    let one_day = report.last_time - report.first_time < chrono::TimeDelta::hours(24);
    let format = if one_day {
        "%H:%M:%S"
    } else {
        "%Y-%m-%d %H:%M"
    };
    match report.zone() {
        Some(zone) => time.with_timezone(&zone).format(format).to_string(),
        None => time.format(format).to_string(),
    }
}

/// `transfers` when every member is a transfer, `deploy events` for one custom family,
/// `events` otherwise.
fn noun(report: &GroupReport, one: bool) -> String {
    let mut families = report
        .types
        .keys()
        .map(|t| t.split('.').next().unwrap_or_default());
    let first = families.next().unwrap_or_default();
    let family = if families.all(|f| f == first) {
        first
    } else {
        ""
    };
    let (singular, plural) = match family {
        "transfer" => ("transfer", "transfers"),
        "backup" => ("backup", "backups"),
        "snapshot" => ("snapshot", "snapshots"),
        "restore" => ("restore", "restores"),
        "gc" => ("garbage collection", "garbage collections"),
        "verify" => ("verification", "verifications"),
        "herald" => ("Herald event", "Herald events"),
        "" => ("event", "events"),
        custom => {
            let label = human::label(custom).to_lowercase();
            return format!("{label} {}", if one { "event" } else { "events" });
        }
    };
    (if one { singular } else { plural }).to_owned()
}

/// ` from s3:/archive`, ` to b`: the group's source and destination when it is grouped by them.
fn route(report: &GroupReport) -> String {
    let mut out = String::new();
    for value in &report.group {
        let word = match value.path.as_str() {
            "data.source" => "from",
            "data.destination" => "to",
            _ => continue,
        };
        if let Some(text) = read::clean(&value.value) {
            out.push_str(&format!(
                " {word} {}",
                fit_plain(&read::one_line(text), ROUTE_MAX)
            ));
        }
    }
    out
}

/// What every member did: one type's last word (`failed`, `completed`, `finished with
/// warnings`), else one outcome's; `None` when they differ.
fn verb(report: &GroupReport) -> Option<String> {
    if report.types.len() == 1 {
        let event_type = report.types.keys().next()?;
        let last = event_type.rsplit('.').next().unwrap_or_default();
        return Some(match last {
            "warning" => "finished with warnings".to_owned(),
            other => human::label(other).to_lowercase(),
        });
    }
    let mut outcomes = report.outcomes.iter().filter(|(_, n)| **n > 0);
    let (only, _) = outcomes.next()?;
    if outcomes.next().is_some() {
        return None;
    }
    match Outcome::parse(only)? {
        Outcome::Failure => Some("failed".to_owned()),
        Outcome::Success => Some("succeeded".to_owned()),
        Outcome::Warning => Some("finished with warnings".to_owned()),
        Outcome::Started => Some("started".to_owned()),
        Outcome::Info => None,
    }
}

/// ` in 30 s`: between the first and the last member's event, when there are several and
/// they are at least a second apart.
fn span(report: &GroupReport) -> String {
    let seconds = (report.last_time - report.first_time).num_milliseconds() as f64 / 1000.0;
    if report.count > 1 && seconds >= 1.0 {
        format!(" in {}", human::duration(seconds.floor()))
    } else {
        String::new()
    }
}

/// The members by outcome when they differ, else by type.
fn breakdown(report: &GroupReport) -> String {
    if report.outcomes.values().filter(|n| **n > 0).count() > 1 {
        return outcome_counts(report);
    }
    report
        .types
        .iter()
        .map(|(event_type, n)| format!("{n} {event_type}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn outcome_counts(report: &GroupReport) -> String {
    OUTCOME_ORDER
        .iter()
        .filter_map(|o| {
            let n = *report.outcomes.get(o.as_str())?;
            let word = match o {
                Outcome::Failure => "failed",
                Outcome::Warning => "with warnings",
                Outcome::Success => "succeeded",
                Outcome::Started => "started",
                Outcome::Info => "other",
            };
            (n > 0).then(|| format!("{n} {word}"))
        })
        .collect::<Vec<_>>()
        .join(", ")
}
