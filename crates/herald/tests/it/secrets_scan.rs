//! One run that uses every kind of secret Herald holds (webhook signing secrets, auth, custom
//! headers, credentials and tokens in URLs, chat webhook tokens, the SMTP password, the admin
//! and tenant tokens, the encryption key), publishes, delivers and fails, sends tests, previews
//! and rotates; then looks for each secret in every log line of the binary at debug, every API
//! answer, /metrics, every exported span and a dump of the database. Only the answers that
//! show a secret once by design are allowed to hold it, and only that secret.

mod places;
mod process;
mod scan;

use std::time::Duration;

use serde_json::{Value, json};

use crate::support::otlp::start_collector;
use crate::support::{
    ADMIN_TOKEN, ENCRYPTION_KEY, Platform, Receiver, Reply, Scripted, SmtpBehaviour, SmtpServer,
    StandIn, eventually, spawn_app,
};
use places::{
    Answers, config_check, patch_and_refuse, read_back, scan_database, scan_nats, settled, text,
};
use process::{free_port, serve_logged};
use scan::*;

const WAIT: Duration = Duration::from_secs(30);

/// `url` with its last path segment replaced by `token`: the stand-ins answer on any path.
fn with_token(url: &str, token: &str) -> String {
    let (base, _) = url.rsplit_once('/').unwrap();
    format!("{base}/{token}")
}

