//! Lists walked page by page while items are being added: every item that existed when the
//! walk began is listed exactly once, in a stable order, at the default page size's neighbours
//! (100) and at the largest (500); a bad `limit` or `cursor` is a 422 naming it.

use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use futures::StreamExt as _;
use herald_domain::{DeliveryId, EventId, SubscriptionId};
use serde_json::{Value, json};
use tokio::task::JoinHandle;
use uuid::Uuid;

use crate::support::{
    ADMIN_TOKEN, TestApp, eventually, spawn_app_with, spawn_targets, webhook_subscription,
};

const ITEMS: usize = 1_250;
const WAIT: Duration = Duration::from_secs(60);

fn unthrottled(config: &mut serde_json::Map<String, Value>) {
    // The walk and the writers together make thousands of requests with one token.
    config.insert("api_rate_per_second".into(), json!(100_000));
}

/// The ids of every page of `path` at `limit`, in the order listed, following `next_cursor`
/// until it is null.
async fn walk(app: &TestApp, path: &str, limit: u32) -> Vec<String> {
    let mut ids = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let join = if path.contains('?') { '&' } else { '?' };
        let url = match &cursor {
            Some(cursor) => format!("{path}{join}limit={limit}&cursor={cursor}"),
            None => format!("{path}{join}limit={limit}"),
        };
        let response = app.get(&url).await;
        assert_eq!(response.status(), 200, "GET {url}");
        let page: Value = response.json().await.unwrap();
        let items = page["items"].as_array().unwrap();
        assert!(
            items.len() <= limit as usize,
            "{url}: {} items",
            items.len()
        );
        ids.extend(items.iter().map(|i| i["id"].as_str().unwrap().to_owned()));
        match page["next_cursor"].as_str() {
            Some(next) => {
                assert_eq!(
                    items.len(),
                    limit as usize,
                    "{url}: a short page before the last"
                );
                cursor = Some(next.to_owned());
            }
            None => return ids,
        }
    }
}

/// Checks one walk: nothing twice, nothing that existed before it left out, nothing that was
/// never written, and ids in strict order (`newest_first` or oldest first).
fn assert_walk(
    what: &str,
    seen: &[String],
    before: &HashSet<String>,
    inserted: &HashSet<String>,
    uuid_of: impl Fn(&str) -> Uuid,
    newest_first: bool,
) {
    let unique: HashSet<&String> = seen.iter().collect();
    assert_eq!(unique.len(), seen.len(), "{what}: an item was listed twice");
    let missed: Vec<&String> = before.iter().filter(|id| !unique.contains(id)).collect();
    assert!(
        missed.is_empty(),
        "{what}: {} of {} items that existed before the walk were not listed, e.g. {:?}",
        missed.len(),
        before.len(),
        missed.first()
    );
    let unknown: Vec<&String> = seen
        .iter()
        .filter(|id| !before.contains(*id) && !inserted.contains(*id))
        .collect();
    assert!(
        unknown.is_empty(),
        "{what}: listed items never written: {unknown:?}"
    );
    let order: Vec<Uuid> = seen.iter().map(|id| uuid_of(id)).collect();
    assert!(
        order.windows(2).all(|w| if newest_first {
            w[0] > w[1]
        } else {
            w[0] < w[1]
        }),
        "{what}: not in a strict order"
    );
}

/// A task that keeps writing until stopped, and how many writes it finished.
struct Writer {
    stop: Arc<AtomicBool>,
    done: Arc<AtomicUsize>,
    task: JoinHandle<()>,
}

impl Writer {
    fn start<F, Fut>(mut write: F) -> Self
    where
        F: FnMut(usize) -> Fut + Send + 'static,
        Fut: std::future::Future<Output = ()> + Send + 'static,
    {
        let stop = Arc::new(AtomicBool::new(false));
        let done = Arc::new(AtomicUsize::new(0));
        let (stop_flag, counter) = (stop.clone(), done.clone());
        let task = tokio::spawn(async move {
            let mut n = 0;
            while !stop_flag.load(Ordering::SeqCst) {
                write(n).await;
                n += 1;
                counter.store(n, Ordering::SeqCst);
            }
        });
        Self { stop, done, task }
    }

