//! Herald's own operational events as events of the tenant: a subscription that names them
//! receives them like any other event, publishers cannot forge them, and they never feed
//! themselves.

use std::time::Duration;

use herald::samples::sample_event;
use serde_json::{Value, json};

use crate::support::{
    Platform, Receiver, Reply, Scripted, SmtpBehaviour, SmtpServer, StandIn, TestApp, eventually,
    fast_retry, spawn_app, spawn_targets, subscribe_receiver,
};

const WAIT: Duration = Duration::from_secs(20);

async fn app_with_smtp(server: &SmtpServer) -> TestApp {
    let port = server.port;
    spawn_targets("ingest,dispatcher,api", move |c| {
        c.insert("smtp_host".into(), json!("127.0.0.1"));
        c.insert("smtp_port".into(), json!(port));
        c.insert("smtp_security".into(), json!("none"));
        c.insert("smtp_from".into(), json!("Herald <herald@example.com>"));
    })
    .await
}

/// A webhook subscription of acme for Herald's events of `types`, to `receiver`.
async fn ops_hook(app: &TestApp, receiver: &Receiver, types: &[&str], extra: Value) -> String {
    let mut fields = json!({"name": "ops hook", "event_types": types});
    if let (Some(fields), Value::Object(extra)) = (fields.as_object_mut(), extra) {
        fields.extend(extra);
    }
    subscribe_receiver(app, &receiver.url, fields).await.0
}

/// Event types the receiver got, in order.
fn types(receiver: &Receiver) -> Vec<String> {
    receiver
        .received()
        .iter()
        .map(|r| r.json()["type"].as_str().unwrap_or_default().to_owned())
        .collect()
}

async fn stored_types(app: &TestApp) -> Vec<String> {
    sqlx::query_scalar("SELECT type FROM events ORDER BY received_at, type")
        .fetch_all(app.store.pool())
        .await
        .unwrap()
}

