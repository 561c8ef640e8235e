use chrono::{DateTime, NaiveTime, Utc};

use super::{QuietDuring, QuietHours, QuietWindow};
use crate::Outcome;

fn utc(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text).unwrap().to_utc()
}

fn time(text: &str) -> NaiveTime {
    NaiveTime::parse_from_str(text, "%H:%M").unwrap()
}

fn window(days: &[usize], from: &str, to: &str) -> QuietWindow {
    let mut on = [false; 7];
    days.iter().for_each(|d| on[*d] = true);
    QuietWindow {
        days: on,
        from: time(from),
        to: time(to),
    }
}

fn berlin(windows: Vec<QuietWindow>) -> QuietHours {
    QuietHours {
        timezone: chrono_tz::Europe::Berlin,
        windows,
        during: QuietDuring::Hold,
        except: vec![Outcome::Failure],
    }
}

fn nightly() -> QuietHours {
    berlin(vec![QuietWindow::every_day(time("22:00"), time("07:00"))])
}

fn until(quiet: &QuietHours, at: &str) -> Option<String> {
    quiet
        .quiet_until(utc(at))
        .map(|end| end.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
}

#[test]
fn an_overnight_window_ends_the_next_morning_in_local_time() {
    let quiet = nightly();
    // 23:00 CEST on a summer evening: quiet until 07:00 CEST.
    assert_eq!(
        until(&quiet, "2026-06-05T21:00:00Z").as_deref(),
        Some("2026-06-06T05:00:00Z")
    );
    // 03:00 the morning after: the window started the day before.
    assert_eq!(
        until(&quiet, "2026-06-06T01:00:00Z").as_deref(),
        Some("2026-06-06T05:00:00Z")
    );
    // The edges: the start is in, the end is not.
    assert!(quiet.is_quiet(utc("2026-06-05T20:00:00Z")));
    assert!(!quiet.is_quiet(utc("2026-06-05T19:59:59Z")));
    assert!(!quiet.is_quiet(utc("2026-06-06T05:00:00Z")));
    assert_eq!(until(&quiet, "2026-06-06T12:00:00Z"), None);
}

#[test]
fn the_night_clocks_go_forward_is_an_hour_shorter() {
    // 22:00 CET on Saturday 28 March is 21:00 UTC; 07:00 CEST on Sunday is 05:00 UTC.
    let quiet = nightly();
    assert_eq!(
        until(&quiet, "2026-03-28T21:00:00Z").as_deref(),
        Some("2026-03-29T05:00:00Z")
    );
    assert!(!quiet.is_quiet(utc("2026-03-28T20:59:59Z")));
    // Right across the jump (01:00 UTC: 02:00 CET became 03:00 CEST).
    assert_eq!(
        until(&quiet, "2026-03-29T01:00:00Z").as_deref(),
        Some("2026-03-29T05:00:00Z")
    );
}

#[test]
fn the_night_clocks_go_back_is_an_hour_longer() {
    // 22:00 CEST on Saturday 24 October is 20:00 UTC; 07:00 CET on Sunday is 06:00 UTC.
    let quiet = nightly();
    assert!(quiet.is_quiet(utc("2026-10-24T20:00:00Z")));
    assert!(!quiet.is_quiet(utc("2026-10-24T19:59:59Z")));
    for at in [
        "2026-10-24T20:00:00Z",
        "2026-10-25T00:30:00Z",
        "2026-10-25T01:30:00Z",
    ] {
        assert_eq!(
            until(&quiet, at).as_deref(),
            Some("2026-10-25T06:00:00Z"),
            "{at}"
        );
    }
    assert!(!quiet.is_quiet(utc("2026-10-25T06:00:00Z")));
}

#[test]
fn a_window_ending_at_a_skipped_time_ends_when_the_clocks_jump() {
    // 02:30 on 29 March does not exist in Berlin: the window ends at 03:00 CEST (01:00 UTC).
    let quiet = berlin(vec![window(&[5], "22:00", "02:30")]);
    assert_eq!(
        until(&quiet, "2026-03-28T23:30:00Z").as_deref(),
        Some("2026-03-29T01:00:00Z")
    );
    assert!(!quiet.is_quiet(utc("2026-03-29T01:00:00Z")));
}

#[test]
fn a_window_starting_at_a_skipped_time_starts_when_the_clocks_jump() {
    let quiet = berlin(vec![window(&[6], "02:30", "04:00")]);
    assert!(!quiet.is_quiet(utc("2026-03-29T00:59:59Z")));
    assert_eq!(
        until(&quiet, "2026-03-29T01:00:00Z").as_deref(),
        Some("2026-03-29T02:00:00Z")
    );
}

#[test]
fn a_repeated_time_means_its_first_occurrence() {
    // 02:30 happens twice on 25 October: first in CEST (00:30 UTC), then in CET (01:30 UTC).
    let starts = berlin(vec![window(&[6], "02:30", "05:00")]);
    assert!(!starts.is_quiet(utc("2026-10-25T00:29:59Z")));
    assert_eq!(
        until(&starts, "2026-10-25T00:30:00Z").as_deref(),
        Some("2026-10-25T04:00:00Z")
    );
    let ends = berlin(vec![window(&[6], "01:00", "02:30")]);
    assert_eq!(
        until(&ends, "2026-10-24T23:00:00Z").as_deref(),
        Some("2026-10-25T00:30:00Z")
    );
    // The second 02:15 is after the window's end.
    assert!(!ends.is_quiet(utc("2026-10-25T01:15:00Z")));
}

#[test]
fn days_name_the_day_a_window_starts() {
    // Monday to Friday, 22:00 to 07:00 (June: CEST, UTC+2).
    let weekdays = berlin(vec![window(&[0, 1, 2, 3, 4], "22:00", "07:00")]);
    // Friday night runs into Saturday morning.
    assert_eq!(
        until(&weekdays, "2026-06-05T21:00:00Z").as_deref(),
        Some("2026-06-06T05:00:00Z")
    );
    // Saturday and Sunday nights are not quiet, nor is the Monday morning after Sunday.
    assert!(!weekdays.is_quiet(utc("2026-06-06T21:00:00Z")));
    assert!(!weekdays.is_quiet(utc("2026-06-07T21:00:00Z")));
    assert!(!weekdays.is_quiet(utc("2026-06-08T01:00:00Z")));
    // Monday night is.
    assert!(weekdays.is_quiet(utc("2026-06-08T21:00:00Z")));
    // A daytime window on Sunday only.
    let sunday = berlin(vec![window(&[6], "09:00", "12:00")]);
    assert!(sunday.is_quiet(utc("2026-06-07T08:00:00Z")));
    assert!(!sunday.is_quiet(utc("2026-06-06T08:00:00Z")));
}

#[test]
fn windows_that_meet_are_one_stretch() {
    let quiet = berlin(vec![
        window(&[4], "18:00", "00:00"),
        window(&[5], "00:00", "10:00"),
        window(&[5], "09:00", "11:00"),
    ]);
    assert_eq!(
        until(&quiet, "2026-06-05T17:00:00Z").as_deref(),
        Some("2026-06-06T09:00:00Z")
    );
    // Windows covering every hour still give an end.
    let always = berlin(vec![
        QuietWindow::every_day(time("22:00"), time("07:00")),
        QuietWindow::every_day(time("07:00"), time("22:00")),
    ]);
    assert!(always.quiet_until(utc("2026-06-05T17:00:00Z")).is_some());
}

#[test]
fn listed_outcomes_break_through() {
    let quiet = nightly();
    assert!(quiet.breaks_through(Outcome::Failure));
    assert!(!quiet.breaks_through(Outcome::Success));
    assert!(!quiet.breaks_through(Outcome::Warning));
}
