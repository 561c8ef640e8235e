//! Grouped bursts (issue 12): a subscription with `group` gets one `herald.group` message per
//! burst of one group, every member delivery `grouped` into it; the next burst waits for the
//! group's `interval`; chat platforms get one message saying the count; and a dispatcher
//! killed while a group is open sends it once after its restart.

use std::time::{Duration, Instant};

use herald::samples::sample_event;
use herald_domain::DeliveryId;
use serde_json::{Value, json};

use crate::support::{
    Platform, Receiver, Reply, StandIn, TestApp, eventually, serve_binary, spawn_app,
    spawn_delivering_app, spawn_replica, subscribe_receiver,
};

/// Publishes `count` failed transfers of acme, each its own job (`{prefix}-{i}`).
async fn publish_failures(app: &TestApp, prefix: &str, count: usize) {
    for i in 0..count {
        let id = format!("{prefix}-{i}");
        let mut event = sample_event("transfer.failed", "acme", &id, chrono::Utc::now());
        event["data"]["name"] = json!(format!("nightly-{prefix}-{i}"));
        app.nats.publish_event(&event, &id).await;
    }
}

/// Deliveries of a status, and how many of them went into `group` (a `dlv_…` id).
async fn grouped_into(app: &TestApp, group: &str) -> i64 {
    let id: DeliveryId = group.parse().unwrap();
    sqlx::query_scalar(
        "SELECT count(*) FROM deliveries WHERE status = 'grouped' AND grouped_into = $1",
    )
    .bind(id.as_uuid())
    .fetch_one(app.store.pool())
    .await
    .unwrap()
}

async fn with_status(app: &TestApp, status: &str) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM deliveries WHERE status = $1")
        .bind(status)
        .fetch_one(app.store.pool())
        .await
        .unwrap()
}

fn group(wait: &str, interval: &str) -> Value {
    json!({"group": {"by": ["type"], "wait": wait, "interval": interval}})
}

#[tokio::test]
async fn two_hundred_failures_become_one_grouped_message() {
    let app = spawn_delivering_app().await;
    let receiver = Receiver::start(Reply::status(200)).await;
    // `wait` is longer than the burst takes to arrive, as the 10 s burst is shorter
    // than the default 30 s: the first member waits it, the others join.
    let wait = Duration::from_secs(5);
    subscribe_receiver(&app, &receiver.url, group("5s", "5m")).await;
    let started = Instant::now();
    publish_failures(&app, "burst", 200).await;

    let received = receiver.wait_for(1, wait + Duration::from_secs(10)).await;
    let arrived = received[0].at.duration_since(started);
    assert!(arrived >= wait, "sent after {arrived:?}, before its wait");
    let body = received[0].json();
    assert_eq!(body["type"], "herald.group");
    assert_eq!(body["source"], "herald");
    assert_eq!(body["data"]["reason"], "group");
    assert_eq!(body["data"]["count"], 200, "{}", body["data"]["count"]);
    assert_eq!(body["data"]["members"].as_array().unwrap().len(), 200);
    assert_eq!(body["data"]["outcomes"], json!({"failure": 200}));
    assert_eq!(
        body["data"]["group"],
        json!([{"path": "type", "value": "transfer.failed"}])
    );
    let member = &body["data"]["members"][0];
    assert_eq!(member["type"], "transfer.failed");
    assert!(
        member["name"]
            .as_str()
            .unwrap()
            .starts_with("nightly-burst-")
    );
    assert_eq!(member["error"]["code"], "ACCESS_DENIED");
    // Signed like every webhook delivery, under the group's own delivery id.
    let delivery = received[0].header("webhook-id").unwrap().to_owned();
    assert!(received[0].header("webhook-signature").is_some());
    assert_eq!(grouped_into(&app, &delivery).await, 200);
    eventually(Duration::from_secs(5), "the group delivered", || async {
        let shown: Value = app
            .get(&format!("/v1/deliveries/{delivery}"))
            .await
            .json()
            .await
            .ok()?;
        (shown["status"] == "delivered").then_some(())
    })
    .await;

    // Nothing else follows: the members went only in the group.
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(receiver.received().len(), 1);
    assert_eq!(with_status(&app, "held").await, 0);
}

#[tokio::test]
async fn a_second_burst_inside_the_interval_waits_for_it() {
    let app = spawn_delivering_app().await;
    let receiver = Receiver::start(Reply::status(200)).await;
    subscribe_receiver(&app, &receiver.url, group("1s", "6s")).await;
    publish_failures(&app, "first", 3).await;
    let first = receiver.wait_for(1, Duration::from_secs(10)).await;
    assert_eq!(first[0].json()["data"]["count"], 3);

    publish_failures(&app, "second", 2).await;
    // Held, not sent: the group had its message less than 6 s ago.
    eventually(Duration::from_secs(5), "the second burst held", || async {
        (with_status(&app, "held").await == 2).then_some(())
    })
    .await;
    let both = receiver.wait_for(2, Duration::from_secs(15)).await;
    let gap = both[1].at.duration_since(both[0].at);
    assert!(
        gap >= Duration::from_millis(5500),
        "the second message came {gap:?} after the first"
    );
    let second = both[1].json();
    assert_eq!(second["data"]["count"], 2);
    let mut names: Vec<&str> = second["data"]["members"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|m| m["name"].as_str())
        .collect();
    // Listed by the events' time; these two may share a second.
    names.sort_unstable();
    assert_eq!(names, ["nightly-second-0", "nightly-second-1"]);
}

