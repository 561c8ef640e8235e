use serde_json::{Value, json};

use crate::SubscriptionSpec;

const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

fn webhook_doc() -> Value {
    json!({
        "tenant": "acme",
        "name": "ops alerts",
        "enabled": false,
        "event_types": ["transfer.*", "backup.failed"],
        "condition": "on_failure",
        "filter": { "labels": { "env": "production" }, "source_prefix": "aws-s3:", "destination_prefix": "s3:" },
        "channel": "webhook",
        "target": {
            "url": "https://user:pa55word@hooks.example.com/herald?token=qs-SECRET",
            "method": "put",
            "content_type": "text/plain",
            "template": "{{ event.type }}",
            "headers": { "X-Team-Token": "hdr-SECRET" },
            "auth": { "type": "basic", "username": "herald", "password": "pw-SECRET" },
            "timeout_ms": 2500,
            "secret": SECRET
        },
        "retry": { "max_attempts": 3, "delays_seconds": [1.5, 60] },
        "rate_limit_per_second": 5
    })
}

fn chat_docs() -> Vec<Value> {
    vec![
        json!({"tenant": "acme", "name": "s", "channel": "slack",
            "target": {"webhook_url": "https://hooks.slack.com/services/T000/B000/slackSECRET",
                       "username": "Herald", "icon_emoji": ":bell:", "mention_on_failure": "<!here>"}}),
        json!({"tenant": "acme", "name": "d", "channel": "discord",
            "target": {"webhook_url": "https://discord.com/api/webhooks/123456789/discordSECRET",
                       "avatar_url": "https://cdn.example.com/a.png", "mention_on_failure": "<@&1>"}}),
        json!({"tenant": "acme", "name": "t", "channel": "teams",
            "target": {"webhook_url": "https://x.logic.azure.com/workflows/abcdefabcdefabcdef/paths/invoke?sig=teamsSECRET",
                       "format": "message_card"}}),
        json!({"tenant": "acme", "name": "e", "channel": "email",
            "target": {"to": ["ops@example.com"], "cc": ["boss@example.com"], "subject_template": "[{{ event.type }}]"},
            "digest": {"hour": 7, "timezone": "Europe/Berlin"}}),
    ]
}

#[test]
fn to_json_round_trips_through_from_json() {
    for doc in std::iter::once(webhook_doc()).chain(chat_docs()) {
        let spec = SubscriptionSpec::from_json(&doc).unwrap();
        let again = SubscriptionSpec::from_json(&spec.to_json()).unwrap();
        assert_eq!(again, spec, "{doc}");
        assert_eq!(again.to_json(), spec.to_json());
    }
}

#[test]
fn generated_secret_survives_the_round_trip() {
    let mut doc = webhook_doc();
    doc["target"].as_object_mut().unwrap().remove("secret");
    let spec = SubscriptionSpec::from_json(&doc).unwrap();
    let again = SubscriptionSpec::from_json(&spec.to_json()).unwrap();
    assert_eq!(again, spec);
}

#[test]
fn to_json_keeps_the_documented_shape() {
    let json = SubscriptionSpec::from_json(&webhook_doc())
        .unwrap()
        .to_json();
    assert_eq!(json["target"]["method"], "PUT");
    assert_eq!(json["target"]["secret"], SECRET);
    assert_eq!(
        json["retry"],
        json!({"max_attempts": 3, "delays_seconds": [1.5, 60]})
    );
    assert_eq!(json["channel"], "webhook");
    assert!(json.get("digest").is_none());
}

#[test]
fn masked_json_never_leaks_a_secret() {
    for doc in std::iter::once(webhook_doc()).chain(chat_docs()) {
        let spec = SubscriptionSpec::from_json(&doc).unwrap();
        let masked = spec.to_masked_json().to_string();
        for leak in ["SECRET", "pa55word", &SECRET[6..]] {
            assert!(!masked.contains(leak), "{leak} leaked in {masked}");
        }
        let debug = format!("{spec:?}");
        assert!(
            !debug.contains("SECRET") && !debug.contains(&SECRET[6..]),
            "Debug leaked: {debug}"
        );
    }
}

#[test]
fn masked_json_shows_what_is_safe_to_show() {
    let masked = SubscriptionSpec::from_json(&webhook_doc())
        .unwrap()
        .to_masked_json();
    let target = &masked["target"];
    assert_eq!(target["secret"], "whsec_****");
    assert_eq!(
        target["url"],
        "https://user:****@hooks.example.com/herald?token=****"
    );
    assert_eq!(target["headers"], json!({"X-Team-Token": "****"}));
    assert_eq!(
        target["auth"],
        json!({"type": "basic", "username": "herald", "password": "****"})
    );
    assert_eq!(masked["filter"]["source_prefix"], "aws-s3:");

    let discord = SubscriptionSpec::from_json(&chat_docs()[1])
        .unwrap()
        .to_masked_json();
    assert_eq!(
        discord["target"]["webhook_url"],
        "https://discord.com/api/webhooks/12…/****"
    );
    assert_eq!(
        discord["target"]["avatar_url"],
        "https://cdn.example.com/a.png"
    );
}

#[test]
fn a_condition_reads_back_as_it_was_written() {
    let mut doc = webhook_doc();
    doc["condition"] = json!(["warning", "failure"]);
    let spec = SubscriptionSpec::from_json(&doc).unwrap();
    assert_eq!(spec.to_json()["condition"], json!(["warning", "failure"]));
    assert_eq!(SubscriptionSpec::from_json(&spec.to_json()).unwrap(), spec);
    doc["condition"] = json!("on_success");
    let spec = SubscriptionSpec::from_json(&doc).unwrap();
    assert_eq!(spec.to_masked_json()["condition"], "on_success");
}
