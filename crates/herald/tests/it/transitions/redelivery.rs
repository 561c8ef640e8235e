//! A redelivered event of a `transitions` subscription counts once, a quiet one is kept with
//! its reason, and an event that names no job is delivered as it always was.

use super::*;

#[tokio::test]
async fn a_redelivered_event_counts_once_and_a_jobless_one_is_delivered_as_ever() {
    let app = spawn_targets("ingest,dispatcher,api", |_| {}).await;
    let subscription = app
        .subscribe(webhook_subscription(
            "acme",
            json!({"notify": "transitions"}),
        ))
        .await;
    // A job-less failure: a custom type whose data names no repository.
    let jobless = json!({
        "specversion": "1.0", "id": "anon", "source": "deployer", "type": "deploy.failed",
        "time": at(45), "tenant": "acme", "data": {"message": "rollout stuck"},
    });
    let mut started = sample_event("transfer.started", "acme", "s1", at(40));
    started["data"]["name"] = json!("nightly-a");
    let events = [
        run("f0", true, at(0)),
        run("f1", true, at(30)),
        started,
        jobless,
        run("ok", false, at(60)),
    ];
    for (count, event) in (1..).zip(&events) {
        publish(&app, event).await;
        if event["id"] == "f1" {
            // The same event again under another message id: JetStream keeps it, Herald
            // must not count it twice.
            app.nats.publish_event(event, "f1-again").await;
        }
        stored(&app, count).await;
    }
    eventually(WAIT, "the recovery", || async {
        let deliveries = deliveries_of(&app, &subscription).await;
        (deliveries.len() == 4).then_some(())
    })
    .await;

    let deliveries = deliveries_of(&app, &subscription).await;
    let shown: Vec<(&str, Option<JobNoticeKind>, Option<u32>)> = deliveries
        .iter()
        .map(|(ce, n)| {
            (
                ce.as_str(),
                n.as_ref().map(|n| n.kind),
                n.as_ref().map(|n| n.failures),
            )
        })
        .collect();
    assert_eq!(
        shown,
        [
            ("f0", Some(JobNoticeKind::Failing), Some(1)),
            ("s1", None, None),
            ("anon", None, None),
            ("ok", Some(JobNoticeKind::Recovered), Some(2)),
        ]
    );
    settled(&app, &subscription).await;
    let quiet = reasons_of(&app, &subscription).await;
    assert_eq!(quiet.len(), 1, "f1 only, once: {quiet:?}");
    assert_eq!(quiet[0].0, "f1");
    assert!(
        quiet[0].1.contains("still failing (2 failures since"),
        "{quiet:?}"
    );
    // What the API shows: the quiet one with its reason, the recovery with its notice.
    let f1: Value = app.get("/v1/events/f1").await.json().await.unwrap();
    assert_eq!(f1["deliveries"][0]["status"], "suppressed", "{f1}");
    assert_eq!(
        f1["deliveries"][0]["failure_reason"].as_str(),
        Some(quiet[0].1.as_str())
    );
    let ok: Value = app.get("/v1/events/ok").await.json().await.unwrap();
    let id = ok["deliveries"][0]["id"].as_str().unwrap();
    let delivery: Value = app
        .get(&format!("/v1/deliveries/{id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        delivery["notice"],
        json!({"kind": "recovered", "failures": 2, "since": "2026-03-01T02:00:00Z",
               "down_for_seconds": 3600}),
        "{delivery}"
    );
}
