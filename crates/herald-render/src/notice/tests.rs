use serde_json::json;

use super::*;
use crate::fixtures::{event, now, sample};

fn facts(notice: &Notice) -> Vec<(&str, &str)> {
    notice
        .facts
        .iter()
        .map(|f| (f.label.as_str(), f.value.as_str()))
        .collect()
}

#[test]
fn a_failed_transfer_reads_like_the_seed() {
    let notice = Notice::from_event(&sample("transfer.failed"));
    assert_eq!(notice.outcome, Outcome::Failure);
    assert_eq!(notice.headline(), "❌ Transfer failed: nightly-backup");
    assert_eq!(notice.colour, 0xE01E5A);
    assert_eq!(
        notice.route.as_ref().map(ToString::to_string).as_deref(),
        Some("dropbox:/files → s3:/archive")
    );
    assert_eq!(
        facts(&notice),
        [
            ("Transferred", "50 MiB"),
            ("Files", "120"),
            ("Duration", "30 min"),
            ("Schedule", "Nightly"),
            ("Labels", "env=production"),
        ]
    );
    let error = notice.error.unwrap();
    assert_eq!(error.summary(), "Access denied (ACCESS_DENIED)");
    assert_eq!(error.details.as_deref(), Some("403 from s3:/archive"));
    assert_eq!(notice.time, now());
    assert_eq!(
        (notice.tenant.as_str(), notice.event_id.as_str()),
        ("acme", "evt-0001")
    );
}

#[test]
fn every_sample_has_a_title_and_a_name() {
    for event_type in herald_domain::samples::SAMPLE_TYPES {
        let notice = Notice::from_event(&sample(event_type));
        assert!(!notice.title.is_empty(), "{event_type}");
        assert!(
            notice.name.is_some() || event_type == "custom.ping",
            "{event_type}"
        );
    }
}

#[test]
fn numbers_may_arrive_as_strings() {
    let notice = Notice::from_event(&event(
        "backup.succeeded",
        json!({ "job_id": "j", "size_bytes": "52428800", "databases": ["a"] }),
    ));
    assert_eq!(facts(&notice), [("Databases", "a"), ("Size", "50 MiB")]);
    assert_eq!(notice.headline(), "✅ Backup succeeded: j");
}

#[test]
fn links_are_http_urls_only() {
    let link = |value| Notice::from_event(&event("deploy.finished", json!({ "url": value }))).link;
    assert_eq!(
        link(json!("https://ci.example.com/r/1")).as_deref(),
        Some("https://ci.example.com/r/1")
    );
    assert_eq!(link(json!("javascript:alert(1)")), None);
    assert_eq!(link(json!("not a url")), None);
    assert_eq!(link(json!(42)), None);
    let with_link = event("deploy.finished", json!({ "link": "http://x.example/a b" }));
    assert_eq!(
        Notice::from_event(&with_link).link.as_deref(),
        Some("http://x.example/a%20b")
    );
}

#[test]
fn errors_may_be_strings_or_partial() {
    let error = |value| Notice::from_event(&event("x.failed", json!({ "error": value }))).error;
    assert_eq!(error(json!("boom")).unwrap().summary(), "boom");
    assert_eq!(error(json!({ "code": "E1" })).unwrap().summary(), "E1");
    assert_eq!(
        error(json!({ "message": "m", "details": { "status": 403 } }))
            .unwrap()
            .details
            .as_deref(),
        Some(r#"{"status":403}"#)
    );
    assert_eq!(error(json!({})), None);
    assert_eq!(error(json!(null)), None);
}

#[test]
fn an_odd_event_still_makes_a_notice() {
    let notice = Notice::from_event(&json!({ "type": 5, "data": [1, 2] }));
    assert_eq!(notice.outcome, Outcome::Info);
    assert_eq!(notice.headline(), "ℹ️ Event");
    assert_eq!(notice.time, DateTime::UNIX_EPOCH);
    let timeless = json!({ "type": "backup.failed", "data": { "job_id": "j", "ended_at": "2026-03-01T09:30:00Z" } });
    assert_eq!(Notice::from_event(&timeless).time, now());
}

#[test]
fn routes_read_with_one_end_missing() {
    let route = |source: Option<&str>, destination: Option<&str>| {
        Route::new(source.map(String::from), destination.map(String::from)).map(|r| r.to_string())
    };
    assert_eq!(route(Some("a"), None).as_deref(), Some("from a"));
    assert_eq!(route(None, Some("b")).as_deref(), Some("to b"));
    assert_eq!(route(None, None), None);
}