    /// Waits for a first write, so the walk that follows runs while writes go on.
    async fn running(&self) {
        eventually(WAIT, "a first concurrent write", || async {
            (self.done.load(Ordering::SeqCst) > 0).then_some(())
        })
        .await;
    }

    /// Stops the writer; how many writes it finished.
    async fn finish(self) -> usize {
        self.stop.store(true, Ordering::SeqCst);
        self.task.await.unwrap();
        self.done.load(Ordering::SeqCst)
    }
}

async fn ids_in(app: &TestApp, table: &str) -> Vec<Uuid> {
    sqlx::query_scalar(&format!("SELECT id FROM {table}"))
        .fetch_all(app.store.pool())
        .await
        .unwrap()
}

fn assert_refused(body: &Value, field: &str) {
    assert_eq!(body["error"]["code"], "invalid", "{body}");
    assert!(body["error"]["fields"][field].is_string(), "{body}");
}

/// `limit` above 500 (or 0) and a cursor this API never handed out are 422s naming them.
async fn bad_pages_are_refused(app: &TestApp, path: &str, foreign_cursor: &str) {
    for query in ["limit=501", "limit=0", "limit=ten"] {
        let response = app.get(&format!("{path}?{query}")).await;
        assert_eq!(response.status(), 422, "{path}?{query}");
        assert_refused(&response.json().await.unwrap(), "limit");
    }
    for cursor in ["forged", foreign_cursor] {
        let response = app.get(&format!("{path}?limit=500&cursor={cursor}")).await;
        assert_eq!(response.status(), 422, "{path} cursor {cursor}");
        assert_refused(&response.json().await.unwrap(), "cursor");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn subscriptions_walk_every_item_once_while_more_are_created() {
    let app = spawn_targets("api", unthrottled).await;
    let bodies = (0..ITEMS).map(|i| {
        let tenant = if i % 5 == 0 { "globex" } else { "acme" };
        webhook_subscription(tenant, json!({}))
    });
    let created: Vec<String> = futures::stream::iter(bodies)
        .map(|body| app.subscribe(body))
        .buffer_unordered(8)
        .collect()
        .await;
    assert_eq!(created.len(), ITEMS);

    let inserted = Arc::new(std::sync::Mutex::new(HashSet::new()));
    let (http, url, log) = (
        app.http.clone(),
        app.url("/v1/subscriptions"),
        inserted.clone(),
    );
    let writer = Writer::start(move |_| {
        let (http, url, log) = (http.clone(), url.clone(), log.clone());
        async move {
            let response = http
                .post(&url)
                .bearer_auth(ADMIN_TOKEN)
                .json(&webhook_subscription("acme", json!({})))
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), 201);
            let body: Value = response.json().await.unwrap();
            log.lock()
                .unwrap()
                .insert(body["id"].as_str().unwrap().to_owned());
        }
    });
    writer.running().await;
    let uuid_of = |id: &str| id.parse::<SubscriptionId>().unwrap().as_uuid();
    for limit in [100, 500] {
        let before: HashSet<String> = ids_in(&app, "subscriptions")
            .await
            .into_iter()
            .map(|u| SubscriptionId::from_uuid(u).to_string())
            .collect();
        assert!(before.len() > ITEMS);
        let seen = walk(&app, "/v1/subscriptions", limit).await;
        let written = inserted.lock().unwrap().clone();
        let what = format!("subscriptions at limit {limit}");
        assert_walk(&what, &seen, &before, &written, uuid_of, false);
    }
    let written = writer.finish().await;
    assert!(written > 1, "subscriptions were created during the walks");

    // A filter pages the same way: acme's, every one, globex's none.
    let acme = walk(&app, "/v1/subscriptions?tenant=acme", 100).await;
    assert_eq!(acme.len(), ITEMS - ITEMS / 5 + written);
    bad_pages_are_refused(&app, "/v1/subscriptions", &EventId::new().to_string()).await;
}

