//! The noise options of a subscription (`notify`, `group_key`, `repeat_interval`, `group`,
//! `quiet_hours`, `fallback_subscription_id`), read with every bad field named.

use std::time::Duration;

use chrono::NaiveTime;

use super::read::{
    Object, field, join, opt_array, opt_object, opt_str, parsed, reject_unknown, req_str,
};
use crate::human::{format_duration, parse_duration};
use crate::noise::DAY_NAMES;
use crate::{
    FieldErrors, FieldPath, GroupSpec, Notify, Outcome, QuietDuring, QuietHours, QuietWindow,
    SubscriptionId,
};

/// The options as read; on a mistake a default stands in, and the error is recorded.
pub(super) struct NoiseOptions {
    pub notify: Notify,
    pub group: Option<GroupSpec>,
    pub quiet_hours: Option<QuietHours>,
    pub fallback_subscription_id: Option<SubscriptionId>,
}

const DIGEST_SENDS_A_SUMMARY: &str =
    "cannot be combined with digest: a digest sends one summary a day";

/// `digest`: whether the subscription is a digest, which takes none of these but a fallback.
pub(super) fn parse(object: &Object, digest: bool, errors: &mut FieldErrors) -> NoiseOptions {
    let notify = notify(object, errors);
    if digest && notify.is_transitions() {
        errors.add("notify", DIGEST_SENDS_A_SUMMARY);
    }
    let group = group(object, errors);
    if group.is_some() {
        if digest {
            errors.add("group", DIGEST_SENDS_A_SUMMARY);
        } else if notify.is_transitions() {
            // Both would decide when a message goes; how they combine is not settled yet.
            errors.add("group", "choose one of group and notify: transitions");
        }
    }
    let quiet_hours = quiet_hours(object, errors);
    if digest && quiet_hours.is_some() {
        errors.add("quiet_hours", DIGEST_SENDS_A_SUMMARY);
    }
    let fallback_subscription_id = parsed(
        opt_str(object, "fallback_subscription_id", "", errors),
        "fallback_subscription_id",
        str::parse::<SubscriptionId>,
        errors,
    );
    NoiseOptions {
        notify,
        group,
        quiet_hours,
        fallback_subscription_id,
    }
}

fn notify(object: &Object, errors: &mut FieldErrors) -> Notify {
    let (transitions, known) = match opt_str(object, "notify", "", errors) {
        None | Some("every_event") => (false, true),
        Some("transitions") => (true, true),
        Some(other) => {
            errors.add(
                "notify",
                format!("must be every_event or transitions, not {other:?}"),
            );
            (false, false)
        }
    };
    if !transitions && known {
        for key in ["group_key", "repeat_interval"] {
            if field(object, key).is_some() {
                errors.add(key, "is only used with notify: transitions");
            }
        }
        return Notify::EveryEvent;
    }
    // Read even when `notify` is wrong, so that their own mistakes are named in one answer.
    let key = parsed(
        opt_str(object, "group_key", "", errors),
        "group_key",
        FieldPath::parse,
        errors,
    );
    let repeat_interval = duration(
        object,
        "repeat_interval",
        "",
        Notify::MIN_REPEAT_INTERVAL..=Notify::MAX_REPEAT_INTERVAL,
        errors,
    )
    .unwrap_or(Notify::DEFAULT_REPEAT_INTERVAL);
    if !transitions {
        return Notify::EveryEvent;
    }
    Notify::Transitions {
        key,
        repeat_interval,
    }
}

fn group(object: &Object, errors: &mut FieldErrors) -> Option<GroupSpec> {
    let group = opt_object(object, "group", "", errors)?;
    reject_unknown(group, &["by", "wait", "interval"], "group", errors);
    let by = match opt_array(group, "by", "group", errors) {
        None => GroupSpec::default_by(),
        Some(items) => {
            if items.is_empty() || items.len() > GroupSpec::MAX_BY {
                errors.add("group.by", "must list 1 to 5 field paths");
            }
            field_paths(items, "group.by", errors)
        }
    };
    let wait = duration(
        group,
        "wait",
        "group",
        GroupSpec::MIN_WAIT..=GroupSpec::MAX_WAIT,
        errors,
    )
    .unwrap_or(GroupSpec::DEFAULT_WAIT);
    let interval = duration(
        group,
        "interval",
        "group",
        Duration::ZERO..=GroupSpec::MAX_INTERVAL,
        errors,
    )
    .unwrap_or(GroupSpec::DEFAULT_INTERVAL);
    if interval < wait {
        errors.add(
            "group.interval",
            format!(
                "must be at least as long as wait ({}), and is {}",
                format_duration(wait),
                format_duration(interval)
            ),
        );
    }
    Some(GroupSpec { by, wait, interval })
}

fn field_paths(
    items: &[serde_json::Value],
    path: &str,
    errors: &mut FieldErrors,
) -> Vec<FieldPath> {
    let mut paths = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let at = format!("{path}[{i}]");
        match item.as_str() {
            Some(text) => paths.extend(parsed(Some(text), at, FieldPath::parse, errors)),
            None => errors.add(at, "must be a string"),
        }
    }
    paths
}

