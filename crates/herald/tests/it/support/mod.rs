//! The test harness: the real targets on port 0, a fresh database and a unique subject prefix
//! per test, so tests run in parallel and repeat.

mod binary;
mod database;
mod nats;
pub mod nats_server;
pub mod otlp;
mod platforms;
mod postgres;
mod receiver;
mod smtp;

use std::future::Future;
use std::time::Duration;

use figment::Figment;
use figment::providers::Serialized;
use herald::config::RawConfig;
use herald::{App, Config, Targets};
use herald_bus::{Names, SubjectPrefix};
use herald_store::{EncryptionKey, Store};
use serde_json::{Value, json};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

pub use binary::{Herald, herald_command, serve_binary};
pub use database::TestDatabase;
pub use nats::{TestNats, unique_prefix};
pub use platforms::{Platform, Scripted, StandIn};
pub use postgres::TestPostgres;
pub use receiver::{Received, Receiver, Reply};
pub use smtp::{SmtpBehaviour, SmtpReply, SmtpServer};

pub const ADMIN_TOKEN: &str = "test-admin-token";
pub const ENCRYPTION_KEY: &str = "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0";

pub fn nats_url() -> String {
    std::env::var("HERALD_TEST_NATS_URL").unwrap_or_else(|_| "nats://127.0.0.1:4222".into())
}

pub struct TestApp {
    pub api: String,
    /// The admin listener (`/healthz`, `/readyz`, `/metrics`), as `http://host:port`.
    pub admin: String,
    pub http: reqwest::Client,
    pub store: Store,
    pub nats: TestNats,
    pub database: TestDatabase,
    shutdown: CancellationToken,
    task: Option<JoinHandle<anyhow::Result<()>>>,
}

/// Ingest and API in this process, as `herald serve --target ingest,api` would run them: jobs
/// stay in `{P}_DELIVERIES` for the test to read.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// Like `spawn_app`, with configuration keys changed first (keys as in herald.toml).
pub async fn spawn_app_with(change: impl FnOnce(&mut serde_json::Map<String, Value>)) -> TestApp {
    spawn_targets("ingest,api", change).await
}

/// Ingest, dispatcher and API: events go all the way to local receivers.
pub async fn spawn_delivering_app() -> TestApp {
    spawn_targets("ingest,dispatcher,api", |_| {}).await
}

pub async fn spawn_targets(
    targets: &str,
    change: impl FnOnce(&mut serde_json::Map<String, Value>),
) -> TestApp {
    install_crypto_and_tracing();
    spawn_targets_on(TestDatabase::create().await, targets, change).await
}

/// Like `spawn_targets`, on a database the test made (e.g. on a server of its own).
pub async fn spawn_targets_on(
    database: TestDatabase,
    targets: &str,
    change: impl FnOnce(&mut serde_json::Map<String, Value>),
) -> TestApp {
    install_crypto_and_tracing();
    let prefix = unique_prefix();
    let mut values = base_config(&database.url, &prefix);
    change(&mut values);
    start(database, prefix, values, targets).await
}

/// A second process's worth of Herald on the same database and prefix: a replica.
pub async fn spawn_replica(
    of: &TestApp,
    targets: &str,
) -> (CancellationToken, JoinHandle<anyhow::Result<()>>) {
    spawn_replica_with(of, targets, |_| {}).await
}

/// Like `spawn_replica`, with configuration keys changed first.
pub async fn spawn_replica_with(
    of: &TestApp,
    targets: &str,
    change: impl FnOnce(&mut serde_json::Map<String, Value>),
) -> (CancellationToken, JoinHandle<anyhow::Result<()>>) {
    let mut values = base_config(&of.database.url, of.nats.names.prefix());
    values.insert("api_addr".into(), json!("127.0.0.1:0"));
    change(&mut values);
    let config = config_from(values);
    let app = App::build(&config, &Targets::parse(targets).expect("targets"))
        .await
        .expect("replica builds");
    let shutdown = CancellationToken::new();
    let task = tokio::spawn(app.run(shutdown.clone()));
    (shutdown, task)
}

