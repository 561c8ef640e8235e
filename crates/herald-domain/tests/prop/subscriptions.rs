//! Subscription documents, as created (POST) and as merge-patched (PATCH): any JSON is either
//! a subscription or a set of errors each of which names the field it is about, and a valid
//! document keeps its values through `to_json` and back.

use herald_domain::{FieldErrors, SUBSCRIPTION_FIELDS, SubscriptionSpec};
use proptest::prelude::*;
use serde_json::{Value, json};

use crate::support::{json_value, mutate, mutation, nasty_string, within};

fn valid_doc() -> impl Strategy<Value = Value> {
    let target = prop_oneof![
        Just(
            json!({"channel": "webhook", "target": {"url": "https://hooks.example.com/h",
            "method": "POST", "headers": {"X-Env": "prod"}, "timeout_ms": 5000,
            "template": "{\"t\": {{ type | tojson }}}", "content_type": "application/json",
            "auth": {"type": "bearer", "token": "t0k"}}})
        ),
        Just(json!({"channel": "webhook", "target": {"url": "http://localhost:9000/"}})),
        Just(
            json!({"channel": "slack", "target": {"webhook_url": "https://hooks.slack.com/services/T/B/x",
            "username": "herald", "mention_on_failure": "@here"},
            "digest": {"hour": 8, "timezone": "Europe/Berlin", "skip_empty": true}})
        ),
        Just(
            json!({"channel": "discord", "target": {"webhook_url": "https://discord.com/api/webhooks/1/x"}})
        ),
        Just(
            json!({"channel": "teams", "target": {"webhook_url": "https://example.webhook.office.com/x"}})
        ),
        Just(
            json!({"channel": "email", "target": {"to": ["ops@example.com"], "cc": ["a@example.org"],
            "subject_template": "{{ type }}"}})
        ),
    ];
    (
        target,
        "[a-z0-9_-]{1,64}",
        "[^\\x00]{1,200}".prop_filter("not blank", |n| !n.trim().is_empty()),
        any::<bool>(),
        prop::sample::subsequence(
            &[
                "transfer.*",
                "backup.failed",
                "*",
                "gc.completed",
                "deploy.finished",
            ][..],
            1..4,
        ),
        prop::sample::select(&["always", "on_success", "on_failure"][..]),
        prop::collection::btree_map("[a-z]{1,8}", "\\PC{0,12}", 0..3),
        prop::option::of(1u32..=1000),
        prop::option::of((1u32..=10, prop::collection::vec(1u64..=604_800, 1..4))),
    )
        .prop_map(
            |(target, tenant, name, enabled, types, condition, labels, rate, retry)| {
                let mut doc = target;
                doc["tenant"] = tenant.into();
                doc["name"] = name.into();
                doc["enabled"] = enabled.into();
                doc["event_types"] = json!(types);
                doc["condition"] = condition.into();
                doc["filter"] = json!({"labels": labels, "source_prefix": "s3:"});
                if let Some(rate) = rate {
                    doc["rate_limit_per_second"] = rate.into();
                }
                if let Some((max_attempts, delays)) = retry {
                    doc["retry"] = json!({"max_attempts": max_attempts, "delays_seconds": delays});
                }
                doc
            },
        )
}

/// Every error names a path into the document: `$` for the whole of it, else a path whose
/// first part is a field the document has or one a subscription can have.
fn check_errors(doc: &Value, errors: &FieldErrors) {
    assert!(!errors.is_empty(), "rejected without a reason: {doc}");
    for (path, message) in &errors.0 {
        assert!(!message.trim().is_empty(), "{path} without a message");
        if path == "$" {
            continue;
        }
        // A key may itself hold `.` or `[`: match whole keys, not split parts.
        let names = |key: &str| {
            path == key
                || path.starts_with(&format!("{key}."))
                || path.starts_with(&format!("{key}["))
        };
        let in_doc = doc.as_object().is_some_and(|o| o.keys().any(|k| names(k)));
        let first = path.split(['.', '[']).next().unwrap_or_default();
        assert!(
            in_doc
                || SUBSCRIPTION_FIELDS.contains(&first)
                || ["id", "created_at", "updated_at", "health"].contains(&first),
            "error at {path:?} names no field: {message}"
        );
    }
}

