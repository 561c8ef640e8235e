//! Faults of the bus, the database and Herald's own processes under a steady load (issue 14):
//! each test publishes continuously to three webhook subscriptions, breaks something mid-run,
//! and ends by counting every (event, subscription) pair, in the database, the API and at the
//! receivers. Shared here: the load, the subscriptions and the final count.

mod bus;
mod database;
mod processes;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use async_nats::HeaderMap;
use async_nats::jetstream;
use herald::samples::sample_event;
use herald_bus::Names;
use serde_json::{Value, json};
use tokio::task::JoinHandle;

use crate::support::{Receiver, Reply, TestApp, subscribe_receiver};

pub const TENANT: &str = "acme";
const EVENT_TYPE: &str = "transfer.completed";
/// How long one publish waits for JetStream's ack before it is sent again (same `Nats-Msg-Id`).
const PUBLISH_ATTEMPT: Duration = Duration::from_secs(2);

/// Three webhook receivers, each with a subscription of acme to every event.
pub struct Subscribers {
    pub receivers: Vec<Receiver>,
    pub subscriptions: Vec<String>,
}

impl Subscribers {
    pub async fn three(app: &TestApp) -> Self {
        let mut receivers = Vec::new();
        let mut subscriptions = Vec::new();
        for _ in 0..3 {
            let receiver = Receiver::start(Reply::status(204)).await;
            let (id, _) = subscribe_receiver(app, &receiver.url, json!({})).await;
            receivers.push(receiver);
            subscriptions.push(id);
        }
        Self {
            receivers,
            subscriptions,
        }
    }

    /// Whether every receiver has had the event with publisher id `id`.
    pub fn all_got(&self, id: &str) -> bool {
        self.receivers
            .iter()
            .all(|r| r.received().iter().any(|q| q.json()["id"] == id))
    }

    /// Requests received so far, over all receivers.
    pub fn received(&self) -> usize {
        self.receivers.iter().map(|r| r.received().len()).sum()
    }
}

/// Events of acme published at a steady pace by a client of the test's own; each publish is
/// retried until JetStream stores it, with the same `Nats-Msg-Id`, so an outage delays events
/// and never drops or doubles one.
pub struct Load {
    published: Arc<AtomicUsize>,
    retries: Arc<AtomicUsize>,
    task: JoinHandle<Vec<String>>,
}

impl Load {
    /// `count` events, `per_second` of them a second, to the NATS servers in `urls`
    /// (comma-separated).
    pub async fn start(urls: &str, names: &Names, count: usize, per_second: u32) -> Self {
        let servers: Vec<&str> = urls.split(',').collect();
        let client = async_nats::ConnectOptions::new()
            .retry_on_initial_connect()
            .connect(servers.as_slice())
            .await
            .expect("the publisher connects");
        let js = jetstream::new(client);
        let subject = names.event_subject(TENANT, EVENT_TYPE);
        let published = Arc::new(AtomicUsize::new(0));
        let retries = Arc::new(AtomicUsize::new(0));
        let names = names.clone();
        let (done, again) = (published.clone(), retries.clone());
        let task = tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(1) / per_second);
            // After an outage, go on at the same pace rather than in a burst.
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            let mut ids = Vec::with_capacity(count);
            for i in 0..count {
                tick.tick().await;
                let id = Self::id(&names, i);
                let event = sample_event(EVENT_TYPE, TENANT, &id, chrono::Utc::now());
                let body = bytes::Bytes::from(event.to_string());
                let mut headers = HeaderMap::new();
                headers.insert("Nats-Msg-Id", id.as_str());
                loop {
                    let attempt = async {
                        js.publish_with_headers(subject.clone(), headers.clone(), body.clone())
                            .await?
                            .await
                            .map_err(async_nats::Error::from)
                    };
                    match tokio::time::timeout(PUBLISH_ATTEMPT, attempt).await {
                        Ok(Ok(_)) => break,
                        _ => {
                            again.fetch_add(1, Ordering::Relaxed);
                            tokio::time::sleep(Duration::from_millis(200)).await;
                        }
                    }
                }
                ids.push(id);
                done.fetch_add(1, Ordering::Relaxed);
            }
            ids
        });
        Self {
            published,
            retries,
            task,
        }
    }

    /// The publisher id of the `index`th event.
    pub fn id(names: &Names, index: usize) -> String {
        format!("{}-{index}", names.prefix())
    }

    pub fn published(&self) -> usize {
        self.published.load(Ordering::Relaxed)
    }

    /// Waits until `count` events are stored by JetStream.
    pub async fn reached(&self, count: usize) {
        crate::support::eventually(
            Duration::from_secs(60),
            &format!("{count} events published"),
            || async { (self.published() >= count).then_some(()) },
        )
        .await;
    }

    /// Every event's publisher id, once all are stored; and how many publishes were repeated.
    pub async fn finish(self) -> (Vec<String>, usize) {
        let ids = self.task.await.expect("the publisher finishes");
        (ids, self.retries.load(Ordering::Relaxed))
    }
}