pub fn base_config(database_url: &str, prefix: &str) -> serde_json::Map<String, Value> {
    let mut values = serde_json::Map::new();
    values.insert("nats_url".into(), json!(nats_url()));
    values.insert("database_url".into(), json!(database_url));
    values.insert("subject_prefix".into(), json!(prefix));
    values.insert("api_addr".into(), json!("127.0.0.1:0"));
    values.insert("admin_addr".into(), json!("127.0.0.1:0"));
    values.insert("admin_token".into(), json!(ADMIN_TOKEN));
    values.insert("encryption_key".into(), json!(ENCRYPTION_KEY));
    values.insert("ingest_ack_wait_secs".into(), json!(2));
    values.insert("database_max_connections".into(), json!(5));
    values.insert("allow_private_targets".into(), json!(true));
    // Decided on at the releaser's next look: tests that shuffle a job's events set more.
    values.insert("transitions_settle_secs".into(), json!(0));
    values
}

pub fn config_from(values: serde_json::Map<String, Value>) -> Config {
    // A misspelt key would otherwise be ignored, and the test would run on a default.
    let known = serde_json::to_value(RawConfig::default()).expect("the defaults serialize");
    for key in values.keys() {
        assert!(known.get(key).is_some(), "{key} is not a configuration key");
    }
    let figment = Figment::from(Serialized::defaults(RawConfig::default()))
        .merge(Serialized::defaults(Value::Object(values)));
    Config::from_figment(figment).expect("test config is valid")
}

async fn start(
    database: TestDatabase,
    prefix: String,
    values: serde_json::Map<String, Value>,
    targets: &str,
) -> TestApp {
    let config = config_from(values);
    let app = App::build(&config, &Targets::parse(targets).expect("targets"))
        .await
        .expect("the app builds");
    // A process without the api target has no API address: its tests use the admin one.
    let api = app
        .api_addr()
        .map(|addr| format!("http://{addr}"))
        .unwrap_or_default();
    let admin = format!(
        "http://{}",
        app.admin_addr().expect("the admin port is bound")
    );
    let shutdown = CancellationToken::new();
    let task = tokio::spawn(app.run(shutdown.clone()));
    let key = EncryptionKey::parse(ENCRYPTION_KEY).expect("key");
    let store = Store::connect(&database.url, 3, &key).await.expect("store");
    let nats = TestNats::connect(Names::new(SubjectPrefix::parse(&prefix).expect("prefix"))).await;
    TestApp {
        api,
        admin,
        http: reqwest::Client::new(),
        store,
        nats,
        database,
        shutdown,
        task: Some(task),
    }
}

fn install_crypto_and_tracing() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    static TELEMETRY: std::sync::OnceLock<Option<herald_telemetry::TelemetryGuard>> =
        std::sync::OnceLock::new();
    TELEMETRY.get_or_init(|| {
        herald_telemetry::init(&herald_telemetry::TelemetryConfig {
            service_name: "herald-test".into(),
            log_format: herald_telemetry::LogFormat::Pretty,
            otlp_endpoint: None,
        })
        .ok()
    });
}

impl TestApp {
    /// Stops the targets gracefully and waits for them.
    pub async fn stop(&mut self) {
        self.shutdown.cancel();
        if let Some(task) = self.task.take() {
            task.await
                .expect("app task joins")
                .expect("app stops cleanly");
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.api)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.http
            .get(self.url(path))
            .bearer_auth(ADMIN_TOKEN)
            .send()
            .await
            .expect("GET")
    }

    pub async fn post(&self, path: &str, body: &Value) -> reqwest::Response {
        self.http
            .post(self.url(path))
            .bearer_auth(ADMIN_TOKEN)
            .json(body)
            .send()
            .await
            .expect("POST")
    }

    pub async fn patch(&self, path: &str, body: &Value) -> reqwest::Response {
        self.http
            .patch(self.url(path))
            .bearer_auth(ADMIN_TOKEN)
            .json(body)
            .send()
            .await
            .expect("PATCH")
    }

    pub async fn delete(&self, path: &str) -> reqwest::Response {
        self.http
            .delete(self.url(path))
            .bearer_auth(ADMIN_TOKEN)
            .send()
            .await
            .expect("DELETE")
    }

    /// Creates a subscription through the API and returns its id.
    pub async fn subscribe(&self, body: Value) -> String {
        let response = self.post("/v1/subscriptions", &body).await;
        let status = response.status();
        let created: Value = response.json().await.expect("JSON");
        assert_eq!(status, 201, "subscription not created: {created}");
        created["id"].as_str().expect("id").to_owned()
    }

    /// Publishes a sample event of `event_type` for acme with publisher id `id`.
    pub async fn publish_sample(&self, event_type: &str, id: &str) {
        let event = herald::samples::sample_event(event_type, "acme", id, chrono::Utc::now());
        self.nats.publish_event(&event, id).await;
    }

