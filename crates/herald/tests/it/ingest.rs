use std::time::Duration;

use async_nats::HeaderMap;
use herald::samples::sample_event;
use serde_json::{Value, json};

use crate::support::{eventually, spawn_app, spawn_replica, webhook_subscription};

const WAIT: Duration = Duration::from_secs(15);

#[tokio::test]
async fn a_stored_event_yields_one_delivery_and_one_job_per_matching_subscription() {
    let app = spawn_app().await;
    let all = app.subscribe(webhook_subscription("acme", json!({}))).await;
    let transfers = app
        .subscribe(webhook_subscription(
            "acme",
            json!({"event_types": ["transfer.*"]}),
        ))
        .await;
    let backups = app
        .subscribe(webhook_subscription(
            "acme",
            json!({"event_types": ["backup.*"]}),
        ))
        .await;

    let event = sample_event("transfer.failed", "acme", "evt-1", chrono::Utc::now());
    app.nats.publish_event(&event, "evt-1").await;

    let pairs = eventually(WAIT, "two deliveries", || async {
        let pairs = app.delivery_pairs().await;
        (pairs.len() >= 2).then_some(pairs)
    })
    .await;
    let mut expected = vec![("evt-1".to_owned(), all), ("evt-1".to_owned(), transfers)];
    expected.sort();
    assert_eq!(pairs, expected);
    assert!(!pairs.iter().any(|(_, s)| *s == backups));

    let jobs = eventually(WAIT, "two jobs", || async {
        let jobs = app.nats.jobs().await;
        (jobs.len() >= 2).then_some(jobs)
    })
    .await;
    assert_eq!(jobs.len(), 2);
    let delivery_ids: Vec<String> =
        sqlx::query_scalar::<_, uuid::Uuid>("SELECT id FROM deliveries ORDER BY id")
            .fetch_all(app.store.pool())
            .await
            .unwrap()
            .into_iter()
            .map(|id| herald_domain::DeliveryId::from_uuid(id).to_string())
            .collect();
    for (job, headers) in &jobs {
        assert!(delivery_ids.contains(&job.delivery_id));
        assert_eq!(
            headers.get("Nats-Msg-Id").map(|v| v.as_str()),
            Some(job.delivery_id.as_str())
        );
        assert_eq!(job.tenant, "acme");
        assert_eq!(job.channel, "webhook");
        assert_eq!(job.event_type, "transfer.failed");
    }

    // The event reads back through the API with its deliveries, data exactly as published.
    let body: Value = app
        .get("/v1/events/evt-1?tenant=acme")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(body["deliveries"].as_array().unwrap().len(), 2);
    assert_eq!(body["event"]["data"], event["data"]);
    assert_eq!(body["outcome"], "failure");
    let by_herald_id: Value = app
        .get(&format!("/v1/events/{}", body["id"].as_str().unwrap()))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(by_herald_id["event_id"], "evt-1");
}

#[tokio::test]
async fn the_same_event_id_published_twice_is_stored_and_fanned_out_once() {
    let app = spawn_app().await;
    app.subscribe(webhook_subscription("acme", json!({}))).await;
    let event = sample_event("backup.succeeded", "acme", "dup-1", chrono::Utc::now());
    app.nats.publish_event(&event, "dup-1").await;
    // A different Nats-Msg-Id gets past JetStream's dedupe: Herald must catch it itself.
    app.nats.publish_event(&event, "another-msg-id").await;
    let marker = sample_event("backup.succeeded", "acme", "after", chrono::Utc::now());
    app.nats.publish_event(&marker, "after").await;

    // Workers run batches concurrently: wait for the copy to be seen, not for the marker.
    eventually(WAIT, "the copy seen as a duplicate", || async {
        (app.event_count().await == 2 && app.metric("herald_ingest_events_duplicate_total 1").await)
            .then_some(())
    })
    .await;
    let pairs = app.delivery_pairs().await;
    assert_eq!(pairs.iter().filter(|(id, _)| id == "dup-1").count(), 1);
    eventually(WAIT, "two jobs", || async {
        (app.nats.jobs().await.len() >= 2).then_some(())
    })
    .await;
    assert_eq!(app.nats.jobs().await.len(), 2);
    assert_eq!(app.event_count().await, 2);
}

