//! `notify: transitions` end to end: a job's first failure, a reminder every repeat_interval
//! and its recovery, as a webhook receiver and Slack see them; the notices of the ordered run
//! when two replicas race over the job's events in a shuffled order. Redeliveries and jobless
//! events are in `redelivery`, the preview in `preview`. The clock is the events' own `time`,
//! which the tests set.

use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use futures::future::join_all;
use herald::samples::sample_event;
use herald_domain::{JobNotice, JobNoticeKind, JobTrack, SubscriptionId};
use rand::seq::SliceRandom;
use serde_json::{Value, json};

use crate::support::{
    Platform, Receiver, Reply, StandIn, TestApp, eventually, spawn_app, spawn_delivering_app,
    spawn_replica_with, spawn_targets, subscribe_receiver, webhook_subscription,
};

mod preview;
mod redelivery;

const WAIT: Duration = Duration::from_secs(20);

/// 02:00 UTC on the test's day, plus `minutes`.
fn at(minutes: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 1, 2, 0, 0).unwrap() + chrono::Duration::minutes(minutes)
}

/// A run of the transfer schedule `sched-9` (the job), failed or completed, at `time`.
fn run(id: &str, failed: bool, time: DateTime<Utc>) -> Value {
    let event_type = if failed {
        "transfer.failed"
    } else {
        "transfer.completed"
    };
    let mut event = sample_event(event_type, "acme", id, time);
    event["data"]["name"] = json!("nightly-a");
    event
}

/// Ten failures 30 min apart from 02:00, then a success at 07:00.
fn ten_failures_then_success() -> Vec<Value> {
    let mut events: Vec<Value> = (0..10)
        .map(|i| run(&format!("f{i}"), true, at(30 * i)))
        .collect();
    events.push(run("ok", false, at(300)));
    events
}

async fn publish(app: &TestApp, event: &Value) {
    let id = event["id"].as_str().unwrap();
    app.nats.publish_event(event, id).await;
}

/// (publisher id, notice) of every delivery of `subscription` that goes out, in event-time
/// order.
async fn deliveries_of(app: &TestApp, subscription: &str) -> Vec<(String, Option<JobNotice>)> {
    let id: SubscriptionId = subscription.parse().unwrap();
    let rows: Vec<(String, Option<Value>)> = sqlx::query_as(
        "SELECT e.ce_id, d.notice FROM deliveries d JOIN events e ON e.id = d.event_id
         WHERE d.subscription_id = $1 AND d.status NOT IN ('held', 'suppressed')
         ORDER BY e.time, e.ce_id",
    )
    .bind(id.as_uuid())
    .fetch_all(app.store.pool())
    .await
    .unwrap();
    rows.into_iter()
        .map(|(ce, notice)| (ce, notice.map(|n| serde_json::from_value(n).unwrap())))
        .collect()
}

async fn stored(app: &TestApp, count: i64) {
    eventually(WAIT, &format!("{count} events stored"), || async {
        (app.event_count().await == count).then_some(())
    })
    .await;
}

async fn track(app: &TestApp, subscription: &str) -> JobTrack {
    let id: SubscriptionId = subscription.parse().unwrap();
    app.store
        .job_track(id, "transfer:sched-9")
        .await
        .unwrap()
        .expect("the job has a state")
}

#[tokio::test]
async fn ten_failures_give_one_notice_a_reminder_every_interval_and_one_recovery() {
    let app = spawn_delivering_app().await;
    let receiver = Receiver::start(Reply::status(200)).await;
    let slack = StandIn::start(Platform::Slack).await;
    let transitions = json!({"notify": "transitions", "repeat_interval": "2h"});
    subscribe_receiver(&app, &receiver.url, transitions.clone()).await;
    let mut chat = json!({
        "tenant": "acme", "name": "slack transitions", "channel": "slack",
        "target": {"webhook_url": slack.url},
    });
    chat.as_object_mut()
        .unwrap()
        .extend(transitions.as_object().unwrap().clone());
    app.subscribe(chat).await;
    // One at a time, as a schedule's runs come: events in flight together may be taken by
    // different ingest workers and arrive out of order (the replica test covers that).
    for (count, event) in (1..).zip(ten_failures_then_success()) {
        publish(&app, &event).await;
        stored(&app, count).await;
    }

    let received = receiver.wait_for(4, WAIT).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        receiver.received().len(),
        4,
        "nothing more than the notices"
    );
    let mut heard: Vec<(String, String, String)> = received
        .iter()
        .map(|r| {
            (
                r.json()["id"].as_str().unwrap().to_owned(),
                r.header("herald-notice").unwrap_or_default().to_owned(),
                r.header("herald-notice-failures")
                    .unwrap_or_default()
                    .to_owned(),
            )
        })
        .collect();
    heard.sort();
    let expected = [
        ("f0", "failing", "1"),
        ("f4", "still_failing", "5"),
        ("f8", "still_failing", "9"),
        ("ok", "recovered", "10"),
    ];
    assert_eq!(
        heard,
        expected.map(|(a, b, c)| (a.to_owned(), b.to_owned(), c.to_owned()))
    );
    let recovery = received
        .iter()
        .find(|r| r.header("herald-notice") == Some("recovered"))
        .unwrap();
    assert_eq!(
        recovery.header("herald-notice-since"),
        Some("2026-03-01T02:00:00Z")
    );
    assert_eq!(
        recovery.header("herald-notice-down-for-seconds"),
        Some("18000")
    );
    assert_eq!(
        recovery.json()["type"],
        "transfer.completed",
        "the body is the event"
    );

    let messages = slack.wait_for(4, WAIT).await;
    let mut texts: Vec<String> = messages
        .iter()
        .map(|m| m.payload["text"].as_str().unwrap().to_owned())
        .collect();
    texts.sort();
    assert_eq!(
        texts,
        [
            "✅ Recovered after 10 failures: nightly-a",
            "❌ Still failing — 5 runs since 02:00 UTC: nightly-a",
            "❌ Still failing — 9 runs since 02:00 UTC: nightly-a",
            "❌ Transfer failed: nightly-a",
        ]
    );
    let recovered = messages
        .iter()
        .find(|m| m.payload["text"].as_str().unwrap().starts_with('✅'))
        .unwrap();
    assert!(
        recovered.payload.to_string().contains("Down for")
            && recovered.payload.to_string().contains("5 h"),
        "{}",
        recovered.payload
    );
    assert!(slack.refused().is_empty(), "{:?}", slack.refused());
}

