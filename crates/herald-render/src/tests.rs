//! Snapshots of every sample type on every channel, so a change in wording or layout shows up
//! in review as the message a person would read.

use herald_domain::TeamsFormat;
use herald_domain::samples::SAMPLE_TYPES;
use serde_json::json;

use crate::fixtures::{self, event, sample};
use crate::{Notice, discord_message, slack_message, teams_message};

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
                    "event_id": "evt-0001",
                    "subscription_id": "sub_01HZX",
                    "attempts": 8,
                    "last_status_code": 503,
                    "last_error": "Service Unavailable",
                }),
            ),
        ),
        (
            "herald.subscription.disabled",
            event(
                "herald.subscription.disabled",
                json!({
                    "subscription_id": "sub_01HZX",
                    "reason": "The receiver answered 410 Gone.",
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
