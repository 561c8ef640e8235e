//! The daily digest with a clock the test moves: once per subscription and day however many
//! replicas run, the right figures for a 25-hour day in Europe/Berlin, nothing of another
//! tenant, a missed day caught up, the preview equal to the mail, and silence on an empty day
//! when asked for.

use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use herald::samples::sample_event;
use herald_bus::{Bus, SubjectPrefix};
use herald_digest::{DigestConfig, Digester};
use serde_json::{Value, json};

use crate::support::{SmtpBehaviour, SmtpServer, TestApp, eventually, spawn_targets};

const WAIT: Duration = Duration::from_secs(15);

fn utc(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, min, 0).unwrap()
}

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

/// A digest replica of its own (the test calls its passes with the time it wants).
async fn replica(app: &TestApp) -> Digester {
    let prefix = SubjectPrefix::parse(app.nats.names.prefix()).unwrap();
    let bus = Bus::connect(&crate::support::nats_url(), prefix, "digest-test")
        .await
        .unwrap();
    Digester::new(
        app.store.clone(),
        bus,
        DigestConfig {
            default_timezone: chrono_tz::Europe::Berlin,
            ..DigestConfig::default()
        },
    )
}

async fn publish_at(app: &TestApp, tenant: &str, event_type: &str, id: &str, at: DateTime<Utc>) {
    let event = sample_event(event_type, tenant, id, at);
    app.nats.publish_event(&event, id).await;
}

async fn digest_subscription(app: &TestApp, tenant: &str, to: &str, skip_empty: bool) -> String {
    let id = app
        .subscribe(json!({
            "tenant": tenant, "name": format!("daily {to}"), "channel": "email",
            "target": {"to": [to]},
            "digest": {"hour": 8, "timezone": "Europe/Berlin", "skip_empty": skip_empty},
        }))
        .await;
    // Made "before" the days the test sends digests for.
    sqlx::query("UPDATE subscriptions SET created_at = '2026-01-01' WHERE id = $1")
        .bind(
            id.parse::<herald_domain::SubscriptionId>()
                .unwrap()
                .as_uuid(),
        )
        .execute(app.store.pool())
        .await
        .unwrap();
    id
}

