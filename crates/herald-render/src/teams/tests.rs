use herald_domain::TeamsFormat;
use serde_json::json;

use super::*;
use crate::fixtures::{self, event, huge_events, sample};

fn both_formats() -> [TeamsTarget; 2] {
    [
        fixtures::teams(TeamsFormat::AdaptiveCard),
        fixtures::teams(TeamsFormat::MessageCard),
    ]
}

#[test]
fn huge_events_stay_within_the_teams_body_limit() {
    for target in both_formats() {
        for event in huge_events() {
            let message = teams_message(&Notice::from_event(&event), &target);
            let size = message.to_string().len();
            assert!(size <= BODY_MAX, "{:?}: {size} bytes", target.format);
            assert!(message.to_string().contains("Error"));
        }
    }
}

#[test]
fn the_format_picks_the_card() {
    let notice = Notice::from_event(&sample("transfer.completed"));
    let [adaptive, legacy] = both_formats().map(|target| teams_message(&notice, &target));
    assert_eq!(adaptive["type"], "message");
    let attachment = &adaptive["attachments"][0];
    assert_eq!(
        attachment["contentType"],
        "application/vnd.microsoft.card.adaptive"
    );
    assert_eq!(attachment["content"]["type"], "AdaptiveCard");
    assert_eq!(attachment["content"]["version"], "1.4");
    assert_eq!(legacy["@type"], "MessageCard");
    assert_eq!(legacy["themeColor"], "2EB67D");
    assert_eq!(legacy["summary"], "✅ Transfer complete: nightly-backup");
}

#[test]
fn publisher_text_cannot_mention_or_inject() {
    let name = "<at>Ann</at> [phish](https://evil.example) <b>x</b>";
    let event = event("deploy.failed", json!({ "name": name, "error": name }));
    let [adaptive, legacy] =
        both_formats().map(|target| teams_message(&Notice::from_event(&event), &target));
    let body = adaptive["attachments"][0]["content"]["body"].to_string();
    assert!(
        !body.contains("](https://evil"),
        "no link from publisher text"
    );
    assert!(!adaptive.to_string().contains("<at>"));
    let legacy = legacy.to_string();
    assert!(!legacy.contains("<at>") && !legacy.contains("<b>"));
}

#[test]
fn caps_shrink_until_the_smallest() {
    let (first, last) = (Caps::at(0), Caps::at(LEVELS - 1));
    assert!(first.text > last.text && first.fact > last.fact && first.facts > last.facts);
    assert!(last.facts >= 2 && last.warnings >= 1);
}
