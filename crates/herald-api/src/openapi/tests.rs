//! The subscription shapes of the document against the parser that defines them: every
//! example is accepted, every answer the parser makes fits the documented shape exactly, and
//! every documented field is one the parser takes.

use std::collections::BTreeSet;

use herald_domain::SubscriptionSpec;
use serde_json::{Value, json};

use super::*;

const SECRET_2: &str = "whsec_q9+0YzWYtjAIMG03AQl2/k550o71zz8pEkwEMarveqA=";

/// Beside the examples, a subscription per channel naming every optional field.
pub(super) fn full_requests() -> Vec<Value> {
    let common = |channel: &str, target: Value, digest: Option<Value>| {
        let mut request = json!({
            "tenant": "acme-2",
            "name": format!("every field, {channel}"),
            "enabled": false,
            "event_types": ["*"],
            "condition": "always",
            "filter": {"labels": {"env": "prod"}, "source_prefix": "dropbox:/",
                "destination_prefix": "s3:/"},
            "channel": channel,
            "target": target,
            "retry": {"max_attempts": 3, "delays_seconds": [0.5, 2]},
            "rate_limit_per_second": 1
        });
        if let Some(digest) = digest {
            request["digest"] = digest;
        }
        request
    };
    let chat_template = "{\"text\": {{ type | tojson }}}";
    vec![
        common(
            "webhook",
            json!({
                "url": "https://user:pw@hooks.example.com/x?a=1",
                "method": "put",
                "content_type": "text/plain",
                "template": "{{ type }} {{ data.name }}",
                "headers": {"X-A": "b"},
                "auth": {"type": "basic", "username": "u", "password": "p"},
                "timeout_ms": 100,
                "secret": examples::webhook_request()["target"]["secret"],
                "previous_secret": {"secret": SECRET_2, "expires_at": "2026-12-02T08:00:00Z"}
            }),
            None,
        ),
        common(
            "webhook",
            json!({
                "url": "http://hooks.example.com",
                "auth": {"type": "api_key", "header": "X-Api-Key", "value": "k"}
            }),
            None,
        ),
        common(
            "slack",
            json!({
                "webhook_url": "https://hooks.slack.com/services/T1/B1/XYZ",
                "username": "u", "icon_emoji": ":x:", "mention_on_failure": "<!here>",
                "template": chat_template
            }),
            Some(json!({"hour": 0})),
        ),
        common(
            "discord",
            json!({
                "webhook_url": "https://discord.com/api/webhooks/1/abc",
                "username": "u", "avatar_url": "https://example.com/a.png",
                "mention_on_failure": "<@&1>", "template": chat_template
            }),
            Some(json!({"timezone": "UTC", "skip_empty": false})),
        ),
        common(
            "teams",
            json!({
                "webhook_url": "https://acme.webhook.office.com/webhookb2/1",
                "format": "message_card", "template": chat_template
            }),
            Some(json!({"hour": 23, "timezone": "America/New_York", "skip_empty": true})),
        ),
        common(
            "email",
            json!({
                "to": ["a@example.com", "b@localhost"], "cc": [], "subject_template": "{{ type }}"
            }),
            None,
        ),
    ]
}

fn all_requests() -> Vec<Value> {
    let mut all: Vec<Value> = examples::requests().into_iter().map(|(_, v)| v).collect();
    all.extend(full_requests());
    all.extend(super::noise_tests::noise_requests());
    all
}

#[test]
fn every_request_is_accepted_by_the_parser_and_fits_the_request_shape() {
    for request in all_requests() {
        if let Err(errors) = SubscriptionSpec::from_json(&request) {
            panic!("the parser refuses {request}: {errors:?}");
        }
        let typed: SubscriptionRequest = serde_json::from_value(request.clone())
            .unwrap_or_else(|e| panic!("{request} does not fit SubscriptionRequest: {e}"));
        let channel = request["channel"].as_str().unwrap();
        let matched = match typed {
            SubscriptionRequest::Webhook(_) => "webhook",
            SubscriptionRequest::Slack(_) => "slack",
            SubscriptionRequest::Discord(_) => "discord",
            SubscriptionRequest::Teams(_) => "teams",
            SubscriptionRequest::Email(_) => "email",
        };
        assert_eq!(matched, channel, "{request}");
    }
}

