//! The options that make a subscription quieter (`notify`, `group`, `quiet_hours`), as created
//! and as shown. A digest subscription takes none of them.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::shared::Outcome;
use super::strings::{DurationText, FieldPath, TimeOfDay, Timezone};

/// `every_event` (the default) delivers every matching event. `transitions` follows each job
/// (named by `group_key`, or by default per family: a transfer's `data.schedule.id`, else
/// `data.name`, else `data.transfer_id`; a backup's `data.job_id`; any other event's
/// `data.repo_id`) and tells only its first failure, a reminder every `repeat_interval` while
/// it keeps failing, and its first success after failures. An event that names no job is
/// delivered as with `every_event`. Not with `group`, nor on a digest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Notify {
    EveryEvent,
    Transitions,
}

/// Events with the same values at `by` go as one message: the first of a group waits `wait`
/// and the message covers every event of the group that came meanwhile; later ones of the
/// same group go at most every `interval`. A webhook receives a `herald.group` CloudEvent
/// listing them. Not with `notify: transitions`, nor on a digest.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GroupRequest {
    /// 1 to 5 field paths; default `["type"]`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(min_items = 1, max_items = 5)]
    pub by: Option<Vec<FieldPath>>,
    /// From `1s` to `1h`; default `30s`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wait: Option<DurationText>,
    /// At least `wait`, at most `1d`; default `5m`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interval: Option<DurationText>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GroupShown {
    pub by: Vec<FieldPath>,
    pub wait: DurationText,
    pub interval: DurationText,
}

/// Windows of local time in which deliveries wait (`hold`: sent as one grouped message when
/// the window ends) or are not sent (`drop`: only a digest covers them). Events whose outcome
/// is in `except` go at once. Times follow `timezone` across daylight saving changes: a
/// window starting or ending at a time the clocks skip starts or ends when they jump; at a
/// time they pass twice, the first time. Not on a digest.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QuietHoursRequest {
    pub timezone: Timezone,
    /// 1 to 14 windows.
    #[schema(min_items = 1, max_items = 14)]
    pub windows: Vec<QuietWindowRequest>,
    /// Default `hold`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub during: Option<QuietDuring>,
    /// Outcomes delivered at once even inside a window; default none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub except: Option<Vec<Outcome>>,
}

/// From `from` to `to` on each of `days`; a `to` before `from` runs past midnight, and the
/// day is the day the window starts (`fri` 22:00–07:00 ends on Saturday morning).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QuietWindowRequest {
    /// Each day at most once; default every day.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(min_items = 1, max_items = 7)]
    pub days: Option<Vec<Day>>,
    pub from: TimeOfDay,
    /// Not equal to `from`.
    pub to: TimeOfDay,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QuietHoursShown {
    pub timezone: Timezone,
    pub windows: Vec<QuietWindowShown>,
    pub during: QuietDuring,
    pub except: Vec<Outcome>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QuietWindowShown {
    /// Monday first.
    pub days: Vec<Day>,
    pub from: TimeOfDay,
    pub to: TimeOfDay,
}

/// `hold` keeps deliveries for one grouped message at the window's end; `drop` leaves them to
/// the digest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum QuietDuring {
    Hold,
    Drop,
}

/// A day of the week.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Day {
    Mon,
    Tue,
    Wed,
    Thu,
    Fri,
    Sat,
    Sun,
}
