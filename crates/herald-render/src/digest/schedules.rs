//! How a day's schedules went, in words: one reassuring line when every run of every schedule
//! succeeded, else a line per schedule that did not, and one for the rest.

use chrono_tz::Tz;
use serde::Serialize;

use super::reading::{NAME_MAX, clean, local_time, plural};
use super::{DigestReport, ScheduleRuns};

/// Schedules with failures listed one by one; the rest are counted.
const MAX_SCHEDULE_LINES: usize = 10;

/// The lines, and whether they say that all went well.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct ScheduleText {
    pub all_ok: bool,
    pub lines: Vec<String>,
}

pub(crate) fn schedules(report: &DigestReport) -> ScheduleText {
    let all = &report.schedules;
    let noun = |n: u64| schedule_noun(all, n);
    let failing: Vec<&ScheduleRuns> = all.iter().filter(|s| s.failed > 0 || s.runs == 0).collect();
    let ok = (all.len() - failing.len()) as u64;
    if failing.is_empty() {
        let runs: u64 = all.iter().map(|s| s.runs).sum();
        let lines = match ok {
            0 => Vec::new(),
            1 => vec![format!(
                "The {} ran successfully ({})",
                noun(1),
                plural(runs, "run", "runs")
            )],
            n => vec![format!(
                "All {n} {} ran successfully ({runs} runs)",
                noun(n)
            )],
        };
        return ScheduleText {
            all_ok: !lines.is_empty(),
            lines,
        };
    }
    let mut lines: Vec<String> = failing
        .iter()
        .take(MAX_SCHEDULE_LINES)
        .map(|schedule| schedule_line(schedule, report.timezone))
        .collect();
    if failing.len() > MAX_SCHEDULE_LINES {
        let more = (failing.len() - MAX_SCHEDULE_LINES) as u64;
        lines.push(format!(
            "…and {} with failures",
            plural(more, "other", "others")
        ));
    }
    match ok {
        0 => {}
        1 => lines.push(format!("The other {} ran successfully", noun(1))),
        n => lines.push(format!("The other {n} {} ran successfully", noun(n))),
    }
    ScheduleText {
        all_ok: false,
        lines,
    }
}

/// `Nightly — 2 of 7 runs failed, last at 02:30`.
fn schedule_line(schedule: &ScheduleRuns, zone: Tz) -> String {
    let name = clean(&schedule.schedule, NAME_MAX).unwrap_or_else(|| "Unnamed schedule".into());
    if schedule.runs == 0 {
        return format!("{name} — did not run");
    }
    let runs = plural(schedule.runs, "run", "runs");
    let mut line = format!("{name} — {} of {runs} failed", schedule.failed);
    if let Some(last) = schedule.last_failure {
        line.push_str(", last at ");
        line.push_str(&local_time(last, zone));
    }
    line
}

/// `recurring transfers` when every schedule runs transfers, else `scheduled jobs`.
fn schedule_noun(schedules: &[ScheduleRuns], n: u64) -> String {
    let family = schedules.first().map(|s| s.family.as_str());
    let same = schedules.iter().all(|s| Some(s.family.as_str()) == family);
    let (one, many) = match family.filter(|_| same) {
        Some("transfer") => ("recurring transfer", "recurring transfers"),
        Some("backup") => ("recurring backup", "recurring backups"),
        Some("verify") => ("recurring verification", "recurring verifications"),
        Some("gc") => (
            "recurring garbage collection",
            "recurring garbage collections",
        ),
        _ => ("scheduled job", "scheduled jobs"),
    };
    (if n == 1 { one } else { many }).to_owned()
}
