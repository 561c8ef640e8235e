use serde_json::json;

use super::*;
use crate::fixtures::{self, event, huge_events, nasty, sample};

fn text_units(value: &Value) -> usize {
    value.as_str().map_or(0, units)
}

fn assert_within_limits(message: &Value) {
    assert!(text_units(&message["content"]) <= CONTENT_MAX);
    assert!(text_units(&message["username"]) <= USERNAME_MAX);
    let embeds = message["embeds"].as_array().unwrap();
    assert_eq!(embeds.len(), 1);
    let embed = &embeds[0];
    let title = text_units(&embed["title"]);
    let description = text_units(&embed["description"]);
    let footer = text_units(&embed["footer"]["text"]);
    assert!(title <= TITLE_MAX);
    assert!(description <= DESCRIPTION_MAX);
    assert!(footer <= 2048);
    let fields = embed["fields"].as_array().cloned().unwrap_or_default();
    assert!(fields.len() <= FIELDS_MAX);
    let mut total = title + description + footer;
    for field in &fields {
        let (name, value) = (text_units(&field["name"]), text_units(&field["value"]));
        assert!((1..=FIELD_NAME_MAX).contains(&name));
        assert!((1..=FIELD_VALUE_MAX).contains(&value));
        total += name + value;
    }
    assert!(total <= EMBED_MAX, "embed of {total}");
}

#[test]
fn huge_events_stay_within_discord_limits() {
    let target = fixtures::discord(Some("<@&1>"));
    for event in huge_events() {
        let message = discord_message(&Notice::from_event(&event), &target);
        assert_within_limits(&message);
        let embed = &message["embeds"][0];
        assert!(
            embed["description"]
                .as_str()
                .unwrap()
                .contains("**Error:**")
        );
        assert!(!embed["fields"].as_array().unwrap().is_empty());
    }
}

#[test]
fn samples_stay_within_discord_limits() {
    let target = fixtures::discord(None);
    for event_type in herald_domain::samples::SAMPLE_TYPES {
        assert_within_limits(&discord_message(
            &Notice::from_event(&sample(event_type)),
            &target,
        ));
    }
}

#[test]
fn fields_give_way_to_the_description_and_are_counted() {
    let mut notice = Notice::from_event(&sample("backup.failed"));
    notice.facts = (0..30)
        .map(|i| crate::Fact {
            label: format!("F{i}"),
            value: nasty(1500),
        })
        .collect();
    let message = discord_message(&notice, &fixtures::discord(None));
    assert_within_limits(&message);
    let fields = message["embeds"][0]["fields"].as_array().unwrap();
    let last = fields.last().unwrap();
    assert_eq!(last["name"], "More");
    let shown = fields.len() - 1;
    assert_eq!(last["value"], format!("{} more not shown", 30 - shown));
}

#[test]
fn publisher_text_pings_nobody() {
    let name = "@everyone <@123> <!here>";
    for (event_type, mention) in [
        ("transfer.completed", None),
        ("transfer.failed", Some("<@&999>")),
    ] {
        let event = event(
            event_type,
            json!({ "transfer_id": "t", "name": name, "source": "@here", "error": { "message": name } }),
        );
        let message = discord_message(
            &Notice::from_event(&event),
            &fixtures::discord(Some("<@&999>")),
        );
        let embeds = message["embeds"].to_string();
        for raw in ["@everyone", "@here", "<@"] {
            assert!(!embeds.contains(raw), "{raw} in {embeds}");
        }
        assert_eq!(message["content"].as_str(), mention);
        let allowed = match mention {
            Some(_) => json!({ "parse": [], "roles": ["999"] }),
            None => json!({ "parse": [] }),
        };
        assert_eq!(message["allowed_mentions"], allowed);
    }
}

#[test]
fn everyone_is_allowed_only_when_the_subscription_says_so() {
    let notice = Notice::from_event(&sample("verify.failed"));
    let message = discord_message(&notice, &fixtures::discord(Some("@here")));
    assert_eq!(message["content"], "@here");
    assert_eq!(
        message["allowed_mentions"],
        json!({ "parse": ["everyone"] })
    );
}
