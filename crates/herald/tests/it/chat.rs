//! Slack, Discord and Teams as their users meet them: messages within every limit, nobody
//! pinged by publisher text, each platform's pace kept, and gone webhooks switched off.

use std::time::{Duration, Instant};

use herald::samples::sample_event;
use serde_json::{Value, json};

use crate::support::{
    Platform, Receiver, Reply, Scripted, StandIn, TestApp, eventually, spawn_delivering_app,
    subscribe_receiver,
};

async fn subscribe_chat(app: &TestApp, channel: &str, url: &str, extra: Value) -> String {
    let mut body = json!({
        "tenant": "acme",
        "name": format!("{channel} {}", uuid::Uuid::now_v7()),
        "channel": channel,
        "target": {"webhook_url": url},
        "retry": {"max_attempts": 3, "delays_seconds": [0.2]},
    });
    if let (Some(target), Some(more)) = (body["target"].as_object_mut(), extra.as_object()) {
        target.extend(more.clone());
    }
    app.subscribe(body).await
}

fn failed_transfer(id: &str, name: &str, message: &str) -> Value {
    let mut event = sample_event("transfer.failed", "acme", id, chrono::Utc::now());
    event["data"]["name"] = json!(name);
    event["data"]["error"]["message"] = json!(message);
    event
}

#[tokio::test]
async fn a_ten_thousand_character_error_is_delivered_within_every_platform_limit() {
    let app = spawn_delivering_app().await;
    let slack = StandIn::start(Platform::Slack).await;
    let discord = StandIn::start(Platform::Discord).await;
    let teams = StandIn::start(Platform::Teams).await;
    let legacy = StandIn::start(Platform::Teams).await;
    subscribe_chat(&app, "slack", &slack.url, json!({})).await;
    subscribe_chat(&app, "discord", &discord.url, json!({})).await;
    subscribe_chat(&app, "teams", &teams.url, json!({})).await;
    subscribe_chat(
        &app,
        "teams",
        &legacy.url,
        json!({"format": "message_card"}),
    )
    .await;
    let long = "disk quota exceeded 🙈 ".repeat(500);
    let event = failed_transfer("long", &"nightly-".repeat(40), &long);
    app.nats.publish_event(&event, "long").await;
    for (name, stand_in) in [
        ("slack", &slack),
        ("discord", &discord),
        ("teams", &teams),
        ("message card", &legacy),
    ] {
        stand_in.wait_for(1, Duration::from_secs(10)).await;
        assert!(
            stand_in.refused().is_empty(),
            "{name}: {:?}",
            stand_in.refused()
        );
    }
    let embed = &discord.accepted()[0].payload["embeds"][0];
    assert!(
        embed["title"]
            .as_str()
            .unwrap()
            .starts_with("❌ Transfer failed"),
        "{embed}"
    );
    assert!(embed.to_string().contains('…'), "cut with an ellipsis");
}

#[tokio::test]
async fn a_job_named_everyone_pings_nobody_and_only_the_subscriptions_mention_does() {
    let app = spawn_delivering_app().await;
    let discord = StandIn::start(Platform::Discord).await;
    let slack = StandIn::start(Platform::Slack).await;
    subscribe_chat(
        &app,
        "discord",
        &discord.url,
        json!({"mention_on_failure": "<@&4242>"}),
    )
    .await;
    subscribe_chat(&app, "slack", &slack.url, json!({})).await;
    let event = failed_transfer("ping", "@everyone <@123> <!here>", "@here look");
    app.nats.publish_event(&event, "ping").await;
    let payload = discord.wait_for(1, Duration::from_secs(10)).await[0]
        .payload
        .clone();
    assert_eq!(payload["allowed_mentions"]["parse"], json!([]));
    assert_eq!(payload["allowed_mentions"]["roles"], json!(["4242"]));
    let text = payload.to_string();
    assert!(
        !text.contains("@everyone") && !text.contains("<@123>"),
        "{text}"
    );
    assert!(payload["content"].as_str().unwrap().contains("<@&4242>"));
    // Slack parses mentions in `text` and mrkdwn only (plain_text shows them literally).
    let slack_payload = slack.wait_for(1, Duration::from_secs(10)).await[0]
        .payload
        .clone();
    let mut parsed = vec![slack_payload["text"].as_str().unwrap().to_owned()];
    for block in slack_payload["blocks"].as_array().unwrap() {
        let fields = block["fields"].as_array().into_iter().flatten();
        for text in std::iter::once(&block["text"]).chain(fields) {
            if text["type"] == "mrkdwn" {
                parsed.push(text["text"].as_str().unwrap().to_owned());
            }
        }
    }
    for text in parsed {
        assert!(
            !text.contains("<!here>") && !text.contains("<@123>"),
            "{text}"
        );
    }
}

#[tokio::test]
async fn discords_retry_after_delays_the_next_attempt() {
    let app = spawn_delivering_app().await;
    let discord = StandIn::start(Platform::Discord).await;
    discord.script([Scripted::RateLimited(1.2)]);
    subscribe_chat(&app, "discord", &discord.url, json!({})).await;
    let started = Instant::now();
    app.publish_sample("transfer.failed", "e1").await;
    let accepted = discord.wait_for(1, Duration::from_secs(10)).await;
    assert!(
        accepted[0].at - started >= Duration::from_millis(1200),
        "second attempt after {:?}",
        accepted[0].at - started
    );
}

