//! Crashes lose nothing and duplicate nothing.

use std::time::Duration;

use herald::samples::sample_event;
use herald_store::{NewEvent, Store, SubscriptionCache};
use serde_json::json;

use crate::support::{Herald, eventually, serve_binary, spawn_app, webhook_subscription};

/// The state a crash between "stored and jobs published" and "acked" leaves behind: the event
/// and its deliveries are in Postgres, the jobs in NATS, and the event message comes back.
#[tokio::test]
async fn an_event_redelivered_after_it_was_stored_gets_no_second_fan_out() {
    let app = spawn_app().await;
    app.subscribe(webhook_subscription("acme", json!({}))).await;
    app.subscribe(webhook_subscription("acme", json!({}))).await;
    let event = sample_event("transfer.completed", "acme", "crashed", chrono::Utc::now());

    // Store and fan out exactly as ingest does, as if ingest died right after.
    let parsed = herald_domain::parse_event(
        &herald_domain::Incoming {
            subject_tenant: "acme",
            subject_type: "transfer.completed",
            content_type: None,
            body: event.to_string().as_bytes(),
            received_at: chrono::Utc::now(),
        },
        &herald_domain::EventLimits::default(),
    )
    .unwrap();
    let fan_out = stored_without_ack(&app.store, &parsed).await;
    assert_eq!(fan_out.len(), 2);

    // The unacked message is redelivered: the same event again. Ingest records it as a
    // duplicate; a later event proves the stream flows past it.
    app.nats.publish_event(&event, "crashed-redelivery").await;
    let marker = sample_event("transfer.completed", "acme", "marker", chrono::Utc::now());
    app.nats.publish_event(&marker, "marker").await;
    // Its still-pending jobs are published once more, the marker's two are new; nothing else.
    let jobs = eventually(Duration::from_secs(15), "four jobs", || async {
        let jobs = app.nats.jobs().await;
        (jobs.len() >= 4 && app.metric("herald_ingest_events_duplicate_total 1").await)
            .then_some(jobs)
    })
    .await;
    let crashed_jobs = jobs
        .iter()
        .filter(|(job, _)| fan_out.contains(&job.delivery_id))
        .count();
    assert_eq!(crashed_jobs, 2);
    assert_eq!(jobs.len(), 4);
    assert_eq!(app.event_count().await, 2);
    let pairs = app.delivery_pairs().await;
    assert_eq!(pairs.iter().filter(|(e, _)| e == "crashed").count(), 2);
}

async fn stored_without_ack(store: &Store, event: &herald_domain::Event) -> Vec<String> {
    let fan_outs = store
        .record_events(
            &[NewEvent {
                event,
                trace_id: None,
            }],
            &mut SubscriptionCache::default(),
        )
        .await
        .unwrap();
    fan_outs[0]
        .jobs
        .iter()
        .map(|j| j.delivery_id.to_string())
        .collect()
}

fn serve_ingest(app: &crate::support::TestApp) -> Herald {
    serve_binary(
        app,
        "ingest",
        &[
            ("HERALD_INGEST_ACK_WAIT_SECS", "2"),
            ("HERALD_INGEST_BATCH_SIZE", "16"),
        ],
    )
}

#[tokio::test]
async fn killing_the_ingest_process_mid_stream_loses_and_duplicates_nothing() {
    let mut app = spawn_app().await;
    app.subscribe(webhook_subscription("acme", json!({}))).await;
    app.stop().await;

    let mut ingest = serve_ingest(&app);
    const EVENTS: i64 = 400;
    for i in 0..EVENTS {
        let id = format!("k-{i}");
        app.nats
            .publish_event(
                &sample_event("backup.succeeded", "acme", &id, chrono::Utc::now()),
                &id,
            )
            .await;
    }
    // Kill -9 while it is busy, twice.
    for _ in 0..2 {
        // Kill once the restarted process has made progress (or already finished: four
        // workers can store all of them before the second kill).
        let before = app.event_count().await;
        eventually(Duration::from_secs(20), "progress", || async {
            let count = app.event_count().await;
            (count > before || count == EVENTS).then_some(())
        })
        .await;
        ingest.kill();
        ingest = serve_ingest(&app);
    }
    eventually(Duration::from_secs(60), "every event", || async {
        (app.event_count().await == EVENTS).then_some(())
    })
    .await;
    let pairs = app.delivery_pairs().await;
    assert_eq!(pairs.len() as i64, EVENTS, "one delivery per event");
    let jobs = eventually(Duration::from_secs(20), "every job", || async {
        let jobs = app.nats.jobs().await;
        (jobs.len() as i64 >= EVENTS).then_some(jobs)
    })
    .await;
    let mut ids: Vec<&str> = jobs.iter().map(|(j, _)| j.delivery_id.as_str()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len() as i64, EVENTS, "one job per delivery");
    assert_eq!(jobs.len() as i64, EVENTS, "no duplicate jobs");
}
