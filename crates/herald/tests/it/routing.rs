//! Every routing rule selects exactly the right subscriptions.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use herald::samples::sample_event;
use serde_json::json;

use crate::support::{eventually, spawn_app, webhook_subscription};

#[tokio::test]
async fn conditions_filters_wildcards_and_tenants_select_exactly_the_right_subscriptions() {
    let app = spawn_app().await;
    let subs = [
        ("everything", webhook_subscription("acme", json!({}))),
        (
            "star",
            webhook_subscription("acme", json!({"event_types": ["*"]})),
        ),
        (
            "transfers",
            webhook_subscription("acme", json!({"event_types": ["transfer.*"]})),
        ),
        (
            "exact_backup_failed",
            webhook_subscription("acme", json!({"event_types": ["backup.failed"]})),
        ),
        (
            "on_failure",
            webhook_subscription("acme", json!({"condition": "on_failure"})),
        ),
        (
            "on_success",
            webhook_subscription("acme", json!({"condition": "on_success"})),
        ),
        (
            "prod_only",
            webhook_subscription("acme", json!({"filter": {"labels": {"env": "production"}}})),
        ),
        (
            "staging_only",
            webhook_subscription("acme", json!({"filter": {"labels": {"env": "staging"}}})),
        ),
        (
            "from_dropbox",
            webhook_subscription("acme", json!({"filter": {"source_prefix": "dropbox:"}})),
        ),
        (
            "to_gcs",
            webhook_subscription("acme", json!({"filter": {"destination_prefix": "gcs:"}})),
        ),
        ("other_tenant", webhook_subscription("globex", json!({}))),
        (
            "disabled",
            webhook_subscription("acme", json!({"enabled": false})),
        ),
        (
            "custom_family",
            webhook_subscription("acme", json!({"event_types": ["custom.*"]})),
        ),
    ];
    let mut ids = BTreeMap::new();
    for (name, body) in subs {
        ids.insert(app.subscribe(body).await, name);
    }

    let now = chrono::Utc::now();
    let mut staging_backup = sample_event("backup.succeeded", "acme", "staging-backup", now);
    staging_backup["data"]["labels"]["env"] = json!("staging");
    let events = [
        sample_event("transfer.failed", "acme", "transfer-failed", now),
        sample_event("transfer.started", "acme", "transfer-started", now),
        sample_event("backup.failed", "acme", "backup-failed", now),
        staging_backup,
        sample_event("custom.ping", "acme", "custom-ping", now),
        sample_event("verify.completed", "globex", "globex-verify", now),
    ];
    for event in &events {
        app.nats
            .publish_event(event, event["id"].as_str().unwrap())
            .await;
    }
    eventually(Duration::from_secs(15), "all events", || async {
        (app.event_count().await == 6).then_some(())
    })
    .await;

    let mut got: BTreeMap<String, BTreeSet<&str>> = BTreeMap::new();
    for (event, sub) in app.delivery_pairs().await {
        got.entry(event).or_default().insert(ids[&sub]);
    }
    let want = |names: &[&'static str]| names.iter().copied().collect::<BTreeSet<&str>>();
    // Sample transfers go dropbox:/files → s3:/archive with env=production.
    assert_eq!(
        got["transfer-failed"],
        want(&[
            "everything",
            "star",
            "transfers",
            "on_failure",
            "prod_only",
            "from_dropbox"
        ])
    );
    assert_eq!(
        got["transfer-started"],
        want(&[
            "everything",
            "star",
            "transfers",
            "prod_only",
            "from_dropbox"
        ])
    );
    assert_eq!(
        got["backup-failed"],
        want(&[
            "everything",
            "star",
            "exact_backup_failed",
            "on_failure",
            "prod_only"
        ])
    );
    assert_eq!(
        got["staging-backup"],
        want(&["everything", "star", "on_success", "staging_only"])
    );
    assert_eq!(
        got["custom-ping"],
        want(&["everything", "star", "custom_family"])
    );
    assert_eq!(got["globex-verify"], want(&["other_tenant"]));
}
