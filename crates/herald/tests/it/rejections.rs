//! Bad events are kept whole with their reason, and never block the events behind them.

use std::collections::BTreeMap;
use std::time::Duration;

use async_nats::HeaderMap;
use herald::samples::sample_event;
use serde_json::{Value, json};

use crate::support::{eventually, spawn_app_with, webhook_subscription};

fn event(overrides: Value) -> Vec<u8> {
    let mut event = sample_event("transfer.failed", "acme", "bad", chrono::Utc::now());
    if let (Some(event), Value::Object(overrides)) = (event.as_object_mut(), overrides) {
        for (key, value) in overrides {
            if value.is_null() {
                event.remove(&key);
            } else {
                event.insert(key, value);
            }
        }
    }
    event.to_string().into_bytes()
}

#[tokio::test]
async fn each_kind_of_bad_event_is_kept_with_its_reason_and_the_next_good_one_flows() {
    let app = spawn_app_with(|c| {
        c.insert("max_event_bytes".into(), json!(4096));
    })
    .await;
    app.subscribe(webhook_subscription("acme", json!({}))).await;

    let mut wrong_type = sample_event("transfer.failed", "acme", "bad", chrono::Utc::now());
    wrong_type["data"]["files_transferred"] = json!("many");
    let mut missing_field = sample_event("transfer.failed", "acme", "bad", chrono::Utc::now());
    missing_field["data"]
        .as_object_mut()
        .unwrap()
        .remove("transfer_id");
    // (name, subject tenant, subject type, body, expected reason code)
    let cases: Vec<(&str, &str, &str, Vec<u8>, &str)> = vec![
        (
            "not json",
            "acme",
            "transfer.failed",
            b"this is not json".to_vec(),
            "not_json",
        ),
        ("empty", "acme", "transfer.failed", Vec::new(), "empty"),
        (
            "array",
            "acme",
            "transfer.failed",
            b"[1,2,3]".to_vec(),
            "not_object",
        ),
        (
            "no id",
            "acme",
            "transfer.failed",
            event(json!({"id": null})),
            "missing_attribute",
        ),
        (
            "no source",
            "acme",
            "transfer.failed",
            event(json!({"source": null})),
            "missing_attribute",
        ),
        (
            "no type",
            "acme",
            "transfer.failed",
            event(json!({"type": null})),
            "missing_attribute",
        ),
        (
            "specversion",
            "acme",
            "transfer.failed",
            event(json!({"specversion": "0.3"})),
            "bad_specversion",
        ),
        (
            "tenant mismatch",
            "globex",
            "transfer.failed",
            event(json!({})),
            "tenant_mismatch",
        ),
        (
            "type mismatch",
            "acme",
            "transfer.completed",
            event(json!({})),
            "type_mismatch",
        ),
        (
            "missing data field",
            "acme",
            "transfer.failed",
            missing_field.to_string().into_bytes(),
            "missing_data_field",
        ),
        (
            "wrong json type",
            "acme",
            "transfer.failed",
            wrong_type.to_string().into_bytes(),
            "bad_data",
        ),
        (
            "invalid utf-8",
            "acme",
            "transfer.failed",
            vec![b'{', 0xff, 0xfe, b'}'],
            "not_utf8",
        ),
        (
            "too large",
            "acme",
            "transfer.failed",
            vec![b' '; 5000],
            "too_large",
        ),
        (
            "bad tenant",
            "Acme!",
            "transfer.failed",
            event(json!({})),
            "bad_tenant",
        ),
    ];
    for (_, tenant, event_type, body, _) in &cases {
        app.nats
            .publish_raw(tenant, event_type, HeaderMap::new(), body.clone())
            .await;
    }
    let good = sample_event(
        "transfer.failed",
        "acme",
        "good-after-bad",
        chrono::Utc::now(),
    );
    app.nats.publish_event(&good, "good-after-bad").await;

    let listed: Vec<Value> = eventually(
        Duration::from_secs(15),
        "every rejection listed",
        || async {
            let body: Value = app
                .get("/v1/rejections?limit=100")
                .await
                .json()
                .await
                .ok()?;
            let items = body["items"].as_array()?.clone();
            (items.len() == cases.len()).then_some(items)
        },
    )
    .await;
    let by_subject_and_code: Vec<(String, String)> = listed
        .iter()
        .map(|r| {
            (
                r["subject"].as_str().unwrap().to_owned(),
                r["reason_code"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    for (name, tenant, event_type, _, code) in &cases {
        let subject = app.nats.names.event_subject(tenant, event_type);
        assert!(
            by_subject_and_code.contains(&(subject.clone(), code.to_string())),
            "{name}: expected {code} for {subject} in {by_subject_and_code:?}"
        );
    }
    assert!(
        listed
            .iter()
            .all(|r| !r["reason"].as_str().unwrap().is_empty())
    );

    // Each is kept whole in {P}_REJECTED with the reason in a header (the copy is published
    // right after the row is written, so it may trail the API by a moment).
    let kept = eventually(Duration::from_secs(10), "every copy kept", || async {
        let kept = app.nats.rejected().await;
        (kept.len() >= cases.len()).then_some(kept)
    })
    .await;
    assert_eq!(kept.len(), cases.len());
    let mut bodies: BTreeMap<Vec<u8>, String> = BTreeMap::new();
    for message in &kept {
        let reason = message
            .headers
            .get("Herald-Rejection")
            .expect("reason header")
            .as_str()
            .to_owned();
        bodies.insert(message.payload.to_vec(), reason);
    }
    for (name, _, _, body, _) in &cases {
        assert!(bodies.contains_key(body), "{name}: original bytes not kept");
    }

    // The good event behind them all was stored and fanned out.
    eventually(Duration::from_secs(15), "the good event", || async {
        app.delivery_pairs()
            .await
            .iter()
            .any(|(e, _)| e == "good-after-bad")
            .then_some(())
    })
    .await;
    let metrics = app
        .http
        .get(app.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains("herald_ingest_events_rejected_total{reason=\"not_json\"} 1"),
        "{metrics}"
    );
}

#[tokio::test]
async fn a_protobuf_event_is_accepted_like_its_json_twin() {
    use prost::Message as _;
    let app = spawn_app_with(|_| {}).await;
    app.subscribe(webhook_subscription("acme", json!({}))).await;
    let event = herald_proto::v1::Event {
        specversion: "1.0".into(),
        id: "proto-1".into(),
        source: "cloudklone://prod".into(),
        r#type: "gc.completed".into(),
        tenant: "acme".into(),
        data: Some(herald_proto::v1::event::Data::Gc(
            herald_proto::v1::GcData {
                repo_id: Some("repo-9".into()),
                freed_bytes: Some(2048),
                ..Default::default()
            },
        )),
        ..Default::default()
    };
    let mut headers = HeaderMap::new();
    headers.insert("Content-Type", "application/protobuf");
    app.nats
        .publish_raw("acme", "gc.completed", headers, event.encode_to_vec())
        .await;
    let body: Value = eventually(Duration::from_secs(15), "the protobuf event", || async {
        let response = app.get("/v1/events/proto-1").await;
        if response.status() != 200 {
            return None;
        }
        response.json().await.ok()
    })
    .await;
    assert_eq!(body["event"]["data"]["repo_id"], "repo-9");
    assert_eq!(body["event"]["data"]["freed_bytes"], 2048);
    assert_eq!(body["deliveries"].as_array().unwrap().len(), 1);
}