/// Publishes events `first..first + count` of acme on NATS, waiting only once for every ack.
async fn publish(app: &TestApp, first: usize, count: usize) -> Vec<String> {
    let subject = app.nats.names.event_subject("acme", "transfer.completed");
    let mut acks = Vec::new();
    let mut ids = Vec::new();
    for i in first..first + count {
        let id = format!("page-{i}");
        let event =
            herald::samples::sample_event("transfer.completed", "acme", &id, chrono::Utc::now());
        let mut headers = async_nats::HeaderMap::new();
        headers.insert("Nats-Msg-Id", id.as_str());
        let ack = app
            .nats
            .js
            .publish_with_headers(subject.clone(), headers, event.to_string().into())
            .await
            .unwrap();
        acks.push(ack);
        ids.push(id);
    }
    for ack in acks {
        ack.await.unwrap();
    }
    ids
}

async fn stored(app: &TestApp, count: usize) {
    eventually(WAIT, &format!("{count} events and deliveries"), || async {
        let events = ids_in(app, "events").await.len();
        let deliveries = ids_in(app, "deliveries").await.len();
        (events >= count && deliveries >= count).then_some(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_and_deliveries_walk_every_item_once_while_more_arrive() {
    let app = spawn_app_with(unthrottled).await;
    app.subscribe(webhook_subscription("acme", json!({}))).await;
    publish(&app, 0, ITEMS).await;
    stored(&app, ITEMS).await;

    // New events keep arriving, each stored with its delivery by ingest.
    let (js, subject) = (
        app.nats.js.clone(),
        app.nats.names.event_subject("acme", "transfer.completed"),
    );
    let writer = Writer::start(move |n| {
        let (js, subject) = (js.clone(), subject.clone());
        async move {
            let id = format!("late-{n}");
            let event = herald::samples::sample_event(
                "transfer.completed",
                "acme",
                &id,
                chrono::Utc::now(),
            );
            let mut headers = async_nats::HeaderMap::new();
            headers.insert("Nats-Msg-Id", id.as_str());
            js.publish_with_headers(subject, headers, event.to_string().into())
                .await
                .unwrap()
                .await
                .unwrap();
            // Paced like traffic, so stores land between the walk's pages.
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
    });
    writer.running().await;

    let event_uuid = |id: &str| id.parse::<EventId>().unwrap().as_uuid();
    let delivery_uuid = |id: &str| id.parse::<DeliveryId>().unwrap().as_uuid();
    for limit in [100, 500] {
        let before: HashSet<String> = ids_in(&app, "events")
            .await
            .into_iter()
            .map(|u| EventId::from_uuid(u).to_string())
            .collect();
        let seen = walk(&app, "/v1/events", limit).await;
        let now: HashSet<String> = ids_in(&app, "events")
            .await
            .into_iter()
            .map(|u| EventId::from_uuid(u).to_string())
            .collect();
        let what = format!("events at limit {limit}");
        assert_walk(&what, &seen, &before, &now, event_uuid, true);

        let before: HashSet<String> = ids_in(&app, "deliveries")
            .await
            .into_iter()
            .map(|u| DeliveryId::from_uuid(u).to_string())
            .collect();
        let seen = walk(&app, "/v1/deliveries", limit).await;
        let now: HashSet<String> = ids_in(&app, "deliveries")
            .await
            .into_iter()
            .map(|u| DeliveryId::from_uuid(u).to_string())
            .collect();
        let what = format!("deliveries at limit {limit}");
        assert_walk(&what, &seen, &before, &now, delivery_uuid, true);
        assert!(seen.len() >= ITEMS, "{what}: {}", seen.len());
    }
    let written = writer.finish().await;
    assert!(written > 1, "events arrived during the walks");

    let foreign = SubscriptionId::new().to_string();
    bad_pages_are_refused(&app, "/v1/events", &foreign).await;
    bad_pages_are_refused(&app, "/v1/deliveries", &foreign).await;
}
