//! What happens to attributes beyond the ones Herald reads: extensions, and U+0000.

use chrono::Utc;
use serde_json::{Value, json};

use crate::{Event, EventLimits, Incoming, Rejection, parse_event};

fn parse(body: &Value) -> Result<Event, Rejection> {
    let text = body.to_string();
    let incoming = Incoming {
        subject_tenant: "acme",
        subject_type: "deploy.finished",
        content_type: None,
        body: text.as_bytes(),
        received_at: Utc::now(),
    };
    parse_event(&incoming, &EventLimits::default())
}

fn event(extra: Value) -> Value {
    let mut body = json!({"specversion": "1.0", "id": "1", "source": "ci", "type": "deploy.finished",
                          "datacontenttype": "application/json", "data": {"ok": true}});
    for (key, value) in extra.as_object().unwrap() {
        body[key] = value.clone();
    }
    body
}

#[test]
fn extensions_are_kept_as_sent_and_delivered() {
    let parsed = parse(&event(
        json!({"partitionkey": "eu-1", "sequence": 42, "dataschema": "https://x/s.json", "nothing": null}),
    ))
    .unwrap();
    assert_eq!(
        Value::Object(parsed.extensions.clone()),
        json!({"partitionkey": "eu-1", "sequence": 42, "dataschema": "https://x/s.json"})
    );
    let out = parsed.to_cloudevent();
    assert_eq!(out["partitionkey"], "eu-1");
    assert_eq!(out["sequence"], 42);
    assert_eq!(out["tenant"], "acme");
    assert!(out.get("nothing").is_none());
}

#[test]
fn nul_in_a_stored_attribute_is_a_rejection_in_data_it_is_kept() {
    for attribute in ["id", "source", "subject"] {
        let rejection = parse(&event(json!({ attribute: "a\u{0}b" }))).unwrap_err();
        assert_eq!(rejection.reason.code(), "bad_attribute");
        assert_eq!(
            rejection.reason.to_string(),
            format!("the {attribute} attribute contains U+0000, which cannot be stored")
        );
    }
    let parsed = parse(&event(json!({"data": {"name": "a\u{0}b"}}))).unwrap();
    assert_eq!(parsed.data["name"], "a\u{0}b");
}
