//! The dispatcher against local receivers: signatures, retries, permanent failures.

use std::time::Duration;

use base64::Engine as _;
use hmac::{Hmac, KeyInit, Mac};
use serde_json::{Value, json};
use sha2::Sha256;

use crate::support::{Receiver, Reply, fast_retry, spawn_delivering_app, subscribe_receiver};

const WAIT: Duration = Duration::from_secs(20);

fn hmac(key: &[u8], parts: &[&[u8]]) -> Vec<u8> {
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(key).unwrap();
    for part in parts {
        mac.update(part);
    }
    mac.finalize().into_bytes().to_vec()
}

#[tokio::test]
async fn live_deliveries_carry_signatures_a_receiver_can_verify() {
    let app = spawn_delivering_app().await;
    let receiver = Receiver::start(Reply::status(204)).await;
    let (_, secret) = subscribe_receiver(&app, &receiver.url, json!({})).await;
    app.publish_sample("transfer.failed", "signed").await;

    let request = receiver.wait_for(1, WAIT).await.remove(0);
    let id = request.header("webhook-id").unwrap();
    let timestamp = request.header("webhook-timestamp").unwrap();
    let key = base64::engine::general_purpose::STANDARD
        .decode(secret.strip_prefix("whsec_").unwrap())
        .unwrap();
    let expected = hmac(
        &key,
        &[
            id.as_bytes(),
            b".",
            timestamp.as_bytes(),
            b".",
            &request.body,
        ],
    );
    let expected = format!(
        "v1,{}",
        base64::engine::general_purpose::STANDARD.encode(expected)
    );
    assert_eq!(request.header("webhook-signature"), Some(expected.as_str()));
    let github = format!(
        "sha256={}",
        hex::encode(hmac(secret.as_bytes(), &[&request.body]))
    );
    assert_eq!(request.header("x-herald-signature"), Some(github.as_str()));
    let now = chrono::Utc::now().timestamp();
    assert!((now - timestamp.parse::<i64>().unwrap()).abs() < 30);

    assert!(id.starts_with("dlv_"));
    assert_eq!(
        request.header("content-type"),
        Some("application/cloudevents+json")
    );
    assert_eq!(request.header("herald-attempt"), Some("1"));
    assert_eq!(request.header("herald-event-type"), Some("transfer.failed"));
    assert!(request.header("user-agent").unwrap().starts_with("Herald/"));
    let body = request.json();
    assert_eq!(body["id"], "signed");
    assert_eq!(body["specversion"], "1.0");
    assert_eq!(body["data"]["transfer_id"], "def-456");
}

#[tokio::test]
async fn server_errors_are_retried_with_one_webhook_id_until_delivered() {
    let app = spawn_delivering_app().await;
    let receiver = Receiver::start(Reply::status(204)).await;
    receiver.script([Reply::status(500).body("boom"), Reply::status(503)]);
    subscribe_receiver(&app, &receiver.url, fast_retry(5, 1.0)).await;
    app.publish_sample("backup.failed", "flaky").await;

    let requests = receiver.wait_for(3, WAIT).await;
    let ids: Vec<&str> = requests
        .iter()
        .map(|r| r.header("webhook-id").unwrap())
        .collect();
    assert!(
        ids.iter().all(|id| *id == ids[0]),
        "one webhook-id across retries: {ids:?}"
    );
    let attempts: Vec<&str> = requests
        .iter()
        .map(|r| r.header("herald-attempt").unwrap())
        .collect();
    assert_eq!(attempts, ["1", "2", "3"]);

    let delivery = app.delivery_when("flaky", "delivered", WAIT).await;
    assert_eq!(delivery["attempt_count"], 3);
    let codes: Vec<i64> = delivery["attempts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["status_code"].as_i64().unwrap())
        .collect();
    assert_eq!(codes, [500, 503, 204]);
    assert_eq!(delivery["attempts"][0]["response_body"], "boom");
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        receiver.received().len(),
        3,
        "nothing is sent after delivery"
    );
}

#[tokio::test]
async fn a_client_error_fails_at_once_and_410_disables_the_subscription() {
    let app = spawn_delivering_app().await;
    let bad_request = Receiver::start(Reply::status(400)).await;
    let gone = Receiver::start(Reply::status(410)).await;
    let mut transfers_only = fast_retry(5, 1.0);
    transfers_only["event_types"] = json!(["transfer.*"]);
    subscribe_receiver(&app, &bad_request.url, transfers_only).await;
    let (gone_id, _) = subscribe_receiver(&app, &gone.url, json!({"event_types": ["gc.*"]})).await;

    app.publish_sample("transfer.failed", "bad").await;
    let failed = app.delivery_when("bad", "failed", WAIT).await;
    assert_eq!(failed["attempt_count"], 1);
    assert_eq!(failed["attempts"][0]["status_code"], 400);

    app.publish_sample("gc.completed", "gone").await;
    crate::support::eventually(WAIT, "the subscription disabled", || async {
        let sub: Value = app
            .get(&format!("/v1/subscriptions/{gone_id}"))
            .await
            .json()
            .await
            .ok()?;
        (sub["enabled"] == false).then_some(())
    })
    .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(bad_request.received().len(), 1);
    assert_eq!(gone.received().len(), 1);
}

#[tokio::test]
async fn retry_after_on_429_is_honoured() {
    let app = spawn_delivering_app().await;
    let receiver = Receiver::start(Reply::status(200)).await;
    receiver.script([Reply::status(429).header("retry-after", "2")]);
    subscribe_receiver(&app, &receiver.url, fast_retry(5, 10.0)).await;
    app.publish_sample("verify.failed", "limited").await;
    let requests = receiver.wait_for(2, WAIT).await;
    let gap = requests[1].at - requests[0].at;
    assert!(
        gap >= Duration::from_secs(2),
        "second attempt after {gap:?}"
    );
    assert!(gap < Duration::from_secs(5), "second attempt after {gap:?}");
    app.delivery_when("limited", "delivered", WAIT).await;
}

#[tokio::test]
async fn attempts_run_out_into_failed_with_one_ops_event_and_nothing_left_in_nats() {
    let app = spawn_delivering_app().await;
    let receiver = Receiver::start(Reply::status(503)).await;
    let (subscription_id, _) = subscribe_receiver(&app, &receiver.url, fast_retry(3, 0.2)).await;
    app.publish_sample("restore.failed", "hopeless").await;

    let delivery = app.delivery_when("hopeless", "failed", WAIT).await;
    assert_eq!(delivery["attempt_count"], 3);
    tokio::time::sleep(Duration::from_millis(700)).await;
    assert_eq!(receiver.received().len(), 3);

    let ops = app.nats.ops_events().await;
    assert_eq!(ops.len(), 1, "{ops:?}");
    assert_eq!(ops[0]["type"], "herald.delivery.failed");
    assert_eq!(ops[0]["data"]["delivery_id"], delivery["id"]);
    assert_eq!(ops[0]["data"]["subscription_id"], subscription_id.as_str());
    assert_eq!(ops[0]["data"]["attempts"], 3);
    assert_eq!(ops[0]["data"]["last_status_code"], 503);

    let (messages, consumer_pending) = app.nats.deliveries_left().await;
    assert_eq!((messages, consumer_pending), (0, 0), "the job left NATS");
}