    /// The API's view of the only delivery of event `ce_id`, once it has reached `status`.
    pub async fn delivery_when(&self, ce_id: &str, status: &str, within: Duration) -> Value {
        eventually(within, &format!("delivery of {ce_id} {status}"), || async {
            let event: Value = self
                .get(&format!("/v1/events/{ce_id}"))
                .await
                .json()
                .await
                .ok()?;
            let id = event["deliveries"].get(0)?["id"].as_str()?.to_owned();
            let delivery: Value = self
                .get(&format!("/v1/deliveries/{id}"))
                .await
                .json()
                .await
                .ok()?;
            (delivery["status"] == status).then_some(delivery)
        })
        .await
    }

    /// Whether /metrics holds `line` (a metric with its value).
    pub async fn metric(&self, line: &str) -> bool {
        match self.http.get(self.url("/metrics")).send().await {
            Ok(response) => response
                .text()
                .await
                .map(|t| t.lines().any(|l| l == line))
                .unwrap_or(false),
            Err(_) => false,
        }
    }

    /// The admin listener's /metrics, in OpenMetrics text.
    pub async fn admin_metrics(&self) -> String {
        let response = self.http.get(format!("{}/metrics", self.admin)).send();
        let response = response.await.expect("GET admin /metrics");
        response.text().await.expect("metrics text")
    }

    pub async fn event_count(&self) -> i64 {
        sqlx::query_scalar("SELECT count(*) FROM events")
            .fetch_one(self.store.pool())
            .await
            .expect("count")
    }

    /// (event publisher id, subscription id) of every delivery row.
    pub async fn delivery_pairs(&self) -> Vec<(String, String)> {
        let rows: Vec<(String, uuid::Uuid)> = sqlx::query_as(
            "SELECT e.ce_id, d.subscription_id FROM deliveries d JOIN events e ON e.id = d.event_id
             ORDER BY e.ce_id, d.subscription_id",
        )
        .fetch_all(self.store.pool())
        .await
        .expect("deliveries");
        rows.into_iter()
            .map(|(ce, sub)| {
                (
                    ce,
                    herald_domain::SubscriptionId::from_uuid(sub).to_string(),
                )
            })
            .collect()
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.shutdown.cancel();
    }
}

/// A webhook subscription of acme to `url`, with fields merged in; returns (id, secret).
pub async fn subscribe_receiver(app: &TestApp, url: &str, extra: Value) -> (String, String) {
    let mut body = webhook_subscription("acme", json!({}));
    body["target"]["url"] = json!(url);
    if let (Some(body), Value::Object(extra)) = (body.as_object_mut(), extra) {
        for (key, value) in extra {
            if key == "target" {
                if let (Some(target), Value::Object(more)) = (body["target"].as_object_mut(), value)
                {
                    target.extend(more);
                }
            } else {
                body.insert(key, value);
            }
        }
    }
    let response = app.post("/v1/subscriptions", &body).await;
    let status = response.status();
    let created: Value = response.json().await.expect("JSON");
    assert_eq!(status, 201, "subscription not created: {created}");
    (
        created["id"].as_str().expect("id").to_owned(),
        created["secret"].as_str().expect("secret").to_owned(),
    )
}

/// Fast retries for tests: `max_attempts`, each wait 200 ms (the longest wait `longest` s).
pub fn fast_retry(max_attempts: u32, longest: f64) -> Value {
    json!({"retry": {"max_attempts": max_attempts, "delays_seconds": [0.2, 0.2, 0.2, 0.2, longest]}})
}

/// A webhook subscription body for `tenant` with the given routing fields merged in; its name
/// is unique (a tenant's subscription names are).
pub fn webhook_subscription(tenant: &str, extra: Value) -> Value {
    let mut body = json!({
        "tenant": tenant,
        "name": format!("test {}", uuid::Uuid::now_v7().simple()),
        "channel": "webhook",
        "target": { "url": "https://hooks.example.com/herald" },
    });
    if let (Some(body), Value::Object(extra)) = (body.as_object_mut(), extra) {
        body.extend(extra);
    }
    body
}

/// Polls `check` until it returns Some or `within` passes.
pub async fn eventually<T, F, Fut>(within: Duration, what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + within;
    loop {
        if let Some(value) = check().await {
            return value;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
