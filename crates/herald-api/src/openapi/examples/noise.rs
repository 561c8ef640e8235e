//! Examples of the options of issue 12: state changes, grouped bursts, quiet hours and a
//! fallback. Checked against the parser and the schemas like every other example.

use serde_json::{Value, json};

/// Another subscription of the example tenant, that examples fall back to.
pub const FALLBACK_ID: &str = "sub_06FDM2J4B8W1R6T0Y3N5Q7XH2D";

/// Only a job's changes of state, and email when Slack cannot be reached.
pub fn transitions_request() -> Value {
    json!({
        "tenant": "acme",
        "name": "Nightly transfers: failed, still failing, recovered",
        "event_types": ["transfer.failed", "transfer.completed"],
        "notify": "transitions",
        "group_key": "data.schedule.id",
        "repeat_interval": "4h",
        "channel": "slack",
        "target": {"webhook_url": "https://hooks.slack.com/services/T0001/B0002/YYYYYYYYYYYYYYYYYYYYYYYY"},
        "fallback_subscription_id": FALLBACK_ID
    })
}

/// Bursts of failures from one source as one message.
pub fn grouped_request() -> Value {
    json!({
        "tenant": "acme",
        "name": "Transfer failures, grouped by source",
        "event_types": ["transfer.failed"],
        "group": {"by": ["type", "data.source"], "wait": "30s", "interval": "5m"},
        "channel": "discord",
        "target": {"webhook_url": "https://discord.com/api/webhooks/1234567890/qrstuvwxyzabcdef"}
    })
}

/// Nights and weekends held until morning, failures excepted.
pub fn quiet_request() -> Value {
    json!({
        "tenant": "acme",
        "name": "Backups to Teams, quiet at night",
        "event_types": ["backup.*"],
        "quiet_hours": {
            "timezone": "Europe/Berlin",
            "windows": [
                {"days": ["mon", "tue", "wed", "thu", "fri"], "from": "22:00", "to": "07:00"},
                {"days": ["sat", "sun"], "from": "20:00", "to": "10:00"}
            ],
            "during": "hold",
            "except": ["failure"]
        },
        "channel": "teams",
        "target": {"webhook_url": "https://acme.webhook.office.com/webhookb2/1234abcd/IncomingWebhook/9012/ijkl"}
    })
}

pub fn transitions_shown() -> Value {
    super::shown(&transitions_request())
}
