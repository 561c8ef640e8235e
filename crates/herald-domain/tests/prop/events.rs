//! JSON CloudEvents: whatever arrives, `parse_event` answers with an event or a typed
//! rejection that says why, and an event it accepts survives being sent on as it delivers it.

use chrono::{DateTime, SecondsFormat, TimeZone, Utc};
use herald_domain::{Event, EventLimits, Incoming, Rejection, parse_event};
use proptest::prelude::*;
use serde_json::{Map, Value, json};

use crate::support::{
    exact_json_value, json_value, mutate, mutation, nasty_string, nested, nested_text, within,
};

pub const TENANT: &str = "acme";

pub fn received_at() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 1, 12, 0, 0).unwrap()
}

pub fn parse(
    body: &[u8],
    content_type: Option<&str>,
    subject_type: &str,
) -> Result<Event, Rejection> {
    let incoming = Incoming {
        subject_tenant: TENANT,
        subject_type,
        content_type,
        body,
        received_at: received_at(),
    };
    parse_event(&incoming, &EventLimits::default())
}

/// The promise to publishers: a rejection has a stable code and a sentence, and an event
/// carries what the subject said.
pub fn check_answer(answer: &Result<Event, Rejection>, subject_type: &str) {
    match answer {
        Ok(event) => {
            assert_eq!(event.tenant.as_str(), TENANT);
            assert_eq!(event.event_type.as_str(), subject_type);
            let id_chars = event.id.chars().count();
            assert!((1..=128).contains(&id_chars), "id of {id_chars} characters");
            assert!(!event.source.is_empty());
            for text in [Some(&event.id), Some(&event.source), event.subject.as_ref()] {
                assert!(
                    !text.is_some_and(|t| t.contains('\0')),
                    "NUL kept in {text:?}"
                );
            }
            assert!(
                event.data.is_object() || event.data.is_null(),
                "{:?}",
                event.data
            );
        }
        Err(rejection) => {
            assert!(!rejection.reason.code().is_empty());
            assert!(!rejection.to_string().trim().is_empty());
        }
    }
}

/// An accepted event, sent on as Herald delivers it, is read back as the same event.
pub fn check_round_trip(event: &Event) {
    let body = serde_json::to_vec(&event.to_cloudevent()).unwrap();
    let again = parse(
        &body,
        Some("application/cloudevents+json"),
        event.event_type.as_str(),
    )
    .unwrap_or_else(|r| panic!("its own CloudEvent was rejected: {r}"));
    assert_eq!(&again, event);
}

/// Floats may come back one unit in the last place off (see `exact_json_value`).
fn has_float(value: &Value) -> bool {
    match value {
        Value::Number(n) => n.is_f64(),
        Value::Array(items) => items.iter().any(has_float),
        Value::Object(map) => map.values().any(has_float),
        _ => false,
    }
}

const KNOWN: &[(&str, &str)] = &[
    ("transfer.failed", "transfer_id"),
    ("transfer.completed", "transfer_id"),
    ("backup.succeeded", "job_id"),
    ("backup.warning", "job_id"),
    ("snapshot.created", "repo_id"),
    ("restore.failed", "repo_id"),
    ("gc.completed", "repo_id"),
    ("verify.started", "repo_id"),
];

fn time_text() -> impl Strategy<Value = String> {
    // Years 1 to 9999: what RFC 3339 can write.
    (-62_135_596_800i64..253_402_300_799, 0u32..1_000_000_000).prop_map(|(secs, nanos)| {
        DateTime::from_timestamp(secs, nanos)
            .unwrap()
            .to_rfc3339_opts(SecondsFormat::AutoSi, true)
    })
}

/// A valid event of a known or a custom type, as JSON, with the type its subject names.
pub fn valid_event() -> impl Strategy<Value = (String, Value)> {
    let data_for_known = (
        prop::sample::select(KNOWN),
        "[^\\x00]{1,40}",
        prop::collection::btree_map("[a-z]{1,8}", "\\PC{0,16}", 0..4),
        any::<u64>(),
    )
        .prop_map(|((event_type, required), value, labels, number)| {
            let mut data = json!({ required: value, "labels": labels });
            if required == "transfer_id" {
                data["bytes_transferred"] = number.into();
            }
            (event_type.to_owned(), Some(data))
        });
    let custom = (
        "[a-z][a-z0-9_]{0,8}\\.[a-z0-9_]{1,8}",
        prop::option::of(prop::collection::btree_map(
            "[a-z]{1,8}",
            exact_json_value(),
            0..5,
        )),
    )
        .prop_filter("a custom type", |(t, _)| KNOWN.iter().all(|(k, _)| k != t))
        .prop_map(|(t, data)| (t, data.map(|d| Value::Object(d.into_iter().collect()))));
    let extensions = prop::collection::btree_map("x[a-z0-9]{1,10}", exact_json_value(), 0..4);
    (
        prop_oneof![data_for_known, custom],
        "[^\\x00]{1,128}",
        "[^\\x00]{1,60}",
        prop::option::of(time_text()),
        prop::option::of("[^\\x00]{0,40}"),
        any::<bool>(),
        extensions,
    )
        .prop_map(
            |((event_type, data), id, source, time, subject, tenant, extensions)| {
                let mut doc = Map::new();
                doc.insert("specversion".into(), "1.0".into());
                doc.insert("id".into(), id.into());
                doc.insert("source".into(), source.into());
                doc.insert("type".into(), event_type.clone().into());
                if let Some(time) = time {
                    doc.insert("time".into(), time.into());
                }
                if let Some(subject) = subject {
                    doc.insert("subject".into(), subject.into());
                }
                if tenant {
                    doc.insert("tenant".into(), TENANT.into());
                }
                if let Some(data) = data {
                    doc.insert("data".into(), data);
                }
                doc.extend(extensions);
                (event_type, Value::Object(doc))
            },
        )
}

