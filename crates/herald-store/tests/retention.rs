//! Retention against a real Postgres (HERALD_TEST_DATABASE_URL, as `make test` starts it): a
//! fresh database per test, rows written with the ages and states each case needs.

// Test code: a failed expectation is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{DateTime, TimeDelta, Utc};
use herald_store::{EncryptionKey, PruneCursor, PruneStep, Pruned, Store};
use sqlx::Connection as _;
use uuid::Uuid;

const KEY: &str = "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0";

struct Database {
    name: String,
    admin_url: String,
    store: Store,
}

impl Database {
    async fn create() -> Self {
        let admin_url = std::env::var("HERALD_TEST_DATABASE_URL")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
        let name = format!("herald_test_{}", Uuid::now_v7().simple());
        let mut admin = sqlx::PgConnection::connect(&admin_url).await.unwrap();
        sqlx::raw_sql(&format!("CREATE DATABASE {name}"))
            .execute(&mut admin)
            .await
            .unwrap();
        let base = admin_url.rsplit_once('/').map(|(b, _)| b).unwrap();
        let key = EncryptionKey::parse(KEY).unwrap();
        let store = Store::connect(&format!("{base}/{name}"), 4, &key)
            .await
            .unwrap();
        store.migrate().await.unwrap();
        Self {
            name,
            admin_url,
            store,
        }
    }
}

impl Drop for Database {
    fn drop(&mut self) {
        let (name, url) = (self.name.clone(), self.admin_url.clone());
        // Drop runs inside the test's runtime, which must not block: a thread of its own.
        let _ = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async move {
                let mut admin = sqlx::PgConnection::connect(&url).await.unwrap();
                let drop = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
                sqlx::raw_sql(&drop).execute(&mut admin).await.unwrap();
            });
        })
        .join();
    }
}

/// A UUIDv7 of the instant `at`, as Herald gives a row written then.
fn id_at(at: DateTime<Utc>) -> Uuid {
    let ts = uuid::Timestamp::from_unix(
        uuid::NoContext,
        at.timestamp() as u64,
        at.timestamp_subsec_nanos(),
    );
    Uuid::new_v7(ts)
}

fn days_ago(days: i64) -> DateTime<Utc> {
    Utc::now() - TimeDelta::days(days)
}

async fn event(store: &Store, at: DateTime<Utc>) -> Uuid {
    let id = id_at(at);
    sqlx::query(
        "INSERT INTO events (id, tenant, ce_id, type, source, outcome, time, received_at, cloudevent)
         VALUES ($1, 'acme', $2, 'transfer.completed', 'test', 'success', $3, $3, '{}')",
    )
    .bind(id)
    .bind(id.to_string())
    .bind(at)
    .execute(store.pool())
    .await
    .unwrap();
    id
}

/// A delivery of `event` in `status` with `attempts` attempts; `held` gives it a hold key.
async fn delivery(store: &Store, event: Uuid, status: &str, attempts: i32) -> Uuid {
    // Deliveries are found through their event, never by their own age.
    let (id, at) = (Uuid::now_v7(), Utc::now());
    let hold_key = (status == "held").then_some("quiet");
    sqlx::query(
        "INSERT INTO deliveries (id, event_id, subscription_id, tenant, channel, event_type,
                                 status, created_at, hold_key)
         VALUES ($1, $2, $3, 'acme', 'webhook', 'transfer.completed', $4, $5, $6)",
    )
    .bind(id)
    .bind(event)
    .bind(Uuid::now_v7())
    .bind(status)
    .bind(at)
    .bind(hold_key)
    .execute(store.pool())
    .await
    .unwrap();
    for number in 1..=attempts {
        sqlx::query(
            "INSERT INTO delivery_attempts (delivery_id, number, started_at, duration_ms)
             VALUES ($1, $2, $3, 10)",
        )
        .bind(id)
        .bind(number)
        .bind(at)
        .execute(store.pool())
        .await
        .unwrap();
    }
    id
}

