//! Any other event type (`deploy.finished`, `herald.test`, `herald.delivery.failed`): its data
//! laid out so a person can read it without knowing its schema. A few well-known keys get
//! their usual place (name, message, route, error, link); every other scalar becomes a fact,
//! an object one level deep is flattened, arrays are joined, and the count is bounded.

use serde_json::{Map, Value};

use crate::human;
use crate::notice::{Fact, Layout, Route};
use crate::read;

/// Enough facts to describe an event; a chat message with more is no longer read.
pub(crate) const MAX_FACTS: usize = 20;

/// Keys whose value names the event, the first present wins.
const NAME_KEYS: [&str; 4] = ["name", "job_name", "title", "subscription_name"];
const DESCRIPTION_KEYS: [&str; 3] = ["message", "description", "summary"];
/// Shown elsewhere in the message (error, link, route), so not repeated as facts.
const PLACED_KEYS: [&str; 6] = [
    "error",
    "last_error",
    "url",
    "link",
    "source",
    "destination",
];

pub(crate) fn layout(data: &Value) -> Layout {
    let Value::Object(map) = data else {
        // Data that is a bare string or number is itself the message.
        return Layout {
            description: read::text(Some(data)),
            ..Layout::default()
        };
    };
    let name_key = first_text(map, &NAME_KEYS);
    let description_key = first_text(map, &DESCRIPTION_KEYS);
    let mut facts = Vec::new();
    let mut hidden = 0;
    for (key, value) in map {
        let placed = Some(key.as_str()) == name_key
            || Some(key.as_str()) == description_key
            || PLACED_KEYS.contains(&key.as_str());
        if placed {
            continue;
        }
        for fact in facts_of(key, value) {
            if facts.len() < MAX_FACTS {
                facts.push(fact);
            } else {
                hidden += 1;
            }
        }
    }
    if hidden > 0 {
        // The last place says how much is missing rather than silently dropping it.
        hidden += facts.pop().map_or(0, |_| 1);
        facts.push(Fact {
            label: "More".to_owned(),
            value: format!("{hidden} more fields not shown"),
        });
    }
    Layout {
        name: name_key.and_then(|key| read::text(map.get(key))),
        route: Route::new(
            read::text(map.get("source")),
            read::text(map.get("destination")),
        ),
        description: description_key.and_then(|key| read::text(map.get(key))),
        facts,
        warnings: read::list(map.get("warnings")),
        ..Layout::default()
    }
}

fn first_text<'a>(map: &Map<String, Value>, keys: &[&'a str]) -> Option<&'a str> {
    keys.iter()
        .copied()
        .find(|key| read::text(map.get(*key)).is_some())
}

/// A scalar or array is one fact; an object gives one fact per field, nested deeper than that
/// as compact JSON.
fn facts_of(key: &str, value: &Value) -> Vec<Fact> {
    match (key, value) {
        // Shown as the warnings list.
        ("warnings", _) => Vec::new(),
        // Labels read as one `key=value, …` fact, as in the known families.
        ("labels", Value::Object(_)) => read::pairs(Some(value))
            .map(|value| Fact {
                label: "Labels".to_owned(),
                value,
            })
            .into_iter()
            .collect(),
        (_, Value::Object(fields)) => fields
            .iter()
            .filter_map(|(inner, value)| fact(&format!("{key} {inner}"), value))
            .collect(),
        _ => fact(key, value).into_iter().collect(),
    }
}

/// Sizes and durations named the usual way (`size_bytes`, `elapsed_seconds`) read as such.
fn fact(key: &str, value: &Value) -> Option<Fact> {
    let (label, shown) = if let Some(stem) = key.strip_suffix("_bytes") {
        (stem, read::number(Some(value)).map(human::bytes))
    } else if let Some(stem) = key.strip_suffix("_seconds") {
        (stem, read::number(Some(value)).map(human::duration))
    } else {
        (key, None)
    };
    let shown = shown.or_else(|| text(value))?;
    let label = human::label(label);
    (!label.is_empty()).then_some(Fact {
        label,
        value: shown,
    })
}

/// Any value as one line of text: arrays joined, objects as compact JSON.
fn text(value: &Value) -> Option<String> {
    match value {
        Value::Null => None,
        Value::Array(items) => {
            let items: Vec<String> = items.iter().filter_map(text).collect();
            (!items.is_empty()).then(|| items.join(", "))
        }
        Value::Object(_) => read::clean(&value.to_string()),
        scalar => read::text(Some(scalar)),
    }
}

#[cfg(test)]
mod tests;
