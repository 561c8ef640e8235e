//! The document's examples. A subscription's answers are not written by hand: they are what
//! `SubscriptionSpec::from_json` and `to_masked_json` make of the request examples, and the
//! webhook preview is signed by the channels' own functions, so an example cannot show a
//! field or a mask the code does not produce. The tests check every example against its
//! schema and every request example against the parser.

mod deliveries;
mod noise;

use chrono::{DateTime, Utc};
use herald_domain::SubscriptionSpec;
use serde_json::{Value, json};

pub use deliveries::{delivery_detail, delivery_page, event_detail};
pub use noise::{
    FALLBACK_ID, grouped_request, quiet_request, transitions_request, transitions_shown,
};

pub const SUBSCRIPTION_ID: &str = "sub_06FDM2K7Q5VJX9T1ZR3NBW8PCA";
pub const EVENT_ID: &str = "evt_06FDM2M1C4XH8Q0Z7T2V5B9KRD";
pub const DELIVERY_ID: &str = "dlv_06FDM2M1D8N3W6Y0A5E9G2J4MS";
pub const REJECTION_ID: &str = "rej_06FDM2P0B3H7K1M5Q9T2W6Y8ZA";
pub const TOKEN_ID: &str = "tok_06FDM1Z9X2C5V8B1N4M7Q0W3ER";
/// The publisher's CloudEvents id of the example event.
pub const CE_ID: &str = "a2b1c7e0-5b7e-4a57-9d0c-3f1f2d9e8a10";
const SECRET: &str = "whsec_wrppN1MN0nUUk4HT9P9eGLb2OXse8lXEsLE/KK7v6Vo=";
const CREATED_AT: &str = "2026-11-20T09:00:00Z";
pub(crate) const RECEIVED_AT: &str = "2026-11-21T07:42:10.114Z";
/// When the example event happened, and its deliveries' attempt started (seconds).
const EVENT_TIME: i64 = 1_795_246_930;

pub const DIGEST_HTML: &str = "<!DOCTYPE html><html><body><h1>Herald daily report — acme — \
    2026-11-21</h1><p>15 ok, 3 failed, 1 warning · 3.4 GiB transferred</p>…</body></html>";

pub fn webhook_request() -> Value {
    json!({
        "tenant": "acme",
        "name": "Failures to the on-call webhook",
        "event_types": ["transfer.failed", "backup.*"],
        "condition": "on_failure",
        "channel": "webhook",
        "target": {
            "url": "https://hooks.example.com/herald?key=abc123",
            "method": "POST",
            "headers": {"X-Team": "storage"},
            "auth": {"type": "bearer", "token": "s3cr3t-token"},
            "timeout_ms": 5000,
            "secret": SECRET
        },
        "retry": {"max_attempts": 5, "delays_seconds": [10, 60, 300]},
        "rate_limit_per_second": 20
    })
}

pub fn slack_request() -> Value {
    json!({
        "tenant": "acme",
        "name": "Storage trouble in #ops",
        "condition": ["failure", "warning"],
        "filter": {"labels": {"team": "storage"}, "destination_prefix": "s3:/"},
        "channel": "slack",
        "target": {
            "webhook_url": "https://hooks.slack.com/services/T0001/B0001/XXXXXXXXXXXXXXXXXXXXXXXX",
            "username": "Herald",
            "icon_emoji": ":satellite:",
            "mention_on_failure": "<!here>"
        }
    })
}

pub fn discord_request() -> Value {
    json!({
        "tenant": "acme",
        "name": "Transfers in #transfers",
        "event_types": ["transfer.*"],
        "channel": "discord",
        "target": {
            "webhook_url": "https://discord.com/api/webhooks/1234567890/abcdefghijklmnop",
            "username": "Herald",
            "avatar_url": "https://example.com/herald.png",
            "template": "{\"content\": {{ (type ~ \" from \" ~ source) | tojson }}}"
        }
    })
}