fn quiet_hours(object: &Object, errors: &mut FieldErrors) -> Option<QuietHours> {
    const PREFIX: &str = "quiet_hours";
    let quiet = opt_object(object, PREFIX, "", errors)?;
    reject_unknown(
        quiet,
        &["timezone", "windows", "during", "except"],
        PREFIX,
        errors,
    );
    let timezone = parsed(
        req_str(quiet, "timezone", PREFIX, errors),
        "quiet_hours.timezone",
        |name| {
            name.parse::<chrono_tz::Tz>()
                .map_err(|_| crate::DomainError::BadTimezone(name.to_owned()))
        },
        errors,
    );
    let windows = match opt_array(quiet, "windows", PREFIX, errors) {
        None => {
            if field(quiet, "windows").is_none() {
                errors.add("quiet_hours.windows", "is required");
            }
            Vec::new()
        }
        Some(items) => {
            if items.is_empty() || items.len() > QuietHours::MAX_WINDOWS {
                errors.add("quiet_hours.windows", "must list 1 to 14 windows");
            }
            let windows = items.iter().enumerate();
            windows
                .filter_map(|(i, item)| window(item, &format!("quiet_hours.windows[{i}]"), errors))
                .collect()
        }
    };
    let during = match opt_str(quiet, "during", PREFIX, errors) {
        None | Some("hold") => QuietDuring::Hold,
        Some("drop") => QuietDuring::Drop,
        Some(other) => {
            errors.add(
                "quiet_hours.during",
                format!("must be hold or drop, not {other:?}"),
            );
            QuietDuring::Hold
        }
    };
    let except = opt_array(quiet, "except", PREFIX, errors)
        .map(|items| outcomes(items, "quiet_hours.except", errors))
        .unwrap_or_default();
    Some(QuietHours {
        timezone: timezone?,
        windows,
        during,
        except,
    })
}

fn window(item: &serde_json::Value, path: &str, errors: &mut FieldErrors) -> Option<QuietWindow> {
    let Some(window) = item.as_object() else {
        errors.add(path, "must be an object with from and to");
        return None;
    };
    reject_unknown(window, &["days", "from", "to"], path, errors);
    let days = match opt_array(window, "days", path, errors) {
        None => [true; 7],
        Some(items) => days(items, &join(path, "days"), errors),
    };
    let from = time_of_day(
        req_str(window, "from", path, errors),
        &join(path, "from"),
        errors,
    );
    let to = time_of_day(
        req_str(window, "to", path, errors),
        &join(path, "to"),
        errors,
    );
    let (from, to) = (from?, to?);
    if from == to {
        errors.add(
            join(path, "to"),
            "must differ from from: a window of no time, or of a whole day, is not a window",
        );
    }
    Some(QuietWindow { days, from, to })
}

fn days(items: &[serde_json::Value], path: &str, errors: &mut FieldErrors) -> [bool; 7] {
    let mut days = [false; 7];
    if items.is_empty() {
        errors.add(path, "must list at least one day");
    }
    for (i, item) in items.iter().enumerate() {
        let index = item
            .as_str()
            .and_then(|name| DAY_NAMES.iter().position(|d| *d == name));
        match index {
            Some(day) if days[day] => errors.add(format!("{path}[{i}]"), "is listed twice"),
            Some(day) => days[day] = true,
            None => errors.add(
                format!("{path}[{i}]"),
                format!(
                    "{item} is not a day: expected one of {}",
                    DAY_NAMES.join(", ")
                ),
            ),
        }
    }
    days
}

/// `HH:MM`, 24 hours, two digits each: `07:00`, `22:30`.
fn time_of_day(text: Option<&str>, path: &str, errors: &mut FieldErrors) -> Option<NaiveTime> {
    let text = text?;
    let bytes = text.as_bytes();
    let number = |range: std::ops::Range<usize>| -> Option<u32> {
        let digits = text.get(range)?;
        digits
            .bytes()
            .all(|b| b.is_ascii_digit())
            .then(|| digits.parse().ok())?
    };
    let time = (bytes.len() == 5 && bytes[2] == b':')
        .then(|| NaiveTime::from_hms_opt(number(0..2)?, number(3..5)?, 0))
        .flatten();
    if time.is_none() {
        errors.add(
            path,
            format!("must be a time of day HH:MM from 00:00 to 23:59, not {text:?}"),
        );
    }
    time
}

fn outcomes(items: &[serde_json::Value], path: &str, errors: &mut FieldErrors) -> Vec<Outcome> {
    let mut outcomes = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        match item.as_str().and_then(Outcome::parse) {
            Some(outcome) => outcomes.push(outcome),
            None => errors.add(
                format!("{path}[{i}]"),
                format!(
                    "{item} is not an outcome: expected one of {}",
                    Outcome::ALL.map(Outcome::as_str).join(", ")
                ),
            ),
        }
    }
    outcomes
}

/// A duration string in `range`, or `None` when absent or wrong (the latter recorded).
fn duration(
    object: &Object,
    key: &str,
    prefix: &str,
    range: std::ops::RangeInclusive<Duration>,
    errors: &mut FieldErrors,
) -> Option<Duration> {
    let path = join(prefix, key);
    let value = parsed(
        opt_str(object, key, prefix, errors),
        path.clone(),
        parse_duration,
        errors,
    )?;
    if range.contains(&value) {
        return Some(value);
    }
    let message = if range.start().is_zero() {
        format!("must be at most {}", format_duration(*range.end()))
    } else {
        format!(
            "must be from {} to {}",
            format_duration(*range.start()),
            format_duration(*range.end())
        )
    };
    errors.add(path, message);
    None
}
