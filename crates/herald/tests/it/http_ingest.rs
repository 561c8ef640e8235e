//! `POST /v1/events`: an event published over HTTP is delivered exactly like one published on
//! NATS, refused with the same reason, and stored once however often it is posted.

use std::time::Duration;

use herald::samples::sample_event;
use serde_json::{Value, json};

use crate::support::{Receiver, Reply, spawn_delivering_app, subscribe_receiver};

#[tokio::test]
async fn an_event_posted_over_http_is_delivered_like_one_from_nats_and_refused_alike() {
    let app = spawn_delivering_app().await;
    let receiver = Receiver::start(Reply::status(204)).await;
    subscribe_receiver(&app, &receiver.url, json!({})).await;
    let event = sample_event("transfer.failed", "acme", "over-http", chrono::Utc::now());
    for _ in 0..2 {
        let response = app.post("/v1/events", &event).await;
        assert_eq!(response.status(), 202);
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["id"], "over-http");
    }
    app.publish_sample("transfer.failed", "over-nats").await;
    let received = receiver.wait_for(2, Duration::from_secs(10)).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        receiver.received().len(),
        2,
        "posted twice, stored and delivered once"
    );
    let http = received
        .iter()
        .find(|r| r.json()["id"] == "over-http")
        .unwrap();
    assert_eq!(http.json(), event, "the same CloudEvent, as posted");

    let mut bad = event.clone();
    bad["data"]["files_transferred"] = json!("many");
    let response = app.post("/v1/events", &bad).await;
    assert_eq!(response.status(), 422);
    let error: Value = response.json().await.unwrap();
    assert_eq!(error["error"]["code"], "bad_data");
    // The same event on NATS is rejected with the same words.
    app.nats.publish_event(&bad, "bad-over-nats").await;
    let rejected =
        crate::support::eventually(Duration::from_secs(10), "the NATS rejection", || async {
            let body: Value = app.get("/v1/rejections").await.json().await.ok()?;
            body["items"].get(0).cloned()
        })
        .await;
    assert_eq!(rejected["reason_code"], "bad_data");
    assert_eq!(rejected["reason"], error["error"]["message"]);
}
