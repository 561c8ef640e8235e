//! The filters a message author needs beyond MiniJinja's own: sizes, durations and times the
//! way people read them. Absent data (undefined or none) passes through untouched, so
//! `{{ data.size_bytes | filesizeformat }}` renders empty for an event without it and
//! `default(…)` still applies after it.

use std::fmt::Write as _;

use crate::human;
use chrono::{DateTime, FixedOffset, Utc};
use minijinja::value::{Rest, Value};
use minijinja::{Environment, Error, ErrorKind};

const DEFAULT_TIME_FORMAT: &str = "%Y-%m-%d %H:%M %Z";

pub(super) fn register(env: &mut Environment<'_>) {
    env.add_filter("filesizeformat", filesizeformat);
    env.add_filter("durationformat", durationformat);
    env.add_filter("datetimeformat", datetimeformat);
}

fn is_absent(value: &Value) -> bool {
    value.is_undefined() || value.is_none()
}

fn invalid(message: String) -> Error {
    Error::new(ErrorKind::InvalidOperation, message)
}

/// A finite number, or a numeric string: proto3 JSON writes 64-bit integers as strings.
fn number(value: &Value) -> Option<f64> {
    let number = if value.is_number() {
        f64::try_from(value.clone()).ok()
    } else {
        value.as_str()?.trim().parse().ok()
    };
    number.filter(|n: &f64| n.is_finite())
}

/// An RFC 3339 string, or a number of Unix seconds.
fn time(value: &Value, filter: &str) -> Result<DateTime<FixedOffset>, Error> {
    let parsed = match value.as_str() {
        Some(text) => DateTime::parse_from_rfc3339(text).ok(),
        None => number(value)
            .and_then(|seconds| DateTime::<Utc>::from_timestamp_millis((seconds * 1000.0) as i64))
            .map(|time| time.fixed_offset()),
    };
    parsed.ok_or_else(|| invalid(format!("{filter} needs an RFC 3339 time, not {value}")))
}

/// `52428800 | filesizeformat` → `50 MiB`: binary units, one decimal, a trailing `.0` dropped.
fn filesizeformat(value: Value) -> Result<Value, Error> {
    if is_absent(&value) {
        return Ok(value);
    }
    let bytes = number(&value).ok_or_else(|| {
        invalid(format!(
            "filesizeformat needs a number of bytes, not {value}"
        ))
    })?;
    Ok(Value::from(human::bytes(bytes)))
}

/// `1800 | durationformat` → `30 min`; `started | durationformat(ended)` → the time between
/// two RFC 3339 times. An end that is absent (a job still running) renders empty.
fn durationformat(value: Value, end: Rest<Value>) -> Result<Value, Error> {
    if is_absent(&value) {
        return Ok(value);
    }
    let seconds = match end.as_slice() {
        [] => number(&value).ok_or_else(|| {
            invalid(format!(
                "durationformat needs a number of seconds, or a start time and its end \
                 (started | durationformat(ended)), not {value}"
            ))
        })?,
        [end] if is_absent(end) => return Ok(end.clone()),
        [end] => {
            let between = time(end, "durationformat")? - time(&value, "durationformat")?;
            between.num_milliseconds() as f64 / 1000.0
        }
        _ => {
            return Err(invalid(
                "durationformat takes at most one argument, the end time".to_owned(),
            ));
        }
    };
    Ok(Value::from(human::duration(seconds)))
}

/// `time | datetimeformat("%d.%m.%Y %H:%M", "Europe/Berlin")`: chrono's strftime format
/// (default `%Y-%m-%d %H:%M %Z`) in an IANA zone (default UTC).
fn datetimeformat(
    value: Value,
    format: Option<String>,
    zone: Option<String>,
) -> Result<Value, Error> {
    if is_absent(&value) {
        return Ok(value);
    }
    let time = time(&value, "datetimeformat")?;
    let zone = match zone.as_deref() {
        None => chrono_tz::UTC,
        Some(name) => name
            .parse::<chrono_tz::Tz>()
            .map_err(|_| invalid(format!("{name:?} is not an IANA time zone name")))?,
    };
    let format = format.as_deref().unwrap_or(DEFAULT_TIME_FORMAT);
    let mut out = String::new();
    // chrono reports a bad specifier only while writing; `to_string` would panic on it.
    write!(out, "{}", time.with_timezone(&zone).format(format))
        .map_err(|_| invalid(format!("{format:?} is not a valid date format")))?;
    Ok(Value::from(out))
}