#[tokio::test]
async fn no_secret_appears_in_logs_answers_metrics_spans_or_the_database() {
    let mut secrets = Secrets::new(ADMIN_TOKEN, ENCRYPTION_KEY);
    let mut findings = Findings::default();
    let (otlp, collector) = start_collector().await;
    let ok = Receiver::start(Reply::status(204)).await;
    ok.script([Reply::status(500)]);
    let refusing = Receiver::start(Reply::status(400).body("no")).await;
    let slack = StandIn::start(Platform::Slack).await;
    slack.script([Scripted::Answer(500, "rollup_error")]);
    let discord = StandIn::start(Platform::Discord).await;
    let teams = StandIn::start(Platform::Teams).await;
    let smtp = SmtpServer::start(SmtpBehaviour {
        credentials: Some((SMTP_USER.into(), SMTP_PASSWORD.into())),
        ..SmtpBehaviour::default()
    })
    .await;
    let closed = free_port();

    // The test's own process only migrates and hands over: the binary does the work.
    let mut app = spawn_app().await;
    app.stop().await;
    let (api_port, admin_port) = (free_port(), free_port());
    let smtp_port = smtp.port.to_string();
    let env: &[(&str, &str)] = &[
        ("HERALD_API_ADDR", &format!("127.0.0.1:{api_port}")),
        ("HERALD_ADMIN_ADDR", &format!("127.0.0.1:{admin_port}")),
        ("OTEL_EXPORTER_OTLP_ENDPOINT", &otlp),
        ("HERALD_SMTP_HOST", "127.0.0.1"),
        ("HERALD_SMTP_PORT", &smtp_port),
        ("HERALD_SMTP_SECURITY", "none"),
        ("HERALD_SMTP_USERNAME", SMTP_USER),
        ("HERALD_SMTP_PASSWORD", SMTP_PASSWORD),
        ("HERALD_SMTP_FROM", "Herald <herald@example.com>"),
        ("HERALD_SECRET_ROTATION_OVERLAP_SECS", "3600"),
    ];
    let mut herald = serve_logged(&app, "ingest,dispatcher,api", env);
    app.api = format!("http://127.0.0.1:{api_port}");
    app.admin = format!("http://127.0.0.1:{admin_port}");
    eventually(WAIT, "the binary's API", || async {
        let ready = app
            .http
            .get(app.url("/v1/me"))
            .bearer_auth(ADMIN_TOKEN)
            .send();
        ready.await.ok().filter(|r| r.status() == 200)
    })
    .await;

    let retry = json!({"max_attempts": 2, "delays_seconds": [0.2]});
    let (host, _) = ok.url.split_once("/hook").unwrap();
    let host = host.trim_start_matches("http://");
    let bodies = [
        json!({"name": "signed", "channel": "webhook", "target": {
            "url": ok.url, "secret": format!("whsec_{SIGNING_KEY}"),
            "auth": {"type": "basic", "username": BASIC_USER, "password": BASIC_PASSWORD},
            "headers": {"X-Api-Key": HEADER_VALUE}}}),
        json!({"name": "bearer", "channel": "webhook", "target": {
            "url": refusing.url, "auth": {"type": "bearer", "token": BEARER_TOKEN}}}),
        json!({"name": "in url", "channel": "webhook", "target": {
            "url": format!("http://{URL_USER}:{URL_PASSWORD}@{host}/hook?token={QUERY_TOKEN}"),
            "auth": {"type": "api_key", "header": "X-Key", "value": API_KEY}}}),
        json!({"name": "dead url", "channel": "webhook", "target": {
            "url": format!("http://127.0.0.1:{closed}/hook?token={QUERY_TOKEN}")}}),
        json!({"name": "slack", "channel": "slack",
            "target": {"webhook_url": with_token(&slack.url, SLACK_TOKEN)}}),
        json!({"name": "discord", "channel": "discord",
            "target": {"webhook_url": with_token(&discord.url, DISCORD_TOKEN)}}),
        json!({"name": "dead discord", "channel": "discord", "target": {"webhook_url":
            format!("http://127.0.0.1:{closed}/api/webhooks/123456789012345678/{DEAD_DISCORD_TOKEN}")}}),
        json!({"name": "teams", "channel": "teams", "target": {"webhook_url":
            format!("{}?api-version=1&sig={TEAMS_SIG}", teams.url)}}),
        json!({"name": "mail", "channel": "email", "target": {"to": ["ops@example.com"]}}),
    ];
    let mut ids = Vec::new();
    for mut body in bodies {
        body["tenant"] = json!("acme");
        body["retry"] = retry.clone();
        let (status, answer) = text(app.post("/v1/subscriptions", &body).await).await;
        assert_eq!(status, 201, "{answer}");
        let created: Value = serde_json::from_str(&answer).unwrap();
        // By design the create answer shows the signing secret once: only that one may appear.
        let shown = created["secret"].as_str().unwrap_or_default().to_owned();
        let shown = shown.trim_start_matches("whsec_");
        findings.scan(
            &secrets,
            "API answers",
            "POST /v1/subscriptions",
            &answer,
            &[shown],
        );
        ids.push(created["id"].as_str().unwrap().to_owned());
    }

    let (status, answer) = text(
        app.post("/v1/tokens", &json!({"tenant": "acme", "name": "scan"}))
            .await,
    )
    .await;
    assert_eq!(status, 201, "{answer}");
    let tenant_token = serde_json::from_str::<Value>(&answer).unwrap()["token"]
        .as_str()
        .unwrap()
        .to_owned();
    // By design the token is shown once, in the answer that creates it.
    findings.scan(
        &secrets,
        "API answers",
        "POST /v1/tokens",
        &answer,
        &[&tenant_token],
    );
    secrets.add("tenant token", &tenant_token);

    let mut answers = Answers(Vec::new());
    app.publish_sample("transfer.failed", "scan-1").await;
    let event =
        herald::samples::sample_event("transfer.failed", "acme", "scan-2", chrono::Utc::now());
    let published = app
        .http
        .post(app.url("/v1/events"))
        .bearer_auth(&tenant_token)
        .json(&event)
        .send()
        .await
        .unwrap();
    let (status, answer) = text(published).await;
    assert_eq!(status, 202, "{answer}");
    answers.0.push(("POST /v1/events".into(), answer));
    for ce_id in ["scan-1", "scan-2"] {
        settled(&app, ce_id, ids.len()).await;
    }

    for id in &ids {
        answers
            .post(&app, &format!("/v1/subscriptions/{id}/test"), &json!({}))
            .await;
        let preview = json!({"sample": "transfer.failed"});
        answers
            .post(&app, &format!("/v1/subscriptions/{id}/preview"), &preview)
            .await;
        let preview = json!({"event_id": "scan-1"});
        answers
            .post(&app, &format!("/v1/subscriptions/{id}/preview"), &preview)
            .await;
    }

    patch_and_refuse(&app, &mut answers, &ids[1], &refusing.url).await;

    let (status, answer) = text(
        app.post(
            &format!("/v1/subscriptions/{}/rotate-secret", ids[0]),
            &json!({}),
        )
        .await,
    )
    .await;
    assert_eq!(status, 200, "{answer}");
    let rotated = serde_json::from_str::<Value>(&answer).unwrap()["secret"]
        .as_str()
        .unwrap()
        .trim_start_matches("whsec_")
        .to_owned();
    // By design the rotation answer shows the new secret once; the old one must not appear.
    findings.scan(
        &secrets,
        "API answers",
        "POST rotate-secret",
        &answer,
        &[&rotated],
    );
    secrets.add("rotated signing secret", &rotated);
    app.publish_sample("transfer.failed", "scan-3").await;
    settled(&app, "scan-3", ids.len()).await;

    // The secrets were really used, so their absence below means something.
    let signed = ok.received();
    let header = |name: &str| {
        signed
            .iter()
            .filter_map(|r| r.header(name).map(str::to_owned))
            .collect::<Vec<_>>()
    };
    assert!(header("x-api-key").contains(&HEADER_VALUE.to_owned()));
    assert!(header("x-key").contains(&API_KEY.to_owned()));
    assert!(
        signed.iter().any(|r| r
            .header("webhook-signature")
            .is_some_and(|s| s.contains(' '))),
        "both secrets signed"
    );
    assert!(
        !slack.accepted().is_empty()
            && !discord.accepted().is_empty()
            && !teams.accepted().is_empty()
    );
    assert!(
        !smtp.received().is_empty(),
        "a mail went through the authenticated relay"
    );

    read_back(&app, &mut answers, &ids).await;
    for (source, answer) in &answers.0 {
        findings.scan(&secrets, "API answers", source, answer, &[]);
    }
    let metrics = text(app.http.get(app.url("/metrics")).send().await.unwrap())
        .await
        .1;
    findings.scan(&secrets, "metrics", "API /metrics", &metrics, &[]);
    findings.scan(
        &secrets,
        "metrics",
        "admin /metrics",
        &app.admin_metrics().await,
        &[],
    );

    scan_database(&app, &secrets, &mut findings, ids.len()).await;

    let ops = scan_nats(&app, &secrets, &mut findings).await;
    assert!(ops > 0, "failed deliveries published operational events");
    let exit = herald.terminate().await;
    assert!(exit.success(), "herald exited with {exit}");
    let log = herald.output();
    assert!(
        log.contains("\"level\":\"DEBUG\""),
        "the log is at debug: {}",
        &log[..log.len().min(2000)]
    );
    for (number, line) in log.lines().enumerate() {
        findings.scan(
            &secrets,
            "log lines",
            &format!("log line {}", number + 1),
            line,
            &[],
        );
    }
    let checked = config_check(env);
    findings.scan(&secrets, "log lines", "herald config check", &checked, &[]);
    let spans = eventually(WAIT, "the exported spans", || async {
        let spans = collector.spans();
        spans
            .iter()
            .any(|s| s.name == "herald.delivery.attempt")
            .then_some(spans)
    })
    .await;
    for span in &spans {
        findings.scan(
            &secrets,
            "spans",
            &format!("span {}", span.name),
            &format!("{span:?}"),
            &[],
        );
    }

    // The scan finds what it looks for, so an empty result means something.
    let mut probe = Findings::default();
    probe.scan(
        &secrets,
        "probe",
        "probe",
        &format!("x{PATCHED_TOKEN}x"),
        &[],
    );
    assert_eq!(probe.found().len(), 1);
    assert!(
        findings.found().is_empty(),
        "{} secret(s) leaked (log at {}):\n{}",
        findings.found().len(),
        herald.log.display(),
        findings.found().join("\n")
    );
    let _ = std::fs::remove_file(&herald.log);
    eprintln!("scanned: {:?}", findings.scanned);
}
