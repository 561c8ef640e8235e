use chrono::{TimeZone as _, Utc};

use super::cutoff;

#[test]
fn zero_days_keeps_everything_and_other_values_count_back_whole_days() {
    let now = Utc.with_ymd_and_hms(2026, 12, 1, 12, 0, 0).unwrap();
    assert_eq!(cutoff(now, 0), None);
    assert_eq!(
        cutoff(now, 30),
        Some(Utc.with_ymd_and_hms(2026, 11, 1, 12, 0, 0).unwrap())
    );
    assert_eq!(
        cutoff(now, 1),
        Some(Utc.with_ymd_and_hms(2026, 11, 30, 12, 0, 0).unwrap())
    );
}
