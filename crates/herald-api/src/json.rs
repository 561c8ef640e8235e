//! Request bodies and pages, with errors in the API's own shape rather than axum's plain text.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use std::collections::{BTreeMap, HashMap};
use std::str::FromStr;

use serde_json::{Map, Value};

use crate::ApiError;

pub const DEFAULT_LIMIT: u32 = 50;
pub const MAX_LIMIT: u32 = 500;

/// The `tenant` query parameter of a list, parsed; a bad one is named in `errors`. Narrow it
/// with `Caller::list_scope`: a token lists its own tenant whatever this says.
pub fn tenant_param(
    params: &HashMap<String, String>,
    errors: &mut BTreeMap<String, String>,
) -> Option<herald_domain::Tenant> {
    match herald_domain::Tenant::parse(params.get("tenant")?) {
        Ok(tenant) => Some(tenant),
        Err(error) => {
            errors.insert("tenant".into(), error.to_string());
            None
        }
    }
}

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

/// `limit` and `cursor` of a list request.
pub struct PageRequest<C> {
    pub limit: u32,
    pub cursor: Option<C>,
}

impl<C: FromStr> PageRequest<C> {
    /// `limit` is 1..=500 (default 50); `cursor` must be one this API handed out.
    pub fn parse(params: &HashMap<String, String>, errors: &mut BTreeMap<String, String>) -> Self {
        let limit = match params.get("limit").map(|s| s.parse::<u32>()) {
            None => DEFAULT_LIMIT,
            Some(Ok(n)) if (1..=MAX_LIMIT).contains(&n) => n,
            Some(_) => {
                errors.insert(
                    "limit".into(),
                    format!("must be a whole number from 1 to {MAX_LIMIT}"),
                );
                DEFAULT_LIMIT
            }
        };
        let cursor = match params.get("cursor").map(|c| c.parse::<C>()) {
            None => None,
            Some(Ok(cursor)) => Some(cursor),
            Some(Err(_)) => {
                errors.insert("cursor".into(), "is not a cursor this API returned".into());
                None
            }
        };
        Self { limit, cursor }
    }

    /// One row more than the page: whether it comes back tells if another page follows.
    pub fn fetch(&self) -> u32 {
        self.limit + 1
    }

    /// `{"items": [...], "next_cursor": ...}` from rows fetched with [`Self::fetch`].
    pub fn respond<T>(
        &self,
        mut rows: Vec<T>,
        cursor_of: impl Fn(&T) -> String,
        show: impl Fn(&T) -> Value,
    ) -> Response {
        let limit = self.limit as usize;
        let more = rows.len() > limit;
        rows.truncate(limit);
        let next_cursor = if more {
            rows.last().map(cursor_of)
        } else {
            None
        };
        let items: Vec<Value> = rows.iter().map(show).collect();
        (
            StatusCode::OK,
            Json(serde_json::json!({ "items": items, "next_cursor": next_cursor })),
        )
            .into_response()
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
