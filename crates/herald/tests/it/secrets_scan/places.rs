//! What the scan reads besides the run itself: a PATCH, creates refused for a bad value next
//! to a secret, `herald config check`; and once the run is over every API list and detail
//! answer, and the database, row by row and as `pg_dump` writes it.

use serde_json::{Value, json};

use super::WAIT;
use super::scan::*;
use crate::support::{ADMIN_TOKEN, ENCRYPTION_KEY, TestApp, eventually};

/// The answer's status and text, as sent.
pub async fn text(response: reqwest::Response) -> (u16, String) {
    let status = response.status().as_u16();
    (status, response.text().await.unwrap())
}

pub struct Answers(pub Vec<(String, String)>);

impl Answers {
    pub async fn get(&mut self, app: &TestApp, path: &str) -> Value {
        let (status, body) = text(app.get(path).await).await;
        assert_eq!(status, 200, "GET {path}: {body}");
        self.0.push((format!("GET {path}"), body.clone()));
        serde_json::from_str(&body).unwrap()
    }

    pub async fn post(&mut self, app: &TestApp, path: &str, body: &Value) -> Value {
        let (status, answer) = text(app.post(path, body).await).await;
        assert!(status < 300, "POST {path}: {status} {answer}");
        self.0.push((format!("POST {path}"), answer.clone()));
        serde_json::from_str(&answer).unwrap_or(Value::Null)
    }

    /// A create that must be refused: its error names the bad value, never a secret beside it.
    async fn refused(&mut self, app: &TestApp, channel: &str, target: Value) {
        let body =
            json!({"tenant": "acme", "name": "refused", "channel": channel, "target": target});
        let (status, answer) = text(app.post("/v1/subscriptions", &body).await).await;
        assert!((400..500).contains(&status), "{target}: {status} {answer}");
        self.0.push((format!("refused {channel} create"), answer));
    }
}

/// Changes a secret by PATCH, and sends creates whose bad value sits next to a secret.
pub async fn patch_and_refuse(app: &TestApp, answers: &mut Answers, id: &str, url: &str) {
    let target = json!({"url": url, "auth": {"type": "bearer", "token": PATCHED_TOKEN}});
    let (status, answer) = text(
        app.patch(
            &format!("/v1/subscriptions/{id}"),
            &json!({"target": target}),
        )
        .await,
    )
    .await;
    assert_eq!(status, 200, "{answer}");
    answers.0.push(("PATCH /v1/subscriptions".into(), answer));
    let slack = format!("hooks.slack.com/services/T0/B0/{SLACK_TOKEN}");
    answers
        .refused(app, "slack", json!({"webhook_url": slack}))
        .await;
    let bad_header =
        json!({"type": "api_key", "header": "X-Key", "value": format!("{API_KEY}\r\nX: y")});
    answers
        .refused(app, "webhook", json!({"url": url, "auth": bad_header}))
        .await;
    let bad_secret = format!("whsec_{SIGNING_KEY}!!");
    answers
        .refused(app, "webhook", json!({"url": url, "secret": bad_secret}))
        .await;
    let bad_scheme = format!("ftp://{URL_USER}:{URL_PASSWORD}@example.com/?token={QUERY_TOKEN}");
    answers
        .refused(app, "webhook", json!({"url": bad_scheme}))
        .await;
    let basic = json!({"type": "basic", "username": BASIC_USER, "password": BASIC_PASSWORD});
    answers
        .refused(
            app,
            "webhook",
            json!({"url": url, "auth": basic, "timeout_ms": -1}),
        )
        .await;
}

