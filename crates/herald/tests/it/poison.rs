//! Every message ends somewhere: an event the database refuses is rejected with the database's
//! reason while the rest of its batch goes through; one that keeps failing is ended by the
//! net; an outage rejects nothing and loses nothing.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use herald::samples::sample_event;
use serde_json::{Value, json};

use crate::support::{
    Receiver, Reply, TestApp, TestDatabase, TestPostgres, eventually, spawn_replica,
    spawn_replica_with, spawn_targets, spawn_targets_on, subscribe_receiver,
};

/// A `transfer.failed` of acme whose `data.name` is `name`.
fn event_named(id: &str, name: &str) -> Value {
    let mut event = sample_event("transfer.failed", "acme", id, chrono::Utc::now());
    event["data"]["name"] = json!(name);
    event
}

/// How many requests each event (by its CloudEvents id) caused at the receiver.
fn requests_per_event(receiver: &Receiver) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for request in receiver.received() {
        let id = request.json()["id"].as_str().unwrap().to_owned();
        *counts.entry(id).or_default() += 1;
    }
    counts
}

async fn rejections(app: &TestApp) -> Vec<Value> {
    let body: Value = app.get("/v1/rejections").await.json().await.unwrap();
    body["items"].as_array().unwrap().clone()
}

/// The API and a subscription first; events are published before ingest starts, so they are
/// read as one batch.
async fn app_with_receiver() -> (TestApp, Receiver) {
    let app = spawn_targets("api", |_| {}).await;
    let receiver = Receiver::start(Reply::status(204)).await;
    subscribe_receiver(&app, &receiver.url, json!({})).await;
    (app, receiver)
}

#[tokio::test]
async fn an_event_with_u0000_in_its_data_is_stored_and_delivered_exactly_as_sent() {
    let (app, receiver) = app_with_receiver().await;
    let _replica = spawn_replica(&app, "ingest,dispatcher").await;
    let started = Instant::now();
    app.nats
        .publish_event(&event_named("nul", "sync\u{0}website"), "nul")
        .await;
    receiver.wait_for(1, Duration::from_secs(10)).await;
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "settled within seconds"
    );
    let body = &receiver.received()[0].body;
    assert!(
        String::from_utf8_lossy(body).contains(r#""name":"sync\u0000website""#),
        "the receiver gets the publisher's text: {}",
        String::from_utf8_lossy(body)
    );
    let shown: Value = app.get("/v1/events/nul").await.json().await.unwrap();
    assert_eq!(shown["event"]["data"]["name"], "sync\u{0}website");
    assert!(rejections(&app).await.is_empty());
}

#[tokio::test]
async fn a_u0000_event_inside_a_batch_of_fifty_holds_nobody_up() {
    let (app, receiver) = app_with_receiver().await;
    fifty_good_around(&app, &event_named("nul", "a\u{0}b"), "nul").await;
    let started = Instant::now();
    let _replica = one_batch_at_a_time(&app).await;
    receiver.wait_for(51, Duration::from_secs(15)).await;
    assert!(started.elapsed() < Duration::from_secs(3), "all at once");
    let counts = requests_per_event(&receiver);
    assert_eq!(counts.len(), 51);
    assert!(counts.values().all(|n| *n == 1), "each once: {counts:?}");
}

/// Publishes 50 good events with `middle` (publisher id `id`) after the 25th.
async fn fifty_good_around(app: &TestApp, middle: &Value, id: &str) {
    for i in 0..50 {
        let good = format!("good-{i}");
        app.nats
            .publish_event(&event_named(&good, "nightly"), &good)
            .await;
        if i == 24 {
            app.nats.publish_event(middle, id).await;
        }
    }
}

/// Ingest and dispatcher with one ingest worker, so the events published before it starts
/// arrive as one batch.
async fn one_batch_at_a_time(
    app: &TestApp,
) -> (
    tokio_util::sync::CancellationToken,
    tokio::task::JoinHandle<anyhow::Result<()>>,
) {
    spawn_replica_with(app, "ingest,dispatcher", |c| {
        c.insert("ingest_workers".into(), json!(1));
    })
    .await
}

/// A trigger stands in for any row the database refuses: it raises a data exception for one id.
async fn refuse_event(app: &TestApp, ce_id: &str, sqlstate: &str) {
    sqlx::raw_sql(&format!(
        "CREATE FUNCTION refuse_one() RETURNS trigger AS $$
         BEGIN
             IF NEW.ce_id = '{ce_id}' THEN
                 RAISE EXCEPTION 'this event is refused' USING ERRCODE = '{sqlstate}';
             END IF;
             RETURN NEW;
         END $$ LANGUAGE plpgsql;
         CREATE TRIGGER refuse_one BEFORE INSERT ON events
             FOR EACH ROW EXECUTE FUNCTION refuse_one();"
    ))
    .execute(app.store.pool())
    .await
    .unwrap();
}

