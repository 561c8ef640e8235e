use std::time::Duration;

use serde_json::{Value, json};

use crate::{
    Channel, Condition, HttpMethod, Outcome, SubscriptionSpec, Target, TeamsFormat, WebhookTarget,
};

fn webhook_doc() -> Value {
    json!({
        "tenant": "acme",
        "name": "ops alerts",
        "enabled": true,
        "event_types": ["transfer.*", "backup.failed"],
        "condition": "on_failure",
        "filter": { "labels": { "env": "production" }, "source_prefix": "aws-s3:" },
        "channel": "webhook",
        "target": { "url": "https://hooks.example.com/herald", "method": "POST" },
        "retry": { "max_attempts": 8, "delays_seconds": [5, 30, 120, 600, 1800, 3600, 7200] },
        "rate_limit_per_second": 5
    })
}

fn errors_of(doc: &Value) -> std::collections::BTreeMap<String, String> {
    SubscriptionSpec::from_json(doc)
        .expect_err("document was accepted")
        .0
}

fn webhook(doc: &Value) -> WebhookTarget {
    match SubscriptionSpec::from_json(doc).unwrap().target {
        Target::Webhook(w) => w,
        other => panic!("not a webhook: {other:?}"),
    }
}

#[test]
fn contract_example_is_accepted_with_defaults_filled_in() {
    let spec = SubscriptionSpec::from_json(&webhook_doc()).unwrap();
    assert_eq!(spec.channel(), Channel::Webhook);
    assert_eq!(spec.rate_limit_per_second, Some(5));
    assert_eq!(spec.retry.max_attempts(), 8);
    let target = webhook(&webhook_doc());
    assert_eq!(target.method, HttpMethod::Post);
    assert_eq!(target.content_type, "application/json");
    assert_eq!(target.timeout_ms, 10_000);
    assert!(target.secret.expose().starts_with("whsec_"));

    let minimal = json!({"tenant": "acme", "name": "n", "channel": "webhook",
        "target": {"url": "http://localhost:9000/", "method": "patch"}});
    let spec = SubscriptionSpec::from_json(&minimal).unwrap();
    assert!(spec.enabled);
    assert_eq!(spec.event_types.len(), 1);
    assert_eq!(spec.event_types[0].as_str(), "*");
    assert_eq!(webhook(&minimal).method, HttpMethod::Patch);
}

#[test]
fn every_bad_field_is_named_at_once() {
    let doc = json!({
        "tenant": "ACME",
        "name": "",
        "enabled": "yes",
        "event_types": ["transfer.*", "Bad Type", 3],
        "condition": "sometimes",
        "filter": { "labels": { "env": 1 } },
        "channel": "webhook",
        "target": {
            "url": "ftp://example.com",
            "method": "GET",
            "headers": { "Host": "x", "Herald-Attempt": "1", "bad name": "x", "X-Ok": "tab\there" },
            "auth": { "type": "oauth" },
            "timeout_ms": 5,
            "secret": "plain",
            "colour": "blue"
        },
        "retry": { "max_attempts": 0, "delays_seconds": [5, -1, "x"] },
        "rate_limit_per_second": 0,
        "digest": { "hour": 8 },
        "surprise": true
    });
    let errors = errors_of(&doc);
    for path in [
        "tenant",
        "name",
        "enabled",
        "event_types[1]",
        "event_types[2]",
        "condition",
        "filter.labels.env",
        "target.url",
        "target.method",
        "target.headers.Host",
        "target.headers.Herald-Attempt",
        "target.headers.bad name",
        "target.headers.X-Ok",
        "target.auth.type",
        "target.timeout_ms",
        "target.secret",
        "target.colour",
        "retry.max_attempts",
        "retry.delays_seconds[1]",
        "retry.delays_seconds[2]",
        "rate_limit_per_second",
        "digest",
        "surprise",
    ] {
        assert!(errors.contains_key(path), "{path} not named in {errors:#?}");
    }
    assert!(!errors.contains_key("event_types[0]"));
    assert!(!errors.contains_key("retry.delays_seconds[0]"));
}

#[test]
fn required_fields_are_named_when_missing() {
    let errors = errors_of(&json!({}));
    for path in ["tenant", "name", "channel", "target"] {
        assert_eq!(
            errors.get(path).map(String::as_str),
            Some("is required"),
            "{path}"
        );
    }
    assert!(errors_of(&json!([])).contains_key("$"));
    let errors =
        errors_of(&json!({"tenant": "acme", "name": "n", "channel": "pager", "target": {}}));
    assert!(errors.contains_key("channel"));
    let no_types = json!({"tenant": "acme", "name": "n", "channel": "webhook",
        "event_types": [], "target": {"url": "https://x.example"}});
    assert!(errors_of(&no_types).contains_key("event_types"));
}

