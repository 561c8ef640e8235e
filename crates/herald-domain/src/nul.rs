//! U+0000 in event text. JSON may carry it (`"\u0000"`), Postgres's `jsonb` and `text` cannot.
//! An event whose data or extensions hold it is stored twice: a `jsonb` copy with each U+0000
//! replaced by U+FFFD (for queries and digests) and the exact JSON text beside it (for
//! deliveries and the API), so the receiver gets what the publisher sent.

use serde_json::{Map, Value};

/// Whether any string or object key in `value` contains U+0000.
pub fn contains_nul(value: &Value) -> bool {
    match value {
        Value::String(text) => text.contains('\0'),
        Value::Array(items) => items.iter().any(contains_nul),
        Value::Object(map) => map
            .iter()
            .any(|(key, value)| key.contains('\0') || contains_nul(value)),
        Value::Null | Value::Bool(_) | Value::Number(_) => false,
    }
}

/// `value` with every U+0000 in its strings and keys replaced by U+FFFD.
pub fn replace_nul(value: &Value) -> Value {
    match value {
        Value::String(text) => Value::String(replace_nul_in(text)),
        Value::Array(items) => Value::Array(items.iter().map(replace_nul).collect()),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(key, value)| (replace_nul_in(key), replace_nul(value)))
                .collect::<Map<String, Value>>(),
        ),
        other => other.clone(),
    }
}

/// `text` with every U+0000 replaced by U+FFFD.
pub fn replace_nul_in(text: &str) -> String {
    text.replace('\0', "\u{FFFD}")
}

#[cfg(test)]
mod tests;