#[tokio::test]
async fn an_event_the_database_refuses_is_rejected_with_its_reason_and_its_batch_goes_through() {
    let (app, receiver) = app_with_receiver().await;
    refuse_event(&app, "poison", "22023").await;
    fifty_good_around(&app, &event_named("poison", "nightly"), "poison").await;
    let started = Instant::now();
    let _replica = one_batch_at_a_time(&app).await;
    receiver.wait_for(50, Duration::from_secs(15)).await;
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "the rest went at once"
    );
    let counts = requests_per_event(&receiver);
    assert_eq!(counts.len(), 50);
    assert!(!counts.contains_key("poison"));
    assert!(counts.values().all(|n| *n == 1), "each once: {counts:?}");

    let listed = eventually(Duration::from_secs(10), "the rejection", || async {
        let listed = rejections(&app).await;
        (!listed.is_empty()).then_some(listed)
    })
    .await;
    assert_eq!(listed.len(), 1, "exactly the refused event: {listed:?}");
    assert_eq!(listed[0]["event_id"], "poison");
    assert_eq!(listed[0]["reason_code"], "unstorable");
    let reason = listed[0]["reason"].as_str().unwrap();
    assert!(
        reason.contains("this event is refused") && reason.contains("SQLSTATE 22023"),
        "the database's words: {reason}"
    );
    let kept = eventually(Duration::from_secs(10), "the kept copy", || async {
        let kept = app.nats.rejected().await;
        (!kept.is_empty()).then_some(kept)
    })
    .await;
    assert_eq!(
        kept[0].headers.get("Herald-Rejection").map(|v| v.as_str()),
        Some(reason)
    );
    // It stays settled: nothing comes back for it.
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(rejections(&app).await.len(), 1);
    assert_eq!(app.event_count().await, 50);
}

#[tokio::test]
async fn an_event_that_fails_alone_every_time_is_ended_by_the_net_with_its_last_error() {
    let app = spawn_targets("api", |c| {
        c.insert("max_deliveries".into(), json!(3));
    })
    .await;
    let receiver = Receiver::start(Reply::status(204)).await;
    subscribe_receiver(&app, &receiver.url, json!({})).await;
    // 40001 (serialization failure) looks transient: only its repetition while other events
    // are stored shows it is this event's own.
    refuse_event(&app, "stuck", "40001").await;
    let _replica = spawn_replica_with(&app, "ingest,dispatcher", |c| {
        c.insert("max_deliveries".into(), json!(3));
    })
    .await;
    app.nats
        .publish_event(&event_named("stuck", "nightly"), "stuck")
        .await;
    for i in 0..5 {
        let id = format!("good-{i}");
        app.nats
            .publish_event(&event_named(&id, "nightly"), &id)
            .await;
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    receiver.wait_for(5, Duration::from_secs(15)).await;
    let listed = eventually(Duration::from_secs(30), "the net's rejection", || async {
        let listed = rejections(&app).await;
        (!listed.is_empty()).then_some(listed)
    })
    .await;
    assert_eq!(listed[0]["event_id"], "stuck");
    assert_eq!(listed[0]["reason_code"], "too_many_deliveries");
    let reason = listed[0]["reason"].as_str().unwrap();
    assert!(
        reason.contains("delivered 4 times") && reason.contains("SQLSTATE 40001"),
        "{reason}"
    );
}

#[tokio::test]
async fn a_subscription_that_cannot_be_read_costs_its_own_deliveries_only() {
    let (app, good) = app_with_receiver().await;
    let unread = Receiver::start(Reply::status(204)).await;
    let (broken, _) = subscribe_receiver(&app, &unread.url, json!({})).await;
    let id: herald_domain::SubscriptionId = broken.parse().unwrap();
    sqlx::query("UPDATE subscriptions SET spec_sealed = 'damaged'::bytea WHERE id = $1")
        .bind(id.as_uuid())
        .execute(app.store.pool())
        .await
        .unwrap();
    let _replica = spawn_replica(&app, "ingest,dispatcher").await;
    for i in 0..3 {
        app.publish_sample("transfer.failed", &format!("e{i}"))
            .await;
    }
    good.wait_for(3, Duration::from_secs(10)).await;
    assert!(unread.received().is_empty());
    assert_eq!(app.event_count().await, 3, "every event stored");
}

#[tokio::test]
async fn a_receiver_answering_with_nul_bytes_is_recorded_once_not_called_again_and_again() {
    let app = spawn_targets("ingest,dispatcher,api", |_| {}).await;
    let receiver = Receiver::start(Reply::status(200).body("ok\0\0done")).await;
    subscribe_receiver(&app, &receiver.url, json!({})).await;
    app.publish_sample("transfer.failed", "e1").await;
    let delivery = app
        .delivery_when("e1", "delivered", Duration::from_secs(10))
        .await;
    assert_eq!(
        delivery["attempts"][0]["response_body"],
        "ok\u{FFFD}\u{FFFD}done"
    );
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(receiver.received().len(), 1, "called once");
}

#[tokio::test]
async fn a_postgres_restart_under_load_rejects_nothing_and_loses_nothing() {
    let postgres = TestPostgres::start();
    let database = TestDatabase::create_on(postgres.url("postgres")).await;
    let app = spawn_targets_on(database, "ingest,dispatcher,api", |_| {}).await;
    let receiver = Receiver::start(Reply::status(204)).await;
    subscribe_receiver(&app, &receiver.url, json!({})).await;
    for i in 0..300 {
        let id = format!("e{i}");
        app.nats
            .publish_event(&event_named(&id, "nightly"), &id)
            .await;
        if i == 100 {
            postgres.stop();
        }
        if i == 200 {
            postgres.start_again();
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    receiver.wait_for(300, Duration::from_secs(60)).await;
    let counts = eventually(Duration::from_secs(30), "every event delivered", || async {
        let counts = requests_per_event(&receiver);
        (counts.len() == 300).then_some(counts)
    })
    .await;
    assert_eq!(counts.len(), 300, "nothing lost");
    assert_eq!(app.event_count().await, 300);
    assert!(rejections(&app).await.is_empty(), "nothing rejected");
}
