use super::*;
use serde_json::json;

#[test]
fn only_fields_the_file_sets_are_compared() {
    let api = json!({"name": "a", "enabled": true, "condition": "always",
        "target": {"url": "http://x/h", "secret": "whsec_****", "timeout_ms": 10000}});
    let file = json!({"name": "a", "condition": "on_failure",
        "target": {"url": "http://x/h2", "secret": "whsec_abc"}});
    let difference = compare(&file, &api);
    assert_eq!(difference.changed, vec!["condition", "target.url"]);
    assert_eq!(difference.masked, vec!["target.secret"]);
}

#[test]
fn a_masked_value_whose_shown_part_differs_is_a_change() {
    let api = json!({"target": {"webhook_url": "https://hooks.slack.com/services/T0…/****"}});
    let moved = json!({"target": {"webhook_url": "https://example.com/services/T01/x"}});
    assert_eq!(compare(&moved, &api).changed, vec!["target.webhook_url"]);
    let same = json!({"target": {"webhook_url": "https://hooks.slack.com/services/T01/x"}});
    assert!(compare(&same, &api).changed.is_empty());
}

#[test]
fn numbers_compare_by_value_and_dropped_labels_count() {
    let api =
        json!({"retry": {"delays_seconds": [5, 30]}, "filter": {"labels": {"a": "1", "b": "2"}}});
    let file = json!({"retry": {"delays_seconds": [5.0, 30]}, "filter": {"labels": {"a": "1"}}});
    assert_eq!(compare(&file, &api).changed, vec!["filter.labels"]);
}