async fn rejection(store: &Store, at: DateTime<Utc>, seq: i64) -> Uuid {
    let id = id_at(at);
    sqlx::query(
        "INSERT INTO rejections (id, tenant, subject, reason_code, reason, size_bytes,
                                 received_at, stream, stream_seq, body)
         VALUES ($1, 'acme', 'herald.events.acme', 'not_json', 'not JSON', 1, $2, 'EVENTS', $3, '')",
    )
    .bind(id)
    .bind(at)
    .bind(seq)
    .execute(store.pool())
    .await
    .unwrap();
    id
}

/// The claim of `subscription`'s digest for the day `days` ago.
async fn digest_claim(store: &Store, subscription: Uuid, days: i64) {
    sqlx::query(
        "INSERT INTO digest_claims (subscription_id, day, delivery_id, event_id, published)
         VALUES ($1, (now() - make_interval(days => $2::int))::date, $3, $4, true)",
    )
    .bind(subscription)
    .bind(days as i32)
    .bind(Uuid::now_v7())
    .bind(Uuid::now_v7())
    .execute(store.pool())
    .await
    .unwrap();
}

async fn claimed_days(store: &Store) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM digest_claims")
        .fetch_one(store.pool())
        .await
        .unwrap()
}

async fn exists(store: &Store, table: &str, column: &str, id: Uuid) -> bool {
    let sql = format!("SELECT EXISTS (SELECT 1 FROM {table} WHERE {column} = $1)");
    sqlx::query_scalar(&sql)
        .bind(id)
        .fetch_one(store.pool())
        .await
        .unwrap()
}

/// Runs whole passes over both tables with batches of `limit`, as the loop does; returns the
/// sum and the largest batch.
async fn pass(store: &Store, before: DateTime<Utc>, limit: u32) -> (Pruned, Pruned, usize) {
    let (mut total, mut largest, mut batches) = (Pruned::default(), Pruned::default(), 0);
    let mut cursor = PruneCursor::default();
    loop {
        let step = store
            .prune_events(before, &mut cursor, limit)
            .await
            .unwrap();
        let PruneStep::Pruned { pruned, last } = step else {
            panic!("nobody else holds the lock")
        };
        batches += 1;
        total.add(pruned);
        largest.events = largest.events.max(pruned.events);
        if last {
            break;
        }
    }
    loop {
        let step = store.prune_rejections(before, limit).await.unwrap();
        let PruneStep::Pruned { pruned, last } = step else {
            panic!("nobody else holds the lock")
        };
        batches += 1;
        total.add(pruned);
        largest.rejections = largest.rejections.max(pruned.rejections);
        if last {
            break;
        }
    }
    loop {
        let step = store.prune_digest_claims(before, limit).await.unwrap();
        let PruneStep::Pruned { pruned, last } = step else {
            panic!("nobody else holds the lock")
        };
        batches += 1;
        total.add(pruned);
        if last {
            break;
        }
    }
    (total, largest, batches)
}

