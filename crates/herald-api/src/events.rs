//! `/v1/events/{id}` and `/v1/rejections`.

use std::collections::{BTreeMap, HashMap};

use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use chrono::{DateTime, Utc};
use herald_domain::{EventId, RejectionId, Tenant};
use herald_store::{DeliveryRecord, EventLookup};
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

use crate::event_list::EventSummary;
use crate::json::{PageRequest, page};
use crate::openapi::{Channel, DeliveryStatus, examples};
use crate::{ApiError, AppState, Caller};

/// An event as lists show it, with the CloudEvents document as the publisher sent it and
/// every delivery it made.
#[derive(Serialize, ToSchema)]
pub struct EventDetail {
    #[serde(flatten)]
    pub summary: EventSummary,
    /// The CloudEvents JSON as received.
    #[schema(value_type = crate::openapi::CloudEvent)]
    pub event: Value,
    pub deliveries: Vec<Delivery>,
}

/// One event's delivery to one subscription: the same across retries.
#[derive(Serialize, ToSchema)]
pub struct Delivery {
    #[schema(pattern = "^dlv_[0-9A-HJKMNP-TV-Z]{26}$")]
    pub id: String,
    /// Herald's id of the event.
    #[schema(pattern = "^evt_[0-9A-HJKMNP-TV-Z]{26}$")]
    pub event_id: String,
    pub event_type: String,
    #[schema(pattern = "^sub_[0-9A-HJKMNP-TV-Z]{26}$")]
    pub subscription_id: String,
    #[schema(value_type = Channel)]
    pub channel: String,
    #[schema(value_type = DeliveryStatus)]
    pub status: &'static str,
    /// Attempts made so far (a retry by request starts a fresh set).
    pub attempt_count: i32,
    /// Why it failed without an attempt saying so (the subscription was deleted or disabled,
    /// the event could not be rendered), or where it went without one of its own (`grouped`:
    /// the grouped message's delivery; `suppressed`: quiet hours); null otherwise.
    pub failure_reason: Option<String>,
    /// A `notify: transitions` delivery: what it says beyond its event (as a webhook gets it
    /// in the `herald-notice*` headers); absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<crate::openapi::DeliveryNotice>)]
    pub notice: Option<herald_domain::JobNotice>,
    /// `grouped`: the delivery of the grouped message that carried it; absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(pattern = "^dlv_[0-9A-HJKMNP-TV-Z]{26}$")]
    pub grouped_into: Option<String>,
    /// A fallback delivery: the delivery it stands in for (failed for good, or of a
    /// subscription that was disabled); absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(pattern = "^dlv_[0-9A-HJKMNP-TV-Z]{26}$")]
    pub fallback_of: Option<String>,
    /// A fallback delivery: why ("Slack 'ops' failed: HTTP 500 after 5 attempts").
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fallback_reason: Option<String>,
    /// `retrying`: when the next attempt is due (the retry delay counted from when the last
    /// attempt was recorded; a little later under load); null otherwise.
    #[schema(required = true)]
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// An event ingest refused (on NATS or `POST /v1/events`), kept for inspection.
#[derive(Serialize, ToSchema)]
pub struct Rejection {
    #[schema(pattern = "^rej_[0-9A-HJKMNP-TV-Z]{26}$")]
    pub id: String,
    pub tenant: String,
    /// The NATS subject it arrived on.
    pub subject: String,
    /// Why, for people.
    pub reason: String,
    /// Why, for programs: the `Herald-Rejection-Code` (`missing_attribute`, `bad_type`, …).
    pub reason_code: String,
    /// The event's CloudEvents `id`, when it could be read.
    pub event_id: Option<String>,
    pub received_at: DateTime<Utc>,
    pub size_bytes: i32,
}

page!(
    /// Rejected events, newest first.
    RejectionPage,
    Rejection
);

/// One event with its deliveries
///
/// `id` is Herald's `evt_…` id or the publisher's CloudEvents `id`; when several tenants used
/// the same CloudEvents id, the admin narrows it with `tenant` (a tenant token always looks in
/// its own tenant). Another tenant's event is not found.
#[utoipa::path(
    get,
    path = "/v1/events/{id}",
    operation_id = "getEvent",
    tag = "events",
    params(
        ("id" = String, Path, description = "Herald's `evt_…` id or the publisher's CloudEvents id"),
        crate::openapi::params::EventLookupQuery,
    ),
    responses(
        (status = 200, description = "The event, its CloudEvents document and its deliveries",
            body = EventDetail, example = json!(examples::event_detail())),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
pub async fn get(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let mut errors = BTreeMap::new();
    crate::json::documented_only::<crate::openapi::params::EventLookupQuery>(&params, &mut errors);
    if !errors.is_empty() {
        return Err(ApiError::Invalid(errors));
    }
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
    Ok(Json(EventDetail {
        summary: crate::event_list::summary(&event.summary),
        event: event.cloudevent,
        deliveries: deliveries.iter().map(delivery).collect(),
    })
    .into_response())
}

pub fn delivery(d: &DeliveryRecord) -> Delivery {
    Delivery {
        id: d.id.to_string(),
        event_id: d.event_id.to_string(),
        event_type: d.event_type.clone(),
        subscription_id: d.subscription_id.to_string(),
        channel: d.channel.clone(),
        status: d.status.as_str(),
        attempt_count: d.attempt_count,
        failure_reason: d.failure_reason.clone(),
        notice: d.notice.clone(),
        grouped_into: d.grouped_into.map(|id| id.to_string()),
        fallback_of: d.fallback_of.map(|id| id.to_string()),
        fallback_reason: d.fallback_reason.clone(),
        next_attempt_at: d.next_attempt_at,
        created_at: d.created_at,
        updated_at: d.updated_at,
    }
}

/// Rejected events, newest first
///
/// A tenant token sees its own tenant's; the admin every tenant's, or the one `tenant` names.
#[utoipa::path(
    get,
    path = "/v1/rejections",
    operation_id = "listRejections",
    tag = "events",
    params(crate::openapi::params::RejectionQuery),
    responses(
        (status = 200, description = "A page of rejections", body = RejectionPage,
            example = json!(examples::rejection_page())),
        (status = 422, response = crate::openapi::Invalid),
    )
)]
pub async fn rejections(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let mut errors = BTreeMap::new();
    let requested = crate::json::tenant_param(&params, &mut errors);
    let page = PageRequest::<RejectionId>::parse(&params, &mut errors);
    crate::json::documented_only::<crate::openapi::params::RejectionQuery>(&params, &mut errors);
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
    Ok(page.respond::<RejectionPage, _>(
        rows,
        |r| r.id.to_string(),
        |r| Rejection {
            id: r.id.to_string(),
            tenant: r.tenant.clone(),
            subject: r.subject.clone(),
            reason: r.reason.clone(),
            reason_code: r.reason_code.clone(),
            event_id: r.event_id.clone(),
            received_at: r.received_at,
            size_bytes: r.size_bytes,
        },
    ))
}
