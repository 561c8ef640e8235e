//! The documented noise options against the parser: every option with every field is
//! accepted and round-trips (through `tests.rs`'s requests), value lists and patterns agree.

use std::collections::BTreeSet;

use herald_domain::SubscriptionSpec;
use serde_json::{Value, json};

use super::*;

/// Every noise option with every field, on subscriptions that may have them.
pub(super) fn noise_requests() -> Vec<Value> {
    let mut requests = super::tests::full_requests();
    requests.retain(|r| r.get("digest").is_none());
    let quiet = json!({"timezone": "Europe/Berlin", "during": "drop", "except": ["failure"],
        "windows": [{"days": ["sat", "sun"], "from": "00:00", "to": "09:30"},
                    {"from": "22:00", "to": "06:00"}]});
    for (i, request) in requests.iter_mut().enumerate() {
        request["name"] = json!(format!("noise {i}"));
        request["quiet_hours"] = quiet.clone();
        request["fallback_subscription_id"] = json!(examples::FALLBACK_ID);
        if i % 2 == 0 {
            request["notify"] = json!("transitions");
            request["group_key"] = json!("data.schedule.id");
            request["repeat_interval"] = json!("1h30m");
        } else {
            request["notify"] = json!("every_event");
            request["group"] =
                json!({"by": ["type", "data.source"], "wait": "1m", "interval": "10m"});
        }
    }
    requests
}

#[test]
fn the_documented_option_values_are_the_domains() {
    let schemas: Value =
        serde_json::from_str::<Value>(&openapi_json()).unwrap()["components"]["schemas"].clone();
    let listed = |name: &str| -> BTreeSet<String> {
        schemas[name]["enum"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_owned())
            .collect()
    };
    let set =
        |items: &[&str]| -> BTreeSet<String> { items.iter().map(|s| s.to_string()).collect() };
    assert_eq!(listed("Day"), set(&herald_domain::noise::DAY_NAMES));
    assert_eq!(
        listed("QuietDuring"),
        set(&[
            herald_domain::QuietDuring::Hold.as_str(),
            herald_domain::QuietDuring::Drop.as_str()
        ])
    );
    let transitions = herald_domain::Notify::Transitions {
        key: None,
        repeat_interval: herald_domain::Notify::DEFAULT_REPEAT_INTERVAL,
    };
    assert_eq!(
        listed("Notify"),
        set(&[
            herald_domain::Notify::EveryEvent.as_str(),
            transitions.as_str()
        ])
    );
}

/// The noise options' strings: a documented pattern and the parser agree on each.
#[test]
fn the_documented_option_patterns_agree_with_the_parsers() {
    let schemas =
        serde_json::from_str::<Value>(&openapi_json()).unwrap()["components"]["schemas"].clone();
    let check = |name: &str, parses: &dyn Fn(&str) -> bool, samples: &[&str]| {
        let validator = jsonschema::draft202012::new(&schemas[name]).unwrap();
        for sample in samples {
            assert_eq!(
                validator.is_valid(&json!(sample)),
                parses(sample),
                "{name} and its parser disagree on {sample:?}"
            );
        }
    };
    let long = format!("data.{}", "x".repeat(200));
    check(
        "FieldPath",
        &|s| herald_domain::FieldPath::parse(s).is_ok(),
        &[
            "type",
            "source",
            "subject",
            "tenant",
            "data.a",
            "data.a.b_c-d",
            "data.list.0",
            "",
            "data",
            "data.",
            "data..a",
            "data.a.",
            "Type",
            "id",
            "labels.env",
            &long,
        ],
    );
    check(
        "DurationText",
        &|s| herald_domain::human::parse_duration(s).is_ok(),
        &[
            "30s", "15m", "4h", "1d", "1h30m", "1d2h3m4s", "0s", "90m", "", "30", "h", "1h 30m",
            "30m1h", "1h1h", "1.5h", "-1m", "1w", "1H",
        ],
    );
    let time = |s: &str| {
        let doc = json!({"tenant": "acme", "name": "n", "channel": "webhook",
            "target": {"url": "https://example.com"},
            "quiet_hours": {"timezone": "UTC", "windows": [{"from": s, "to": "12:34"}]}});
        SubscriptionSpec::from_json(&doc).is_ok()
    };
    check(
        "TimeOfDay",
        &time,
        &[
            "00:00", "07:05", "23:59", "19:00", "24:00", "7:00", "07:60", "07:00:00", "0700", "",
        ],
    );
}
