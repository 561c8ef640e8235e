//! Deliveries written outside ingest (retries, replays, digests) reach the dispatcher even when
//! their writer dies between the database and NATS: the job waits in the outbox and the
//! dispatcher's sweep publishes it.

use std::time::Duration;

use serde_json::json;

use crate::support::{
    Receiver, Reply, eventually, fast_retry, spawn_delivering_app, subscribe_receiver,
};

#[tokio::test]
async fn a_retry_whose_job_never_reached_nats_is_delivered_by_the_sweep() {
    let app = spawn_delivering_app().await;
    let receiver = Receiver::start(Reply::status(204)).await;
    receiver.script([Reply::status(500)]);
    subscribe_receiver(&app, &receiver.url, fast_retry(1, 0.2)).await;
    app.publish_sample("backup.failed", "stranded").await;
    let failed = app
        .delivery_when("stranded", "failed", Duration::from_secs(15))
        .await;
    let id = failed["id"].as_str().unwrap().parse().unwrap();

    // What the API's retry writes, without the publish: as if it died right after the commit.
    let queued = app.store.retry_delivery(id).await.unwrap().unwrap();
    assert!(queued.msg_id.starts_with(&format!("{id}:retry:")));
    let db = sqlx::PgPool::connect(&app.database.url).await.unwrap();
    let waiting: i64 = sqlx::query_scalar("SELECT count(*) FROM job_outbox")
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(waiting, 1, "the retry's job is kept until NATS has it");
    // A minute passes with no publish.
    sqlx::query("UPDATE job_outbox SET queued_at = now() - interval '2 minutes'")
        .execute(&db)
        .await
        .unwrap();

    app.delivery_when("stranded", "delivered", Duration::from_secs(20))
        .await;
    assert_eq!(
        receiver.received().len(),
        2,
        "one failed attempt, one retry"
    );
    eventually(Duration::from_secs(5), "the outbox emptied", || async {
        let left: i64 = sqlx::query_scalar("SELECT count(*) FROM job_outbox")
            .fetch_one(&db)
            .await
            .unwrap();
        (left == 0).then_some(())
    })
    .await;
}

#[tokio::test]
async fn an_api_retry_leaves_nothing_in_the_outbox() {
    let app = spawn_delivering_app().await;
    let receiver = Receiver::start(Reply::status(204)).await;
    receiver.script([Reply::status(500)]);
    subscribe_receiver(&app, &receiver.url, fast_retry(1, 0.2)).await;
    app.publish_sample("backup.failed", "retried").await;
    let failed = app
        .delivery_when("retried", "failed", Duration::from_secs(15))
        .await;
    let id = failed["id"].as_str().unwrap();
    let answer = app
        .post(&format!("/v1/deliveries/{id}/retry"), &json!({}))
        .await;
    assert_eq!(answer.status(), 202);
    app.delivery_when("retried", "delivered", Duration::from_secs(15))
        .await;
    let db = sqlx::PgPool::connect(&app.database.url).await.unwrap();
    let left: i64 = sqlx::query_scalar("SELECT count(*) FROM job_outbox")
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(left, 0, "a published job is not kept");
}