#[tokio::test]
async fn one_digest_per_day_with_the_days_figures_across_a_clock_change() {
    let server = SmtpServer::start(SmtpBehaviour::default()).await;
    let app = app_with_smtp(&server).await;
    let acme = digest_subscription(&app, "acme", "ops@example.com", false).await;
    // Sunday 2026-10-25 in Berlin is 25 hours long: 2026-10-24 22:00 to 2026-10-25 23:00 UTC.
    publish_at(
        &app,
        "acme",
        "transfer.completed",
        "ok-early",
        utc(2026, 10, 24, 22, 30),
    )
    .await;
    publish_at(
        &app,
        "acme",
        "transfer.completed",
        "ok-late",
        utc(2026, 10, 25, 22, 30),
    )
    .await;
    publish_at(
        &app,
        "acme",
        "transfer.failed",
        "failed",
        utc(2026, 10, 25, 1, 30),
    )
    .await;
    publish_at(
        &app,
        "acme",
        "backup.warning",
        "warned",
        utc(2026, 10, 25, 12, 0),
    )
    .await;
    publish_at(
        &app,
        "acme",
        "transfer.completed",
        "before",
        utc(2026, 10, 24, 21, 59),
    )
    .await;
    publish_at(
        &app,
        "acme",
        "transfer.completed",
        "after",
        utc(2026, 10, 25, 23, 0),
    )
    .await;
    publish_at(
        &app,
        "globex",
        "transfer.failed",
        "other-tenant",
        utc(2026, 10, 25, 12, 0),
    )
    .await;
    eventually(WAIT, "7 events stored", || async {
        (app.event_count().await == 7).then_some(())
    })
    .await;

    let (one, two) = (replica(&app).await, replica(&app).await);
    let monday_morning = utc(2026, 10, 26, 7, 5);
    let (a, b) = tokio::join!(one.pass(monday_morning), two.pass(monday_morning));
    assert_eq!(
        a.unwrap().sent + b.unwrap().sent,
        1,
        "claimed once by two replicas"
    );
    assert_eq!(one.pass(monday_morning).await.unwrap().sent, 0, "not again");

    let mail = &server.wait_for(1, WAIT).await[0];
    let subject = mail.decoded_header("Subject").unwrap();
    assert_eq!(
        subject,
        "Herald daily report — acme — 2026-10-25: 2 ok, 1 failed, 1 warning"
    );
    let text = mail.text_plain().unwrap();
    // Transfers of 50 MiB each (two done, one failed after moving its 50) and a 700 MiB backup;
    // the day before had the one at 23:59 its time.
    assert!(text.contains("850 MiB transferred"), "{text}");
    assert!(text.contains("Day before: 1 ok, 0 failed"), "{text}");
    assert!(
        !text.contains("globex") && !text.contains("other-tenant"),
        "{text}"
    );

    let preview = app
        .get(&format!("/v1/digests/{acme}/preview?date=2026-10-25"))
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(
        preview.replace("\r\n", "\n"),
        mail.text_html().unwrap().replace("\r\n", "\n"),
        "the preview is the mail"
    );
    let delivery: Value = app
        .get(&format!("/v1/deliveries?subscription_id={acme}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(delivery["items"][0]["event_type"], "herald.digest");
    assert_eq!(delivery["items"][0]["status"], "delivered");
}

#[tokio::test]
async fn a_missed_day_is_caught_up_within_a_day_and_an_empty_one_can_stay_silent() {
    let server = SmtpServer::start(SmtpBehaviour::default()).await;
    let app = app_with_smtp(&server).await;
    let loud = digest_subscription(&app, "acme", "ops@example.com", false).await;
    digest_subscription(&app, "acme", "quiet@example.com", true).await;
    let digest = replica(&app).await;
    // Herald was down at 08:00 on the 26th and comes back at 19:00: the 25th is caught up.
    let pass = digest.pass(utc(2026, 10, 26, 18, 0)).await.unwrap();
    assert_eq!(pass.sent, 1, "the loud one, for an empty day");
    assert_eq!(pass.skipped_empty, 1, "the quiet one sends nothing");
    let mail = &server.wait_for(1, WAIT).await[0];
    assert_eq!(mail.rcpts, ["ops@example.com"]);
    assert!(
        mail.decoded_header("Subject")
            .unwrap()
            .ends_with("2026-10-25: no events")
    );
    // The digest just sent is a herald.digest event of the 26th: it is not the tenant's
    // activity, so the 26th, asked for now, still has no events.
    let sent = app
        .post(
            &format!("/v1/digests/{loud}/send?date=2026-10-26"),
            &json!({}),
        )
        .await;
    assert_eq!(sent.status(), 202);
    let mails = server.wait_for(2, WAIT).await;
    assert!(
        mails[1]
            .decoded_header("Subject")
            .unwrap()
            .ends_with("2026-10-26: no events"),
        "{:?}",
        mails[1].decoded_header("Subject")
    );
    // Down again from the 27th 07:00 to the 28th 09:00: the 26th is more than a day late and
    // is skipped; the 27th is sent.
    let pass = digest.pass(utc(2026, 10, 28, 8, 0)).await.unwrap();
    assert_eq!(pass.sent + pass.skipped_empty, 2, "{pass:?}");
    let mails = server.wait_for(3, WAIT).await;
    assert!(
        mails[2]
            .decoded_header("Subject")
            .unwrap()
            .contains("2026-10-27")
    );
}

#[tokio::test]
async fn a_digest_can_go_to_discord_and_be_sent_now() {
    let app = spawn_targets("ingest,dispatcher,api", |_| {}).await;
    let discord = crate::support::StandIn::start(crate::support::Platform::Discord).await;
    let id = app
        .subscribe(json!({
            "tenant": "acme", "name": "daily chat", "channel": "discord",
            "target": {"webhook_url": discord.url},
            "digest": {"hour": 8, "timezone": "Europe/Berlin"},
        }))
        .await;
    publish_at(
        &app,
        "acme",
        "transfer.failed",
        "f1",
        utc(2026, 10, 25, 12, 0),
    )
    .await;
    eventually(WAIT, "the event stored", || async {
        (app.event_count().await == 1).then_some(())
    })
    .await;
    let sent: Value = app
        .post(
            &format!("/v1/digests/{id}/send?date=2026-10-25"),
            &json!({}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert!(sent["delivery_id"].as_str().unwrap().starts_with("dlv_"));
    let message = &discord.wait_for(1, WAIT).await[0].payload;
    assert!(discord.refused().is_empty(), "{:?}", discord.refused());
    let embed = message["embeds"][0].to_string();
    assert!(
        embed.contains("2026-10-25") && embed.contains("1 failed"),
        "{embed}"
    );
}
