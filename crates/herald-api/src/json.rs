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

/// Names in `errors` every query parameter `P` does not document: a typo (`?limt=5`) is
/// refused, not silently ignored, and what a route accepts is what its documentation says.
pub fn documented_only<P: utoipa::IntoParams>(
    params: &HashMap<String, String>,
    errors: &mut BTreeMap<String, String>,
) {
    let documented: Vec<String> = P::into_params(|| None)
        .into_iter()
        .map(|p| p.name)
        .collect();
    for key in params.keys() {
        if !documented.contains(key) {
            errors.insert(
                key.clone(),
                format!(
                    "is not a parameter of this route (it takes {})",
                    documented.join(", ")
                ),
            );
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

/// One page of a list, `{"items": [...], "next_cursor": ...}`: a type per item type (made by
/// [`page!`]), so the OpenAPI document names and describes each list.
pub trait Page: serde::Serialize {
    type Item;
    fn new(items: Vec<Self::Item>, next_cursor: Option<String>) -> Self;
}

/// Declares the page type of a list: `page!(DeliveryPage, Delivery)`, or with the schema the
/// items are documented by when they are built as JSON (`page!(SubscriptionPage, Value,
/// SubscriptionShown)`).
macro_rules! page {
    ($(#[$doc:meta])* $name:ident, $item:ident) => {
        $crate::json::page!($(#[$doc])* $name, $item, $item);
    };
    ($(#[$doc:meta])* $name:ident, $item:ident, $schema:ident) => {
        $(#[$doc])*
        #[derive(serde::Serialize, utoipa::ToSchema)]
        pub struct $name {
            #[schema(value_type = Vec<$schema>)]
            pub items: Vec<$item>,
            /// Pass it as `cursor` for the next page; null on the last page.
            pub next_cursor: Option<String>,
        }

        impl $crate::json::Page for $name {
            type Item = $item;
            fn new(items: Vec<$item>, next_cursor: Option<String>) -> Self {
                Self { items, next_cursor }
            }
        }
    };
}
pub(crate) use page;

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
    pub fn respond<P: Page, T>(
        &self,
        mut rows: Vec<T>,
        cursor_of: impl Fn(&T) -> String,
        show: impl Fn(&T) -> P::Item,
    ) -> Response {
        let limit = self.limit as usize;
        let more = rows.len() > limit;
        rows.truncate(limit);
        let next_cursor = if more {
            rows.last().map(cursor_of)
        } else {
            None
        };
        let items = rows.iter().map(show).collect();
        (StatusCode::OK, Json(P::new(items, next_cursor))).into_response()
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