#[tokio::test]
async fn two_replicas_fed_a_shuffled_job_give_the_notices_of_the_ordered_run() {
    // Longer than it takes to publish the run: the job's events are decided together, in the
    // order they happened, whichever replica and worker took each.
    let app = spawn_targets("ingest,dispatcher,api", |config| {
        config.insert("transitions_settle_secs".into(), json!(3));
    })
    .await;
    let (replica_stop, replica) = spawn_replica_with(&app, "ingest,dispatcher", |config| {
        config.insert("transitions_settle_secs".into(), json!(3));
    })
    .await;
    let receiver = Receiver::start(Reply::status(200)).await;
    let (subscription, _) = subscribe_receiver(
        &app,
        &receiver.url,
        json!({"notify": "transitions", "repeat_interval": "2h"}),
    )
    .await;
    let every = app.subscribe(webhook_subscription("acme", json!({}))).await;
    let mut events = ten_failures_then_success();
    events.shuffle(&mut rand::rng());
    join_all(events.iter().map(|event| publish(&app, event))).await;
    stored(&app, 11).await;
    settled(&app, &subscription).await;

    let notices: Vec<(String, JobNotice)> = deliveries_of(&app, &subscription)
        .await
        .into_iter()
        .map(|(ce, notice)| (ce, notice.expect("every delivery of it carries a notice")))
        .collect();
    let shown: Vec<(&str, JobNoticeKind, u32)> = notices
        .iter()
        .map(|(ce, n)| (ce.as_str(), n.kind, n.failures))
        .collect();
    assert_eq!(
        shown,
        [
            ("f0", JobNoticeKind::Failing, 1),
            ("f4", JobNoticeKind::StillFailing, 5),
            ("f8", JobNoticeKind::StillFailing, 9),
            ("ok", JobNoticeKind::Recovered, 10),
        ],
        "the notices of the run in order"
    );
    let recovered = &notices[3].1;
    assert_eq!(recovered.since, at(0));
    assert_eq!(recovered.down_for_seconds, Some(5 * 3600));
    assert_eq!(
        track(&app, &subscription).await,
        JobTrack {
            failing: false,
            failures: 0,
            failing_since: None,
            last_failure_at: Some(at(270)),
            last_success_at: Some(at(300)),
            last_notice_at: Some(at(300)),
        }
    );
    let quiet = reasons_of(&app, &subscription).await;
    assert_eq!(quiet.len(), 7, "{quiet:?}");
    assert!(
        quiet[0].1.starts_with(
            "notify: transitions: transfer:sched-9 still failing (2 failures since 2026-03-01T02:00:00Z)"
        ),
        "{quiet:?}"
    );
    assert_eq!(receiver.wait_for(4, WAIT).await.len(), 4);
    assert_eq!(
        deliveries_of(&app, &every).await.len(),
        11,
        "every_event is unaffected"
    );
    replica_stop.cancel();
    replica.await.unwrap().unwrap();
}

/// Waits until nothing of `subscription` is held any more.
async fn settled(app: &TestApp, subscription: &str) {
    let id: SubscriptionId = subscription.parse().unwrap();
    eventually(WAIT, "the job settled", || async {
        let held: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM deliveries WHERE subscription_id = $1 AND status = 'held'",
        )
        .bind(id.as_uuid())
        .fetch_one(app.store.pool())
        .await
        .unwrap();
        (held == 0).then_some(())
    })
    .await;
}

/// (publisher id, reason) of the deliveries of `subscription` that stayed quiet.
async fn reasons_of(app: &TestApp, subscription: &str) -> Vec<(String, String)> {
    let id: SubscriptionId = subscription.parse().unwrap();
    sqlx::query_as(
        "SELECT e.ce_id, d.failure_reason FROM deliveries d JOIN events e ON e.id = d.event_id
         WHERE d.subscription_id = $1 AND d.status = 'suppressed' ORDER BY e.time",
    )
    .bind(id.as_uuid())
    .fetch_all(app.store.pool())
    .await
    .unwrap()
}
