use serde_json::json;

use super::*;

fn labels(layout: &Layout) -> Vec<&str> {
    layout.facts.iter().map(|f| f.label.as_str()).collect()
}

#[test]
fn a_started_job_has_no_duration_yet() {
    let data = json!({
        "job_id": "j",
        "started_at": "2026-03-01T09:00:00Z",
        "ended_at": "2026-03-01T09:30:00Z",
    });
    assert!(labels(&backup(&data, Outcome::Started)).is_empty());
    assert_eq!(labels(&backup(&data, Outcome::Success)), ["Duration"]);
}

#[test]
fn a_transfer_status_shows_only_when_it_says_more() {
    let data = |status| json!({ "transfer_id": "t", "status": status });
    assert!(labels(&transfer(&data("completed"), Outcome::Success)).is_empty());
    assert_eq!(
        labels(&transfer(&data("partial"), Outcome::Success)),
        ["Status"]
    );
}

#[test]
fn names_fall_back_to_ids() {
    let named = |layout: Layout| layout.name;
    assert_eq!(
        named(transfer(&json!({ "transfer_id": "t-1" }), Outcome::Info)).as_deref(),
        Some("t-1")
    );
    assert_eq!(
        named(backup(&json!({ "job_id": "j-1" }), Outcome::Info)).as_deref(),
        Some("j-1")
    );
    let repository_only = snapshot(&json!({ "repo_id": "r-1" }));
    assert_eq!(repository_only.name.as_deref(), Some("r-1"));
    assert!(labels(&repository_only).is_empty());
    let restored = restore(&json!({ "repo_id": "r-1", "snapshot_id": "s-1" }));
    assert_eq!(restored.name.as_deref(), Some("s-1"));
    assert_eq!(labels(&restored), ["Repository"]);
}

#[test]
fn counts_and_sizes_read_as_such() {
    let layout =
        gc(&json!({ "repo_id": "r", "freed_bytes": "1073741824", "snapshots_deleted": "3" }));
    let facts: Vec<(&str, &str)> = layout
        .facts
        .iter()
        .map(|f| (f.label.as_str(), f.value.as_str()))
        .collect();
    assert_eq!(facts, [("Freed", "1 GiB"), ("Snapshots deleted", "3")]);
}
