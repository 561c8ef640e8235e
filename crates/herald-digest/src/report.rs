//! The day's report, from the store's figures of the local day and of the day before.

use chrono::{Days, NaiveDate};
use chrono_tz::Tz;
use herald_render::{
    DayCounts, DigestFailure, DigestReport, DigestWarning, FamilyCounts, JobActivity, ScheduleRuns,
};
use herald_store::{DigestFigures, DigestWindow, Store, StoreError};

use crate::schedule::day_window;

/// Most failures and warnings listed by name; the totals count them all.
const MAX_FAILURES: u32 = 50;
const MAX_WARNINGS: u32 = 30;

/// The report of `tenant`'s local day `day` in `tz`, with the day before beside it.
pub async fn build_report(
    store: &Store,
    tenant: &str,
    tz: Tz,
    day: NaiveDate,
) -> Result<DigestReport, StoreError> {
    let window = |day: NaiveDate| {
        let (start, end) = day_window(day, tz);
        DigestWindow {
            tenant: tenant.to_owned(),
            start,
            end,
        }
    };
    let figures = store
        .digest_figures(&window(day), MAX_FAILURES, MAX_WARNINGS)
        .await?;
    let before = day.checked_sub_days(Days::new(1)).unwrap_or(day);
    let previous = store.digest_figures(&window(before), 0, 0).await?;
    let previous = (!previous.families.is_empty()).then(|| counts(&previous));
    Ok(DigestReport {
        tenant: tenant.to_owned(),
        date: day,
        timezone: tz,
        day: counts(&figures),
        previous,
        failures: figures
            .failures
            .into_iter()
            .map(|f| DigestFailure {
                time: f.time,
                event_type: f.event_type,
                name: f.name,
                source: f.source,
                destination: f.destination,
                error_code: f.error_code,
                error_message: f.error_message,
            })
            .collect(),
        failures_total: figures.failures_total,
        warnings: figures
            .warnings
            .into_iter()
            .map(|w| DigestWarning {
                time: w.time,
                event_type: w.event_type,
                name: w.name,
                text: w.text,
            })
            .collect(),
        warnings_total: figures.warnings_total,
        schedules: figures
            .schedules
            .into_iter()
            .map(|s| ScheduleRuns {
                schedule: s.schedule,
                family: s.family,
                runs: s.runs,
                failed: s.failed,
                last_failure: s.last_failure,
            })
            .collect(),
        busiest: figures
            .busiest
            .into_iter()
            .map(|j| JobActivity {
                name: j.name,
                runs: j.runs,
                bytes: j.bytes,
            })
            .collect(),
    })
}

fn counts(figures: &DigestFigures) -> DayCounts {
    DayCounts {
        families: figures
            .families
            .iter()
            .map(|f| FamilyCounts {
                family: f.family.clone(),
                succeeded: f.succeeded,
                failed: f.failed,
                warnings: f.warnings,
                started: f.started,
                total: f.total,
            })
            .collect(),
        bytes: figures.bytes,
    }
}

pub(crate) fn is_empty(report: &DigestReport) -> bool {
    report.day.families.iter().all(|f| f.total == 0)
}
