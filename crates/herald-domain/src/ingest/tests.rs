use chrono::{TimeZone, Utc};
use herald_proto::v1;
use prost::Message;
use serde_json::{Value, json};

use crate::{Event, EventLimits, Incoming, Rejection, parse_event};

fn received_at() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 22, 3, 0, 0).unwrap()
}

fn parse_as(
    body: &[u8],
    content_type: Option<&str>,
    tenant: &str,
    ty: &str,
) -> Result<Event, Rejection> {
    let incoming = Incoming {
        subject_tenant: tenant,
        subject_type: ty,
        content_type,
        body,
        received_at: received_at(),
    };
    parse_event(&incoming, &EventLimits::default())
}

fn parse(body: &Value) -> Result<Event, Rejection> {
    let ty = body["type"].as_str().unwrap_or("transfer.failed");
    parse_as(body.to_string().as_bytes(), None, "acme", ty)
}

fn transfer_failed() -> Value {
    json!({
        "specversion": "1.0",
        "id": "0b9f7c2e-1d7a-4c4e-9a55-3c1f2f0e8a11",
        "source": "cloudklone://prod-eu-1",
        "type": "transfer.failed",
        "time": "2026-11-22T02:30:00Z",
        "subject": "transfers/def-456",
        "datacontenttype": "application/json",
        "data": {
            "transfer_id": "def-456",
            "name": "nightly-backup",
            "source": "dropbox:/files",
            "destination": "s3:/archive",
            "status": "failed",
            "started_at": "2026-11-22T02:00:00Z",
            "ended_at": "2026-11-22T02:30:00Z",
            "files_transferred": 120,
            "bytes_transferred": 52428800,
            "error": { "code": "ACCESS_DENIED", "message": "Access denied", "details": "403 from s3:/archive" },
            "schedule": { "id": "sched-9", "name": "Nightly" },
            "labels": { "env": "production" }
        }
    })
}

fn code_of(result: Result<Event, Rejection>) -> (String, String, Option<String>) {
    let rejection = result.expect_err("event was accepted");
    (
        rejection.reason.code().to_owned(),
        rejection.reason.to_string(),
        rejection.event_id,
    )
}

fn with(mut body: Value, pointer: &str, value: Option<Value>) -> Value {
    let (parent, key) = pointer.rsplit_once('/').unwrap();
    let target = body.pointer_mut(parent).unwrap().as_object_mut().unwrap();
    match value {
        Some(value) => target.insert(key.to_owned(), value),
        None => target.remove(key),
    };
    body
}

#[test]
fn contract_example_is_accepted() {
    let event = parse(&transfer_failed()).unwrap();
    assert_eq!(event.tenant.as_str(), "acme");
    assert_eq!(event.event_type.as_str(), "transfer.failed");
    assert_eq!(
        event.time,
        Utc.with_ymd_and_hms(2026, 11, 22, 2, 30, 0).unwrap()
    );
    assert_eq!(event.subject.as_deref(), Some("transfers/def-456"));
    assert_eq!(event.label("env"), Some("production"));
    assert_eq!(event.data, transfer_failed()["data"]);
}

#[test]
fn time_defaults_to_ingest_and_charset_is_ignored() {
    let body = with(transfer_failed(), "/time", None).to_string();
    let event = parse_as(
        body.as_bytes(),
        Some("application/cloudevents+json; charset=utf-8"),
        "acme",
        "transfer.failed",
    )
    .unwrap();
    assert_eq!(event.time, received_at());
}

#[test]
fn custom_types_take_any_object_or_nothing() {
    let mut body =
        json!({"specversion": "1.0", "id": "1", "source": "ci", "type": "deploy.finished"});
    assert_eq!(parse(&body).unwrap().data, Value::Null);
    body["data"] = json!({"anything": [1, 2]});
    assert_eq!(parse(&body).unwrap().data, json!({"anything": [1, 2]}));
    body["type"] = json!("transfer.exploded");
    body["data"] = json!({"no_transfer_id": true});
    assert!(parse(&body).is_ok());
    body["data"] = json!("text");
    assert_eq!(code_of(parse(&body)).0, "bad_data");
}

#[test]
fn body_level_problems_are_named() {
    let cases: [(&[u8], Option<&str>, &str); 6] = [
        (b"", None, "empty"),
        (b"{not json", None, "not_json"),
        (b"[1, 2]", None, "not_object"),
        (b"{\"id\": \"\xff\"}", None, "not_utf8"),
        (b"{}", Some("text/plain"), "unsupported_content_type"),
        (b"\x0a\x05", Some("application/protobuf"), "bad_protobuf"),
    ];
    for (body, content_type, code) in cases {
        assert_eq!(
            code_of(parse_as(body, content_type, "acme", "x.y")).0,
            code,
            "{body:?}"
        );
    }
}

