use chrono::Utc;
use serde_json::{Value, json};

use crate::{Condition, Event, EventType, SubscriptionSpec, Tenant};

fn spec(extra: Value) -> SubscriptionSpec {
    let mut doc = json!({
        "tenant": "acme",
        "name": "ops alerts",
        "channel": "webhook",
        "target": { "url": "https://hooks.example.com/herald" },
    });
    for (key, value) in extra.as_object().unwrap() {
        doc[key] = value.clone();
    }
    SubscriptionSpec::from_json(&doc).unwrap()
}

fn event(tenant: &str, ty: &str, data: Value) -> Event {
    Event {
        tenant: Tenant::parse(tenant).unwrap(),
        id: "e-1".into(),
        source: "cloudklone://prod".into(),
        event_type: EventType::parse(ty).unwrap(),
        time: Utc::now(),
        subject: None,
        data,
        extensions: Default::default(),
    }
}

fn transfer(ty: &str) -> Event {
    event(
        "acme",
        ty,
        json!({
            "transfer_id": "t-1",
            "source": "aws-s3:/bucket/a",
            "destination": "gcs:/archive",
            "labels": { "env": "production", "team": "data" },
        }),
    )
}

#[test]
fn defaults_match_everything_of_the_tenant() {
    let all = spec(json!({}));
    assert!(all.matches(&transfer("transfer.failed")));
    assert!(all.matches(&event("acme", "deploy.finished", Value::Null)));
    assert!(!all.matches(&event("other", "transfer.failed", json!({}))));
}

#[test]
fn disabled_subscriptions_match_nothing() {
    assert!(!spec(json!({"enabled": false})).matches(&transfer("transfer.failed")));
}

#[test]
fn event_type_patterns_select_types() {
    let s = spec(json!({"event_types": ["transfer.*", "backup.failed"]}));
    assert!(s.matches(&transfer("transfer.completed")));
    assert!(s.matches(&event("acme", "backup.failed", json!({}))));
    assert!(!s.matches(&event("acme", "backup.succeeded", json!({}))));
    assert!(!s.matches(&event("acme", "transferx.failed", json!({}))));
    let exact = spec(json!({"event_types": ["transfer.failed"]}));
    assert!(!exact.matches(&transfer("transfer.completed")));
}

#[test]
fn conditions_follow_the_outcome() {
    let failures = spec(json!({"condition": "on_failure"}));
    let successes = spec(json!({"condition": "on_success"}));
    assert_eq!(failures.condition, Condition::OnFailure);
    for (ty, on_failure, on_success) in [
        ("transfer.failed", true, false),
        ("transfer.completed", false, true),
        ("backup.succeeded", false, true),
        ("backup.warning", false, false),
        ("transfer.started", false, false),
        ("deploy.rolled_back", false, false),
    ] {
        assert_eq!(
            failures.matches(&transfer(ty)),
            on_failure,
            "{ty} on_failure"
        );
        assert_eq!(
            successes.matches(&transfer(ty)),
            on_success,
            "{ty} on_success"
        );
    }
}

#[test]
fn every_label_must_be_equal() {
    let one = spec(json!({"filter": {"labels": {"env": "production"}}}));
    let both = spec(json!({"filter": {"labels": {"env": "production", "team": "data"}}}));
    let wrong = spec(json!({"filter": {"labels": {"env": "staging"}}}));
    let missing = spec(json!({"filter": {"labels": {"region": "eu"}}}));
    let e = transfer("transfer.failed");
    assert!(one.matches(&e));
    assert!(both.matches(&e));
    assert!(!wrong.matches(&e));
    assert!(!missing.matches(&e));
    assert!(!one.matches(&event("acme", "deploy.finished", Value::Null)));
}

#[test]
fn source_and_destination_prefixes() {
    let e = transfer("transfer.failed");
    assert!(spec(json!({"filter": {"source_prefix": "aws-s3:"}})).matches(&e));
    assert!(!spec(json!({"filter": {"source_prefix": "dropbox:"}})).matches(&e));
    assert!(spec(json!({"filter": {"destination_prefix": "gcs:"}})).matches(&e));
    assert!(!spec(json!({"filter": {"destination_prefix": "s3:"}})).matches(&e));
    let no_source = event("acme", "deploy.finished", json!({"other": 1}));
    assert!(!spec(json!({"filter": {"source_prefix": "aws-s3:"}})).matches(&no_source));
}

#[test]
fn a_list_of_outcomes_matches_exactly_those() {
    let failures_and_warnings = spec(json!({"condition": ["failure", "warning"]}));
    for (ty, matches) in [
        ("transfer.failed", true),
        ("backup.warning", true),
        ("transfer.completed", false),
        ("transfer.started", false),
        ("deploy.rolled_back", false),
    ] {
        assert_eq!(
            failures_and_warnings.matches(&transfer(ty)),
            matches,
            "{ty}"
        );
    }
    let info = spec(json!({"condition": ["info"]}));
    assert!(info.matches(&transfer("deploy.rolled_back")));
    assert!(!info.matches(&transfer("transfer.failed")));
}
