//! Examples of deliveries: in lists, in an event's detail, and one with its attempts.

use serde_json::{Value, json};

use super::{DELIVERY_ID, EVENT_ID, RECEIVED_AT, SUBSCRIPTION_ID, cloud_event, summary};

/// What `HERALD_TRACE_URL_TEMPLATE` makes of an attempt's trace id.
const TRACE_URL: &str = "http://grafana.example.com/explore?left=%7B%22datasource%22:%22tempo%22,%22queries%22:%5B%7B%22query%22:%224bf92f3577b34da6a3ce929d0e0e4736%22%7D%5D%7D";

fn delivery() -> Value {
    json!({
        "id": DELIVERY_ID,
        "event_id": EVENT_ID,
        "event_type": "transfer.failed",
        "subscription_id": SUBSCRIPTION_ID,
        "channel": "webhook",
        "status": "delivered",
        "attempt_count": 2,
        "failure_reason": null,
        "next_attempt_at": null,
        "created_at": RECEIVED_AT,
        "updated_at": "2026-11-21T07:42:16.530Z"
    })
}

/// The delivery of a `notify: transitions` subscription, which stayed quiet.
fn quiet_delivery() -> Value {
    json!({
        "id": "dlv_01JDC9Z6P8Q1R2S3T4V5W6X7Z0",
        "event_id": EVENT_ID,
        "event_type": "transfer.failed",
        "subscription_id": "sub_01JDC9Z6P8Q1R2S3T4V5W6X7Z1",
        "channel": "slack",
        "status": "suppressed",
        "attempt_count": 0,
        "failure_reason": "notify: transitions: transfer:sch-nightly still failing (3 failures \
            since 2026-11-21T02:00:00Z); the next reminder goes with a failure from \
            2026-11-21T06:00:00Z",
        "next_attempt_at": null,
        "created_at": RECEIVED_AT,
        "updated_at": "2026-11-21T07:42:20.102Z"
    })
}

pub fn event_detail() -> Value {
    let mut body = summary();
    body["event"] = cloud_event();
    body["deliveries"] = json!([delivery(), quiet_delivery()]);
    body
}

/// A delivery whose receiver is down: its third attempt is due at `next_attempt_at`.
fn retrying_delivery() -> Value {
    let mut body = delivery();
    body["id"] = json!("dlv_06FDM2M1E2P5R8T1V4X7Z0B3CF");
    body["status"] = json!("retrying");
    body["next_attempt_at"] = json!("2026-11-21T07:44:46.530Z");
    body
}

pub fn delivery_page() -> Value {
    json!({"items": [retrying_delivery(), delivery()], "next_cursor": DELIVERY_ID})
}

pub fn delivery_detail() -> Value {
    let mut body = delivery();
    let attempt = |number: i32, started_at: &str, status: Value, error: Value, class: Value| {
        json!({
            "number": number,
            "started_at": started_at,
            "duration_ms": 212,
            "destination": "https://hooks.example.com/herald?key=****",
            "method": "POST",
            "status_code": status,
            "response_body": if status.is_null() { Value::Null } else { json!("ok") },
            "error": error,
            "error_class": class,
            "trace_id": "4bf92f3577b34da6a3ce929d0e0e4736",
            "trace_url": TRACE_URL
        })
    };
    body["attempts"] = json!([
        attempt(
            1,
            "2026-11-21T07:42:10.301Z",
            Value::Null,
            json!("connection refused"),
            json!("connect")
        ),
        attempt(
            2,
            "2026-11-21T07:42:16.318Z",
            json!(200),
            Value::Null,
            Value::Null
        ),
    ]);
    body
}
