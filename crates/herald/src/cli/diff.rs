//! Which fields the file sets differently from what the API shows.
//!
//! Only fields the file sets are compared: the API fills in defaults the file may omit. The
//! API masks secrets (`****`, `whsec_****`, chat webhook paths): a masked value counts as
//! unchanged unless the part still shown differs, and is reported as "cannot tell".

use serde_json::Value;

#[derive(Debug, Default, PartialEq, Eq)]
pub struct Difference {
    /// Field paths whose value differs (`condition`, `target.url`).
    pub changed: Vec<String>,
    /// Field paths the API masks, so a changed secret cannot be seen.
    pub masked: Vec<String>,
}

pub fn compare(file: &Value, api: &Value) -> Difference {
    let mut difference = Difference::default();
    walk(file, api, "", &mut difference);
    difference
}

/// Maps whose keys are data (labels, headers): a key the file drops is a change too.
const KEYED_MAPS: &[&str] = &["filter.labels", "target.headers"];

fn walk(file: &Value, api: &Value, path: &str, out: &mut Difference) {
    match (file, api) {
        (Value::Object(file_map), Value::Object(api_map)) => {
            if KEYED_MAPS.contains(&path) && api_map.keys().any(|k| !file_map.contains_key(k)) {
                out.changed.push(path.to_owned());
                return;
            }
            for (key, value) in file_map {
                let child = if path.is_empty() {
                    key.clone()
                } else {
                    format!("{path}.{key}")
                };
                walk(value, api_map.get(key).unwrap_or(&Value::Null), &child, out);
            }
        }
        (Value::String(literal), Value::String(shown)) if is_masked(shown) => {
            if literal == shown || shown_part_matches(literal, shown) {
                out.masked.push(path.to_owned());
            } else {
                out.changed.push(path.to_owned());
            }
        }
        _ => {
            if !same(file, api) {
                out.changed.push(path.to_owned());
            }
        }
    }
}

fn is_masked(shown: &str) -> bool {
    shown.contains("****") || shown.contains('…')
}

/// The API shows the start of a masked value (`https://hooks.slack.com/services/T0…/****`,
/// `https://h/p?key=****`): if the file's value starts differently, it has surely changed.
fn shown_part_matches(literal: &str, shown: &str) -> bool {
    let cut = [shown.find("****"), shown.find('…')]
        .into_iter()
        .flatten()
        .min()
        .unwrap_or(shown.len());
    let prefix = &shown[..cut];
    // `whsec_****` shows only the secret's fixed prefix.
    literal.starts_with(prefix)
}

/// JSON equality where `5` and `5.0` are the same number.
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same(a, b))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
        }
        _ => a == b,
    }
}

#[cfg(test)]
mod tests;
