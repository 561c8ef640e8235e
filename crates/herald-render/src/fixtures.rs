//! Events and targets the tests share: the domain's sample events at a fixed time, and one
//! target of each channel built the way the API builds them.

use chrono::{DateTime, TimeZone, Utc};
use herald_domain::{
    DiscordTarget, SlackTarget, SubscriptionSpec, Target, TeamsFormat, TeamsTarget, samples,
};
use serde_json::{Value, json};

pub(crate) fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 1, 9, 30, 0).unwrap()
}

pub(crate) fn sample(event_type: &str) -> Value {
    samples::sample_event(event_type, "acme", "evt-0001", now())
}

/// An event of `event_type` with exactly `data`.
pub(crate) fn event(event_type: &str, data: Value) -> Value {
    let mut event = sample("custom.ping");
    event["type"] = json!(event_type);
    event["data"] = data;
    event
}

fn target(channel: &str, target: Value) -> Target {
    let spec = json!({
        "tenant": "acme",
        "name": "chat",
        "channel": channel,
        "target": target,
    });
    SubscriptionSpec::from_json(&spec).unwrap().target
}

pub(crate) fn slack(mention: Option<&str>) -> SlackTarget {
    let mut fields = json!({
        "webhook_url": "https://hooks.slack.com/services/T000/B000/XXXX",
        "username": "Herald",
        "icon_emoji": ":bell:",
    });
    if let Some(mention) = mention {
        fields["mention_on_failure"] = json!(mention);
    }
    match target("slack", fields) {
        Target::Slack(slack) => slack,
        other => panic!("not a Slack target: {other:?}"),
    }
}

pub(crate) fn discord(mention: Option<&str>) -> DiscordTarget {
    let mut fields = json!({
        "webhook_url": "https://discord.com/api/webhooks/1/abc",
        "username": "Herald",
        "avatar_url": "https://example.com/herald.png",
    });
    if let Some(mention) = mention {
        fields["mention_on_failure"] = json!(mention);
    }
    match target("discord", fields) {
        Target::Discord(discord) => discord,
        other => panic!("not a Discord target: {other:?}"),
    }
}

pub(crate) fn teams(format: TeamsFormat) -> TeamsTarget {
    let fields = json!({
        "webhook_url": "https://example.webhook.office.com/webhookb2/abc",
        "format": format.as_str(),
    });
    match target("teams", fields) {
        Target::Teams(teams) => teams,
        other => panic!("not a Teams target: {other:?}"),
    }
}

/// Text of `chars` characters built to cost the most: emoji sequences, characters every
/// markup escapes, mentions and line breaks.
pub(crate) fn nasty(chars: usize) -> String {
    const PIECES: [&str; 8] = [
        "👨\u{200D}👩\u{200D}👧",
        "*_~`|<@&1>",
        "@everyone ",
        "&<>\\",
        "🇩🇪",
        "e\u{301}",
        "\n# - ",
        "ok ",
    ];
    let mut text = String::new();
    for piece in PIECES.iter().cycle() {
        if text.chars().count() >= chars {
            break;
        }
        text.push_str(piece);
    }
    text.chars().take(chars).collect()
}

/// Events at and past every limit: a 300-character name, a 10,000-character error message
/// and details, 40 labels, 40 custom fields, long warnings and routes.
pub(crate) fn huge_events() -> Vec<Value> {
    let labels: serde_json::Map<String, Value> = (0..40)
        .map(|i| {
            (
                format!("label_{i:02}_{}", "k".repeat(50)),
                json!(nasty(200)),
            )
        })
        .collect();
    let error = json!({ "code": nasty(300), "message": nasty(10_000), "details": nasty(10_000) });
    let warnings: Vec<String> = (0..100).map(|_| nasty(500)).collect();
    let mut custom = serde_json::Map::new();
    for i in 0..40 {
        custom.insert(format!("field_{i:02}_{}", nasty(60)), json!(nasty(2000)));
    }
    custom.insert("name".into(), json!(nasty(300)));
    custom.insert("message".into(), json!(nasty(10_000)));
    custom.insert("error".into(), error.clone());
    vec![
        event(
            "backup.failed",
            json!({
                "job_id": "job-1",
                "job_name": nasty(300),
                "databases": (0..200).map(|_| nasty(40)).collect::<Vec<_>>(),
                "size_bytes": "734003200",
                "storage": nasty(3000),
                "warnings": warnings,
                "error": error,
                "labels": labels,
            }),
        ),
        event(
            "transfer.failed",
            json!({
                "transfer_id": "t-1",
                "name": nasty(300),
                "source": nasty(5000),
                "destination": nasty(5000),
                "status": nasty(2000),
                "error": { "message": nasty(10_000) },
                "labels": labels,
            }),
        ),
        event("deploy.failed", Value::Object(custom)),
    ]
}