#[tokio::test]
async fn retention_removes_old_finished_rows_and_keeps_recent_and_open_ones() {
    let db = Database::create().await;
    let store = &db.store;
    let old = days_ago(40);

    let delivered = event(store, old).await;
    let delivered_one = delivery(store, delivered, "delivered", 2).await;
    let mixed_final = event(store, old).await;
    delivery(store, mixed_final, "failed", 5).await;
    delivery(store, mixed_final, "suppressed", 0).await;
    let unrouted = event(store, old).await;

    let recent = event(store, days_ago(2)).await;
    let recent_delivery = delivery(store, recent, "delivered", 1).await;
    let mut open = Vec::new();
    for status in ["pending", "retrying", "held"] {
        let kept = event(store, old).await;
        // A finished sibling stays too: the event keeps all its deliveries until all are over.
        let sibling = delivery(store, kept, "delivered", 1).await;
        open.push((
            status,
            kept,
            sibling,
            delivery(store, kept, status, 1).await,
        ));
    }
    // A member of a grouped message that is still being retried: its group is not over.
    let member_event = event(store, old).await;
    let member = delivery(store, member_event, "grouped", 0).await;
    let group_event = event(store, days_ago(1)).await;
    let group = delivery(store, group_event, "retrying", 1).await;
    sqlx::query("UPDATE deliveries SET grouped_into = $1 WHERE id = $2")
        .bind(group)
        .bind(member)
        .execute(store.pool())
        .await
        .unwrap();

    let old_rejection = rejection(store, old, 1).await;
    let recent_rejection = rejection(store, days_ago(1), 2).await;
    let daily = Uuid::now_v7();
    for days in [40, 32, 29, 1] {
        digest_claim(store, daily, days).await;
    }

    let (total, _, _) = pass(store, days_ago(30), 1000).await;
    assert_eq!(
        total,
        Pruned {
            events: 3,
            deliveries: 3,
            attempts: 7,
            rejections: 1,
            digest_claims: 2,
        }
    );
    assert_eq!(
        claimed_days(store).await,
        2,
        "the claims of the last 30 days stay"
    );
    for gone in [delivered, mixed_final, unrouted] {
        assert!(!exists(store, "events", "id", gone).await);
    }
    assert!(!exists(store, "deliveries", "id", delivered_one).await);
    assert!(!exists(store, "delivery_attempts", "delivery_id", delivered_one).await);
    assert!(!exists(store, "rejections", "id", old_rejection).await);

    assert!(exists(store, "events", "id", recent).await);
    assert!(exists(store, "delivery_attempts", "delivery_id", recent_delivery).await);
    assert!(exists(store, "rejections", "id", recent_rejection).await);
    for (status, kept, sibling, waiting) in open {
        assert!(
            exists(store, "events", "id", kept).await,
            "{status} event kept"
        );
        assert!(
            exists(store, "deliveries", "id", sibling).await,
            "{status} sibling kept"
        );
        assert!(exists(store, "delivery_attempts", "delivery_id", waiting).await);
    }
    assert!(
        exists(store, "deliveries", "id", member).await,
        "open group's member kept"
    );

    // Once its group's message is delivered, the member goes on the next pass.
    sqlx::query("UPDATE deliveries SET status = 'delivered' WHERE id = $1")
        .bind(group)
        .execute(store.pool())
        .await
        .unwrap();
    let (total, _, _) = pass(store, days_ago(30), 1000).await;
    assert_eq!((total.events, total.deliveries), (1, 1));
    assert!(!exists(store, "events", "id", member_event).await);
}

#[tokio::test]
async fn retention_works_in_bounded_batches_and_yields_to_another_replica() {
    let db = Database::create().await;
    let store = &db.store;
    for seq in 0..25 {
        let id = event(store, days_ago(40)).await;
        delivery(store, id, "delivered", 1).await;
        rejection(store, days_ago(40), seq).await;
    }
    // A replica in the middle of a batch holds the lock: this one does nothing.
    let mut other = store.pool().begin().await.unwrap();
    sqlx::query("SELECT pg_advisory_xact_lock(x'686572616c647274'::bigint)")
        .execute(&mut *other)
        .await
        .unwrap();
    let mut cursor = PruneCursor::default();
    let step = store.prune_events(days_ago(30), &mut cursor, 10).await;
    assert_eq!(step.unwrap(), PruneStep::Busy);
    assert_eq!(
        store.prune_rejections(days_ago(30), 10).await.unwrap(),
        PruneStep::Busy
    );
    assert_eq!(
        store.prune_digest_claims(days_ago(30), 10).await.unwrap(),
        PruneStep::Busy
    );
    other.rollback().await.unwrap();

    let (total, largest, batches) = pass(store, days_ago(30), 10).await;
    assert_eq!(
        (total.events, total.deliveries, total.rejections),
        (25, 25, 25)
    );
    assert_eq!((largest.events, largest.rejections), (10, 10));
    // 10 + 10 + 5 of events and of rejections, then one of digest claims that finds none.
    assert_eq!(batches, 7);
}