#[tokio::test]
async fn a_webhook_answering_410_is_reported_by_one_mail_naming_it() {
    let server = SmtpServer::start(SmtpBehaviour::default()).await;
    let app = app_with_smtp(&server).await;
    let gone = Receiver::start(Reply::status(410)).await;
    let everything = Receiver::start(Reply::status(204)).await;
    let (webhook_id, _) =
        subscribe_receiver(&app, &gone.url, json!({"name": "archive hook"})).await;
    // `*` is for the tenant's job events: Herald's own reach only who names them.
    subscribe_receiver(&app, &everything.url, json!({"event_types": ["*"]})).await;
    app.subscribe(json!({
        "tenant": "acme", "name": "owners", "channel": "email",
        "event_types": ["herald.subscription.disabled"],
        "target": {"to": ["owners@example.com"]},
    }))
    .await;

    app.publish_sample("transfer.failed", "e1").await;
    let mail = server.wait_for(1, WAIT).await.remove(0);
    assert_eq!(mail.rcpts, ["owners@example.com"]);
    assert_eq!(
        mail.decoded_header("Subject").as_deref(),
        Some("❌ Webhook subscription disabled: archive hook")
    );
    let text = mail.text_plain().expect("a text part");
    assert!(text.contains("410"), "{text}");
    assert!(text.contains(&webhook_id), "{text}");

    let shown: Value = app
        .get(&format!("/v1/subscriptions/{webhook_id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(shown["enabled"], false);
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(server.received().len(), 1, "exactly one mail");
    assert_eq!(types(&everything), ["transfer.failed"]);
    // The event is the tenant's, listed like any other.
    let listed: Value = app
        .get("/v1/events?type=herald.subscription.disabled")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        listed["items"].as_array().map(Vec::len),
        Some(1),
        "{listed}"
    );
}

#[tokio::test]
async fn a_delivery_failing_for_good_reaches_the_subscription_of_its_ops_event() {
    let app = crate::support::spawn_delivering_app().await;
    let failing = Receiver::start(Reply::status(503).body("upstream down")).await;
    let owners = Receiver::start(Reply::status(204)).await;
    let (failing_id, _) = subscribe_receiver(&app, &failing.url, fast_retry(2, 0.2)).await;
    ops_hook(&app, &owners, &["herald.delivery.failed"], json!({})).await;

    app.publish_sample("backup.failed", "b1").await;
    let told = owners.wait_for(1, WAIT).await.remove(0).json();
    assert_eq!(told["type"], "herald.delivery.failed");
    assert_eq!(told["source"], "herald");
    assert_eq!(told["data"]["subscription_id"], failing_id.as_str());
    assert_eq!(told["data"]["event_type"], "backup.failed");
    assert_eq!(told["data"]["channel"], "webhook");
    assert_eq!(told["data"]["attempts"], 2);
    assert_eq!(told["data"]["last_status_code"], 503);
    assert_eq!(told["data"]["last_error"], "HTTP 503: upstream down");
    // Still published where external consumers read it (CONTRACT §3).
    let ops = app.nats.ops_events().await;
    assert_eq!(ops.len(), 1, "{ops:?}");
}

#[tokio::test]
async fn an_ops_subscription_failing_for_good_reports_nothing_about_itself() {
    let app = crate::support::spawn_delivering_app().await;
    let failing = Receiver::start(Reply::status(500)).await;
    let broken_owners = Receiver::start(Reply::status(500)).await;
    subscribe_receiver(&app, &failing.url, fast_retry(1, 0.2)).await;
    let ops_id = ops_hook(&app, &broken_owners, &["herald.*"], fast_retry(1, 0.2)).await;

    app.publish_sample("transfer.failed", "t1").await;
    broken_owners.wait_for(1, WAIT).await;
    eventually(WAIT, "the ops delivery failed", || async {
        let status: Option<String> =
            sqlx::query_scalar("SELECT status FROM deliveries WHERE subscription_id = $1")
                .bind(
                    ops_id
                        .parse::<herald_domain::SubscriptionId>()
                        .unwrap()
                        .as_uuid(),
                )
                .fetch_optional(app.store.pool())
                .await
                .unwrap();
        (status.as_deref() == Some("failed")).then_some(())
    })
    .await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(
        stored_types(&app).await,
        ["transfer.failed", "herald.delivery.failed"]
    );
    assert_eq!(types(&broken_owners), ["herald.delivery.failed"]);
    assert_eq!(app.nats.ops_events().await.len(), 1);
}

#[tokio::test]
async fn a_subscription_that_delivers_again_or_is_enabled_again_has_recovered() {
    let app = crate::support::spawn_delivering_app().await;
    let flaky = Receiver::start(Reply::status(204)).await;
    flaky.script([Reply::status(500)]);
    let owners = Receiver::start(Reply::status(204)).await;
    let (flaky_id, _) = subscribe_receiver(&app, &flaky.url, fast_retry(1, 0.2)).await;
    ops_hook(&app, &owners, &["herald.subscription.recovered"], json!({})).await;

    app.publish_sample("transfer.failed", "down").await;
    app.delivery_when("down", "failed", WAIT).await;
    // Its herald.delivery.failed is out once the failure is noted.
    eventually(WAIT, "the failure reported", || async {
        (app.nats.ops_events().await.len() == 1).then_some(())
    })
    .await;
    app.publish_sample("transfer.completed", "up").await;
    let told = owners.wait_for(1, WAIT).await.remove(0).json();
    assert_eq!(told["type"], "herald.subscription.recovered");
    assert_eq!(told["data"]["subscription_id"], flaky_id.as_str());
    assert_eq!(told["data"]["failed_deliveries"], 1);

    // Switched off and on again through the API: one more notice, and none for the next
    // delivery, which is no recovery.
    for enabled in [false, true] {
        let response = app
            .patch(
                &format!("/v1/subscriptions/{flaky_id}"),
                &json!({"enabled": enabled}),
            )
            .await;
        assert_eq!(response.status(), 200);
    }
    let told = owners.wait_for(2, WAIT).await.remove(1).json();
    assert_eq!(told["data"]["reason"], "enabled again through the API");
    app.publish_sample("transfer.completed", "still-up").await;
    app.delivery_when("still-up", "delivered", WAIT).await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(owners.received().len(), 2);
}

#[tokio::test]
async fn a_publisher_cannot_forge_heralds_own_events() {
    let app = spawn_app().await;
    let mut forged = sample_event("transfer.failed", "acme", "forged", chrono::Utc::now());
    forged["type"] = json!("herald.delivery.failed");
    forged["data"] = json!({"subscription_id": "sub_01HZX", "attempts": 8});
    app.nats.publish_event(&forged, "forged").await;

    let listed: Value = eventually(WAIT, "the rejection listed", || async {
        let body: Value = app.get("/v1/rejections").await.json().await.ok()?;
        (body["items"].as_array()?.len() == 1).then_some(body)
    })
    .await;
    let rejection = &listed["items"][0];
    assert_eq!(rejection["reason_code"], "reserved_type");
    assert!(
        rejection["reason"]
            .as_str()
            .unwrap()
            .contains("\"herald.delivery.failed\" is reserved"),
        "{rejection}"
    );
    assert_eq!(app.event_count().await, 0);

    // Over HTTP the publisher hears it at once.
    forged["id"] = json!("forged-http");
    let response = app.post("/v1/events", &forged).await;
    assert_eq!(response.status(), 422);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "reserved_type");
}