#[test]
fn template_that_does_not_compile_names_its_line() {
    let mut doc = webhook_doc();
    doc["target"]["content_type"] = json!("text/plain");
    doc["target"]["template"] = json!("Event {{ event.type }}\n{% for x in %}");
    let errors = errors_of(&doc);
    let message = &errors["target.template"];
    assert!(
        message.starts_with("does not compile (line 2): "),
        "{message}"
    );
    // Stored subscriptions are compiled too: a syntax error is corruption, not an old save.
    assert!(SubscriptionSpec::from_stored_json(&doc).is_err());

    doc["target"].as_object_mut().unwrap().remove("template");
    assert!(errors_of(&doc)["target.template"].contains("text/plain"));

    doc["target"]["template"] = json!("{{ event.type }}");
    assert_eq!(webhook(&doc).template.as_deref(), Some("{{ event.type }}"));
    doc["target"]["content_type"] = json!("application/xml");
    doc["target"].as_object_mut().unwrap().remove("template");
    assert!(SubscriptionSpec::from_json(&doc).is_ok());
}

#[test]
fn auth_shapes_are_checked() {
    let mut doc = webhook_doc();
    doc["target"]["auth"] = json!({"type": "basic", "username": "u"});
    assert!(errors_of(&doc).contains_key("target.auth.password"));
    doc["target"]["auth"] = json!({"type": "api_key", "header": "Content-Type", "value": "k"});
    assert!(errors_of(&doc).contains_key("target.auth.header"));
    doc["target"]["auth"] = json!({"username": "u"});
    assert!(errors_of(&doc).contains_key("target.auth.type"));
    doc["target"]["auth"] = json!({"type": "bearer", "token": "t", "extra": 1});
    assert!(errors_of(&doc).contains_key("target.auth.extra"));
    doc["target"]["auth"] = json!({"type": "bearer", "token": "t"});
    assert!(SubscriptionSpec::from_json(&doc).is_ok());
}

#[test]
fn chat_and_email_targets() {
    let teams = json!({"tenant": "acme", "name": "t", "channel": "teams",
        "target": {"webhook_url": "https://example.webhook.office.com/x"}});
    match SubscriptionSpec::from_json(&teams).unwrap().target {
        Target::Teams(t) => assert_eq!(t.format, TeamsFormat::AdaptiveCard),
        other => panic!("{other:?}"),
    }
    let bad_chat = json!({"tenant": "acme", "name": "t", "channel": "discord",
        "target": {"webhook_url": "discord.com/api", "avatar_url": "file:///x", "url": "x"}});
    let errors = errors_of(&bad_chat);
    for path in ["target.webhook_url", "target.avatar_url", "target.url"] {
        assert!(errors.contains_key(path), "{path} missing from {errors:?}");
    }
    let email = json!({"tenant": "acme", "name": "e", "channel": "email",
        "target": {"to": ["ops@example.com", "not an address"], "cc": ["x@"],
                   "subject_template": "{% if %}"},
        "digest": {"hour": 24, "timezone": "Mars/Olympus"}});
    let errors = errors_of(&email);
    for path in [
        "target.to[1]",
        "target.cc[0]",
        "target.subject_template",
        "digest.hour",
        "digest.timezone",
    ] {
        assert!(errors.contains_key(path), "{path} missing from {errors:?}");
    }
    let empty_to = json!({"tenant": "acme", "name": "e", "channel": "email", "target": {"to": []}});
    assert!(errors_of(&empty_to).contains_key("target.to"));
}

#[test]
fn digest_defaults_and_timezones() {
    let email = json!({"tenant": "acme", "name": "e", "channel": "email",
        "target": {"to": ["ops@example.com"]}, "digest": {"timezone": "Europe/Berlin"}});
    let digest = SubscriptionSpec::from_json(&email).unwrap().digest.unwrap();
    assert_eq!(digest.hour, 8);
    assert_eq!(digest.timezone, Some(chrono_tz::Europe::Berlin));
}

#[test]
fn fractional_retry_delays_are_allowed() {
    let mut doc = webhook_doc();
    doc["retry"] = json!({"delays_seconds": [0.5, 604800]});
    let spec = SubscriptionSpec::from_json(&doc).unwrap();
    assert_eq!(
        spec.retry.delays(),
        [Duration::from_millis(500), Duration::from_secs(604_800)]
    );
    assert_eq!(spec.retry.max_attempts(), 8);
    doc["retry"] = json!({"delays_seconds": [604801]});
    assert!(errors_of(&doc).contains_key("retry.delays_seconds[0]"));
    doc["retry"] = json!({"delays_seconds": []});
    assert!(errors_of(&doc).contains_key("retry.delays_seconds"));
}

fn templated(event_types: Value, condition: &str, template: &str) -> Value {
    let mut doc = webhook_doc();
    doc["event_types"] = event_types;
    doc["condition"] = json!(condition);
    doc["target"]["content_type"] = json!("text/plain");
    doc["target"]["template"] = json!(template);
    doc
}

