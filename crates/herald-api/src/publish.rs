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
use herald_domain::{Incoming, parse_event};
use serde_json::{Value, json};

use crate::{ApiError, AppState, Caller};

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
    // The subject's tenant is the token's own (an event naming another is a tenant mismatch,
    // as on NATS); the admin names it in the `tenant` attribute.
    let attributes: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let named = attributes.get("tenant").and_then(Value::as_str);
    let Some(tenant) = caller.scope().map(|own| own.as_str()).or(named) else {
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
        body: &body,
        received_at: Utc::now(),
    };
    let event =
        parse_event(&incoming, &state.event_limits).map_err(|rejection| ApiError::Rejected {
            code: rejection.reason.code(),
            message: rejection.reason.to_string(),
        })?;
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
        Json(json!({"id": event.id, "tenant": event.tenant.as_str(), "type": event.event_type.as_str()})),
    )
        .into_response())
}
