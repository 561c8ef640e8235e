//! Retention (HERALD_RETENTION_DAYS) in a running dispatcher: its first pass at start removes
//! what is old and finished, keeps the rest, and says so in /metrics.

use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use herald_store::{EncryptionKey, Store};
use serde_json::json;
use uuid::Uuid;

use crate::support::{ENCRYPTION_KEY, TestDatabase, eventually, spawn_targets_on};

fn id_at(at: DateTime<Utc>) -> Uuid {
    let seconds = u64::try_from(at.timestamp()).unwrap();
    let ts = uuid::Timestamp::from_unix(uuid::NoContext, seconds, at.timestamp_subsec_nanos());
    Uuid::new_v7(ts)
}

/// An event received `days` ago with one delivery in `status` that had one attempt.
async fn event_with_delivery(store: &Store, days: i64, status: &str) -> Uuid {
    let at = Utc::now() - TimeDelta::days(days);
    let event = id_at(at);
    sqlx::query(
        "INSERT INTO events (id, tenant, ce_id, type, source, outcome, time, received_at, cloudevent)
         VALUES ($1, 'acme', $2, 'transfer.completed', 'test', 'success', $3, $3, '{}')",
    )
    .bind(event)
    .bind(event.to_string())
    .bind(at)
    .execute(store.pool())
    .await
    .unwrap();
    let delivery = Uuid::now_v7();
    sqlx::query(
        "INSERT INTO deliveries (id, event_id, subscription_id, tenant, channel, event_type, status)
         VALUES ($1, $2, $3, 'acme', 'webhook', 'transfer.completed', $4)",
    )
    .bind(delivery)
    .bind(event)
    .bind(Uuid::now_v7())
    .bind(status)
    .execute(store.pool())
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO delivery_attempts (delivery_id, number, started_at, duration_ms)
         VALUES ($1, 1, $2, 10)",
    )
    .bind(delivery)
    .bind(at)
    .execute(store.pool())
    .await
    .unwrap();
    event
}

fn sample(metrics: &str, table: &str) -> Option<f64> {
    let series = format!(r#"herald_retention_deleted_total{{table="{table}"}} "#);
    metrics
        .lines()
        .find_map(|line| line.strip_prefix(&series))
        .and_then(|value| value.parse().ok())
}

#[tokio::test]
async fn retention_removes_old_finished_rows_at_start_and_counts_them() {
    let database = TestDatabase::create().await;
    let key = EncryptionKey::parse(ENCRYPTION_KEY).unwrap();
    let store = Store::connect(&database.url, 2, &key).await.unwrap();
    store.migrate().await.unwrap();
    let mut old = Vec::new();
    for status in ["delivered", "failed"] {
        old.push(event_with_delivery(&store, 10, status).await);
    }
    let recent = event_with_delivery(&store, 2, "delivered").await;
    let waiting = event_with_delivery(&store, 10, "retrying").await;

    let app = spawn_targets_on(database, "dispatcher", |values| {
        values.insert("retention_days".into(), json!(7));
    })
    .await;

    let metrics = eventually(
        Duration::from_secs(20),
        "retention's first pass",
        || async {
            let text = app.admin_metrics().await;
            (sample(&text, "events") == Some(2.0)).then_some(text)
        },
    )
    .await;
    assert_eq!(sample(&metrics, "deliveries"), Some(2.0));
    assert_eq!(sample(&metrics, "delivery_attempts"), Some(2.0));
    assert_eq!(sample(&metrics, "rejections"), Some(0.0));

    let left: Vec<Uuid> = sqlx::query_scalar("SELECT id FROM events ORDER BY id")
        .fetch_all(app.store.pool())
        .await
        .unwrap();
    let mut kept = vec![recent, waiting];
    kept.sort();
    assert_eq!(left, kept);
    let deliveries: i64 = sqlx::query_scalar("SELECT count(*) FROM deliveries")
        .fetch_one(app.store.pool())
        .await
        .unwrap();
    assert_eq!(deliveries, 2);
    store.close().await;
}

#[tokio::test]
async fn retention_days_zero_keeps_everything() {
    let database = TestDatabase::create().await;
    let key = EncryptionKey::parse(ENCRYPTION_KEY).unwrap();
    let store = Store::connect(&database.url, 2, &key).await.unwrap();
    store.migrate().await.unwrap();
    event_with_delivery(&store, 400, "delivered").await;

    let app = spawn_targets_on(database, "dispatcher", |values| {
        values.insert("retention_days".into(), json!(0));
    })
    .await;
    // The series are there at 0 from the start, and stay there.
    tokio::time::sleep(Duration::from_secs(1)).await;
    let metrics = app.admin_metrics().await;
    assert_eq!(sample(&metrics, "events"), Some(0.0));
    assert_eq!(app.event_count().await, 1);
    store.close().await;
}

#[test]
fn a_bad_retention_stops_the_start_with_one_line_naming_the_key() {
    // Configuration is checked before anything is connected: this database is never asked.
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_herald"))
        .args(["serve", "--target", "dispatcher"])
        .env(
            "HERALD_DATABASE_URL",
            "postgres://postgres@127.0.0.1:1/nowhere",
        )
        .env("HERALD_ENCRYPTION_KEY", ENCRYPTION_KEY)
        .env("HERALD_RETENTION_DAYS", "-1")
        .env("RUST_LOG", "off")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(64), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("HERALD_RETENTION_DAYS"), "{stderr}");
}
