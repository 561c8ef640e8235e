//! Quiet hours: windows of local time, in one IANA time zone, during which a subscription's
//! deliveries wait (or are left to the digest).

use chrono::{
    DateTime, Datelike, Days, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta,
    TimeZone, Utc, Weekday,
};

use crate::Outcome;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuietHours {
    pub timezone: chrono_tz::Tz,
    pub windows: Vec<QuietWindow>,
    pub during: QuietDuring,
    /// Outcomes delivered at once even inside a window.
    pub except: Vec<Outcome>,
}

/// From `from` to `to` local time, starting on each day of `days`; a `to` before `from`
/// runs past midnight into the next day (`22:00`–`07:00`). The day is the day it starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuietWindow {
    /// Indexed by `Weekday::num_days_from_monday`: `days[0]` is Monday.
    pub days: [bool; 7],
    pub from: NaiveTime,
    pub to: NaiveTime,
}

/// What happens to a delivery that falls in a window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum QuietDuring {
    /// Kept, and sent as one grouped message when the window ends (the default).
    #[default]
    Hold,
    /// Not sent; only a digest covers it.
    Drop,
}

/// The names the API uses for days, Monday first.
pub const DAY_NAMES: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// Windows that meet or overlap are one quiet stretch; following them ends after this many
/// steps, so windows that together cover the whole week still release at some point.
const MAX_CHAINED_WINDOWS: usize = 32;

impl QuietHours {
    pub const MAX_WINDOWS: usize = 14;

    /// When the quiet stretch `at` falls in ends; `None` when `at` is not in a window.
    /// Windows that meet or overlap count as one stretch, so a delivery released at the end
    /// of one is not already inside the next.
    pub fn quiet_until(&self, at: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let mut end = self.window_end(at)?;
        for _ in 0..MAX_CHAINED_WINDOWS {
            match self.window_end(end) {
                Some(later) if later > end => end = later,
                _ => break,
            }
        }
        Some(end)
    }

    pub fn is_quiet(&self, at: DateTime<Utc>) -> bool {
        self.window_end(at).is_some()
    }

    /// Whether an event of this outcome is delivered at once even inside a window.
    pub fn breaks_through(&self, outcome: Outcome) -> bool {
        self.except.contains(&outcome)
    }

    /// The latest end of the windows `at` falls in (`start <= at < end`).
    fn window_end(&self, at: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let today = at.with_timezone(&self.timezone).date_naive();
        // A window that started yesterday may still run (past midnight); one that started
        // two days ago cannot, as a window is shorter than a day.
        let days = [today.checked_sub_days(Days::new(1)), Some(today)];
        days.into_iter()
            .flatten()
            .flat_map(|day| {
                self.windows
                    .iter()
                    .filter_map(move |w| w.on(day, self.timezone))
            })
            .filter(|(start, end)| *start <= at && at < *end)
            .map(|(_, end)| end)
            .max()
    }
}

impl QuietDuring {
    /// `hold` or `drop`, as the API writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            QuietDuring::Hold => "hold",
            QuietDuring::Drop => "drop",
        }
    }
}

impl QuietWindow {
    pub fn every_day(from: NaiveTime, to: NaiveTime) -> QuietWindow {
        QuietWindow {
            days: [true; 7],
            from,
            to,
        }
    }

    pub fn starts_on(&self, day: Weekday) -> bool {
        self.days[day.num_days_from_monday() as usize]
    }

    /// Whether it runs past midnight.
    pub fn overnight(&self) -> bool {
        self.to <= self.from
    }

    /// The instants the window starting on local `day` covers, when it starts that day.
    fn on(&self, day: NaiveDate, tz: chrono_tz::Tz) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
        if !self.starts_on(day.weekday()) {
            return None;
        }
        let end_day = if self.overnight() {
            day.checked_add_days(Days::new(1))?
        } else {
            day
        };
        let start = resolve(tz, day.and_time(self.from))?;
        let end = resolve(tz, end_day.and_time(self.to))?;
        Some((start, end))
    }
}

/// A local time as an instant: an ambiguous one (the hour repeated when clocks go back) is
/// the earlier; one that does not exist (skipped when clocks go forward) is the next instant
/// that does, i.e. the moment the clocks jumped.
fn resolve(tz: chrono_tz::Tz, local: NaiveDateTime) -> Option<DateTime<Utc>> {
    if let Some(instant) = exact(tz, local) {
        return Some(instant);
    }
    // Gaps are whole minutes in practice and at most a day long (Samoa skipped one); find the
    // first minute that exists, then the first second before it that does.
    let mut minute = local;
    for _ in 0..(26 * 60) {
        minute = minute.checked_add_signed(TimeDelta::minutes(1))?;
        if exact(tz, minute).is_some() {
            let mut first = minute;
            for _ in 0..60 {
                let earlier = first.checked_sub_signed(TimeDelta::seconds(1))?;
                if earlier < local || exact(tz, earlier).is_none() {
                    break;
                }
                first = earlier;
            }
            return exact(tz, first);
        }
    }
    None
}

fn exact(tz: chrono_tz::Tz, local: NaiveDateTime) -> Option<DateTime<Utc>> {
    match tz.from_local_datetime(&local) {
        LocalResult::Single(t) => Some(t.with_timezone(&Utc)),
        LocalResult::Ambiguous(a, b) => Some(a.min(b).with_timezone(&Utc)),
        LocalResult::None => None,
    }
}

#[cfg(test)]
mod tests;
