use serde_json::json;

use super::*;
use crate::fixtures::{self, event, huge_events, nasty, sample};

/// Every `mrkdwn` text of a message, and its fallback `text`: where Slack parses mentions.
fn mrkdwn(message: &Value) -> Vec<String> {
    fn walk(value: &Value, out: &mut Vec<String>) {
        match value {
            Value::Object(map) => {
                if map.get("type") == Some(&json!("mrkdwn"))
                    && let Some(Value::String(text)) = map.get("text")
                {
                    out.push(text.clone());
                }
                map.values().for_each(|v| walk(v, out));
            }
            Value::Array(items) => items.iter().for_each(|v| walk(v, out)),
            _ => {}
        }
    }
    let mut out = vec![message["text"].as_str().unwrap().to_owned()];
    walk(&message["blocks"], &mut out);
    out
}

fn assert_within_limits(message: &Value) {
    let blocks = message["blocks"].as_array().unwrap();
    assert!(blocks.len() <= 50);
    assert!(units(message["text"].as_str().unwrap()) <= FALLBACK_MAX);
    for block in blocks {
        match block["type"].as_str().unwrap() {
            "header" => assert!(units(block["text"]["text"].as_str().unwrap()) <= HEADER_MAX),
            "section" => {
                if let Some(text) = block["text"]["text"].as_str() {
                    assert!(units(text) <= SECTION_MAX, "section of {}", units(text));
                }
                if let Some(fields) = block["fields"].as_array() {
                    assert!(fields.len() <= FIELDS_PER_SECTION);
                    for field in fields {
                        assert!(units(field["text"].as_str().unwrap()) <= FIELD_MAX);
                    }
                }
            }
            "context" => {
                for element in block["elements"].as_array().unwrap() {
                    assert!(units(element["text"].as_str().unwrap()) <= SECTION_MAX);
                }
            }
            other => panic!("unexpected block {other}"),
        }
    }
}

#[test]
fn huge_events_stay_within_slack_limits() {
    let target = fixtures::slack(Some("<!here>"));
    for event in huge_events() {
        let message = slack_message(&Notice::from_event(&event), &target);
        assert_within_limits(&message);
        let text = message.to_string();
        assert!(text.contains('…'), "nothing was cut");
    }
}

#[test]
fn samples_stay_within_slack_limits() {
    let target = fixtures::slack(None);
    for event_type in herald_domain::samples::SAMPLE_TYPES {
        assert_within_limits(&slack_message(
            &Notice::from_event(&sample(event_type)),
            &target,
        ));
    }
}

#[test]
fn publisher_text_pings_nobody() {
    let name = "@everyone <@123> <!here>";
    for event_type in ["transfer.completed", "transfer.failed"] {
        let event = event(
            event_type,
            json!({ "transfer_id": "t", "name": name, "error": { "message": name } }),
        );
        let message = slack_message(
            &Notice::from_event(&event),
            &fixtures::slack(Some("<!channel>")),
        );
        let texts = mrkdwn(&message);
        for text in &texts {
            assert!(
                !text.contains("<@123>") && !text.contains("<!here>"),
                "{text}"
            );
        }
        assert!(texts[0].contains("&lt;@123&gt; &lt;!here&gt;"));
        let mentioned = texts.iter().any(|t| t.contains("<!channel>"));
        assert_eq!(mentioned, event_type == "transfer.failed", "{event_type}");
    }
}

#[test]
fn failures_lead_with_the_mention() {
    let notice = Notice::from_event(&sample("backup.failed"));
    let message = slack_message(&notice, &fixtures::slack(Some("<!subteam^S1>")));
    assert_eq!(
        message["text"],
        "<!subteam^S1> ❌ Backup failed: postgres-main"
    );
    assert_eq!(message["blocks"][1]["text"]["text"], "<!subteam^S1>");
}

#[test]
fn links_are_escaped_inside_the_token() {
    assert_eq!(
        link_target("https://x.example/a?b=1&c=d|e"),
        "https://x.example/a?b=1&amp;c=d%7Ce"
    );
}

#[test]
fn many_facts_fill_sections_of_ten() {
    let mut notice = Notice::from_event(&sample("custom.ping"));
    notice.facts = (0..45)
        .map(|i| crate::Fact {
            label: format!("F{i}"),
            value: nasty(3000),
        })
        .collect();
    let message = slack_message(&notice, &fixtures::slack(None));
    assert_within_limits(&message);
    let sections: Vec<&Value> = message["blocks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|b| b["fields"].is_array())
        .collect();
    assert_eq!(sections.len(), 3);
    let last = sections[2]["fields"].as_array().unwrap().last().unwrap();
    assert_eq!(last["text"], "*More*\n16 more not shown");
}
