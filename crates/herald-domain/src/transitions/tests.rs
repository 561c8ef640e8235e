use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};

use super::{JobNotice, JobNoticeKind, JobTrack, Quiet, Step};
use crate::Outcome;

const TWO_HOURS: Duration = Duration::from_secs(2 * 3600);

/// 02:00 plus `minutes`.
fn at(minutes: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 1, 2, 0, 0).unwrap() + chrono::Duration::minutes(minutes)
}

fn kinds(steps: &[Step]) -> Vec<Option<(JobNoticeKind, u32)>> {
    steps
        .iter()
        .map(|s| match s {
            Step::Notify(n) => Some((n.kind, n.failures)),
            _ => None,
        })
        .collect()
}

#[test]
fn ten_failures_notify_once_remind_every_interval_and_recover_once() {
    let mut track = JobTrack::default();
    let mut steps: Vec<Step> = (0..10)
        .map(|i| track.apply(Outcome::Failure, at(30 * i), TWO_HOURS))
        .collect();
    steps.push(track.apply(Outcome::Success, at(300), TWO_HOURS));
    let notified: Vec<(usize, JobNoticeKind, u32)> = kinds(&steps)
        .into_iter()
        .enumerate()
        .filter_map(|(i, k)| k.map(|(kind, n)| (i, kind, n)))
        .collect();
    assert_eq!(
        notified,
        vec![
            (0, JobNoticeKind::Failing, 1),
            (4, JobNoticeKind::StillFailing, 5),
            (8, JobNoticeKind::StillFailing, 9),
            (10, JobNoticeKind::Recovered, 10),
        ]
    );
    let Step::Notify(recovered) = &steps[10] else {
        panic!("no recovery")
    };
    assert_eq!(recovered.since, at(0));
    assert_eq!(recovered.down_for(), Some(Duration::from_secs(5 * 3600)));
    assert!(!track.failing);
    assert_eq!(track.failures, 0);
}

#[test]
fn successes_without_failures_are_quiet_and_other_outcomes_pass_through() {
    let mut track = JobTrack::default();
    assert_eq!(
        track.apply(Outcome::Success, at(0), TWO_HOURS),
        Step::Quiet(Quiet::NotFailing)
    );
    assert_eq!(
        track.apply(Outcome::Started, at(1), TWO_HOURS),
        Step::PassThrough
    );
    assert_eq!(
        track.apply(Outcome::Warning, at(2), TWO_HOURS),
        Step::PassThrough
    );
    assert_eq!(track.last_success_at, Some(at(0)));
}

#[test]
fn a_late_failure_counts_into_the_period_and_moves_its_start_without_notifying() {
    let mut track = JobTrack::default();
    assert!(matches!(
        track.apply(Outcome::Failure, at(60), TWO_HOURS),
        Step::Notify(_)
    ));
    assert_eq!(
        track.apply(Outcome::Failure, at(30), TWO_HOURS),
        Step::Quiet(Quiet::Late)
    );
    assert_eq!(track.failures, 2);
    assert_eq!(track.failing_since, Some(at(30)));
    let Step::Notify(recovered) = track.apply(Outcome::Success, at(90), TWO_HOURS) else {
        panic!("no recovery")
    };
    assert_eq!(
        recovered,
        JobNotice {
            kind: JobNoticeKind::Recovered,
            failures: 2,
            since: at(30),
            down_for_seconds: Some(3600),
        }
    );
}

#[test]
fn events_older_than_the_last_success_change_nothing() {
    let mut track = JobTrack::default();
    track.apply(Outcome::Failure, at(0), TWO_HOURS);
    track.apply(Outcome::Success, at(60), TWO_HOURS);
    let before = track.clone();
    assert_eq!(
        track.apply(Outcome::Failure, at(30), TWO_HOURS),
        Step::Quiet(Quiet::Late)
    );
    assert_eq!(
        track.apply(Outcome::Success, at(45), TWO_HOURS),
        Step::Quiet(Quiet::Late)
    );
    assert_eq!(track, before);
    // A failure after it starts a new period.
    assert!(matches!(
        track.apply(Outcome::Failure, at(61), TWO_HOURS),
        Step::Notify(JobNotice {
            kind: JobNoticeKind::Failing,
            ..
        })
    ));
}

#[test]
fn a_late_event_never_notifies_even_when_a_reminder_would_be_due() {
    let mut track = JobTrack::default();
    track.apply(Outcome::Failure, at(0), TWO_HOURS);
    track.apply(Outcome::Failure, at(300), TWO_HOURS);
    assert_eq!(
        track.apply(Outcome::Failure, at(200), TWO_HOURS),
        Step::Quiet(Quiet::Late)
    );
    assert_eq!(track.failures, 3);
}

#[test]
fn the_notice_is_stored_as_the_documented_json() {
    let notice = JobNotice {
        kind: JobNoticeKind::Recovered,
        failures: 5,
        since: at(0),
        down_for_seconds: Some(22_200),
    };
    let json = serde_json::to_value(&notice).unwrap();
    assert_eq!(
        json,
        serde_json::json!({"kind": "recovered", "failures": 5,
                           "since": "2026-03-01T02:00:00Z", "down_for_seconds": 22200})
    );
    assert_eq!(serde_json::from_value::<JobNotice>(json).unwrap(), notice);
}

#[test]
fn a_quiet_failure_says_how_long_it_has_failed_and_when_the_next_reminder_can_go() {
    let mut track = JobTrack::default();
    track.apply(Outcome::Failure, at(0), TWO_HOURS);
    let step = track.apply(Outcome::Failure, at(30), TWO_HOURS);
    assert_eq!(
        step,
        Step::Quiet(Quiet::StillFailing {
            failures: 2,
            since: at(0),
            next_reminder: Some(at(120)),
        })
    );
    let Step::Quiet(quiet) = step else {
        panic!("not quiet")
    };
    assert_eq!(
        quiet.reason("transfer:sched-9"),
        "notify: transitions: transfer:sched-9 still failing (2 failures since \
         2026-03-01T02:00:00Z); the next reminder goes with a failure from 2026-03-01T04:00:00Z"
    );
}