#[tokio::test]
async fn a_burst_to_one_discord_webhook_meets_no_429_and_slows_no_other_target() {
    let app = spawn_delivering_app().await;
    let discord = StandIn::start(Platform::Discord).await;
    let webhook = Receiver::start(Reply::status(204)).await;
    subscribe_chat(&app, "discord", &discord.url, json!({})).await;
    subscribe_receiver(&app, &webhook.url, json!({})).await;
    let started = Instant::now();
    for i in 0..30 {
        app.publish_sample("transfer.failed", &format!("e{i}"))
            .await;
    }
    webhook.wait_for(30, Duration::from_secs(10)).await;
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "the webhook beside it went at once"
    );
    let accepted = discord.wait_for(30, Duration::from_secs(40)).await;
    assert_eq!(accepted.len(), 30);
    assert!(discord.refused().is_empty(), "{:?}", discord.refused());
}

#[tokio::test]
async fn a_subscriptions_rate_limit_holds_for_a_webhook_too() {
    let app = spawn_delivering_app().await;
    let receiver = Receiver::start(Reply::status(204)).await;
    subscribe_receiver(&app, &receiver.url, json!({"rate_limit_per_second": 2})).await;
    for i in 0..8 {
        app.publish_sample("transfer.failed", &format!("e{i}"))
            .await;
    }
    let received = receiver.wait_for(8, Duration::from_secs(15)).await;
    let times: Vec<Instant> = received.iter().map(|r| r.at).collect();
    for (i, at) in times.iter().enumerate() {
        let in_a_second = times[i..]
            .iter()
            .filter(|t| **t - *at < Duration::from_secs(1))
            .count();
        assert!(
            in_a_second <= 2,
            "{in_a_second} requests within a second: {:?}",
            times.iter().map(|t| *t - times[0]).collect::<Vec<_>>()
        );
    }
}

#[tokio::test]
async fn slack_410_and_discord_404_disable_their_subscriptions_and_say_so() {
    let app = spawn_delivering_app().await;
    let slack = StandIn::start(Platform::Slack).await;
    let discord = StandIn::start(Platform::Discord).await;
    slack.script([Scripted::Answer(410, "channel_is_archived")]);
    discord.script([Scripted::Answer(
        404,
        r#"{"message": "Unknown Webhook", "code": 10015}"#,
    )]);
    let slack_id = subscribe_chat(&app, "slack", &slack.url, json!({})).await;
    let discord_id = subscribe_chat(&app, "discord", &discord.url, json!({})).await;
    app.publish_sample("transfer.failed", "e1").await;
    let disabled = eventually(Duration::from_secs(10), "two ops events", || async {
        let events: Vec<Value> = app
            .nats
            .ops_events()
            .await
            .into_iter()
            .filter(|e| e["type"] == "herald.subscription.disabled")
            .collect();
        (events.len() == 2).then_some(events)
    })
    .await;
    for id in [&slack_id, &discord_id] {
        let shown: Value = app
            .get(&format!("/v1/subscriptions/{id}"))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(shown["enabled"], false, "{id}");
        assert!(
            disabled
                .iter()
                .any(|e| e["data"]["subscription_id"] == **id)
        );
    }
    let reasons: Vec<&str> = disabled
        .iter()
        .map(|e| e["data"]["reason"].as_str().unwrap())
        .collect();
    assert!(
        reasons.iter().any(|r| r.contains("channel_is_archived")),
        "{reasons:?}"
    );
}

#[tokio::test]
async fn preview_shows_the_exact_message_without_secrets_and_test_sends_one() {
    let app = spawn_delivering_app().await;
    let discord = StandIn::start(Platform::Discord).await;
    let id = subscribe_chat(
        &app,
        "discord",
        &discord.url,
        json!({"username": "Backups"}),
    )
    .await;
    let preview: Value = app
        .post(
            &format!("/v1/subscriptions/{id}/preview"),
            &json!({"sample": "backup.failed"}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(preview["method"], "POST");
    assert!(
        !preview["url"].as_str().unwrap().contains("secret-token"),
        "{preview}"
    );
    assert_eq!(preview["body"]["username"], "Backups");
    assert!(
        preview["body"]["embeds"][0]["title"]
            .as_str()
            .unwrap()
            .contains("Backup failed")
    );
    assert!(discord.accepted().is_empty(), "nothing sent");

    let tested: Value = app
        .post(&format!("/v1/subscriptions/{id}/test"), &json!({}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(tested["delivered"], true, "{tested}");
    assert_eq!(tested["status_code"], 204);
    assert_eq!(discord.accepted().len(), 1);

    let (webhook_id, _) = subscribe_receiver(
        &app,
        "https://hooks.example.com/x",
        json!({"target": {"auth": {"type": "bearer", "token": "s3cr3t-token"}}}),
    )
    .await;
    let preview: Value = app
        .post(
            &format!("/v1/subscriptions/{webhook_id}/preview"),
            &json!({"sample": "transfer.failed"}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(preview["headers"]["authorization"], "****");
    assert!(!preview.to_string().contains("s3cr3t"));
    assert_eq!(preview["body"]["type"], "transfer.failed");
}