/// What `herald config check` prints with every secret of the run in its configuration.
pub fn config_check(env: &[(&str, &str)]) -> String {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_herald"))
        .args(["config", "check"])
        .env("HERALD_ADMIN_TOKEN", ADMIN_TOKEN)
        .env("HERALD_ENCRYPTION_KEY", ENCRYPTION_KEY)
        .env(
            "HERALD_DATABASE_URL",
            format!("postgres://herald:{DATABASE_PASSWORD}@127.0.0.1:5432/herald"),
        )
        .envs(env.iter().copied())
        .output()
        .expect("herald config check runs");
    assert!(output.status.success(), "{output:?}");
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// GETs every list and every object in it (subscriptions, deliveries with their attempts,
/// events, tokens, …), each answer kept for the scan.
pub async fn read_back(app: &TestApp, answers: &mut Answers, ids: &[String]) {
    let listed = answers.get(app, "/v1/subscriptions?limit=100").await;
    assert_eq!(
        listed["items"].as_array().map(Vec::len),
        Some(ids.len()),
        "{listed}"
    );
    for id in ids {
        answers.get(app, &format!("/v1/subscriptions/{id}")).await;
    }
    let deliveries = answers.get(app, "/v1/deliveries?limit=200").await;
    for delivery in deliveries["items"].as_array().unwrap() {
        let id = delivery["id"].as_str().unwrap();
        answers.get(app, &format!("/v1/deliveries/{id}")).await;
    }
    for status in ["delivered", "failed"] {
        answers
            .get(app, &format!("/v1/deliveries?status={status}"))
            .await;
    }
    let events = answers.get(app, "/v1/events").await;
    for event in events["items"].as_array().unwrap() {
        let id = event["id"].as_str().unwrap();
        answers.get(app, &format!("/v1/events/{id}")).await;
    }
    for path in ["/v1/tokens", "/v1/me", "/v1/tenants", "/v1/rejections"] {
        answers.get(app, path).await;
    }
}

/// What Herald keeps in NATS: operational events (a failed delivery's error) and the jobs
/// still in the deliveries stream.
pub async fn scan_nats(app: &TestApp, secrets: &Secrets, findings: &mut Findings) -> usize {
    let ops = app.nats.ops_events().await;
    for event in &ops {
        findings.scan(
            secrets,
            "NATS messages",
            "ops event",
            &event.to_string(),
            &[],
        );
    }
    for (job, headers) in app.nats.jobs().await {
        findings.scan(
            secrets,
            "NATS messages",
            "delivery job",
            &format!("{job:?} {headers:?}"),
            &[],
        );
    }
    ops.len()
}

/// Every attempt row, every row of every table as JSON, and a `pg_dump` of the data.
pub async fn scan_database(
    app: &TestApp,
    secrets: &Secrets,
    findings: &mut Findings,
    subscriptions: usize,
) {
    let attempts: Vec<String> =
        sqlx::query_scalar("SELECT row_to_json(a)::text FROM delivery_attempts a")
            .fetch_all(app.store.pool())
            .await
            .unwrap();
    assert!(
        attempts.len() >= 2 * subscriptions,
        "{} attempt rows",
        attempts.len()
    );
    for row in &attempts {
        findings.scan(secrets, "attempt rows", "delivery_attempts", row, &[]);
    }
    let tables: Vec<String> =
        sqlx::query_scalar("SELECT tablename::text FROM pg_tables WHERE schemaname = 'public'")
            .fetch_all(app.store.pool())
            .await
            .unwrap();
    for table in tables {
        let rows: Vec<String> =
            sqlx::query_scalar(&format!("SELECT row_to_json(t)::text FROM {table} t"))
                .fetch_all(app.store.pool())
                .await
                .unwrap();
        for row in rows {
            findings.scan(secrets, "database rows", &table, &row, &[]);
        }
    }
    let dump = std::process::Command::new("pg_dump")
        .args(["--data-only", &app.database.url])
        .output()
        .expect("pg_dump runs");
    assert!(
        dump.status.success(),
        "{}",
        String::from_utf8_lossy(&dump.stderr)
    );
    findings.scan(
        secrets,
        "pg_dump",
        "pg_dump",
        &String::from_utf8_lossy(&dump.stdout),
        &[],
    );
}

/// Waits until every one of the event's `expected` deliveries is delivered or failed.
pub async fn settled(app: &TestApp, ce_id: &str, expected: usize) {
    eventually(
        WAIT,
        &format!("the deliveries of {ce_id} settled"),
        || async {
            let event: Value = app
                .get(&format!("/v1/events/{ce_id}"))
                .await
                .json()
                .await
                .ok()?;
            let deliveries = event["deliveries"].as_array()?;
            (deliveries.len() == expected
                && deliveries
                    .iter()
                    .all(|d| d["status"] == "delivered" || d["status"] == "failed"))
            .then_some(())
        },
    )
    .await;
}
