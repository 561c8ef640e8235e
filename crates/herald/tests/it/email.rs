//! Email per event against a real SMTP conversation: what arrives, what each reply means, and
//! what publisher text can never do.

use std::time::Duration;

use herald::samples::sample_event;
use serde_json::{Value, json};

use crate::support::{SmtpBehaviour, SmtpReply, SmtpServer, TestApp, spawn_targets};

const WAIT: Duration = Duration::from_secs(15);

async fn app_with_smtp(server: &SmtpServer, security: &str, timeout_secs: u64) -> TestApp {
    let port = server.port;
    let security = security.to_owned();
    spawn_targets("ingest,dispatcher,api", move |c| {
        c.insert("smtp_host".into(), json!("127.0.0.1"));
        c.insert("smtp_port".into(), json!(port));
        c.insert("smtp_security".into(), json!(security));
        c.insert("smtp_from".into(), json!("Herald <herald@example.com>"));
        c.insert("smtp_timeout_secs".into(), json!(timeout_secs));
    })
    .await
}

async fn subscribe_mail(app: &TestApp) -> String {
    app.subscribe(json!({
        "tenant": "acme", "name": "ops mail", "channel": "email",
        "target": {"to": ["ops@example.com"], "cc": ["lead@example.com"]},
        "retry": {"max_attempts": 3, "delays_seconds": [0.3]},
    }))
    .await
}

#[tokio::test]
async fn a_failure_arrives_as_one_multipart_mail_with_the_right_headers() {
    let server = SmtpServer::start(SmtpBehaviour::default()).await;
    let app = app_with_smtp(&server, "none", 10).await;
    subscribe_mail(&app).await;
    app.publish_sample("transfer.failed", "e1").await;
    let mail = &server.wait_for(1, WAIT).await[0];
    assert_eq!(mail.from, "herald@example.com");
    assert_eq!(mail.rcpts, ["ops@example.com", "lead@example.com"]);
    assert_eq!(
        mail.decoded_header("Subject").as_deref(),
        Some("❌ Transfer failed: nightly-backup")
    );
    assert!(
        mail.header("Content-Type")
            .unwrap()
            .starts_with("multipart/alternative")
    );
    let text = mail.text_plain().expect("a text part");
    let html = mail.text_html().expect("an HTML part");
    assert!(text.contains("Access denied") && html.contains("Access denied"));
    assert!(!html.contains("<img"), "no remote images");
    let delivery = app.delivery_when("e1", "delivered", WAIT).await;
    let attempt = &delivery["attempts"][0];
    assert_eq!(attempt["status_code"], 250);
    assert_eq!(attempt["method"], Value::Null);
    assert_eq!(
        attempt["destination"],
        format!("smtp://127.0.0.1:{}", server.port)
    );
}

#[tokio::test]
async fn a_451_is_retried_and_a_550_fails_at_once() {
    let server = SmtpServer::start(SmtpBehaviour::default()).await;
    server.script([SmtpReply::TempFail]);
    let app = app_with_smtp(&server, "none", 10).await;
    subscribe_mail(&app).await;
    app.publish_sample("transfer.failed", "temp").await;
    let delivery = app.delivery_when("temp", "delivered", WAIT).await;
    assert_eq!(delivery["attempts"][0]["status_code"], 451);
    assert_eq!(delivery["attempts"][1]["status_code"], 250);

    server.script([SmtpReply::PermFail]);
    app.publish_sample("transfer.failed", "perm").await;
    let delivery = app.delivery_when("perm", "failed", WAIT).await;
    assert_eq!(delivery["attempt_count"], 1, "not retried");
    assert_eq!(delivery["attempts"][0]["status_code"], 550);
    assert!(
        delivery["attempts"][0]["error"]
            .as_str()
            .unwrap()
            .contains("550")
    );
}

#[tokio::test]
async fn a_stalled_server_times_out_and_the_mail_is_tried_again() {
    let server = SmtpServer::start(SmtpBehaviour::default()).await;
    server.script([SmtpReply::Stall(Duration::from_secs(3))]);
    let app = app_with_smtp(&server, "none", 1).await;
    subscribe_mail(&app).await;
    app.publish_sample("transfer.failed", "slow").await;
    let delivery = app.delivery_when("slow", "delivered", WAIT).await;
    assert_eq!(
        delivery["attempts"][0]["error_class"], "timeout",
        "{delivery}"
    );
    assert_eq!(delivery["attempts"][1]["status_code"], 250);
}

#[tokio::test]
async fn required_starttls_against_a_server_without_it_sends_nothing_in_plain_text() {
    let server = SmtpServer::start(SmtpBehaviour::default()).await;
    let app = app_with_smtp(&server, "starttls", 5).await;
    subscribe_mail(&app).await;
    app.publish_sample("transfer.failed", "tls").await;
    let delivery = app.delivery_when("tls", "failed", WAIT).await;
    assert!(delivery["attempts"][0]["error"].is_string(), "{delivery}");
    let commands = server.commands();
    assert!(
        !commands
            .iter()
            .any(|c| c.starts_with("MAIL") || c.starts_with("DATA")),
        "{commands:?}"
    );
    assert!(server.received().is_empty());
}

#[tokio::test]
async fn a_name_with_a_line_break_never_becomes_a_header() {
    let server = SmtpServer::start(SmtpBehaviour::default()).await;
    let app = app_with_smtp(&server, "none", 10).await;
    subscribe_mail(&app).await;
    let mut event = sample_event("transfer.failed", "acme", "evil", chrono::Utc::now());
    event["data"]["name"] = json!("nightly\r\nBcc: x@evil.example");
    app.nats.publish_event(&event, "evil").await;
    let mail = &server.wait_for(1, WAIT).await[0];
    assert_eq!(mail.rcpts, ["ops@example.com", "lead@example.com"]);
    assert!(mail.header("Bcc").is_none());
    let subject = mail.decoded_header("Subject").unwrap();
    assert!(
        !subject.contains('\n') && !subject.contains('\r'),
        "{subject:?}"
    );
}

#[tokio::test]
async fn without_smtp_an_email_delivery_fails_saying_so() {
    let app = spawn_targets("ingest,dispatcher,api", |_| {}).await;
    subscribe_mail(&app).await;
    app.publish_sample("transfer.failed", "nosmtp").await;
    let delivery = app.delivery_when("nosmtp", "failed", WAIT).await;
    let error = delivery["attempts"][0]["error"].as_str().unwrap();
    assert!(error.contains("SMTP is not configured"), "{error}");
}

#[tokio::test]
async fn a_connection_dropped_mid_mail_is_tried_once_more_within_the_attempt() {
    let server = SmtpServer::start(SmtpBehaviour::default()).await;
    server.script([SmtpReply::Drop]);
    let app = app_with_smtp(&server, "none", 10).await;
    subscribe_mail(&app).await;
    app.publish_sample("transfer.failed", "dropped").await;
    let delivery = app.delivery_when("dropped", "delivered", WAIT).await;
    assert_eq!(
        delivery["attempt_count"], 1,
        "not another attempt: {delivery}"
    );
    assert_eq!(server.received().len(), 1);
    assert_eq!(
        server.connections(),
        2,
        "a fresh connection for the second try"
    );
}
