//! The daily digest mail: the report in words (see `digest::reading`) and a table of counts per
//! family beside the day before, as the view that `digest.html.j2` and `digest.txt.j2` lay out.

use herald_domain::Outcome;
use serde::Serialize;

use super::{MailContent, palette, render};
use crate::digest::{
    self, DigestReport, FailureText, FamilyCounts, ScheduleText, Totals, WarningText,
};
use crate::text::fit_plain;
use crate::{human, style};

/// A mail has room for more than a chat message; past these, a line counts the rest.
const MAX_FAILURES: usize = 50;
const MAX_WARNINGS: usize = 30;
const MAX_FAMILIES: usize = 20;
const MAX_BUSIEST: usize = 10;
const NAME_MAX: usize = 200;
const PREHEADER_MAX: usize = 150;

#[derive(Debug, Serialize)]
struct View {
    subject: String,
    preheader: String,
    band: String,
    /// The border of each failure, in the failure band's colour.
    failure_band: String,
    icon: &'static str,
    /// `Herald daily report — acme — 2026-11-21`.
    title: String,
    tenant: String,
    /// `Saturday 21 November 2026`.
    day: String,
    timezone: &'static str,
    /// `15 ok, 2 failed, 1 warning`, or `No events`.
    counts: String,
    /// A day without events, which may mean publishers no longer reach Herald.
    quiet: bool,
    /// `3.4 GiB transferred`, on a day with events.
    bytes: Option<String>,
    /// `Day before: 13 ok, 0 failed · 2.9 GiB transferred`.
    previous: Option<String>,
    families: Vec<Row>,
    /// The sum of the rows, when there is more than one.
    total: Option<Row>,
    /// Whether the cells carry the change from the day before.
    compared: bool,
    failures: Vec<FailureText>,
    failures_more: u64,
    warnings: Vec<WarningText>,
    warnings_more: u64,
    schedules: ScheduleText,
    busiest: Vec<Job>,
}

/// A family's line in the table: ok, failed, with warnings, started.
#[derive(Debug, Serialize)]
struct Row {
    label: String,
    cells: [Cell; 4],
}

/// `15` and its change from the day before, `▲3`.
#[derive(Debug, Serialize)]
struct Cell {
    value: u64,
    delta: Option<String>,
}

#[derive(Debug, Serialize)]
struct Job {
    name: String,
    runs: String,
    bytes: Option<String>,
}

/// The digest as an email: its subject counts the day (`Herald daily report — acme —
/// 2026-11-21: 15 ok, 2 failed`), its parts show the rest.
pub fn digest_mail(report: &DigestReport) -> MailContent {
    let view = view(report);
    render("digest", &view.subject, &view)
}

fn view(report: &DigestReport) -> View {
    let outcome = report.outcome();
    let (failures, failures_more) = digest::failures(report, MAX_FAILURES);
    let (warnings, warnings_more) = digest::warnings(report, MAX_WARNINGS);
    let families: Vec<Row> = report
        .day
        .families
        .iter()
        .filter(|counts| {
            let before = report.previous_of(&counts.family).unwrap_or_default();
            counts.total > 0 || before.total > 0
        })
        .take(MAX_FAMILIES)
        .map(|counts| {
            let label = digest::family_label(&counts.family);
            row(label, counts, report.previous_of(&counts.family).as_ref())
        })
        .collect();
    let total = (families.len() > 1).then(|| {
        let previous = report.previous.as_ref().map(|p| sum(&p.families));
        row(
            "All".to_owned(),
            &sum(&report.day.families),
            previous.as_ref(),
        )
    });
    let schedules = digest::schedules(report);
    View {
        subject: report.subject(),
        preheader: preheader(report, &failures, &schedules),
        band: palette::band(style::colour(outcome)),
        failure_band: palette::band(style::colour(Outcome::Failure)),
        icon: style::icon(outcome),
        title: report.title(),
        tenant: report.tenant_name(),
        day: report.date.format("%A %-d %B %Y").to_string(),
        timezone: report.timezone.name(),
        counts: report.counts(),
        quiet: report.is_quiet(),
        bytes: (!report.is_quiet()).then(|| digest::bytes_line(report.day.bytes)),
        previous: report.previous_summary(),
        families,
        total,
        compared: report.previous.is_some(),
        failures,
        failures_more,
        warnings,
        warnings_more,
        schedules,
        busiest: report
            .busiest
            .iter()
            .take(MAX_BUSIEST)
            .map(|job| Job {
                name: fit_plain(&job.name, NAME_MAX),
                runs: digest::plural(job.runs, "run", "runs"),
                bytes: (job.bytes > 0).then(|| human::bytes(job.bytes as f64)),
            })
            .collect(),
    }
}

/// All families as one, for the table's last row.
fn sum(families: &[FamilyCounts]) -> FamilyCounts {
    let totals = Totals::of(families);
    FamilyCounts {
        family: String::new(),
        succeeded: totals.succeeded,
        failed: totals.failed,
        warnings: totals.warnings,
        started: totals.started,
        total: totals.total,
    }
}

fn row(label: String, counts: &FamilyCounts, before: Option<&FamilyCounts>) -> Row {
    let cell = |now: u64, then: fn(&FamilyCounts) -> u64| Cell {
        value: now,
        delta: before.and_then(|before| digest::delta(now, then(before))),
    };
    Row {
        label,
        cells: [
            cell(counts.succeeded, |c| c.succeeded),
            cell(counts.failed, |c| c.failed),
            cell(counts.warnings, |c| c.warnings),
            cell(counts.started, |c| c.started),
        ],
    }
}

/// The inbox preview: the first failure, else how the schedules went, else the counts.
fn preheader(report: &DigestReport, failures: &[FailureText], schedules: &ScheduleText) -> String {
    let line = match (failures.first(), schedules.lines.first()) {
        (Some(failure), _) => failure.line(PREHEADER_MAX),
        (None, Some(schedules)) => schedules.clone(),
        (None, None) => report.summary(),
    };
    fit_plain(&line, PREHEADER_MAX)
}