/// The load's deliveries not yet delivered: every attempt the dispatcher had in flight is
/// among them, so taken right after a fault they bound what may be sent twice because of it.
pub async fn undelivered(app: &TestApp) -> usize {
    let count: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM deliveries d JOIN events e ON e.id = d.event_id
         WHERE e.tenant = $1 AND d.status <> 'delivered'",
    )
    .bind(TENANT)
    .fetch_one(app.store.pool())
    .await
    .expect("count");
    usize::try_from(count).expect("a count")
}

// The counts below are of the load's tenant: a test may add work of another tenant beside it.

async fn statuses(app: &TestApp) -> Vec<(String, i64)> {
    sqlx::query_as(
        "SELECT d.status, count(*) FROM deliveries d JOIN events e ON e.id = d.event_id
         WHERE e.tenant = $1 GROUP BY d.status ORDER BY d.status",
    )
    .bind(TENANT)
    .fetch_all(app.store.pool())
    .await
    .unwrap_or_default()
}

async fn event_count(app: &TestApp) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM events WHERE tenant = $1")
        .bind(TENANT)
        .fetch_one(app.store.pool())
        .await
        .expect("count")
}

/// Waits until every (event, subscription) pair is delivered, then counts exactly: one event
/// row per id, one delivery per pair, every pair seen by its receiver, nothing rejected.
/// Returns the requests beyond the first for each pair (at-least-once repeats).
pub async fn assert_every_pair_delivered(
    app: &TestApp,
    subscribers: &Subscribers,
    ids: &[String],
    within: Duration,
) -> usize {
    let pairs = ids.len() * subscribers.subscriptions.len();
    let deadline = Instant::now() + within;
    loop {
        let now = statuses(app).await;
        if now == [("delivered".to_owned(), pairs as i64)] {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "not every pair delivered: {now:?} of {pairs}; received {}",
            subscribers.received()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(
        event_count(app).await,
        ids.len() as i64,
        "one row per event"
    );
    let mut expected: Vec<(String, String)> = ids
        .iter()
        .flat_map(|id| {
            subscribers
                .subscriptions
                .iter()
                .map(move |sub| (id.clone(), sub.clone()))
        })
        .collect();
    expected.sort();
    let mut rows = app.delivery_pairs().await;
    rows.retain(|(_, sub)| subscribers.subscriptions.contains(sub));
    assert_eq!(rows, expected, "one delivery per pair");

    let wanted: BTreeSet<&str> = ids.iter().map(String::as_str).collect();
    let mut repeats = 0;
    let mut repeated = Vec::new();
    for receiver in &subscribers.receivers {
        let mut seen: BTreeMap<String, usize> = BTreeMap::new();
        for request in receiver.received() {
            let id = request.json()["id"].as_str().expect("id").to_owned();
            *seen.entry(id).or_default() += 1;
        }
        let got: BTreeSet<&str> = seen.keys().map(String::as_str).collect();
        assert_eq!(got, wanted, "the receiver got every event and nothing else");
        repeats += seen.values().map(|n| n - 1).sum::<usize>();
        repeated.extend(seen.into_iter().filter(|(_, n)| *n > 1).map(|(id, _)| id));
    }
    if !repeated.is_empty() {
        eprintln!("sent more than once: {repeated:?}");
    }

    // The API tells the same story as the tables, for the first and the last event.
    for id in [&ids[0], &ids[ids.len() - 1]] {
        let shown: Value = app
            .get(&format!("/v1/events/{id}"))
            .await
            .json()
            .await
            .unwrap();
        let deliveries = shown["deliveries"].as_array().expect("deliveries");
        assert_eq!(deliveries.len(), subscribers.subscriptions.len(), "{shown}");
        assert!(
            deliveries.iter().all(|d| d["status"] == "delivered"),
            "{shown}"
        );
    }
    let rejected: Value = app.get("/v1/rejections").await.json().await.unwrap();
    assert_eq!(rejected["items"], json!([]), "nothing rejected");
    repeats
}