#[tokio::test]
async fn slack_gets_one_message_that_says_the_count() {
    let app = spawn_delivering_app().await;
    let slack = StandIn::start(Platform::Slack).await;
    app.subscribe(json!({
        "tenant": "acme",
        "name": "slack groups",
        "channel": "slack",
        "target": {"webhook_url": slack.url},
        "group": {"by": ["type", "data.source"], "wait": "2s"},
    }))
    .await;
    publish_failures(&app, "chat", 12).await;
    let accepted = slack.wait_for(1, Duration::from_secs(15)).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(slack.accepted().len(), 1, "one message for the burst");
    assert!(slack.refused().is_empty(), "{:?}", slack.refused());
    let text = accepted[0].payload["text"].as_str().unwrap().to_owned();
    assert!(
        text.starts_with("❌ 12 transfers from dropbox:/files failed"),
        "{text}"
    );
    // The first three names (by the events' time, which these may share) and the rest counted.
    assert_eq!(text.matches("nightly-chat-").count(), 3, "{text}");
    assert!(text.ends_with("… and 9 more"), "{text}");
    let blocks = accepted[0].payload["blocks"].to_string();
    assert!(
        blocks.contains("nightly-chat-11"),
        "every member is listed: {blocks}"
    );
}

#[tokio::test]
async fn a_group_open_when_the_dispatcher_is_killed_is_sent_once_after_its_restart() {
    let mut app = spawn_app().await;
    let receiver = Receiver::start(Reply::status(200)).await;
    subscribe_receiver(&app, &receiver.url, group("4s", "5m")).await;
    let env = [("HERALD_DISPATCHER_ACK_WAIT_SECS", "3")];
    let mut dispatcher = serve_binary(&app, "dispatcher", &env);
    publish_failures(&app, "crash", 30).await;
    eventually(Duration::from_secs(20), "every delivery held", || async {
        (with_status(&app, "held").await == 30).then_some(())
    })
    .await;
    dispatcher.kill();
    assert!(receiver.received().is_empty(), "sent before its wait");

    let _dispatcher = serve_binary(&app, "dispatcher", &env);
    let received = receiver.wait_for(1, Duration::from_secs(20)).await;
    assert_eq!(received[0].json()["data"]["count"], 30);
    // A second replica of the releaser, and time, change nothing: it went once.
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(receiver.received().len(), 1);
    let delivery = received[0].header("webhook-id").unwrap().to_owned();
    assert_eq!(grouped_into(&app, &delivery).await, 30);
    app.stop().await;
}

#[tokio::test]
async fn three_dispatcher_replicas_send_a_group_once() {
    let app = spawn_delivering_app().await;
    let _second = spawn_replica(&app, "dispatcher").await;
    let _third = spawn_replica(&app, "dispatcher").await;
    let receiver = Receiver::start(Reply::status(200)).await;
    subscribe_receiver(&app, &receiver.url, group("2s", "5m")).await;
    publish_failures(&app, "replicas", 60).await;
    let received = receiver.wait_for(1, Duration::from_secs(15)).await;
    // Every replica's releaser looks every second; only one gets the group's lock.
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(receiver.received().len(), 1, "the group went once");
    assert_eq!(received[0].json()["data"]["count"], 60);
}

#[tokio::test]
async fn the_preview_shows_the_grouped_message_of_a_burst() {
    let app = spawn_app().await;
    let id = app
        .subscribe(json!({
            "tenant": "acme",
            "name": "slack preview",
            "channel": "slack",
            "target": {"webhook_url": "https://hooks.slack.com/services/T0/B0/secret"},
            "group": {"by": ["type", "data.source"]},
        }))
        .await;
    let path = format!("/v1/subscriptions/{id}/preview");
    let response = app
        .post(&path, &json!({"sample": "transfer.failed", "group_of": 12}))
        .await;
    assert_eq!(response.status(), 200);
    let preview: Value = response.json().await.unwrap();
    let text = preview["body"]["text"].as_str().unwrap();
    assert!(
        text.starts_with("❌ 12 transfers from dropbox:/files failed in 22 s: nightly-backup, "),
        "{text}"
    );
    assert!(text.ends_with("… and 9 more"), "{text}");

    let response = app
        .post(&path, &json!({"sample": "transfer.failed", "group_of": 0}))
        .await;
    assert_eq!(response.status(), 422);
    let error: Value = response.json().await.unwrap();
    assert!(error["error"]["fields"]["group_of"].is_string(), "{error}");
}
