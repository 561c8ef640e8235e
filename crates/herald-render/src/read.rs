//! Reading event data the way publishers send it: numbers as JSON numbers or numeric strings
//! (proto3 JSON writes 64-bit integers as strings), times as RFC 3339, text of any length.

use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::human;
use crate::text::fit_plain;

/// The most kept of one text field. Far above what any chat platform shows, and it bounds
/// the work of escaping and cutting a publisher's megabyte stack trace.
const MAX_TEXT: usize = 16_000;

/// Publisher text made safe to place anywhere: line breaks unified, control and bidi-override
/// characters (which can reorder what a reader sees) dropped, surrounding blanks trimmed.
/// `None` when nothing is left.
pub(crate) fn clean(text: &str) -> Option<String> {
    let mut out = String::with_capacity(text.len().min(MAX_TEXT * 4));
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' => {
                chars.next_if_eq(&'\n');
                out.push('\n');
            }
            '\n' | '\t' => out.push(c),
            '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' => {}
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    let trimmed = out.trim();
    (!trimmed.is_empty()).then(|| fit_plain(trimmed, MAX_TEXT))
}

/// Text meant for one line, such as a name in a title: its line breaks and tabs become spaces.
pub(crate) fn one_line(text: String) -> String {
    if text.contains(['\n', '\t']) {
        text.split_whitespace().collect::<Vec<_>>().join(" ")
    } else {
        text
    }
}

/// A string, number or boolean as text.
pub(crate) fn text(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::String(s) => clean(s),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// A finite number, or a numeric string.
pub(crate) fn number(value: Option<&Value>) -> Option<f64> {
    let n = match value? {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    };
    n.filter(|n| n.is_finite())
}

/// A count as written: `120` and `"120"` both read `120`; an int64 string too large for an
/// f64 keeps all its digits.
pub(crate) fn count(value: Option<&Value>) -> Option<String> {
    if let Some(Value::String(s)) = value
        && s.trim().parse::<i64>().is_ok()
    {
        return Some(s.trim().to_owned());
    }
    number(value).map(human::number)
}

/// An RFC 3339 time, or Unix seconds.
pub(crate) fn time(value: Option<&Value>) -> Option<DateTime<Utc>> {
    match value? {
        Value::String(s) => DateTime::parse_from_rfc3339(s.trim())
            .ok()
            .map(|t| t.with_timezone(&Utc)),
        other => number(Some(other))
            .and_then(|seconds| DateTime::from_timestamp_millis((seconds * 1000.0) as i64)),
    }
}

/// The scalars of an array (a lone scalar is a list of one), as text.
pub(crate) fn list(value: Option<&Value>) -> Vec<String> {
    match value {
        Some(Value::Array(items)) => items.iter().filter_map(|v| text(Some(v))).collect(),
        other => text(other).into_iter().collect(),
    }
}

/// An object of scalars, such as labels, as `key=value, …` in key order.
pub(crate) fn pairs(value: Option<&Value>) -> Option<String> {
    let Some(Value::Object(map)) = value else {
        return None;
    };
    let pairs: Vec<String> = map
        .iter()
        .filter_map(|(key, value)| Some(format!("{}={}", clean(key)?, text(Some(value))?)))
        .collect();
    (!pairs.is_empty()).then(|| pairs.join(", "))
}

#[cfg(test)]
mod tests;
