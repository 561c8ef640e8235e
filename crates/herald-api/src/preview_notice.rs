//! The preview of a `notify: transitions` message: `{"sample": "transfer.completed",
//! "notice": {"kind": "recovered", "failures": 5, "down_for_seconds": 22200}}` shows what the
//! subscription sends when a job recovers after five failures, down 6 h 10 min. Only `kind` is
//! needed; the rest has defaults that read well.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use herald_domain::{JobNotice, JobNoticeKind};
use serde_json::Value;

use crate::ApiError;

/// 6 h 10 min, the issue's example of a recovery.
const DEFAULT_DOWN_FOR: u64 = 22_200;
/// Failures a reminder or recovery counts unless told.
const DEFAULT_FAILURES: u64 = 5;
/// The most a preview counts: far beyond any real run of failures, and safely an `i32`.
const MAX_FAILURES: u64 = 1_000_000;
/// Ten years: any real downtime, and no overflow in time arithmetic.
const MAX_DOWN_FOR: u64 = 10 * 366 * 86_400;

/// The notice `notice` asks for, with the event's time as the moment it is sent; `None`
/// without one. Every wrong field is named (`notice.kind`, `notice.failures`, …).
pub(crate) fn notice(
    notice: Option<&Value>,
    event: &Value,
    now: DateTime<Utc>,
) -> Result<Option<JobNotice>, ApiError> {
    let Some(notice) = notice else {
        return Ok(None);
    };
    let Value::Object(fields) = notice else {
        return Err(ApiError::field(
            "notice",
            "must be an object: {\"kind\": \"failing\" | \"still_failing\" | \"recovered\", …}",
        ));
    };
    let mut errors = BTreeMap::new();
    let kind = match fields.get("kind").and_then(Value::as_str) {
        Some("failing") => Some(JobNoticeKind::Failing),
        Some("still_failing") => Some(JobNoticeKind::StillFailing),
        Some("recovered") => Some(JobNoticeKind::Recovered),
        _ => {
            errors.insert(
                "notice.kind".to_owned(),
                "must be failing, still_failing or recovered".to_owned(),
            );
            None
        }
    };
    let failures = whole(fields, "failures", 1, MAX_FAILURES, &mut errors);
    let down_for = whole(fields, "down_for_seconds", 0, MAX_DOWN_FOR, &mut errors);
    let since = match fields.get("since") {
        None | Some(Value::Null) => None,
        Some(value) => {
            let parsed = value
                .as_str()
                .and_then(|text| DateTime::parse_from_rfc3339(text).ok());
            if parsed.is_none() {
                errors.insert(
                    "notice.since".to_owned(),
                    "must be an RFC 3339 time, e.g. 2026-03-01T02:00:00Z".to_owned(),
                );
            }
            parsed.map(|t| t.with_timezone(&Utc))
        }
    };
    let (Some(kind), true) = (kind, errors.is_empty()) else {
        return Err(ApiError::Invalid(errors));
    };
    let sent = event
        .get("time")
        .and_then(Value::as_str)
        .and_then(|text| DateTime::parse_from_rfc3339(text).ok())
        .map_or(now, |t| t.with_timezone(&Utc));
    let failures = failures.unwrap_or(match kind {
        JobNoticeKind::Failing => 1,
        JobNoticeKind::StillFailing | JobNoticeKind::Recovered => DEFAULT_FAILURES,
    });
    let (since, down_for_seconds) = match kind {
        JobNoticeKind::Failing => (since.unwrap_or(sent), None),
        // A reminder comes every `repeat_interval`, 4 h unless the subscription says.
        JobNoticeKind::StillFailing => (since.unwrap_or(sent - Duration::hours(4)), None),
        JobNoticeKind::Recovered => {
            let down_for = down_for
                .or_else(|| since.map(|s| (sent - s).num_seconds().max(0).unsigned_abs()))
                .unwrap_or(DEFAULT_DOWN_FOR);
            let since = since.unwrap_or(sent - Duration::seconds(down_for.cast_signed()));
            (since, Some(down_for))
        }
    };
    Ok(Some(JobNotice {
        kind,
        failures: u32::try_from(failures).unwrap_or(u32::MAX),
        since,
        down_for_seconds,
    }))
}

/// `notice.{name}` as a whole number in `min..=max`, if given.
fn whole(
    fields: &serde_json::Map<String, Value>,
    name: &str,
    min: u64,
    max: u64,
    errors: &mut BTreeMap<String, String>,
) -> Option<u64> {
    let value = fields.get(name).filter(|v| !v.is_null())?;
    let number = value.as_u64().filter(|n| (min..=max).contains(n));
    if number.is_none() {
        errors.insert(
            format!("notice.{name}"),
            format!("must be a whole number from {min} to {max}"),
        );
    }
    number
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};
    use serde_json::json;

    use super::notice;
    use crate::ApiError;

    fn event() -> serde_json::Value {
        json!({"type": "transfer.completed", "time": "2026-03-01T08:10:00Z"})
    }

    #[test]
    fn a_recovery_needs_only_its_kind_and_reads_as_the_issue_example() {
        let now = Utc::now();
        let shown = notice(Some(&json!({"kind": "recovered"})), &event(), now)
            .unwrap()
            .unwrap();
        assert_eq!(shown.failures, 5);
        assert_eq!(shown.down_for_seconds, Some(22_200));
        assert_eq!(
            shown.since,
            Utc.with_ymd_and_hms(2026, 3, 1, 2, 0, 0).unwrap()
        );
    }

    #[test]
    fn every_wrong_field_is_named() {
        let Err(ApiError::Invalid(fields)) = notice(
            Some(&json!({"kind": "sometimes", "failures": 0, "since": "yesterday"})),
            &event(),
            Utc::now(),
        ) else {
            panic!("not a 422");
        };
        let names: Vec<&str> = fields.keys().map(String::as_str).collect();
        assert_eq!(names, ["notice.failures", "notice.kind", "notice.since"]);
    }
}
