//! `POST /v1/events`: HTTP ingest for publishers without NATS. The event is checked by the very
//! code NATS ingest uses (same reasons, same codes), then published on the events stream with
//! its id as `Nats-Msg-Id`, so ingest stores, fans out and deduplicates it like any other.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use bytes::Bytes;
use chrono::Utc;
use herald_bus::{MSG_ID_HEADER, Outgoing, publish_all};
use herald_domain::{Event, EventLimits, Incoming, parse_event};
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

use crate::openapi::{CloudEvent, examples};
use crate::{ApiError, AppState, Caller};

/// An event taken for ingest.
#[derive(Serialize, ToSchema)]
pub struct EventAccepted {
    /// The event's CloudEvents `id`, as sent.
    pub id: String,
    pub tenant: String,
    #[serde(rename = "type")]
    pub event_type: String,
}

/// Publish an event
///
/// For publishers without NATS: a CloudEvents JSON event, checked by the very code NATS ingest
/// uses (same reasons, same codes), then published on the events stream with its `id` as the
/// deduplication id. A tenant token publishes into its own tenant (an event naming another is
/// a `tenant_mismatch`); the admin names the tenant in the `tenant` attribute. Protobuf events
/// go over NATS only (400).
#[utoipa::path(
    post,
    path = "/v1/events",
    operation_id = "publishEvent",
    tag = "events",
    request_body(content = CloudEvent, content_type = "application/cloudevents+json",
        description = "CloudEvents 1.0 in structured JSON mode (`application/json` is taken too)",
        example = json!(examples::cloud_event())),
    responses(
        (status = 202, description = "Taken: ingest stores it and fans it out",
            body = EventAccepted,
            example = json!({"id": "a2b1c7e0-5b7e-4a57-9d0c-3f1f2d9e8a10", "tenant": "acme", "type": "transfer.failed"})),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 422, response = crate::openapi::EventRefused),
        (status = 503, response = crate::openapi::Unavailable),
    )
)]
pub async fn publish(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    if content_type.is_some_and(|t| t.to_ascii_lowercase().contains("protobuf")) {
        return Err(ApiError::Malformed(
            "send protobuf events on NATS; over HTTP, send CloudEvents JSON".into(),
        ));
    }
    let event = checked_event(
        caller.scope().map(|own| own.as_str()),
        content_type,
        &body,
        &state.event_limits,
    )?;
    // Herald's own `herald.…` types are refused here as NATS ingest refuses them.
    herald_bus::check_published_type(event.event_type.as_str())?;
    let mut nats_headers = herald_bus::HeaderMap::new();
    nats_headers.insert(MSG_ID_HEADER, event.id.as_str());
    nats_headers.insert("Content-Type", "application/cloudevents+json");
    let outgoing = Outgoing {
        subject: state
            .bus
            .names()
            .event_subject(event.tenant.as_str(), event.event_type.as_str()),
        msg_id: event.id.clone(),
        headers: nats_headers,
        payload: body,
    };
    publish_all(&state.bus, vec![outgoing]).await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(EventAccepted {
            tenant: event.tenant.as_str().to_owned(),
            event_type: event.event_type.as_str().to_owned(),
            id: event.id,
        }),
    )
        .into_response())
}

/// The body read as NATS ingest reads an event. The subject's tenant is the token's own
/// (`scope`; an event naming another is a tenant mismatch, as on NATS); the admin names it in
/// the `tenant` attribute.
pub(crate) fn checked_event(
    scope: Option<&str>,
    content_type: Option<&str>,
    body: &[u8],
    limits: &EventLimits,
) -> Result<Event, ApiError> {
    let attributes: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    let named = attributes.get("tenant").and_then(Value::as_str);
    let Some(tenant) = scope.or(named) else {
        return Err(ApiError::field(
            "tenant",
            "is required: the tenant the event belongs to",
        ));
    };
    let event_type = attributes
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let incoming = Incoming {
        subject_tenant: tenant,
        subject_type: event_type,
        content_type,
        body,
        received_at: Utc::now(),
    };
    parse_event(&incoming, limits).map_err(|rejection| ApiError::Rejected {
        code: rejection.reason.code(),
        message: rejection.reason.to_string(),
    })
}
