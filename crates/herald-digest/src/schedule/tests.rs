use chrono::{Duration, NaiveDate, TimeZone, Utc};
use chrono_tz::Europe::Berlin;

use super::*;

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

#[test]
fn before_the_hour_the_day_before_yesterday_is_the_latest_and_after_it_yesterday() {
    // 07:59 in Berlin (UTC+1 in winter): today's 08:00 digest is not due yet.
    let before = Utc.with_ymd_and_hms(2026, 11, 22, 6, 59, 0).unwrap();
    assert_eq!(
        latest_due(8, Berlin, before),
        (
            date(2026, 11, 20),
            Utc.with_ymd_and_hms(2026, 11, 21, 7, 0, 0).unwrap()
        )
    );
    let after = Utc.with_ymd_and_hms(2026, 11, 22, 7, 0, 0).unwrap();
    assert_eq!(
        latest_due(8, Berlin, after),
        (
            date(2026, 11, 21),
            Utc.with_ymd_and_hms(2026, 11, 22, 7, 0, 0).unwrap()
        )
    );
}

#[test]
fn days_of_a_clock_change_are_23_and_25_hours_long() {
    let (start, end) = day_window(date(2026, 3, 29), Berlin);
    assert_eq!(end - start, Duration::hours(23));
    assert_eq!(start, Utc.with_ymd_and_hms(2026, 3, 28, 23, 0, 0).unwrap());
    let (start, end) = day_window(date(2026, 10, 25), Berlin);
    assert_eq!(end - start, Duration::hours(25));
    assert_eq!(end, Utc.with_ymd_and_hms(2026, 10, 25, 23, 0, 0).unwrap());
}

#[test]
fn the_due_hour_follows_local_time_across_a_change() {
    // 08:00 in Berlin is 07:00 UTC before the spring change and 06:00 UTC after it.
    assert_eq!(
        due_at(date(2026, 3, 29), 8, Berlin),
        Utc.with_ymd_and_hms(2026, 3, 29, 6, 0, 0).unwrap()
    );
    assert_eq!(
        due_at(date(2026, 3, 28), 8, Berlin),
        Utc.with_ymd_and_hms(2026, 3, 28, 7, 0, 0).unwrap()
    );
    // 02:00 does not exist on the spring change: the digest goes at the jump.
    assert_eq!(
        due_at(date(2026, 3, 29), 2, Berlin),
        Utc.with_ymd_and_hms(2026, 3, 29, 1, 0, 0).unwrap()
    );
}

#[test]
fn the_latest_due_is_never_a_day_old() {
    let mut now = Utc.with_ymd_and_hms(2026, 3, 27, 0, 0, 0).unwrap();
    while now < Utc.with_ymd_and_hms(2026, 3, 31, 0, 0, 0).unwrap() {
        let (_, due) = latest_due(8, Berlin, now);
        assert!(
            due <= now && now - due < Duration::hours(25),
            "{now}: {due}"
        );
        now += Duration::minutes(37);
    }
}