const POINTERS: &[&str] = &[
    "/specversion",
    "/id",
    "/source",
    "/type",
    "/time",
    "/subject",
    "/tenant",
    "/data",
    "/data_base64",
    "/datacontenttype",
    "/data/transfer_id",
    "/data/job_id",
    "/data/repo_id",
    "/data/labels",
    "/data/labels/env",
    "/data/bytes_transferred",
    "/data/started_at",
    "/data/error",
    "/data/error/code",
    "/data/schedule",
    "/data/databases",
    "/data/warnings",
    "/data/tags",
    "/traceparent",
];

const CONTENT_TYPES: &[Option<&str>] = &[
    None,
    Some(""),
    Some("application/cloudevents+json"),
    Some("application/json; charset=utf-8"),
    Some("APPLICATION/JSON"),
    Some("application/protobuf"),
    Some("text/plain"),
    Some(";;;"),
    Some("\u{0}"),
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_bytes_are_answered(
        body in prop::collection::vec(any::<u8>(), 0..512),
        content_type in prop::sample::select(CONTENT_TYPES),
    ) {
        let answer = within("parse_event", move || parse(&body, content_type, "transfer.failed"));
        check_answer(&answer, "transfer.failed");
    }

    #[test]
    fn arbitrary_text_and_json_are_answered(
        text in prop_oneof![nasty_string(), json_value().prop_map(|v| v.to_string())],
    ) {
        let answer = within("parse_event", move || parse(text.as_bytes(), None, "transfer.failed"));
        check_answer(&answer, "transfer.failed");
    }

    #[test]
    fn a_valid_event_is_kept_and_round_trips((event_type, doc) in valid_event()) {
        let body = serde_json::to_vec(&doc).unwrap();
        let subject_type = event_type.clone();
        let event = within("parse_event", move || parse(&body, None, &subject_type))
            .unwrap_or_else(|r| panic!("a valid event was rejected: {r}\n{doc}"));
        prop_assert_eq!(event.id.as_str(), doc["id"].as_str().unwrap());
        prop_assert_eq!(event.source.as_str(), doc["source"].as_str().unwrap());
        prop_assert_eq!(event.subject.as_deref(), doc.get("subject").and_then(Value::as_str));
        prop_assert_eq!(&event.data, doc.get("data").unwrap_or(&Value::Null));
        for (name, value) in doc.as_object().unwrap().iter().filter(|(k, _)| k.starts_with('x')) {
            if !value.is_null() {
                prop_assert_eq!(event.extensions.get(name), Some(value));
            }
        }
        check_round_trip(&event);
    }

    #[test]
    fn a_mutated_event_is_answered((event_type, doc) in valid_event(), change in mutation(POINTERS)) {
        let doc = mutate(doc, &change);
        let body = serde_json::to_vec(&doc).unwrap();
        let subject_type = event_type.clone();
        let answer = within("parse_event", move || parse(&body, None, &subject_type));
        check_answer(&answer, &event_type);
        if let (Ok(event), false) = (&answer, has_float(&doc)) {
            check_round_trip(event);
        }
    }

    #[test]
    fn a_damaged_event_text_is_answered(
        (event_type, doc) in valid_event(),
        cut in any::<prop::sample::Index>(),
        insert in prop::collection::vec(any::<u8>(), 0..8),
    ) {
        let mut body = serde_json::to_vec(&doc).unwrap();
        let at = cut.index(body.len() + 1);
        body.splice(at..at, insert);
        let subject_type = event_type.clone();
        let answer = within("parse_event", move || parse(&body, None, &subject_type));
        check_answer(&answer, &event_type);
    }

    #[test]
    fn deep_nesting_is_answered(depth in 1usize..4000, as_object in any::<bool>(), in_data in any::<bool>()) {
        // As text, past serde_json's own limit; as data, just under it.
        let body = if in_data {
            let data = nested(depth.min(120), as_object, json!(1));
            json!({"specversion": "1.0", "id": "n", "source": "s", "type": "deep.event",
                   "data": {"inner": data}}).to_string()
        } else {
            nested_text(depth, as_object)
        };
        let answer = within("parse_event", move || parse(body.as_bytes(), None, "deep.event"));
        check_answer(&answer, "deep.event");
    }

    #[test]
    fn huge_numbers_in_known_data_are_answered(
        number in "-?[0-9]{1,400}(\\.[0-9]{1,40})?([eE][-+]?[0-9]{1,5})?",
        field in prop::sample::select(&["bytes_transferred", "files_transferred", "transfer_id"][..]),
    ) {
        let body = format!(
            r#"{{"specversion":"1.0","id":"n","source":"s","type":"transfer.failed","data":{{"transfer_id":"t","{field}":{number}}}}}"#
        );
        let answer = within("parse_event", move || parse(body.as_bytes(), None, "transfer.failed"));
        check_answer(&answer, "transfer.failed");
    }
}
