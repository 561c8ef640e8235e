use super::*;
use serde_json::json;

fn webhook(target: Value) -> Value {
    json!({"tenant": "acme", "name": "a", "channel": "webhook", "target": target})
}

#[test]
fn fields_the_file_sets_are_compared_and_a_masked_secret_cannot_be_told() {
    let api = json!({"name": "a", "enabled": true, "condition": "always", "channel": "webhook",
        "target": {"url": "http://x/h", "secret": "whsec_****", "timeout_ms": 10000}});
    let file = json!({"name": "a", "condition": "on_failure", "channel": "webhook",
        "target": {"url": "http://x/h2", "secret": "whsec_abc"}});
    let desired = json!({"name": "a", "enabled": true, "condition": "on_failure",
        "channel": "webhook", "target": {"url": "http://x/h2", "secret": "whsec_****",
        "timeout_ms": 10000}});
    let difference = compare(&file, &desired, &api);
    assert_eq!(difference.changed, vec!["condition", "target.url"]);
    assert_eq!(difference.masked, vec!["target.secret"]);
}

#[test]
fn a_masked_value_whose_shown_part_differs_is_a_change() {
    let api = json!({"target": {"webhook_url": "https://hooks.slack.com/services/T0…/****"}});
    let moved = json!({"target": {"webhook_url": "https://example.com/services/T01/x"}});
    assert_eq!(
        compare(&moved, &moved, &api).changed,
        vec!["target.webhook_url"]
    );
    let same = json!({"target": {"webhook_url": "https://hooks.slack.com/services/T01/x"}});
    assert!(compare(&same, &same, &api).changed.is_empty());
}

#[test]
fn numbers_compare_by_value_and_dropped_labels_count() {
    let api =
        json!({"retry": {"delays_seconds": [5, 30]}, "filter": {"labels": {"a": "1", "b": "2"}}});
    let file = json!({"retry": {"delays_seconds": [5.0, 30]}, "filter": {"labels": {"a": "1"}}});
    assert_eq!(compare(&file, &file, &api).changed, vec!["filter.labels"]);
}

#[test]
fn a_field_left_out_is_removed_or_back_at_its_default() {
    let api = json!({"enabled": false, "condition": "always", "rate_limit_per_second": 5,
        "filter": {"labels": {}, "source_prefix": "backup-"}, "channel": "webhook",
        "target": {"url": "http://x/h", "headers": {"X-A": "****"}, "secret": "whsec_****"}});
    let file = json!({"channel": "webhook", "target": {"url": "http://x/h"}});
    let desired = json!({"enabled": true, "condition": "always", "filter": {"labels": {}},
        "channel": "webhook", "target": {"url": "http://x/h", "headers": {},
        "secret": "whsec_****"}});
    assert_eq!(
        compare(&file, &desired, &api).changed,
        vec![
            "enabled (to default)",
            "filter.source_prefix (removed)",
            "rate_limit_per_second (removed)",
            "target.headers (removed)",
        ]
    );
    // What is already at its default is no change.
    let settled = json!({"enabled": true, "condition": "always", "filter": {"labels": {}},
        "channel": "webhook", "target": {"url": "http://x/h", "headers": {},
        "secret": "whsec_****"}, "id": "sub_1", "updated_at": "2026-01-01T00:00:00Z"});
    assert_eq!(compare(&file, &desired, &settled), Difference::default());
}

#[test]
fn the_patch_nulls_what_the_file_leaves_out_but_keeps_the_secret_and_server_fields() {
    let api = json!({"id": "sub_1", "created_at": "t", "updated_at": "t", "tenant": "acme",
        "name": "a", "channel": "webhook", "enabled": true, "condition": "on_failure",
        "filter": {"labels": {"a": "1", "b": "2"}, "source_prefix": "x"},
        "target": {"url": "http://x/h", "headers": {"X-A": "****"}, "timeout_ms": 1000,
            "secret": "whsec_****", "previous_secret": {"secret": "whsec_****"}}});
    let file = webhook(json!({"url": "http://x/h2"}));
    let mut with_labels = file.clone();
    with_labels["filter"] = json!({"labels": {"a": "1"}});
    assert_eq!(
        converging_patch(&with_labels, &api),
        json!({"tenant": "acme", "name": "a", "channel": "webhook", "enabled": null,
            "condition": null,
            "filter": {"labels": {"a": "1", "b": null}, "source_prefix": null},
            "target": {"url": "http://x/h2", "headers": null, "timeout_ms": null}})
    );
}

#[test]
fn a_new_channel_takes_the_old_targets_secret_with_it() {
    let api = json!({"channel": "webhook",
        "target": {"url": "http://x/h", "secret": "whsec_****"}});
    let file = json!({"channel": "slack", "target": {"webhook_url": "https://hooks.slack.com/x"}});
    assert_eq!(
        converging_patch(&file, &api),
        json!({"channel": "slack",
            "target": {"webhook_url": "https://hooks.slack.com/x", "url": null, "secret": null}})
    );
    let desired = file.clone();
    assert!(
        compare(&file, &desired, &api)
            .changed
            .contains(&"target.secret (removed)".to_owned())
    );
}

#[test]
fn the_read_only_health_is_neither_a_change_nor_patched() {
    let file = webhook(json!({"url": "http://x/h"}));
    let desired = json!({"tenant": "acme", "name": "a", "enabled": true,
        "condition": "always", "filter": {"labels": {}}, "channel": "webhook",
        "target": {"url": "http://x/h", "headers": {}}});
    let mut api = desired.clone();
    api["id"] = json!("sub_1");
    api["target"]["secret"] = json!("whsec_****");
    api["health"] = json!({"state": "failing", "failing_since": "2026-01-01T00:00:00Z",
        "last_error": "HTTP 500", "disabled_reason": null, "delivered_24h": 3,
        "failed_24h": 1, "success_rate_24h": 0.75});
    assert_eq!(compare(&file, &desired, &api), Difference::default());
    assert!(converging_patch(&file, &api).get("health").is_none());
}
