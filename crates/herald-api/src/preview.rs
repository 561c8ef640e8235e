//! `POST /v1/subscriptions/{id}/preview`: the exact message a recorded event (`event_id`) or a
//! sample (`sample`: an event type) would produce for this subscription. Nothing is sent or
//! stored; secrets are masked (header values the subscription keeps secret, URL tokens).

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use bytes::Bytes;
use herald_channels::{Delivery, OutgoingRequest, Prepared};
use herald_domain::samples::sample_event;
use herald_domain::{DeliveryId, EventDocument, EventId, EventType};
use herald_store::EventLookup;
use serde_json::{Map, Value, json};

use crate::json::object_body;
use crate::{ApiError, AppState, Caller};

const MASK: &str = "****";

pub async fn preview(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let request = object_body(&body)?;
    let subscription = crate::subscriptions::find(&state, &caller, &id).await?;
    let id = subscription.id;
    let spec = &subscription.spec;
    let now = chrono::Utc::now();
    let event = match (request.get("event_id"), request.get("sample")) {
        (Some(Value::String(event_id)), None) => {
            let lookup = match event_id.parse::<EventId>() {
                Ok(id) => EventLookup::Id(id),
                Err(_) => EventLookup::Published {
                    ce_id: event_id,
                    tenant: Some(spec.tenant.as_str()),
                },
            };
            let event = state
                .store
                .event(lookup)
                .await?
                .filter(|e| e.summary.tenant == spec.tenant.as_str())
                .ok_or(ApiError::NotFound("event"))?;
            event.cloudevent
        }
        (None, Some(Value::String(sample))) => {
            EventType::parse(sample).map_err(|e| ApiError::field("sample", e.to_string()))?;
            sample_event(sample, spec.tenant.as_str(), "preview", now)
        }
        _ => {
            return Err(ApiError::field(
                "event_id",
                "give either event_id (a recorded event) or sample (an event type)",
            ));
        }
    };
    let event = EventDocument::new(event);
    let delivery_id = DeliveryId::new().to_string();
    let delivery = Delivery {
        delivery_id: &delivery_id,
        attempt: 1,
        event: &event,
        subscription_id: id,
        subscription: spec,
        traceparent: None,
        now,
    };
    let prepared = state
        .channels
        .prepare(&delivery)
        .map_err(|error| ApiError::field("event_id", error.message))?;
    let mut shown = match prepared {
        Prepared::Http(request) => http_preview(&request, spec.target.destination()),
        Prepared::Mail(mail) => json!({
            "from": mail.from,
            "to": mail.to,
            "cc": mail.cc,
            "subject": mail.subject,
            "text": mail.text,
            "html": mail.html,
        }),
    };
    shown["channel"] = json!(spec.channel().as_str());
    Ok(Json(shown).into_response())
}

/// The request as it would go out: method, URL with its token masked, headers with secret
/// values masked, and the body (as JSON when it is JSON).
fn http_preview(request: &OutgoingRequest, destination: String) -> Value {
    let headers: Map<String, Value> = request
        .headers
        .iter()
        .map(|(name, value)| {
            let shown = if value.is_sensitive() {
                MASK.to_owned()
            } else {
                String::from_utf8_lossy(value.as_bytes()).into_owned()
            };
            (name.as_str().to_owned(), Value::String(shown))
        })
        .collect();
    let body = serde_json::from_slice::<Value>(&request.body)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&request.body).into_owned()));
    json!({
        "method": request.method.as_str(),
        "url": destination,
        "headers": headers,
        "body": body,
    })
}
