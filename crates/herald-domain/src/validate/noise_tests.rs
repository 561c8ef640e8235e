use std::collections::BTreeMap;
use std::time::Duration;

use chrono::NaiveTime;
use serde_json::{Value, json};

use crate::{Notify, Outcome, QuietDuring, SubscriptionSpec};

const FALLBACK: &str = "sub_06FDM2K7Q5VJX9T1ZR3NBW8PCA";

fn doc(extra: Value) -> Value {
    let mut doc = json!({
        "tenant": "acme",
        "name": "quiet please",
        "channel": "slack",
        "target": { "webhook_url": "https://hooks.slack.com/services/T1/B1/XYZ" },
    });
    for (key, value) in extra.as_object().unwrap() {
        doc[key] = value.clone();
    }
    doc
}

fn spec(extra: Value) -> SubscriptionSpec {
    let doc = doc(extra);
    SubscriptionSpec::from_json(&doc).unwrap_or_else(|e| panic!("{doc} refused: {e}"))
}

fn errors(extra: Value) -> BTreeMap<String, String> {
    SubscriptionSpec::from_json(&doc(extra))
        .expect_err("document was accepted")
        .0
}

fn quiet() -> Value {
    json!({"timezone": "Europe/Berlin",
           "windows": [{"days": ["mon", "fri"], "from": "22:00", "to": "07:00"}],
           "during": "drop", "except": ["failure", "warning"]})
}

#[test]
fn without_options_a_subscription_notifies_every_event() {
    let s = spec(json!({}));
    assert_eq!(s.notify, Notify::EveryEvent);
    assert_eq!(
        (s.group, s.quiet_hours, s.fallback_subscription_id),
        (None, None, None)
    );
    assert_eq!(spec(json!({})).to_json()["notify"], "every_event");
}

#[test]
fn transitions_take_a_group_key_and_repeat_interval_with_defaults() {
    let default = spec(json!({"notify": "transitions"}));
    assert_eq!(
        default.notify,
        Notify::Transitions {
            key: None,
            repeat_interval: Duration::from_secs(4 * 3600)
        }
    );
    let s = spec(
        json!({"notify": "transitions", "group_key": "data.schedule.id",
                        "repeat_interval": "1h30m"}),
    );
    let Notify::Transitions {
        key,
        repeat_interval,
    } = &s.notify
    else {
        panic!("not transitions");
    };
    assert_eq!(key.as_ref().map(|k| k.as_str()), Some("data.schedule.id"));
    assert_eq!(*repeat_interval, Duration::from_secs(5400));
    let shown = s.to_json();
    assert_eq!(shown["repeat_interval"], "1h30m");
    assert_eq!(shown["group_key"], "data.schedule.id");
    assert_eq!(default.to_json()["repeat_interval"], "4h");
    assert!(default.to_json().get("group_key").is_none());
}

#[test]
fn groups_fill_in_their_defaults() {
    let s = spec(json!({"group": {}}));
    let group = s.group.clone().unwrap();
    assert_eq!(group.by.len(), 1);
    assert_eq!(group.by[0].as_str(), "type");
    assert_eq!(
        (group.wait, group.interval),
        (Duration::from_secs(30), Duration::from_secs(300))
    );
    assert_eq!(
        s.to_json()["group"],
        json!({"by": ["type"], "wait": "30s", "interval": "5m"})
    );
    let s = spec(json!({"group": {"by": ["type", "data.source"], "wait": "1h", "interval": "1d"}}));
    assert_eq!(
        s.to_json()["group"],
        json!({"by": ["type", "data.source"], "wait": "1h", "interval": "1d"})
    );
}

#[test]
fn quiet_hours_are_read_whole() {
    let s = spec(json!({"quiet_hours": quiet()}));
    let q = s.quiet_hours.clone().unwrap();
    assert_eq!(q.timezone, chrono_tz::Europe::Berlin);
    assert_eq!(q.during, QuietDuring::Drop);
    assert_eq!(q.except, vec![Outcome::Failure, Outcome::Warning]);
    assert_eq!(
        q.windows[0].days,
        [true, false, false, false, true, false, false]
    );
    assert_eq!(
        q.windows[0].from,
        NaiveTime::from_hms_opt(22, 0, 0).unwrap()
    );
    assert_eq!(s.to_json()["quiet_hours"], quiet());
    // Defaults: every day, hold, nothing breaks through.
    let s = spec(json!({"quiet_hours": {"timezone": "UTC",
                                        "windows": [{"from": "12:00", "to": "13:30"}]}}));
    assert_eq!(
        s.to_json()["quiet_hours"],
        json!({"timezone": "UTC", "during": "hold", "except": [],
               "windows": [{"days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
                            "from": "12:00", "to": "13:30"}]})
    );
}

#[test]
fn a_fallback_is_a_subscription_id() {
    let s = spec(json!({"fallback_subscription_id": FALLBACK}));
    assert_eq!(s.fallback_subscription_id.unwrap().to_string(), FALLBACK);
    assert_eq!(s.to_json()["fallback_subscription_id"], FALLBACK);
    // A digest may fall back too: its delivery can fail like any other.
    spec(json!({"digest": {"hour": 7}, "fallback_subscription_id": FALLBACK}));
}

