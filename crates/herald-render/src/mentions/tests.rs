use serde_json::json;

use super::*;
use crate::fixtures::sample;

#[test]
fn only_failures_mention() {
    let failed = Notice::from_event(&sample("backup.failed"));
    let succeeded = Notice::from_event(&sample("backup.succeeded"));
    let warned = Notice::from_event(&sample("backup.warning"));
    assert_eq!(failure_mention(&failed, Some(" <!here> ")), Some("<!here>"));
    assert_eq!(failure_mention(&succeeded, Some("<!here>")), None);
    assert_eq!(failure_mention(&warned, Some("<!here>")), None);
    assert_eq!(failure_mention(&failed, Some("  ")), None);
    assert_eq!(failure_mention(&failed, None), None);
    assert_eq!(failure_mention(&failed, Some(&"x".repeat(501))), None);
}

#[test]
fn discord_allows_exactly_what_the_mention_names() {
    assert_eq!(discord_allowed_mentions(None), json!({ "parse": [] }));
    assert_eq!(
        discord_allowed_mentions(Some("<@&123>")),
        json!({ "parse": [], "roles": ["123"] })
    );
    assert_eq!(
        discord_allowed_mentions(Some("<@456> <@!789> <@456>")),
        json!({ "parse": [], "users": ["456", "789"] })
    );
    assert_eq!(
        discord_allowed_mentions(Some("@here")),
        json!({ "parse": ["everyone"] })
    );
    assert_eq!(
        discord_allowed_mentions(Some("@everyone <@&1> <@x> <@2")),
        json!({ "parse": ["everyone"], "roles": ["1"] })
    );
}
