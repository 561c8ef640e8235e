//! `/v1/deliveries`: what was sent, what came back, and a way to try a failed one again.

use std::collections::{BTreeMap, HashMap};

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use bytes::Bytes;
use chrono::{DateTime, Utc};
use herald_bus::{HeaderMap, Outgoing, publish_all};
use herald_domain::{DeliveryId, DeliveryStatus, SubscriptionId};
use herald_proto::v1::DeliveryJob;
use herald_store::DeliveryListFilter;
use prost::Message as _;
use serde_json::json;

use crate::events::delivery;
use crate::json::PageRequest;
use crate::{ApiError, AppState, Caller};

pub async fn list(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let mut errors = BTreeMap::new();
    let mut filter = DeliveryListFilter::default();
    if let Some(status) = params.get("status") {
        if let Some(status) = DeliveryStatus::parse(status) {
            filter.status = Some(status);
        } else {
            errors.insert(
                "status".into(),
                "must be pending, retrying, delivered or failed".into(),
            );
        }
    }
    if let Some(id) = params.get("subscription_id") {
        match id.parse::<SubscriptionId>() {
            Ok(id) => filter.subscription_id = Some(id),
            Err(_) => {
                errors.insert(
                    "subscription_id".into(),
                    "is not a subscription id (sub_…)".into(),
                );
            }
        }
    }
    if let Some(event_type) = params.get("event_type") {
        filter.event_type = Some(event_type.clone());
    }
    let requested = crate::json::tenant_param(&params, &mut errors);
    if let Some(since) = params.get("since") {
        match DateTime::parse_from_rfc3339(since) {
            Ok(since) => filter.since = Some(since.with_timezone(&Utc)),
            Err(_) => {
                errors.insert(
                    "since".into(),
                    "must be an RFC 3339 time like 2026-11-22T08:00:00Z".into(),
                );
            }
        }
    }
    let page = PageRequest::<DeliveryId>::parse(&params, &mut errors);
    if !errors.is_empty() {
        return Err(ApiError::Invalid(errors));
    }
    filter.tenant = caller.list_scope(requested).map(|t| t.as_str().to_owned());
    let rows = state
        .store
        .list_deliveries(&filter, page.cursor, page.fetch())
        .await?;
    Ok(page.respond(rows, |r| r.id.to_string(), delivery))
}

/// One delivery with every attempt.
pub async fn get(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let record = find(&state, &caller, &id).await?;
    let id = record.id;
    let attempts = state.store.attempts(id).await?;
    let mut body = delivery(&record);
    body["attempts"] = attempts
        .iter()
        .map(|a| {
            json!({
                "number": a.number,
                "started_at": a.started_at,
                "duration_ms": a.duration_ms,
                "destination": a.destination,
                "method": a.method,
                "status_code": a.status_code,
                "response_body": a.response_body,
                "error": a.error,
                "error_class": a.error_class,
                "trace_id": a.trace_id,
            })
        })
        .collect();
    Ok(Json(body).into_response())
}

/// Delivers a failed delivery again, with a fresh set of attempts.
pub async fn retry(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let id = find(&state, &caller, &id).await?.id;
    let Some(job) = state.store.retry_delivery(id).await? else {
        return match state.store.delivery(id).await? {
            None => Err(ApiError::NotFound("delivery")),
            Some(d) => Err(ApiError::Conflict(format!(
                "only a failed delivery can be retried; this one is {}",
                d.status
            ))),
        };
    };
    let names = state.bus.names();
    let outgoing = Outgoing {
        subject: names.delivery_subject(&job.channel),
        // A new id: the original job's id may still sit in JetStream's dedupe window.
        msg_id: format!(
            "{}:retry:{}",
            job.delivery_id,
            Utc::now().timestamp_millis()
        ),
        headers: HeaderMap::new(),
        payload: Bytes::from(DeliveryJob::from(&job).encode_to_vec()),
    };
    publish_all(&state.bus, vec![outgoing]).await?;
    tracing::info!(delivery_id = %id, "Delivery queued again by request.");
    Ok((
        StatusCode::ACCEPTED,
        Json(json!({"id": id.to_string(), "status": "pending"})),
    )
        .into_response())
}

/// The delivery `id` names, when the caller may see it (another tenant's is not found).
async fn find(
    state: &AppState,
    caller: &Caller,
    id: &str,
) -> Result<herald_store::DeliveryRecord, ApiError> {
    let id: DeliveryId = id.parse().map_err(|_| ApiError::NotFound("delivery"))?;
    let record = state
        .store
        .delivery(id)
        .await?
        .ok_or(ApiError::NotFound("delivery"))?;
    caller.sees(&record.tenant, "delivery")?;
    Ok(record)
}