#[test]
fn size_is_checked_before_anything_else() {
    let limits = EventLimits { max_bytes: 16 };
    let incoming = Incoming {
        subject_tenant: "acme",
        subject_type: "x.y",
        content_type: Some("text/plain"),
        body: &[0xff; 17],
        received_at: received_at(),
    };
    let rejection = parse_event(&incoming, &limits).unwrap_err();
    assert_eq!(rejection.reason.code(), "too_large");
    assert_eq!(EventLimits::default().max_bytes, 1024 * 1024);
}

#[test]
fn attribute_problems_are_named_with_the_event_id() {
    let id = Some("0b9f7c2e-1d7a-4c4e-9a55-3c1f2f0e8a11".to_owned());
    let cases = [
        (
            "/specversion",
            Some(json!("0.3")),
            "bad_specversion",
            "specversion",
        ),
        ("/specversion", None, "missing_attribute", "specversion"),
        ("/source", None, "missing_attribute", "source"),
        ("/source", Some(json!("")), "bad_attribute", "source"),
        ("/time", Some(json!("yesterday")), "bad_attribute", "time"),
        ("/subject", Some(json!(5)), "bad_attribute", "subject"),
        (
            "/data_base64",
            Some(json!("AAAA")),
            "bad_attribute",
            "data_base64",
        ),
        (
            "/tenant",
            Some(json!("other")),
            "tenant_mismatch",
            "\"other\"",
        ),
    ];
    for (pointer, value, code, named) in cases {
        let (got, message, event_id) = code_of(parse(&with(transfer_failed(), pointer, value)));
        assert_eq!(got, code, "{pointer}");
        assert!(message.contains(named), "{message:?} does not name {named}");
        assert_eq!(event_id, id);
    }
}

#[test]
fn missing_id_and_type_are_rejected() {
    let (code, message, event_id) = code_of(parse(&with(transfer_failed(), "/id", None)));
    assert_eq!((code.as_str(), event_id), ("missing_attribute", None));
    assert!(message.contains("id"));
    let long = with(transfer_failed(), "/id", Some(json!("x".repeat(129))));
    assert_eq!(
        code_of(parse(&long)),
        (
            "bad_attribute".into(),
            "the id attribute is longer than 128 characters".into(),
            None
        )
    );
    let body = with(transfer_failed(), "/type", None).to_string();
    assert_eq!(
        code_of(parse_as(body.as_bytes(), None, "acme", "transfer.failed")).0,
        "missing_attribute"
    );
    let bad = with(transfer_failed(), "/type", Some(json!("Transfer")));
    assert_eq!(code_of(parse(&bad)).0, "bad_type");
}

#[test]
fn subject_must_agree_with_the_event() {
    let body = transfer_failed().to_string();
    assert_eq!(
        code_of(parse_as(
            body.as_bytes(),
            None,
            "acme",
            "transfer.completed"
        ))
        .0,
        "type_mismatch"
    );
    assert_eq!(
        code_of(parse_as(
            body.as_bytes(),
            None,
            "Not A Tenant",
            "transfer.failed"
        ))
        .0,
        "bad_tenant"
    );
    let matching = with(transfer_failed(), "/tenant", Some(json!("acme")));
    assert!(parse(&matching).is_ok());
}

#[test]
fn known_type_needs_its_required_field() {
    let (code, message, _) = code_of(parse(&with(transfer_failed(), "/data/transfer_id", None)));
    assert_eq!(code, "missing_data_field");
    assert_eq!(message, "data.transfer_id is required for transfer.failed");
    let no_data = with(transfer_failed(), "/data", None);
    assert_eq!(code_of(parse(&no_data)).0, "missing_data_field");
    let gc = json!({"specversion": "1.0", "id": "1", "source": "s", "type": "gc.completed", "data": {"freed_bytes": 1}});
    assert_eq!(
        code_of(parse(&gc)).1,
        "data.repo_id is required for gc.completed"
    );
}

