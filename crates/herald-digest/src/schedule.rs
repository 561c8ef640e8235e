//! When a digest is due and which local day it covers, in the subscription's zone: correct on
//! the days a clock change makes 23 or 25 hours long.

use chrono::{DateTime, Days, LocalResult, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;

/// The most recent digest due at `now`: the local day it covers and the moment it fell due
/// (`hour`:00 local on the day after). It is always less than a day old, so a day missed
/// while Herald was down is caught up on start, and one missed for longer is not.
pub fn latest_due(hour: u8, tz: Tz, now: DateTime<Utc>) -> (NaiveDate, DateTime<Utc>) {
    let today = now.with_timezone(&tz).date_naive();
    let due_today = due_at(today, hour, tz);
    let sent_on = if due_today <= now {
        today
    } else {
        today.checked_sub_days(Days::new(1)).unwrap_or(today)
    };
    let covered = sent_on.checked_sub_days(Days::new(1)).unwrap_or(sent_on);
    (covered, due_at(sent_on, hour, tz))
}

/// `hour`:00 local on `day`; an hour a clock change skips counts as the first moment after it.
pub fn due_at(day: NaiveDate, hour: u8, tz: Tz) -> DateTime<Utc> {
    let time = NaiveTime::from_hms_opt(u32::from(hour.min(23)), 0, 0).unwrap_or_default();
    local_moment(day, time, tz)
}

/// The local day `day` in `tz` as an instant range `[start, end)`: 23, 24 or 25 hours.
pub fn day_window(day: NaiveDate, tz: Tz) -> (DateTime<Utc>, DateTime<Utc>) {
    let next = day.checked_add_days(Days::new(1)).unwrap_or(day);
    (
        local_moment(day, NaiveTime::MIN, tz),
        local_moment(next, NaiveTime::MIN, tz),
    )
}

fn local_moment(day: NaiveDate, time: NaiveTime, tz: Tz) -> DateTime<Utc> {
    let local = day.and_time(time);
    match tz.from_local_datetime(&local) {
        LocalResult::Single(at) => at.with_timezone(&Utc),
        // A repeated hour (clocks back): its first occurrence.
        LocalResult::Ambiguous(first, _) => first.with_timezone(&Utc),
        // A skipped hour (clocks forward): the moment the clocks jumped, the same wall time
        // an hour on.
        LocalResult::None => tz
            .from_local_datetime(&(local + chrono::Duration::hours(1)))
            .earliest()
            .map(|at| at.with_timezone(&Utc))
            .unwrap_or_else(|| Utc.from_utc_datetime(&local)),
    }
}

#[cfg(test)]
mod tests;
