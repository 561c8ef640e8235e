//! `/v1/events/{id}` and `/v1/rejections`.

use std::collections::{BTreeMap, HashMap};

use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use herald_domain::{EventId, RejectionId, Tenant};
use herald_store::{DeliveryRecord, EventLookup};
use serde_json::{Value, json};

use crate::json::PageRequest;
use crate::{ApiError, AppState, Caller};

/// One event with its deliveries. `id` is Herald's `evt_…` id or the publisher's CloudEvents id
/// (narrowed with `?tenant=` when several tenants used the same id).
pub async fn get(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let tenant = match caller.scope() {
        Some(own) => Some(own.as_str()),
        None => params.get("tenant").map(String::as_str),
    };
    let lookup = match id.parse::<EventId>() {
        Ok(id) => EventLookup::Id(id),
        Err(_) => EventLookup::Published { ce_id: &id, tenant },
    };
    let event = state
        .store
        .event(lookup)
        .await?
        .ok_or(ApiError::NotFound("event"))?;
    caller.sees(&event.summary.tenant, "event")?;
    let deliveries = state.store.deliveries_of_event(event.summary.id).await?;
    let mut body = crate::event_list::summary(&event.summary);
    body["event"] = event.cloudevent;
    body["deliveries"] = deliveries.iter().map(delivery).collect();
    Ok(Json(body).into_response())
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
    Extension(caller): Extension<Caller>,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let mut errors = BTreeMap::new();
    let requested = crate::json::tenant_param(&params, &mut errors);
    let page = PageRequest::<RejectionId>::parse(&params, &mut errors);
    if !errors.is_empty() {
        return Err(ApiError::Invalid(errors));
    }
    let tenant = caller.list_scope(requested);
    let rows = state
        .store
        .list_rejections(
            tenant.as_ref().map(Tenant::as_str),
            page.cursor,
            page.fetch(),
        )
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
