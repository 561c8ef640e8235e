//! `POST /v1/deliveries/retry`: every failed delivery a filter names, tried again; or, with
//! `dry_run`, only counted.

use std::collections::BTreeMap;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use bytes::Bytes;
use chrono::Utc;
use herald_domain::{SubscriptionId, Tenant};
use herald_store::FailedFilter;
use serde_json::{Value, json};

use crate::event_list::time_param;
use crate::json::object_body;
use crate::replay::publish_jobs;
use crate::{ApiError, AppState, Caller};

/// The most deliveries one call retries (oldest first); `"more": true` says to call again.
/// It bounds the statement, the jobs held in memory and the burst sent to receivers.
pub const MAX_PER_CALL: u32 = 10_000;

/// Body `{status, subscription_id, event_type, since, until, tenant, dry_run}`, every field
/// optional; `since` (inclusive) and `until` (exclusive) are on the delivery's `created_at`.
/// Answers `{"count", "more"}`: 200 for a dry run, which changes nothing, 202 otherwise.
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
        return Ok(Json(json!({"count": count, "more": more})).into_response());
    }
    let jobs = state.store.retry_failed(&filter, MAX_PER_CALL).await?;
    // A new id per job: the original job's id may still sit in JetStream's dedupe window.
    let millis = Utc::now().timestamp_millis();
    publish_jobs(&state, &jobs, |job| {
        format!("{}:retry:{millis}", job.delivery_id)
    })
    .await?;
    // Whatever is still failed and matching was beyond this call's bound.
    let (left, _) = state.store.count_failed(&filter, 1).await?;
    tracing::info!(
        count = jobs.len(),
        "Failed deliveries queued again by request."
    );
    Ok((
        StatusCode::ACCEPTED,
        Json(json!({"count": jobs.len(), "more": left > 0})),
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