pub fn teams_request() -> Value {
    json!({
        "tenant": "acme",
        "name": "Restores to Teams",
        "enabled": true,
        "event_types": ["restore.*"],
        "channel": "teams",
        "target": {
            "webhook_url": "https://acme.webhook.office.com/webhookb2/1234abcd/IncomingWebhook/5678/efgh",
            "format": "adaptive_card"
        }
    })
}

pub fn email_request() -> Value {
    json!({
        "tenant": "acme",
        "name": "Daily backup report",
        "event_types": ["backup.*"],
        "channel": "email",
        "target": {
            "to": ["ops@example.com"],
            "cc": ["storage-lead@example.com"],
            "subject_template": "[{{ tenant }}] {{ type }}"
        },
        "digest": {"hour": 7, "timezone": "Europe/Berlin", "skip_empty": true}
    })
}

/// Every request example, by name: the tests check each against the parser.
pub fn requests() -> Vec<(&'static str, Value)> {
    vec![
        ("webhook", webhook_request()),
        ("slack", slack_request()),
        ("discord", discord_request()),
        ("teams", teams_request()),
        ("email", email_request()),
        ("transitions", transitions_request()),
        ("grouped", grouped_request()),
        ("quiet", quiet_request()),
    ]
}

/// A change to the webhook example: another URL, no rate limit.
pub fn webhook_patch() -> Value {
    json!({"target": {"url": "https://hooks.example.com/v2/herald"}, "rate_limit_per_second": null})
}

/// What the API answers for `request`: the parser's masked form, with Herald's id and times.
/// `Null` when the parser refuses it, which the tests report.
pub fn shown(request: &Value) -> Value {
    let Ok(spec) = SubscriptionSpec::from_json(request) else {
        return Value::Null;
    };
    let mut body = spec.to_masked_json();
    body["id"] = json!(SUBSCRIPTION_ID);
    body["health"] = health(&body);
    body["created_at"] = json!(CREATED_AT);
    body["updated_at"] = json!(CREATED_AT);
    body
}

/// A subscription's health as answered: an enabled one failing since the night, a disabled
/// one switched off through the API.
fn health(body: &Value) -> Value {
    if body["enabled"] == json!(false) {
        json!({"state": "disabled", "failing_since": null, "last_error": null,
            "disabled_reason": "disabled through the API", "delivered_24h": 0,
            "failed_24h": 0, "success_rate_24h": null})
    } else {
        json!({"state": "failing", "failing_since": "2026-11-21T02:00:11Z",
            "last_error": "HTTP 503 Service Unavailable", "disabled_reason": null,
            "delivered_24h": 117,
            "failed_24h": 3, "success_rate_24h": 0.975})
    }
}

pub fn webhook_created() -> Value {
    let mut body = shown(&webhook_request());
    if body.is_object() {
        body["secret"] = json!(SECRET);
    }
    body
}

pub fn webhook_shown() -> Value {
    let mut request = webhook_request();
    crate::json::merge_patch(&mut request, &webhook_patch());
    shown(&request)
}

pub fn slack_shown() -> Value {
    shown(&slack_request())
}

pub fn subscription_page() -> Value {
    json!({"items": [shown(&email_request()), slack_shown()], "next_cursor": SUBSCRIPTION_ID})
}

fn event_time() -> DateTime<Utc> {
    DateTime::from_timestamp(EVENT_TIME, 0).unwrap_or_default()
}

/// Herald's sample `transfer.failed` event, as a publisher would send it.
pub fn cloud_event() -> Value {
    let mut event =
        herald_domain::samples::sample_event("transfer.failed", "acme", "publisher", event_time());
    event["id"] = json!(CE_ID);
    event
}

pub(crate) fn summary() -> Value {
    json!({
        "id": EVENT_ID,
        "tenant": "acme",
        "event_id": CE_ID,
        "type": "transfer.failed",
        "source": cloud_event()["source"],
        "subject": cloud_event()["subject"],
        "outcome": "failure",
        "time": "2026-11-21T07:42:10Z",
        "received_at": RECEIVED_AT,
        "trace_id": "4bf92f3577b34da6a3ce929d0e0e4736"
    })
}