#[tokio::test]
async fn a_slack_target_failing_for_good_sends_its_event_to_the_fallback_once() {
    let server = SmtpServer::start(SmtpBehaviour::default()).await;
    let app = app_with_smtp(&server).await;
    let slack = StandIn::start(Platform::Slack).await;
    slack.script([
        Scripted::Answer(500, "internal_error"),
        Scripted::Answer(500, "internal_error"),
        Scripted::Answer(500, "internal_error"),
    ]);
    // The fallback's own filters do not matter: it takes what is sent to it.
    let mail_id = app
        .subscribe(json!({
            "tenant": "acme", "name": "on-call mail", "channel": "email",
            "event_types": ["backup.*"],
            "target": {"to": ["oncall@example.com"]},
        }))
        .await;
    let mut slack_sub = json!({
        "tenant": "acme", "name": "ops", "channel": "slack",
        "target": {"webhook_url": slack.url},
        "fallback_subscription_id": mail_id,
    });
    if let (Some(body), Value::Object(retry)) = (slack_sub.as_object_mut(), fast_retry(3, 0.2)) {
        body.extend(retry);
    }
    app.subscribe(slack_sub).await;

    app.publish_sample("transfer.failed", "t1").await;
    let mail = server.wait_for(1, WAIT).await.remove(0);
    assert_eq!(mail.rcpts, ["oncall@example.com"]);
    assert_eq!(
        mail.decoded_header("Subject").as_deref(),
        Some("❌ Transfer failed: nightly-backup")
    );
    let text = mail.text_plain().expect("a text part");
    assert!(
        text.contains("Sent here because Slack 'ops' failed: HTTP 500 after 3 attempts."),
        "{text}"
    );
    let html = mail.text_html().expect("an HTML part");
    assert!(html.contains("Sent here because Slack"), "{html}");

    // The same event failing again (a manual retry) does not send it there twice.
    let slack_delivery = app.delivery_when("t1", "failed", WAIT).await;
    assert_eq!(slack_delivery["attempt_count"], 3);
    slack.script([
        Scripted::Answer(500, "internal_error"),
        Scripted::Answer(500, "internal_error"),
        Scripted::Answer(500, "internal_error"),
    ]);
    let retried = app
        .post(
            &format!(
                "/v1/deliveries/{}/retry",
                slack_delivery["id"].as_str().unwrap()
            ),
            &json!({}),
        )
        .await;
    assert_eq!(retried.status(), 202);
    eventually(WAIT, "the retry failed too", || async {
        let again = app.delivery_when("t1", "failed", WAIT).await;
        (again["attempt_count"] == 6).then_some(())
    })
    .await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(server.received().len(), 1, "exactly one fallback mail");
    let reasons: Vec<Option<String>> =
        sqlx::query_scalar("SELECT fallback_reason FROM deliveries WHERE fallback_of IS NOT NULL")
            .fetch_all(app.store.pool())
            .await
            .unwrap();
    assert_eq!(
        reasons,
        [Some(
            "Slack 'ops' failed: HTTP 500 after 3 attempts".to_owned()
        )]
    );
}

#[tokio::test]
async fn a_fallback_that_fails_too_goes_no_further() {
    let app = crate::support::spawn_delivering_app().await;
    let first = Receiver::start(Reply::status(500)).await;
    let second = Receiver::start(Reply::status(500)).await;
    let third = Receiver::start(Reply::status(204)).await;
    let (third_id, _) =
        subscribe_receiver(&app, &third.url, json!({"event_types": ["backup.*"]})).await;
    let mut second_fields = fast_retry(1, 0.2);
    second_fields["event_types"] = json!(["backup.*"]);
    second_fields["fallback_subscription_id"] = json!(third_id);
    let (second_id, _) = subscribe_receiver(&app, &second.url, second_fields).await;
    let mut first_fields = fast_retry(1, 0.2);
    first_fields["fallback_subscription_id"] = json!(second_id);
    first_fields["name"] = json!("first hook");
    subscribe_receiver(&app, &first.url, first_fields).await;

    app.publish_sample("transfer.failed", "t1").await;
    second.wait_for(1, WAIT).await;
    let told = second.received()[0].json();
    assert_eq!(
        told["heraldfallbackreason"],
        "Webhook 'first hook' failed: HTTP 500 after 1 attempt"
    );
    assert!(
        told["heraldfallbackof"]
            .as_str()
            .unwrap()
            .starts_with("dlv_")
    );
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert!(
        third.received().is_empty(),
        "a fallback's failure does not chain"
    );
}
