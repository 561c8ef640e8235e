use chrono::{TimeZone, Utc};
use herald_domain::samples::sample_event;
use serde_json::json;

use super::*;

fn spec(extra: Value) -> SubscriptionSpec {
    let mut body = json!({
        "tenant": "acme", "name": "quiet", "channel": "webhook",
        "target": {"url": "https://hooks.example.com/h"},
    });
    if let (Some(body), Value::Object(extra)) = (body.as_object_mut(), extra) {
        body.extend(extra);
    }
    SubscriptionSpec::from_json(&body).unwrap()
}

fn quiet(from: &str, to: &str, extra: Value) -> SubscriptionSpec {
    let mut quiet = json!({"timezone": "Europe/Berlin",
                           "windows": [{"from": from, "to": to}]});
    if let (Some(quiet), Value::Object(extra)) = (quiet.as_object_mut(), extra) {
        quiet.extend(extra);
    }
    spec(json!({"quiet_hours": quiet}))
}

fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, mo, d, h, mi, 0).unwrap()
}

fn tenant() -> Tenant {
    Tenant::parse("acme").unwrap()
}

fn held(key: &str, first_held: DateTime<Utc>, last: Option<DateTime<Utc>>) -> HeldGroup {
    HeldGroup {
        subscription_id: herald_domain::SubscriptionId::new(),
        tenant: "acme".into(),
        hold_key: key.into(),
        first_held,
        held: 3,
        last_sent_at: last,
    }
}

#[test]
fn a_grouped_subscription_holds_each_event_under_its_groups_values() {
    let spec = spec(json!({"group": {"by": ["type", "data.source"]}}));
    let now = utc(2026, 3, 1, 12, 0);
    let event = sample_event("transfer.failed", "acme", "e1", now);
    assert_eq!(
        at_intake(&spec, &tenant(), &event, now),
        Intake::Hold(r#"["transfer.failed","dropbox:/files"]"#.into())
    );
    // What holding produced is never held again.
    let mut grouped = event.clone();
    grouped["type"] = json!("herald.group");
    assert_eq!(at_intake(&spec, &tenant(), &grouped, now), Intake::Attempt);
}

#[test]
fn quiet_hours_hold_or_drop_what_falls_in_a_window_but_let_exceptions_through() {
    // 23:00 in Berlin in winter.
    let night = utc(2026, 1, 10, 22, 0);
    let day = utc(2026, 1, 10, 12, 0);
    let failure = sample_event("transfer.failed", "acme", "f", night);
    let success = sample_event("transfer.completed", "acme", "s", night);
    let hold = quiet("22:00", "07:00", json!({"except": ["failure"]}));
    assert_eq!(
        at_intake(&hold, &tenant(), &success, night),
        Intake::Hold(QUIET_KEY.into())
    );
    assert_eq!(
        at_intake(&hold, &tenant(), &failure, night),
        Intake::Attempt
    );
    assert_eq!(at_intake(&hold, &tenant(), &success, day), Intake::Attempt);
    let drop = quiet("22:00", "07:00", json!({"during": "drop"}));
    assert_eq!(
        at_intake(&drop, &tenant(), &failure, night),
        Intake::Suppress(DROPPED)
    );
}

#[test]
fn a_quiet_group_is_released_when_its_window_ends_across_daylight_saving_changes() {
    // 29 March 2026: Berlin's clocks jump from 02:00 CET to 03:00 CEST. A 01:00-03:30 window
    // starts at 00:00 UTC and ends at 03:30 CEST, 01:30 UTC: two and a half hours, not three
    // and a half.
    let spring = quiet("01:00", "03:30", json!({}));
    let group = held(QUIET_KEY, utc(2026, 3, 29, 0, 10), None);
    assert_eq!(
        release(&spring, &group, utc(2026, 3, 29, 1, 29)),
        Release::NotYet
    );
    assert!(matches!(
        release(&spring, &group, utc(2026, 3, 29, 1, 30)),
        Release::Now { .. }
    ));
    // 25 October 2026: clocks go back from 03:00 CEST to 02:00 CET. A window ending at 02:30
    // ends at its first occurrence, 02:30 CEST (00:30 UTC); the second 02:15 (CET, 01:15
    // UTC) is not quiet, so nothing waits until then.
    let autumn = quiet("22:00", "02:30", json!({}));
    let group = held(QUIET_KEY, utc(2026, 10, 24, 21, 0), None);
    assert_eq!(
        release(&autumn, &group, utc(2026, 10, 25, 0, 29)),
        Release::NotYet
    );
    assert!(matches!(
        release(&autumn, &group, utc(2026, 10, 25, 0, 30)),
        Release::Now { .. }
    ));
    assert!(matches!(
        release(&autumn, &group, utc(2026, 10, 25, 1, 15)),
        Release::Now { .. }
    ));
    // Without quiet hours any more, what they held goes at once.
    assert!(matches!(
        release(&spec(json!({})), &group, utc(2026, 10, 24, 21, 1)),
        Release::Now { .. }
    ));
}

#[test]
fn a_group_waits_for_its_wait_and_then_for_its_interval() {
    let spec = spec(json!({"group": {"wait": "30s", "interval": "5m"}}));
    let t0 = utc(2026, 3, 1, 12, 0);
    let first = held(r#"["transfer.failed"]"#, t0, None);
    let at = |s: i64| t0 + TimeDelta::seconds(s);
    assert_eq!(release(&spec, &first, at(29)), Release::NotYet);
    assert_eq!(
        release(&spec, &first, at(30)),
        Release::Now {
            wait: Duration::from_secs(30),
            interval: Duration::from_secs(300)
        }
    );
    // Sent at 12:00:30; a member held at 12:01 waits for 12:05:30.
    let second = held(r#"["transfer.failed"]"#, at(60), Some(at(30)));
    assert_eq!(release(&spec, &second, at(329)), Release::NotYet);
    assert!(matches!(
        release(&spec, &second, at(330)),
        Release::Now { .. }
    ));
}

#[test]
fn the_window_that_held_a_delivery_is_found_past_midnight() {
    let spec = quiet("22:00", "07:00", json!({}));
    let quiet = spec.quiet_hours.as_ref().unwrap();
    let hm = |h, m| NaiveTime::from_hms_opt(h, m, 0).unwrap();
    // 01:00 in Berlin, the window started the evening before.
    assert_eq!(
        window_of(quiet, utc(2026, 1, 10, 0, 0)),
        Some((hm(22, 0), hm(7, 0)))
    );
    assert_eq!(window_of(quiet, utc(2026, 1, 10, 12, 0)), None);
}

#[test]
fn a_groups_values_are_read_back_beside_their_paths() {
    let spec = spec(json!({"group": {"by": ["type", "data.source"]}}));
    assert_eq!(
        group_values(spec.group.as_ref(), r#"["transfer.failed",""]"#),
        vec![
            ("type".to_owned(), "transfer.failed".to_owned()),
            ("data.source".to_owned(), String::new())
        ]
    );
}