fn validate(doc: Value) -> Result<SubscriptionSpec, FieldErrors> {
    let answer = within("SubscriptionSpec::from_json", {
        let doc = doc.clone();
        move || SubscriptionSpec::from_json(&doc)
    });
    if let Err(errors) = &answer {
        check_errors(&doc, errors);
    }
    answer
}

/// RFC 7396, as the API's PATCH applies it.
fn merge_patch(target: &mut Value, patch: &Value) {
    let Value::Object(patch) = patch else {
        *target = patch.clone();
        return;
    };
    if !target.is_object() {
        *target = json!({});
    }
    if let Value::Object(map) = target {
        for (key, value) in patch {
            if value.is_null() {
                map.remove(key);
            } else {
                merge_patch(map.entry(key.clone()).or_insert(Value::Null), value);
            }
        }
    }
}

const POINTERS: &[&str] = &[
    "/tenant",
    "/name",
    "/enabled",
    "/event_types",
    "/condition",
    "/filter",
    "/filter/labels",
    "/filter/labels/env",
    "/channel",
    "/target",
    "/target/url",
    "/target/method",
    "/target/headers",
    "/target/headers/X-Env",
    "/target/auth",
    "/target/auth/type",
    "/target/timeout_ms",
    "/target/template",
    "/target/secret",
    "/target/previous_secret",
    "/target/webhook_url",
    "/target/to",
    "/target/subject_template",
    "/target/format",
    "/retry",
    "/retry/max_attempts",
    "/retry/delays_seconds",
    "/rate_limit_per_second",
    "/digest",
    "/digest/hour",
    "/digest/timezone",
    "/notify",
    "/group_key",
    "/group",
    "/repeat_interval",
    "/quiet_hours",
    "/quiet_hours/from",
    "/fallback_subscription_id",
    "/id",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn any_json_is_answered(doc in json_value()) {
        let _ = validate(doc);
    }

    #[test]
    fn a_valid_document_keeps_its_values_and_round_trips(doc in valid_doc()) {
        let spec = validate(doc.clone()).unwrap_or_else(|e| panic!("{e}\n{doc}"));
        prop_assert_eq!(spec.tenant.as_str(), doc["tenant"].as_str().unwrap());
        prop_assert_eq!(&spec.name, doc["name"].as_str().unwrap());
        prop_assert_eq!(spec.enabled, doc["enabled"].as_bool().unwrap());
        prop_assert_eq!(spec.channel().as_str(), doc["channel"].as_str().unwrap());
        let again = validate(spec.to_json()).unwrap_or_else(|e| panic!("{e}"));
        prop_assert_eq!(again, spec);
    }

    #[test]
    fn a_mutated_document_is_answered(doc in valid_doc(), change in mutation(POINTERS)) {
        if let Ok(spec) = validate(mutate(doc, &change)) {
            let again = validate(spec.to_json()).unwrap_or_else(|e| panic!("{e}"));
            prop_assert_eq!(again, spec);
        }
    }

    #[test]
    fn a_patched_document_is_answered(
        doc in valid_doc(),
        patch in prop_oneof![
            json_value(),
            (prop::sample::select(SUBSCRIPTION_FIELDS), json_value())
                .prop_map(|(k, v)| json!({ k: v })),
            (prop::sample::select(&["url", "webhook_url", "to", "auth", "headers", "template"][..]), json_value())
                .prop_map(|(k, v)| json!({"target": { k: v }})),
        ],
    ) {
        let mut merged = validate(doc).unwrap().to_json();
        merge_patch(&mut merged, &patch);
        let _ = validate(merged);
    }

    #[test]
    fn nasty_strings_in_any_string_field_are_answered(
        doc in valid_doc(),
        pointer in prop::sample::select(POINTERS),
        text in nasty_string(),
    ) {
        let _ = validate(mutate(doc, &crate::support::Mutation::Set(pointer.to_owned(), text.into())));
    }
}