/// The parser's answer must deserialize into the documented shape (unknown fields refused,
/// required ones present) and serialize back unchanged.
#[test]
fn every_answer_of_the_parser_round_trips_through_the_answer_shape() {
    let mut answers: Vec<Value> = all_requests().iter().map(examples::shown).collect();
    answers.push(examples::webhook_created());
    answers.push(examples::webhook_shown());
    for answer in answers {
        assert!(answer.is_object(), "an example the parser refuses");
        let typed: SubscriptionShown = serde_json::from_value(answer.clone())
            .unwrap_or_else(|e| panic!("{answer} does not fit SubscriptionShown: {e}"));
        assert_eq!(serde_json::to_value(&typed).unwrap(), answer);
    }
}

#[test]
fn a_webhook_cannot_have_a_digest_in_the_document_either() {
    let mut request = examples::webhook_request();
    request["digest"] = json!({"hour": 7});
    assert!(SubscriptionSpec::from_json(&request).is_err());
    assert!(serde_json::from_value::<SubscriptionRequest>(request).is_err());
}

/// Every property path the document gives below `schema` (`target.auth.username`).
fn documented(doc: &Value, schema: &Value, prefix: &str, out: &mut BTreeSet<String>) {
    if let Some(reference) = schema["$ref"].as_str() {
        let name = reference.trim_start_matches("#/components/schemas/");
        return documented(doc, &doc["components"]["schemas"][name], prefix, out);
    }
    for key in ["oneOf", "anyOf", "allOf"] {
        for sub in schema[key].as_array().into_iter().flatten() {
            documented(doc, sub, prefix, out);
        }
    }
    if let Some(items) = schema.get("items") {
        documented(doc, items, prefix, out);
    }
    for (name, sub) in schema["properties"].as_object().into_iter().flatten() {
        let path = if prefix.is_empty() {
            name.clone()
        } else {
            format!("{prefix}.{name}")
        };
        out.insert(path.clone());
        documented(doc, sub, &path, out);
    }
}

/// Every key path in `value`, arrays seen through.
fn used(value: &Value, prefix: &str, out: &mut BTreeSet<String>) {
    match value {
        Value::Object(map) => {
            for (name, sub) in map {
                let path = if prefix.is_empty() {
                    name.clone()
                } else {
                    format!("{prefix}.{name}")
                };
                out.insert(path.clone());
                used(sub, &path, out);
            }
        }
        Value::Array(items) => items.iter().for_each(|item| used(item, prefix, out)),
        _ => {}
    }
}

/// The parser refuses unknown fields, so a documented field no accepted request uses is one
/// the document made up (or one these requests forgot: add it above).
#[test]
fn every_documented_field_is_used_by_an_accepted_request_and_answer() {
    let doc: Value = serde_json::from_str(&openapi_json()).unwrap();
    for (schema, values) in [
        ("SubscriptionRequest", all_requests()),
        ("SubscriptionShown", {
            let mut answers: Vec<Value> = all_requests().iter().map(examples::shown).collect();
            answers.push(examples::webhook_created());
            answers
        }),
    ] {
        let mut documented_paths = BTreeSet::new();
        documented(&doc, &json!({"$ref": schema}), "", &mut documented_paths);
        let mut used_paths = BTreeSet::new();
        values.iter().for_each(|v| used(v, "", &mut used_paths));
        let unused: Vec<_> = documented_paths.difference(&used_paths).collect();
        assert!(
            unused.is_empty(),
            "{schema} documents fields nothing uses: {unused:?}"
        );
    }
}