#[tokio::test]
async fn a_traceparent_on_the_event_continues_through_ingest_into_every_job() {
    let app = spawn_app().await;
    app.subscribe(webhook_subscription("acme", json!({}))).await;
    let event = sample_event("transfer.completed", "acme", "traced", chrono::Utc::now());
    let mut headers = HeaderMap::new();
    headers.insert(
        "traceparent",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
    );
    app.nats
        .publish_raw(
            "acme",
            "transfer.completed",
            headers,
            event.to_string().into_bytes(),
        )
        .await;

    let jobs = eventually(WAIT, "a job", || async {
        let jobs = app.nats.jobs().await;
        (!jobs.is_empty()).then_some(jobs)
    })
    .await;
    let traceparent = jobs[0]
        .1
        .get("traceparent")
        .expect("job carries traceparent")
        .as_str()
        .to_owned();
    let parts: Vec<&str> = traceparent.split('-').collect();
    assert_eq!(parts[1], "4bf92f3577b34da6a3ce929d0e0e4736");
    assert_ne!(
        parts[2], "00f067aa0ba902b7",
        "the job's parent is the ingest span, not the publisher's"
    );
    let stored: Option<String> = sqlx::query_scalar("SELECT trace_id FROM events")
        .fetch_one(app.store.pool())
        .await
        .unwrap();
    assert_eq!(stored.as_deref(), Some("4bf92f3577b34da6a3ce929d0e0e4736"));
}

#[tokio::test]
async fn a_new_subscription_is_used_by_the_very_next_event_and_a_disabled_one_is_not() {
    let app = spawn_app().await;
    let first = app.subscribe(webhook_subscription("acme", json!({}))).await;
    app.nats
        .publish_event(
            &sample_event("gc.completed", "acme", "e1", chrono::Utc::now()),
            "e1",
        )
        .await;
    eventually(WAIT, "e1", || async {
        (app.delivery_pairs().await.len() == 1).then_some(())
    })
    .await;

    // The cache is warm for acme now; a change must reach it before the next event.
    let second = app.subscribe(webhook_subscription("acme", json!({}))).await;
    let response = app
        .patch(
            &format!("/v1/subscriptions/{first}"),
            &json!({"enabled": false}),
        )
        .await;
    assert_eq!(response.status(), 200);
    app.nats
        .publish_event(
            &sample_event("gc.completed", "acme", "e2", chrono::Utc::now()),
            "e2",
        )
        .await;
    // Counted without Herald's own events: the PATCH's herald.subscription.disabled is one.
    eventually(WAIT, "e2", || async {
        let published: i64 =
            sqlx::query_scalar("SELECT count(*) FROM events WHERE type NOT LIKE 'herald.%'")
                .fetch_one(app.store.pool())
                .await
                .ok()?;
        (published == 2).then_some(())
    })
    .await;
    let e2: Vec<String> = app
        .delivery_pairs()
        .await
        .into_iter()
        .filter(|(e, _)| e == "e2")
        .map(|(_, s)| s)
        .collect();
    assert_eq!(e2, vec![second]);
}

#[tokio::test]
async fn several_ingest_replicas_share_the_work_without_duplicates() {
    let app = spawn_app().await;
    app.subscribe(webhook_subscription("acme", json!({}))).await;
    let (replica_stop, replica) = spawn_replica(&app, "ingest").await;
    for i in 0..300 {
        let id = format!("r-{i}");
        app.nats
            .publish_event(
                &sample_event("transfer.completed", "acme", &id, chrono::Utc::now()),
                &id,
            )
            .await;
    }
    eventually(Duration::from_secs(30), "300 events", || async {
        (app.event_count().await == 300).then_some(())
    })
    .await;
    let pairs = app.delivery_pairs().await;
    assert_eq!(pairs.len(), 300);
    eventually(WAIT, "300 jobs", || async {
        (app.nats.jobs().await.len() == 300).then_some(())
    })
    .await;
    replica_stop.cancel();
    replica.await.unwrap().unwrap();
}