pub fn event_page() -> Value {
    json!({"items": [summary()], "next_cursor": null})
}

pub fn rejection_page() -> Value {
    json!({"items": [{
        "id": REJECTION_ID,
        "tenant": "acme",
        "subject": "herald.events.acme.transfer.failed",
        "reason": "the source attribute is required",
        "reason_code": "missing_attribute",
        "event_id": "b7d4e2f1-0c9a-4e55-8f3b-6a1d2c3e4f50",
        "received_at": RECEIVED_AT,
        "size_bytes": 412
    }], "next_cursor": null})
}

pub fn test_delivered() -> Value {
    json!({
        "delivered": true,
        "destination": "https://hooks.example.com/herald?key=****",
        "status_code": 200,
        "response_body": "ok",
        "duration_ms": 87,
        "error": null
    })
}

pub fn test_refused() -> Value {
    json!({
        "delivered": false,
        "destination": "https://hooks.slack.com/services/T0…/****",
        "status_code": 400,
        "response_body": "invalid_payload",
        "duration_ms": 143,
        "error": null
    })
}

pub fn rotated() -> Value {
    json!({
        "secret": "whsec_q9+0YzWYtjAIMG03AQl2/k550o71zz8pEkwEMarveqA=",
        "previous_secret_expires_at": "2026-11-22T07:42:10.114Z"
    })
}

/// The example webhook's request for the example event, signed as the channel signs it.
pub fn http_preview() -> Value {
    let event = cloud_event();
    let body = serde_json::to_vec(&event).unwrap_or_default();
    let timestamp = EVENT_TIME;
    let key = herald_domain::WebhookSecret::parse(SECRET)
        .map(|s| s.key_bytes().to_vec())
        .unwrap_or_default();
    let signature =
        herald_channels::standard_webhooks_signature(&key, DELIVERY_ID, timestamp, &body);
    json!({
        "channel": "webhook",
        "method": "POST",
        "url": "https://hooks.example.com/herald?key=****",
        "headers": {
            "authorization": "****",
            "content-type": "application/cloudevents+json",
            "herald-attempt": "1",
            "herald-event-type": "transfer.failed",
            "webhook-id": DELIVERY_ID,
            "webhook-signature": signature,
            "webhook-timestamp": timestamp.to_string(),
            "x-herald-signature": herald_channels::github_signature(SECRET, &body),
            "x-team": "****"
        },
        "body": event
    })
}

pub fn mail_preview() -> Value {
    json!({
        "channel": "email",
        "from": "Herald <herald@example.com>",
        "to": ["ops@example.com"],
        "cc": ["storage-lead@example.com"],
        "subject": "[acme] backup.failed",
        "text": "Backup failed: postgres-main\n…",
        "html": "<!DOCTYPE html><html><body><h1>Backup failed: postgres-main</h1>…</body></html>"
    })
}

pub fn digest_slack() -> Value {
    json!({
        "text": "Herald daily report — acme — 2026-11-21: 15 ok, 3 failed, 1 warning · 3.4 GiB transferred",
        "username": "Herald",
        "icon_emoji": ":bell:",
        "unfurl_links": false,
        "unfurl_media": false,
        "blocks": [
            {"type": "header", "text": {"type": "plain_text", "emoji": true,
                "text": "❌ Herald daily report — acme — 2026-11-21"}},
            {"type": "section", "text": {"type": "mrkdwn",
                "text": "15 ok, 3 failed, 1 warning · 3.4 GiB transferred"}},
            {"type": "context", "elements": [{"type": "mrkdwn",
                "text": "acme · times in Europe/Berlin"}]}
        ]
    })
}

pub fn token() -> Value {
    json!({
        "id": TOKEN_ID,
        "tenant": "acme",
        "name": "ci",
        "read_only": true,
        "created_at": CREATED_AT
    })
}

pub fn created_token() -> Value {
    let mut body = token();
    body["token"] = json!("hrd_4bzvDO42QHIlC3w5OxWOVqyQ-z6PLk_1DL3BryB1rdY");
    body
}