#[test]
fn the_documented_value_lists_are_the_domains() {
    let names = |values: Vec<Value>| -> Vec<String> {
        values
            .into_iter()
            .map(|v| v.as_str().unwrap().to_owned())
            .collect()
    };
    let doc_channels = names(
        [
            Channel::Webhook,
            Channel::Slack,
            Channel::Discord,
            Channel::Teams,
            Channel::Email,
        ]
        .iter()
        .map(|c| serde_json::to_value(c).unwrap())
        .collect(),
    );
    let domain: Vec<String> = herald_domain::Channel::ALL
        .iter()
        .map(|c| c.as_str().into())
        .collect();
    assert_eq!(doc_channels, domain);
    let schemas: Value =
        serde_json::from_str::<Value>(&openapi_json()).unwrap()["components"]["schemas"].clone();
    let listed = |name: &str| -> BTreeSet<String> {
        names(schemas[name]["enum"].as_array().unwrap().clone())
            .into_iter()
            .collect()
    };
    let set =
        |items: Vec<&str>| -> BTreeSet<String> { items.into_iter().map(String::from).collect() };
    assert_eq!(listed("Channel"), domain.iter().cloned().collect());
    assert_eq!(
        listed("Outcome"),
        set(herald_domain::Outcome::ALL
            .iter()
            .map(|o| o.as_str())
            .collect())
    );
    assert_eq!(
        listed("DeliveryStatus"),
        set(herald_domain::DeliveryStatus::ALL
            .iter()
            .map(|s| s.as_str())
            .collect())
    );
    assert_eq!(
        listed("TeamsFormat"),
        set(vec![
            herald_domain::TeamsFormat::AdaptiveCard.as_str(),
            herald_domain::TeamsFormat::MessageCard.as_str()
        ])
    );
    assert_eq!(
        listed("HttpMethod"),
        set(vec![
            herald_domain::HttpMethod::Post.as_str(),
            herald_domain::HttpMethod::Put.as_str(),
            herald_domain::HttpMethod::Patch.as_str()
        ])
    );
}

/// A documented pattern and the parser agree on each of these strings.
#[test]
fn the_documented_patterns_agree_with_the_parsers() {
    let schemas =
        serde_json::from_str::<Value>(&openapi_json()).unwrap()["components"]["schemas"].clone();
    let check = |name: &str, parses: &dyn Fn(&str) -> bool, samples: &[&str]| {
        let validator = jsonschema::draft202012::new(&schemas[name]).unwrap();
        for sample in samples {
            assert_eq!(
                validator.is_valid(&json!(sample)),
                parses(sample),
                "{name} and its parser disagree on {sample:?}"
            );
        }
    };
    use herald_domain as d;
    check(
        "Tenant",
        &|s| d::Tenant::parse(s).is_ok(),
        &[
            "acme",
            "a-b_c9",
            "",
            "Acme",
            "a.b",
            &"x".repeat(64),
            &"x".repeat(65),
        ],
    );
    check(
        "EventType",
        &|s| d::EventType::parse(s).is_ok(),
        &[
            "transfer.failed",
            "a.b.c",
            "a_1.x_2",
            "transfer",
            "1x.y",
            "x.",
            "X.y",
            "x..y",
            "x.*",
        ],
    );
    check(
        "EventTypePattern",
        &|s| d::EventTypePattern::parse(s).is_ok(),
        &[
            "*",
            "backup.*",
            "transfer.failed",
            "backup",
            "*.failed",
            "a.b.*",
            "1.*",
            "",
        ],
    );
    check(
        "EmailAddress",
        &|s| d::EmailAddress::parse(s).is_ok(),
        &[
            "ops@example.com",
            "a+b@sub.example.org",
            "x@localhost",
            "x@host",
            "a b@example.com",
            "<a>@example.com",
            "@example.com",
            "a@-x.com",
            "a@example..com",
            "a@b.c",
        ],
    );
    check(
        "WebhookSecret",
        &|s| d::WebhookSecret::parse(s).is_ok(),
        &[
            SECRET_2,
            "whsec_****",
            "whsec_",
            "q9+0YzWYtjAIMG03AQl2/k550o71zz8pEkwEMarveqA=",
            "whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        ],
    );
}

#[test]
fn the_example_ids_are_ids() {
    use herald_domain::{DeliveryId, EventId, RejectionId, SubscriptionId, TokenId};
    assert!(examples::SUBSCRIPTION_ID.parse::<SubscriptionId>().is_ok());
    assert!(examples::FALLBACK_ID.parse::<SubscriptionId>().is_ok());
    assert!(examples::EVENT_ID.parse::<EventId>().is_ok());
    assert!(examples::DELIVERY_ID.parse::<DeliveryId>().is_ok());
    assert!(examples::REJECTION_ID.parse::<RejectionId>().is_ok());
    assert!(examples::TOKEN_ID.parse::<TokenId>().is_ok());
}
