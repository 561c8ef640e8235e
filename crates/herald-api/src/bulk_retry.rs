//! `POST /v1/deliveries/retry`: every failed delivery a filter names, tried again; or, with
//! `dry_run`, only counted.

use std::collections::BTreeMap;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use bytes::Bytes;
use herald_domain::{SubscriptionId, Tenant};
use herald_store::FailedFilter;
use serde_json::{Value, json};

use crate::event_list::time_param;
use crate::json::object_body;
use crate::replay::hand_over;
use crate::{ApiError, AppState, Caller};

/// The most deliveries one call retries (oldest first); `"more": true` says to call again.
/// It bounds the statement, the jobs held in memory and the burst sent to receivers.
pub const MAX_PER_CALL: u32 = 10_000;

/// How many failed deliveries a bulk retry queued again, or would (`dry_run`).
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct BulkRetryAnswer {
    /// At most 10000 a call, oldest first.
    pub count: u64,
    /// More matching failed deliveries are left: call again.
    pub more: bool,
}

/// Retry failed deliveries by filter
///
/// Every failed delivery the filter names (oldest first, at most 10000 a call) gets a fresh set
/// of attempts, as a single retry does. With `dry_run` only the count comes back (200) and
/// nothing changes. A tenant token retries its own tenant's deliveries whatever it names.
#[utoipa::path(
    post,
    path = "/v1/deliveries/retry",
    operation_id = "retryDeliveries",
    tag = "deliveries",
    request_body(content = crate::openapi::BulkRetryRequest,
        description = "Optional: an empty body is `{}`",
        example = json!({"subscription_id": crate::openapi::examples::SUBSCRIPTION_ID,
            "since": "2026-11-21T00:00:00Z", "dry_run": true})),
    responses(
        (status = 200, description = "`dry_run`: what a real run would retry now",
            body = BulkRetryAnswer, example = json!({"count": 42, "more": false})),
        (status = 202, description = "Queued again", body = BulkRetryAnswer,
            example = json!({"count": 10000, "more": true})),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 422, response = crate::openapi::Invalid),
    )
)]
pub async fn retry(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let body = if body.iter().all(u8::is_ascii_whitespace) {
        json!({})
    } else {
        object_body(&body)?
    };
    let (mut filter, dry_run, requested) = parse(&body)?;
    // A token retries its own tenant's deliveries only, whatever it names.
    filter.tenant = caller.list_scope(requested).map(|t| t.as_str().to_owned());
    if dry_run {
        let (count, more) = state.store.count_failed(&filter, MAX_PER_CALL).await?;
        let count = u64::from(count);
        return Ok(Json(BulkRetryAnswer { count, more }).into_response());
    }
    let jobs = state.store.retry_failed(&filter, MAX_PER_CALL).await?;
    hand_over(&state, &jobs).await;
    // Whatever is still failed and matching was beyond this call's bound.
    let (left, _) = state.store.count_failed(&filter, 1).await?;
    tracing::info!(
        count = jobs.len(),
        "Failed deliveries queued again by request."
    );
    Ok((
        StatusCode::ACCEPTED,
        Json(BulkRetryAnswer {
            count: jobs.len() as u64,
            more: left > 0,
        }),
    )
        .into_response())
}

/// The filter, `dry_run`, and the tenant asked for; every bad field named at once.
fn parse(body: &Value) -> Result<(FailedFilter, bool, Option<Tenant>), ApiError> {
    let mut errors = BTreeMap::new();
    let mut filter = FailedFilter::default();
    let mut dry_run = false;
    let mut tenant = None;
    let mut times = BTreeMap::new();
    let Value::Object(fields) = body else {
        return Err(ApiError::Malformed("the body must be a JSON object".into()));
    };
    for (key, value) in fields {
        let text = value.as_str();
        match key.as_str() {
            _ if value.is_null() => {}
            // Only failed deliveries wait for a person; a retrying one is already retried.
            "status" if text == Some("failed") => {}
            "status" => {
                errors.insert(
                    key.clone(),
                    "must be failed (the only status retried)".into(),
                );
            }
            "subscription_id" => match text.map(str::parse::<SubscriptionId>) {
                Some(Ok(id)) => filter.subscription_id = Some(id),
                _ => {
                    errors.insert(key.clone(), "is not a subscription id (sub_…)".into());
                }
            },
            "event_type" => match text {
                Some(t) => filter.event_type = Some(t.to_owned()),
                None => {
                    errors.insert(key.clone(), "must be a string".into());
                }
            },
            "tenant" => match text.map(Tenant::parse) {
                Some(Ok(t)) => tenant = Some(t),
                Some(Err(error)) => {
                    errors.insert(key.clone(), error.to_string());
                }
                None => {
                    errors.insert(key.clone(), "must be a string".into());
                }
            },
            "since" | "until" => match text {
                Some(t) => {
                    times.insert(key.as_str(), t.to_owned());
                }
                None => {
                    errors.insert(key.clone(), "must be an RFC 3339 time string".into());
                }
            },
            "dry_run" => match value.as_bool() {
                Some(b) => dry_run = b,
                None => {
                    errors.insert(key.clone(), "must be true or false".into());
                }
            },
            _ => {
                errors.insert(key.clone(), "is not a field of a bulk retry".into());
            }
        }
    }
    filter.since = time_param(times.get("since"), "since", &mut errors);
    filter.until = time_param(times.get("until"), "until", &mut errors);
    if errors.is_empty() {
        Ok((filter, dry_run, tenant))
    } else {
        Err(ApiError::Invalid(errors))
    }
}
