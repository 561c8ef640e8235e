//! `/v1/events/{id}` and `/v1/rejections`.

use std::collections::{BTreeMap, HashMap};

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use herald_domain::{EventId, RejectionId, Tenant};
use herald_store::{DeliveryRecord, EventLookup};
use serde_json::{Value, json};

use crate::json::PageRequest;
use crate::{ApiError, AppState};

/// One event with its deliveries. `id` is Herald's `evt_…` id or the publisher's CloudEvents id
/// (narrowed with `?tenant=` when several tenants used the same id).
pub async fn get(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let lookup = match id.parse::<EventId>() {
        Ok(id) => EventLookup::Id(id),
        Err(_) => EventLookup::Published {
            ce_id: &id,
            tenant: params.get("tenant").map(String::as_str),
        },
    };
    let event = state
        .store
        .event(lookup)
        .await?
        .ok_or(ApiError::NotFound("event"))?;
    let deliveries = state.store.deliveries_of_event(event.id).await?;
    Ok(Json(json!({
        "id": event.id.to_string(),
        "tenant": event.tenant,
        "event_id": event.ce_id,
        "type": event.event_type,
        "source": event.source,
        "subject": event.subject,
        "outcome": event.outcome,
        "time": event.time,
        "received_at": event.received_at,
        "trace_id": event.trace_id,
        "event": event.cloudevent,
        "deliveries": deliveries.iter().map(delivery).collect::<Vec<_>>(),
    }))
    .into_response())
}

pub fn delivery(d: &DeliveryRecord) -> Value {
    json!({
        "id": d.id.to_string(),
        "event_id": d.event_id.to_string(),
        "event_type": d.event_type,
        "subscription_id": d.subscription_id.to_string(),
        "channel": d.channel,
        "status": d.status.as_str(),
        "attempt_count": d.attempt_count,
        "failure_reason": d.failure_reason,
        "created_at": d.created_at,
        "updated_at": d.updated_at,
    })
}

/// Rejected events, newest first.
pub async fn rejections(
    State(state): State<AppState>,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let mut errors = BTreeMap::new();
    if let Some(Err(error)) = params.get("tenant").map(|t| Tenant::parse(t)) {
        errors.insert("tenant".into(), error.to_string());
    }
    let page = PageRequest::<RejectionId>::parse(&params, &mut errors);
    if !errors.is_empty() {
        return Err(ApiError::Invalid(errors));
    }
    let tenant = params.get("tenant").map(String::as_str);
    let rows = state
        .store
        .list_rejections(tenant, page.cursor, page.fetch())
        .await?;
    Ok(page.respond(
        rows,
        |r| r.id.to_string(),
        |r| {
            json!({
                "id": r.id.to_string(),
                "tenant": r.tenant,
                "subject": r.subject,
                "reason": r.reason,
                "reason_code": r.reason_code,
                "event_id": r.event_id,
                "received_at": r.received_at,
                "size_bytes": r.size_bytes,
            })
        },
    ))
}
