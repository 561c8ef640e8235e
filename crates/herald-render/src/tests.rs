//! Snapshots of every sample type on every channel, so a change in wording or layout shows up
//! in review as the message a person would read.

use herald_domain::TeamsFormat;
use herald_domain::samples::SAMPLE_TYPES;
use serde_json::json;

use crate::fixtures::{self, digest_report, event, quiet_digest, sample};
use crate::{
    MailContent, Notice, digest_mail, discord_digest, discord_message, event_mail, slack_digest,
    slack_message, teams_digest, teams_message,
};

/// Herald's own events and a publisher's custom one, next to the samples.
fn custom_events() -> Vec<(&'static str, serde_json::Value)> {
    vec![
        (
            "deploy.finished",
            event(
                "deploy.finished",
                json!({
                    "name": "api-server",
                    "version": "2.4.1",
                    "environment": { "region": "eu-west-1", "cluster": "prod-a" },
                    "hosts": ["web-1", "web-2"],
                    "artifact_bytes": 15_728_640,
                    "elapsed_seconds": 95,
                    "url": "https://ci.example.com/runs/981?tab=log&step=3",
                }),
            ),
        ),
        (
            "herald.test",
            event(
                "herald.test",
                json!({
                    "message": "This is a test notification from Herald.",
                    "subscription_id": "sub_01HZX",
                    "subscription_name": "Ops alerts",
                }),
            ),
        ),
        (
            "herald.delivery.failed",
            event(
                "herald.delivery.failed",
                json!({
                    "delivery_id": "dlv_01HZY",
                    "event_id": "evt_01HZW",
                    "event_type": "transfer.failed",
                    "subscription_id": "sub_01HZX",
                    "subscription_name": "ops hook",
                    "channel": "webhook",
                    "attempts": 8,
                    "last_status_code": 503,
                    "last_error": "HTTP 503: Service Unavailable",
                }),
            ),
        ),
        (
            "herald.subscription.disabled",
            event(
                "herald.subscription.disabled",
                json!({
                    "subscription_id": "sub_01HZX",
                    "subscription_name": "ops hook",
                    "channel": "webhook",
                    "reason": "The receiver answered 410 Gone.",
                    "delivery_id": "dlv_01HZY",
                    "event_type": "transfer.failed",
                    "last_status_code": 410,
                }),
            ),
        ),
        (
            "herald.subscription.recovered",
            event(
                "herald.subscription.recovered",
                json!({
                    "subscription_id": "sub_01HZX",
                    "subscription_name": "ops hook",
                    "channel": "webhook",
                    "reason": "delivered again after 3 deliveries failed for good",
                    "failed_deliveries": 3,
                    "failing_since": "2026-03-01T03:20:00Z",
                    "last_failure": "HTTP 503: Service Unavailable",
                }),
            ),
        ),
    ]
}

fn all_events() -> Vec<(String, serde_json::Value)> {
    let samples = SAMPLE_TYPES.iter().map(|t| (t.to_string(), sample(t)));
    let custom = custom_events().into_iter().map(|(t, e)| (t.to_owned(), e));
    samples.chain(custom).collect()
}

#[test]
fn slack_messages() {
    let target = fixtures::slack(Some("<!here>"));
    for (event_type, event) in all_events() {
        let notice = Notice::from_event(&event);
        insta::assert_json_snapshot!(
            format!("slack__{event_type}"),
            slack_message(&notice, &target)
        );
    }
}

#[test]
fn discord_messages() {
    let target = fixtures::discord(Some("<@&123>"));
    for (event_type, event) in all_events() {
        let notice = Notice::from_event(&event);
        insta::assert_json_snapshot!(
            format!("discord__{event_type}"),
            discord_message(&notice, &target)
        );
    }
}

#[test]
fn teams_adaptive_cards() {
    let target = fixtures::teams(TeamsFormat::AdaptiveCard);
    for (event_type, event) in all_events() {
        let notice = Notice::from_event(&event);
        insta::assert_json_snapshot!(
            format!("teams__{event_type}"),
            teams_message(&notice, &target)
        );
    }
}

#[test]
fn teams_message_cards() {
    let target = fixtures::teams(TeamsFormat::MessageCard);
    for (event_type, event) in all_events() {
        let notice = Notice::from_event(&event);
        insta::assert_json_snapshot!(
            format!("message_card__{event_type}"),
            teams_message(&notice, &target)
        );
    }
}

/// A mail as a reviewer reads it: the subject, then each part whole.
fn mail_snapshot(mail: &MailContent) -> String {
    format!(
        "Subject: {}\n\n===== text/plain =====\n{}\n\n===== text/html =====\n{}",
        mail.subject, mail.text, mail.html
    )
}

#[test]
fn event_mails() {
    let mut failed = sample("transfer.failed");
    failed["data"]["url"] = json!("https://transfers.example.com/t/def-456?tab=log&step=2");
    let events = [
        ("transfer.failed", failed),
        ("transfer.completed", sample("transfer.completed")),
        ("backup.warning", sample("backup.warning")),
    ];
    for (event_type, event) in events {
        let mail = event_mail(&Notice::from_event(&event));
        insta::assert_snapshot!(format!("mail__{event_type}"), mail_snapshot(&mail));
    }
}

#[test]
fn digest_mails() {
    insta::assert_snapshot!("digest_mail", mail_snapshot(&digest_mail(&digest_report())));
    insta::assert_snapshot!(
        "digest_mail__quiet",
        mail_snapshot(&digest_mail(&quiet_digest()))
    );
}

#[test]
fn chat_digests() {
    let report = digest_report();
    insta::assert_json_snapshot!(
        "digest_slack",
        slack_digest(&report, &fixtures::slack(Some("<!here>")))
    );
    insta::assert_json_snapshot!(
        "digest_discord",
        discord_digest(&report, &fixtures::discord(Some("<@&123>")))
    );
    insta::assert_json_snapshot!(
        "digest_teams",
        teams_digest(&report, &fixtures::teams(TeamsFormat::AdaptiveCard))
    );
    insta::assert_json_snapshot!(
        "digest_message_card",
        teams_digest(&report, &fixtures::teams(TeamsFormat::MessageCard))
    );
}