#[test]
fn field_of_the_wrong_type_is_named() {
    let cases = [
        (
            "/data/files_transferred",
            json!("many"),
            "data.files_transferred has the wrong type: expected a non-negative integer, found a string",
        ),
        (
            "/data/error/code",
            json!(42),
            "data.error.code has the wrong type: expected a string, found a number",
        ),
        (
            "/data/labels",
            json!(["env"]),
            "data.labels has the wrong type: expected an object, found an array",
        ),
        (
            "/data/started_at",
            json!("not a time"),
            "data.started_at has the wrong type: expected an RFC 3339 timestamp, found a string",
        ),
        (
            "/data/transfer_id",
            json!(7),
            "data.transfer_id has the wrong type: expected a string, found a number",
        ),
    ];
    for (pointer, value, expected) in cases {
        let (code, message, _) = code_of(parse(&with(transfer_failed(), pointer, Some(value))));
        assert_eq!(code, "bad_data");
        assert_eq!(message, expected);
    }
    let unknown = with(
        transfer_failed(),
        "/data/extra",
        Some(json!({"free": "form"})),
    );
    assert!(parse(&unknown).is_ok(), "unknown data fields are allowed");
}

fn transfer_failed_proto() -> v1::Event {
    let ts = |hour, minute| prost_types::Timestamp {
        seconds: Utc
            .with_ymd_and_hms(2026, 11, 22, hour, minute, 0)
            .unwrap()
            .timestamp(),
        nanos: 0,
    };
    v1::Event {
        specversion: "1.0".into(),
        id: "0b9f7c2e-1d7a-4c4e-9a55-3c1f2f0e8a11".into(),
        source: "cloudklone://prod-eu-1".into(),
        r#type: "transfer.failed".into(),
        time: Some(ts(2, 30)),
        subject: "transfers/def-456".into(),
        tenant: String::new(),
        data: Some(v1::event::Data::Transfer(v1::TransferData {
            transfer_id: Some("def-456".into()),
            name: Some("nightly-backup".into()),
            source: Some("dropbox:/files".into()),
            destination: Some("s3:/archive".into()),
            status: Some("failed".into()),
            started_at: Some(ts(2, 0)),
            ended_at: Some(ts(2, 30)),
            files_transferred: Some(120),
            bytes_transferred: Some(52_428_800),
            error: Some(v1::ErrorInfo {
                code: Some("ACCESS_DENIED".into()),
                message: Some("Access denied".into()),
                details: Some("403 from s3:/archive".into()),
            }),
            schedule: Some(v1::Schedule {
                id: Some("sched-9".into()),
                name: Some("Nightly".into()),
            }),
            labels: [("env".to_owned(), "production".to_owned())].into(),
        })),
    }
}

#[test]
fn protobuf_event_equals_its_json_twin() {
    let bytes = transfer_failed_proto().encode_to_vec();
    for content_type in ["application/protobuf", "application/x-protobuf"] {
        let from_proto = parse_as(&bytes, Some(content_type), "acme", "transfer.failed").unwrap();
        assert_eq!(from_proto, parse(&transfer_failed()).unwrap());
    }
}

#[test]
fn protobuf_event_goes_through_the_same_checks() {
    let mut event = transfer_failed_proto();
    event.specversion.clear();
    let bytes = event.encode_to_vec();
    let rejection = parse_as(
        &bytes,
        Some("application/protobuf"),
        "acme",
        "transfer.failed",
    )
    .unwrap_err();
    assert_eq!(rejection.reason.code(), "missing_attribute");
    assert!(rejection.event_id.is_some());
}

#[test]
fn protobuf_custom_data_becomes_an_object() {
    let field = |v: &str| prost_types::Value {
        kind: Some(prost_types::value::Kind::StringValue(v.to_owned())),
    };
    let event = v1::Event {
        specversion: "1.0".into(),
        id: "d-1".into(),
        source: "ci".into(),
        r#type: "deploy.finished".into(),
        tenant: "acme".into(),
        data: Some(v1::event::Data::Custom(prost_types::Struct {
            fields: [("service".to_owned(), field("api"))].into(),
        })),
        ..Default::default()
    };
    let bytes = event.encode_to_vec();
    let parsed = parse_as(
        &bytes,
        Some("application/protobuf"),
        "acme",
        "deploy.finished",
    )
    .unwrap();
    assert_eq!(parsed.data, json!({"service": "api"}));
    assert_eq!(parsed.subject, None);
    assert_eq!(parsed.time, received_at());
}

#[test]
fn repeated_field_of_the_wrong_type_is_named() {
    let backup = json!({"specversion": "1.0", "id": "b", "source": "s", "type": "backup.failed",
        "data": {"job_id": "j", "databases": ["a", 1]}});
    let (code, message, _) = code_of(parse(&backup));
    assert_eq!(code, "bad_data");
    assert_eq!(
        message,
        "data.databases[1] has the wrong type: expected a string, found a number"
    );
}