#[test]
fn a_template_must_render_for_every_sample_it_would_receive() {
    let contract =
        "{{ type }} {{ data.name }}{% if data.error %}: {{ data.error.message }}{% endif %}";
    assert!(SubscriptionSpec::from_json(&templated(json!(["*"]), "always", contract)).is_ok());

    let doc = templated(
        json!(["transfer.*"]),
        "always",
        "ok\n{{ data.name | nosuchfilter }}",
    );
    let message = &errors_of(&doc)["target.template"];
    assert!(
        message.starts_with("does not render for transfer.started (line 2): unknown filter"),
        "{message}"
    );
}

#[test]
fn only_the_types_the_subscription_receives_are_rendered() {
    // job_name is text, so only a backup event makes this template fail.
    let backup_only =
        "{% if type == 'backup.failed' %}{{ data.job_name | filesizeformat }}{% endif %}";
    let failures = templated(json!(["transfer.*", "backup.*"]), "on_failure", backup_only);
    let message = &errors_of(&failures)["target.template"];
    assert!(
        message.starts_with("does not render for backup.failed (line 1): "),
        "{message}"
    );
    assert!(message.contains("postgres-main"), "{message}");
    let successes = templated(json!(["transfer.*", "backup.*"]), "on_success", backup_only);
    assert!(SubscriptionSpec::from_json(&successes).is_ok());
}

#[test]
fn a_custom_type_is_rendered_against_a_minimal_event_of_that_type() {
    let doc = templated(
        json!(["deploy.finished"]),
        "always",
        "{{ data.message | filesizeformat }}",
    );
    let message = &errors_of(&doc)["target.template"];
    assert!(
        message.starts_with("does not render for deploy.finished (line 1): "),
        "{message}"
    );
}

#[test]
fn a_runaway_template_is_refused() {
    let doc = templated(
        json!(["transfer.failed"]),
        "always",
        "{% for i in range(10000) %}{% for j in range(10000) %}.{% endfor %}{% endfor %}",
    );
    assert!(errors_of(&doc)["target.template"].contains("fuel"));
}

#[test]
fn an_email_subject_is_rendered_too() {
    let email = json!({"tenant": "acme", "name": "e", "channel": "email",
        "event_types": ["backup.failed"],
        "target": {"to": ["ops@example.com"], "subject_template": "[{{ tenant | nosuchfilter }}]"}});
    let message = &errors_of(&email)["target.subject_template"];
    assert!(
        message.starts_with("does not render for backup.failed (line 1): "),
        "{message}"
    );
}

#[test]
fn a_stored_subscription_loads_without_rendering_samples() {
    // Saved by a build that did not test-render: it must still load and deliver.
    let doc = templated(
        json!(["transfer.*"]),
        "always",
        "{{ data.name | nosuchfilter }}",
    );
    assert!(SubscriptionSpec::from_json(&doc).is_err());
    let spec = SubscriptionSpec::from_stored_json(&doc).unwrap();
    match spec.target {
        Target::Webhook(w) => assert_eq!(
            w.template.as_deref(),
            Some("{{ data.name | nosuchfilter }}")
        ),
        other => panic!("not a webhook: {other:?}"),
    }
}

#[test]
fn conditions_take_a_keyword_or_a_list_of_outcomes() {
    let mut doc = webhook_doc();
    for word in ["always", "on_success", "on_failure"] {
        doc["condition"] = json!(word);
        let spec = SubscriptionSpec::from_json(&doc).unwrap();
        assert_eq!(spec.condition.keyword(), Some(word));
    }
    doc["condition"] = json!(["failure", "warning"]);
    assert_eq!(
        SubscriptionSpec::from_json(&doc).unwrap().condition,
        Condition::Outcomes(vec![Outcome::Failure, Outcome::Warning])
    );
}

#[test]
fn a_bad_condition_is_named() {
    let mut doc = webhook_doc();
    doc["condition"] = json!(["failure", "sometimes"]);
    let errors = errors_of(&doc);
    assert_eq!(
        errors["condition[1]"],
        "\"sometimes\" is not an outcome: expected one of success, failure, warning, started, info"
    );
    assert!(!errors.contains_key("condition[0]"));
    doc["condition"] = json!([]);
    assert_eq!(
        errors_of(&doc)["condition"],
        "must list at least one outcome"
    );
    doc["condition"] = json!("on_warning");
    assert!(errors_of(&doc)["condition"].contains("on_warning"));
    doc["condition"] = json!(3);
    assert!(errors_of(&doc).contains_key("condition"));
}

#[test]
fn a_chat_template_must_render_a_json_object() {
    let chat = |template: &str| {
        json!({
            "tenant": "acme", "name": "chat", "channel": "discord",
            "target": {"webhook_url": "https://discord.com/api/webhooks/1/abc", "template": template},
        })
    };
    let good = SubscriptionSpec::from_json(&chat(
        r#"{"content": {{ (type ~ " " ~ data.name) | tojson }}}"#,
    ));
    assert!(good.is_ok(), "{good:?}");
    let errors = SubscriptionSpec::from_json(&chat("{{ type }} failed")).unwrap_err();
    assert!(
        errors.0["target.template"].contains("not a JSON object"),
        "{errors:?}"
    );
}
