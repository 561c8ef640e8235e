//! kill -9 of the dispatcher while noise controls hold deliveries (issue 12): a quiet window's
//! held deliveries and a `transitions` job's unsettled events each go out once after the
//! restart, nothing lost and nothing twice. (An open group: `groups.rs`.)

use std::time::Duration;

use chrono::Utc;
use herald::samples::sample_event;
use serde_json::json;

use crate::quiet_hours::window_ending_soon;
use crate::support::{
    Receiver, Reply, TestApp, eventually, serve_binary, spawn_app, subscribe_receiver,
};

async fn held(app: &TestApp) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM deliveries WHERE status = 'held'")
        .fetch_one(app.store.pool())
        .await
        .unwrap()
}

async fn all_held(app: &TestApp, count: i64) {
    eventually(Duration::from_secs(20), "every delivery held", || async {
        (held(app).await == count).then_some(())
    })
    .await;
}

#[tokio::test]
async fn a_quiet_window_open_when_the_dispatcher_is_killed_is_released_once_at_its_end() {
    let mut app = spawn_app().await;
    let receiver = Receiver::start(Reply::status(200)).await;
    let (from, to, end) = window_ending_soon().await;
    let quiet = json!({"timezone": "Europe/Berlin", "windows": [{"from": from, "to": to}]});
    subscribe_receiver(&app, &receiver.url, json!({"quiet_hours": quiet})).await;
    let env = [("HERALD_DISPATCHER_ACK_WAIT_SECS", "3")];
    let mut dispatcher = serve_binary(&app, "dispatcher", &env);
    for i in 0..10 {
        app.publish_sample("transfer.completed", &format!("quiet-{i}"))
            .await;
    }
    all_held(&app, 10).await;
    dispatcher.kill();
    assert!(Utc::now() < end, "the window ended before the kill");

    let _dispatcher = serve_binary(&app, "dispatcher", &env);
    let wait = (end - Utc::now()).to_std().unwrap_or_default() + Duration::from_secs(15);
    let received = receiver.wait_for(1, wait).await;
    assert!(Utc::now() >= end, "released inside the window");
    assert_eq!(received[0].json()["type"], "herald.group");
    assert_eq!(received[0].json()["data"]["count"], 10);
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(receiver.received().len(), 1, "sent once");
    assert_eq!(held(&app).await, 0);
    app.stop().await;
}

#[tokio::test]
async fn a_job_whose_events_wait_to_settle_when_the_dispatcher_is_killed_notifies_once() {
    let mut app = spawn_app().await;
    let receiver = Receiver::start(Reply::status(200)).await;
    subscribe_receiver(&app, &receiver.url, json!({"notify": "transitions"})).await;
    let env = [
        ("HERALD_DISPATCHER_ACK_WAIT_SECS", "3"),
        ("HERALD_TRANSITIONS_SETTLE_SECS", "4"),
    ];
    let mut dispatcher = serve_binary(&app, "dispatcher", &env);
    let start = Utc::now() - chrono::Duration::hours(1);
    for (i, event_type) in [
        "transfer.failed",
        "transfer.failed",
        "transfer.failed",
        "transfer.completed",
    ]
    .into_iter()
    .enumerate()
    {
        let id = format!("run-{i}");
        let time = start + chrono::Duration::minutes(10 * i64::try_from(i).unwrap());
        let mut event = sample_event(event_type, "acme", &id, time);
        event["data"]["name"] = json!("nightly-a");
        app.nats.publish_event(&event, &id).await;
    }
    all_held(&app, 4).await;
    dispatcher.kill();
    assert!(
        receiver.received().is_empty(),
        "decided before the settle time"
    );

    let _dispatcher = serve_binary(&app, "dispatcher", &env);
    let received = receiver.wait_for(2, Duration::from_secs(20)).await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(receiver.received().len(), 2, "each notice once");
    let mut notices: Vec<(String, String)> = received
        .iter()
        .map(|r| {
            (
                r.header("herald-notice").unwrap_or_default().to_owned(),
                r.header("herald-notice-failures")
                    .unwrap_or_default()
                    .to_owned(),
            )
        })
        .collect();
    notices.sort();
    assert_eq!(
        notices,
        [
            ("failing".to_owned(), "1".to_owned()),
            ("recovered".to_owned(), "3".to_owned()),
        ]
    );
    assert_eq!(held(&app).await, 0);
    app.stop().await;
}
