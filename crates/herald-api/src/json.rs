//! Request bodies and pages, with errors in the API's own shape rather than axum's plain text.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value};

use crate::ApiError;

pub const DEFAULT_LIMIT: u32 = 50;
pub const MAX_LIMIT: u32 = 500;

/// Parses a body that must be one JSON object.
pub fn object_body(body: &[u8]) -> Result<Value, ApiError> {
    let value: Value = serde_json::from_slice(body)
        .map_err(|e| ApiError::Malformed(format!("the body is not valid JSON: {e}")))?;
    if value.is_object() {
        Ok(value)
    } else {
        Err(ApiError::Malformed("the body must be a JSON object".into()))
    }
}

/// `{"items": [...], "next_cursor": ...}`.
pub fn page(items: Vec<Value>, next_cursor: Option<String>) -> Response {
    (
        StatusCode::OK,
        Json(serde_json::json!({ "items": items, "next_cursor": next_cursor })),
    )
        .into_response()
}

/// Parses `limit`: 1..=500, default 50.
pub fn limit(raw: Option<&String>, errors: &mut std::collections::BTreeMap<String, String>) -> u32 {
    match raw.map(|s| s.parse::<u32>()) {
        None => DEFAULT_LIMIT,
        Some(Ok(n)) if (1..=MAX_LIMIT).contains(&n) => n,
        Some(_) => {
            errors.insert(
                "limit".into(),
                format!("must be a whole number from 1 to {MAX_LIMIT}"),
            );
            DEFAULT_LIMIT
        }
    }
}

/// RFC 7396 JSON merge patch.
pub fn merge_patch(target: &mut Value, patch: &Value) {
    let Value::Object(patch) = patch else {
        *target = patch.clone();
        return;
    };
    if !target.is_object() {
        *target = Value::Object(Map::new());
    }
    if let Value::Object(target) = target {
        for (key, value) in patch {
            if value.is_null() {
                target.remove(key);
            } else {
                merge_patch(target.entry(key.clone()).or_insert(Value::Null), value);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn merge_patch_follows_rfc_7396() {
        let mut doc = json!({"a": "b", "c": {"d": "e", "f": "g"}, "keep": 1});
        merge_patch(&mut doc, &json!({"a": "z", "c": {"f": null}, "new": [1]}));
        assert_eq!(
            doc,
            json!({"a": "z", "c": {"d": "e"}, "keep": 1, "new": [1]})
        );
    }
}