#[test]
fn every_option_round_trips() {
    for extra in [
        json!({"notify": "transitions", "group_key": "subject", "repeat_interval": "30d",
               "quiet_hours": quiet(), "fallback_subscription_id": FALLBACK}),
        json!({"group": {"by": ["data.a.b"], "wait": "1s", "interval": "1s"},
               "quiet_hours": quiet()}),
    ] {
        let s = spec(extra);
        let again = SubscriptionSpec::from_json(&s.to_json()).unwrap();
        assert_eq!(again, s);
        assert_eq!(SubscriptionSpec::from_stored_json(&s.to_json()).unwrap(), s);
        // Nothing in them is secret: the masked form shows them as they are.
        for key in [
            "notify",
            "group_key",
            "repeat_interval",
            "group",
            "quiet_hours",
        ] {
            assert_eq!(s.to_masked_json().get(key), s.to_json().get(key), "{key}");
        }
    }
}

#[test]
fn every_bad_option_is_named_at_once() {
    let found = errors(json!({
        "notify": "transitions",
        "group_key": "data..x",
        "repeat_interval": "30s",
        "quiet_hours": {
            "timezone": "Mars/Olympus",
            "windows": [
                {"days": ["mon", "mon", "funday"], "from": "24:00", "to": "7:00"},
                {"from": "10:00", "to": "10:00", "colour": "red"},
                "22:00-07:00"
            ],
            "during": "mute",
            "except": ["failure", "disaster"],
            "extra": 1
        },
        "fallback_subscription_id": "sub_nope"
    }));
    let expected = [
        "group_key",
        "repeat_interval",
        "quiet_hours.timezone",
        "quiet_hours.windows[0].days[1]",
        "quiet_hours.windows[0].days[2]",
        "quiet_hours.windows[0].from",
        "quiet_hours.windows[0].to",
        "quiet_hours.windows[1].to",
        "quiet_hours.windows[1].colour",
        "quiet_hours.windows[2]",
        "quiet_hours.during",
        "quiet_hours.except[1]",
        "quiet_hours.extra",
        "fallback_subscription_id",
    ];
    let names: Vec<&str> = found.keys().map(String::as_str).collect();
    let mut sorted = expected.to_vec();
    sorted.sort_unstable();
    assert_eq!(names, sorted, "{found:#?}");
    assert!(found["repeat_interval"].contains("1m to 30d"), "{found:?}");
}

#[test]
fn group_values_are_checked() {
    let found = errors(json!({"group": {"by": ["type", 3, "nope"], "wait": "2h",
                                        "interval": "2d", "size": 1}}));
    for path in [
        "group.by[1]",
        "group.by[2]",
        "group.wait",
        "group.interval",
        "group.size",
    ] {
        assert!(found.contains_key(path), "{path} not named: {found:?}");
    }
    let found = errors(json!({"group": {"by": [], "wait": "10m"}}));
    assert!(found.contains_key("group.by"));
    assert!(
        found["group.interval"].contains("at least as long as wait (10m)"),
        "{found:?}"
    );
    let six = json!(["type", "source", "subject", "tenant", "data.a", "data.b"]);
    assert!(errors(json!({"group": {"by": six}})).contains_key("group.by"));
    let found = errors(json!({"group": {"wait": "0s"}, "quiet_hours": {"windows": []}}));
    for path in ["group.wait", "quiet_hours.timezone", "quiet_hours.windows"] {
        assert!(found.contains_key(path), "{path} not named: {found:?}");
    }
    let fifteen: Vec<Value> = (0..15)
        .map(|_| json!({"from": "01:00", "to": "02:00"}))
        .collect();
    let found = errors(json!({"quiet_hours": {"timezone": "UTC", "windows": fifteen}}));
    assert!(found.contains_key("quiet_hours.windows"));
    let found = errors(json!({"quiet_hours": {"timezone": "UTC"}, "notify": "loudly"}));
    assert_eq!(found["quiet_hours.windows"], "is required");
    assert!(found.contains_key("notify"));
}

#[test]
fn options_that_do_not_go_together_are_refused() {
    let found = errors(json!({"group_key": "type", "repeat_interval": "1h"}));
    assert_eq!(found["group_key"], "is only used with notify: transitions");
    assert_eq!(
        found["repeat_interval"],
        "is only used with notify: transitions"
    );
    let found = errors(json!({"notify": "every_event", "repeat_interval": "1h"}));
    assert!(found.contains_key("repeat_interval"));
    let found = errors(json!({"notify": "transitions", "group": {}}));
    assert_eq!(
        found["group"],
        "choose one of group and notify: transitions"
    );
    let found = errors(json!({"digest": {}, "notify": "transitions", "group": {},
                              "quiet_hours": quiet()}));
    for path in ["notify", "group", "quiet_hours"] {
        assert!(found[path].contains("digest"), "{path}: {found:?}");
    }
}

#[test]
fn null_leaves_an_option_out() {
    let s = spec(json!({"notify": null, "group": null, "quiet_hours": null,
                        "fallback_subscription_id": null, "group_key": null}));
    assert_eq!(s, spec(json!({})));
}
