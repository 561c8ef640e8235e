//! `herald apply` files (issue 14): whatever the file holds, loading it ends in a manifest or
//! in problems that each name a line and say what is wrong, in bounded time, and a valid file
//! keeps its values.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use proptest::prelude::*;
use serde_json::{Value, json};

use super::super::error::Problem;
use super::super::manifest::{Manifest, load};

const CASE_LIMIT: Duration = Duration::from_secs(10);

fn env(name: &str) -> Option<String> {
    (name == "TOKEN").then(|| "s3cret".to_owned())
}

/// Loads `text` on its own thread so that a hang fails the case rather than the run.
fn answer(text: String) -> Result<Manifest, Vec<Problem>> {
    let (sender, receiver) = mpsc::channel();
    let shown: String = text.chars().take(200).collect();
    thread::spawn(move || {
        let answer = load(&text, &env);
        if let Err(problems) = &answer {
            assert!(!problems.is_empty(), "refused without a problem");
            for problem in problems {
                assert!(!problem.message.trim().is_empty(), "{problem:?}");
            }
        }
        let _ = sender.send(answer);
    });
    match receiver.recv_timeout(CASE_LIMIT) {
        Ok(answer) => answer,
        Err(mpsc::RecvTimeoutError::Timeout) => panic!("loading {shown:?} took too long"),
        Err(mpsc::RecvTimeoutError::Disconnected) => panic!("loading {shown:?} panicked"),
    }
}

fn subscription() -> impl Strategy<Value = Value> {
    (
        "[a-z0-9_-]{1,20}",
        "[a-zA-Z][a-zA-Z0-9 ]{0,30}",
        prop::sample::select(&["always", "on_failure", "on_success"][..]),
        any::<bool>(),
    )
        .prop_map(|(tenant, name, condition, token)| {
            let auth = if token { "Bearer ${TOKEN}" } else { "Bearer plain" };
            json!({
                "tenant": tenant, "name": name.trim_end().to_owned() + "x",
                "channel": "webhook", "condition": condition,
                "event_types": ["transfer.*", "backup.failed"],
                "target": {"url": "https://hooks.example.com/h", "headers": {"Authorization": auth}},
                "retry": {"max_attempts": 3, "delays_seconds": [5, 30]},
            })
        })
}

fn manifest() -> impl Strategy<Value = Value> {
    prop::collection::vec(subscription(), 0..4).prop_map(|items| {
        // The file refuses the same tenant/name twice, so make each name distinct.
        let items: Vec<Value> = items
            .into_iter()
            .enumerate()
            .map(|(i, mut item)| {
                item["name"] = format!("{} {i}", item["name"].as_str().unwrap()).into();
                item
            })
            .collect();
        json!({ "subscriptions": items })
    })
}

/// Block-style YAML, the way people write these files.
fn block(value: &Value, indent: usize, out: &mut String) {
    let pad = " ".repeat(indent);
    match value {
        Value::Object(map) if !map.is_empty() => {
            for (key, item) in map {
                out.push_str(&format!("{pad}{key}:"));
                if item.is_object() && !item.as_object().unwrap().is_empty()
                    || item.is_array() && !item.as_array().unwrap().is_empty()
                {
                    out.push('\n');
                    block(item, indent + 2, out);
                } else {
                    out.push_str(&format!(" {item}\n"));
                }
            }
        }
        Value::Array(items) if !items.is_empty() => {
            for item in items {
                out.push_str(&format!("{pad}-\n"));
                block(item, indent + 2, out);
            }
        }
        other => out.push_str(&format!("{pad}{other}\n")),
    }
}

fn as_block(value: &Value) -> String {
    let mut out = String::new();
    block(value, 0, &mut out);
    out
}

fn nested(depth: usize, shape: &str) -> String {
    match shape {
        "flow list" => format!("subscriptions: {}1{}", "[".repeat(depth), "]".repeat(depth)),
        "flow map" => format!(
            "subscriptions: {}1{}",
            "{a: ".repeat(depth),
            "}".repeat(depth)
        ),
        "block list" => (0..depth)
            .map(|i| format!("{}- \n", " ".repeat(i * 2)))
            .collect(),
        _ => (0..depth)
            .map(|i| format!("{}a{i}:\n", " ".repeat(i)))
            .collect(),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_text_is_answered(text in prop_oneof![
        any::<String>(),
        "[-:\\[\\]{}&*!|>'\"%@`#,? \n\t${}a-z0-9]{0,200}",
    ]) {
        let _ = answer(text);
    }

    #[test]
    fn a_valid_file_keeps_its_values(doc in manifest(), flow in any::<bool>()) {
        let text = if flow { doc.to_string() } else { as_block(&doc) };
        let loaded = answer(text.clone()).unwrap_or_else(|p| panic!("{p:?}\n{text}"));
        let expected = doc["subscriptions"].as_array().unwrap();
        prop_assert_eq!(loaded.entries.len(), expected.len());
        for (entry, item) in loaded.entries.iter().zip(expected) {
            prop_assert_eq!(entry.tenant.as_str(), item["tenant"].as_str().unwrap());
            prop_assert_eq!(entry.name.as_str(), item["name"].as_str().unwrap());
            let auth = &entry.document["target"]["headers"]["Authorization"];
            prop_assert!(auth == "Bearer s3cret" || auth == "Bearer plain", "{}", auth);
        }
    }

    #[test]
    fn a_damaged_file_is_answered(
        doc in manifest(),
        at in any::<prop::sample::Index>(),
        insert in prop_oneof![
            "[-:\\[\\]{}&*!|>'\"%@`#,? \n\t]{1,4}",
            Just("${".to_owned()), Just("${1X}".to_owned()), Just("\0".to_owned()),
            Just("\n---\n".to_owned()), Just("&a ".to_owned()), Just("*a".to_owned()),
            Just("!!binary ".to_owned()), Just(" 99999999999999999999999".to_owned()),
        ],
        remove in 0usize..8,
    ) {
        let text = as_block(&doc);
        let chars: Vec<char> = text.chars().collect();
        let at = at.index(chars.len() + 1);
        let end = (at + remove).min(chars.len());
        let damaged: String = chars[..at].iter().chain(insert.chars().collect::<Vec<_>>().iter()).chain(&chars[end..]).collect();
        let _ = answer(damaged);
    }

    #[test]
    fn deep_nesting_is_answered(
        depth in 1usize..3000,
        shape in prop::sample::select(&["flow list", "flow map", "block list", "block map"][..]),
    ) {
        let _ = answer(nested(depth, shape));
    }
}

#[test]
fn an_alias_bomb_is_refused_not_expanded() {
    let laughs = "a: &a [x, x, x, x, x, x, x, x, x, x]\n\
                  b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n\
                  c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n\
                  d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n\
                  e: [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n";
    let problems = answer(laughs.to_owned()).err().unwrap();
    assert!(
        problems[0].message.contains("billion-laughs"),
        "{problems:?}"
    );
}
