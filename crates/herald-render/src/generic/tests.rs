use serde_json::json;

use super::*;

fn facts(layout: &Layout) -> Vec<(&str, &str)> {
    layout
        .facts
        .iter()
        .map(|f| (f.label.as_str(), f.value.as_str()))
        .collect()
}

#[test]
fn known_keys_take_their_places_and_the_rest_become_facts() {
    let layout = layout(&json!({
        "name": "api",
        "message": "Rolled out.",
        "source": "git:main",
        "destination": "prod",
        "url": "https://ci.example.com",
        "error": "none",
        "warnings": ["slow"],
        "version": "2.4.1",
        "hosts": ["web-1", "web-2"],
        "environment": { "region": "eu", "nested": { "deep": true } },
        "labels": { "team": "data" },
        "artifact_bytes": 1536,
        "elapsed_seconds": "95",
        "skipped": null,
    }));
    assert_eq!(layout.name.as_deref(), Some("api"));
    assert_eq!(layout.description.as_deref(), Some("Rolled out."));
    assert_eq!(
        layout.route.as_ref().unwrap().to_string(),
        "git:main → prod"
    );
    assert_eq!(layout.warnings, ["slow"]);
    assert_eq!(
        facts(&layout),
        [
            ("Artifact", "1.5 KiB"),
            ("Elapsed", "1 min 35 s"),
            ("Environment nested", r#"{"deep":true}"#),
            ("Environment region", "eu"),
            ("Hosts", "web-1, web-2"),
            ("Labels", "team=data"),
            ("Version", "2.4.1"),
        ]
    );
}

#[test]
fn the_number_of_facts_is_bounded() {
    let data: serde_json::Map<String, Value> = (0..40)
        .map(|i| (format!("field_{i:02}"), json!(i)))
        .collect();
    let layout = layout(&Value::Object(data));
    assert_eq!(layout.facts.len(), MAX_FACTS);
    let last = layout.facts.last().unwrap();
    assert_eq!(
        (last.label.as_str(), last.value.as_str()),
        ("More", "21 more fields not shown")
    );
}

#[test]
fn bare_data_is_the_message() {
    assert_eq!(layout(&json!("hi")).description.as_deref(), Some("hi"));
    assert_eq!(layout(&json!(null)).description, None);
}

#[test]
fn a_name_that_is_not_text_stays_a_fact() {
    let layout = layout(&json!({ "name": { "first": "x" }, "title": "T" }));
    assert_eq!(layout.name.as_deref(), Some("T"));
    assert_eq!(facts(&layout), [("Name first", "x")]);
}
