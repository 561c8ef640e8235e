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
use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeMap;
use utoipa::ToSchema;

use crate::json::object_body;
use crate::openapi::{Channel, PreviewRequest, examples};
use crate::{ApiError, AppState, Caller};

const MASK: &str = "****";

/// The message a delivery would send: an HTTP request (webhook and chat channels) or a mail.
#[derive(Serialize, ToSchema)]
#[serde(untagged)]
pub enum Preview {
    Http(HttpPreview),
    Mail(MailPreview),
}

/// The request as it would go out.
#[derive(Serialize, ToSchema)]
pub struct HttpPreview {
    #[schema(value_type = Channel)]
    pub channel: &'static str,
    pub method: String,
    /// The URL with its secrets masked (a chat webhook's token, query values, a password).
    pub url: String,
    /// Every header, with the values the subscription keeps secret as `****`.
    pub headers: BTreeMap<String, String>,
    /// The body: JSON when it is JSON, otherwise its text.
    pub body: Value,
}

/// The mail as it would be sent.
#[derive(Serialize, ToSchema)]
pub struct MailPreview {
    #[schema(value_type = Channel)]
    pub channel: &'static str,
    pub from: String,
    pub to: Vec<String>,
    pub cc: Vec<String>,
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// Preview a message, sending nothing
///
/// The exact message a recorded event (`event_id`: Herald's `evt_…` id or the publisher's id)
/// or a sample of an event type (`sample`) would produce for this subscription; with
/// `group_of`, the one grouped message (`herald.group`) that many such events would become;
/// with `notice`, the message a `notify: transitions` subscription sends for a job's first
/// failure, a reminder or its recovery. Nothing is sent or stored; secrets are masked.
#[utoipa::path(
    post,
    path = "/v1/subscriptions/{id}/preview",
    operation_id = "previewMessage",
    tag = "subscriptions",
    params(("id" = String, Path, description = "The subscription's `sub_…` id")),
    request_body(content = PreviewRequest, examples(
        ("sample" = (summary = "A sample event of a type", value = json!({"sample": "transfer.failed"}))),
        ("recorded" = (summary = "A recorded event", value = json!({"event_id": examples::EVENT_ID}))),
        ("grouped" = (summary = "The grouped message of twelve sample events", value = json!({"sample": "transfer.failed", "group_of": 12}))),
        ("recovered" = (summary = "A job's recovery after five failures, down 6 h 10 min", value = json!({"sample": "transfer.completed", "notice": {"kind": "recovered", "failures": 5, "down_for_seconds": 22200}}))),
    )),
    responses(
        (status = 200, description = "The message, secrets masked", body = Preview, examples(
            ("webhook" = (value = json!(examples::http_preview()))),
            ("email" = (value = json!(examples::mail_preview()))),
        )),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 422, response = crate::openapi::Invalid),
    )
)]
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
    // `group_of`: the one message that many such events would become (preview_group.rs).
    let event = match request.get("group_of") {
        Some(group_of) => crate::preview_group::grouped(&subscription, &event, group_of, now)?,
        None => event,
    };
    // `notice`: the message of a `notify: transitions` subscription (preview_notice.rs).
    let notice = crate::preview_notice::notice(request.get("notice"), &event, now)?;
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
        notice: notice.as_ref(),
    };
    let prepared = state
        .channels
        .prepare(&delivery)
        .map_err(|error| ApiError::field("event_id", error.message))?;
    let channel = spec.channel().as_str();
    let shown = match prepared {
        Prepared::Http(request) => {
            Preview::Http(http_preview(channel, &request, spec.target.destination()))
        }
        Prepared::Mail(mail) => {
            let mail = *mail;
            Preview::Mail(MailPreview {
                channel,
                from: mail.from,
                to: mail.to,
                cc: mail.cc,
                subject: mail.subject,
                text: mail.text,
                html: mail.html,
            })
        }
    };
    Ok(Json(shown).into_response())
}

/// The request as it would go out: method, URL with its token masked, headers with secret
/// values masked, and the body (as JSON when it is JSON).
fn http_preview(
    channel: &'static str,
    request: &OutgoingRequest,
    destination: String,
) -> HttpPreview {
    let headers: BTreeMap<String, String> = request
        .headers
        .iter()
        .map(|(name, value)| {
            let shown = if value.is_sensitive() {
                MASK.to_owned()
            } else {
                String::from_utf8_lossy(value.as_bytes()).into_owned()
            };
            (name.as_str().to_owned(), shown)
        })
        .collect();
    let body = serde_json::from_slice::<Value>(&request.body)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&request.body).into_owned()));
    HttpPreview {
        channel,
        method: request.method.as_str().to_owned(),
        url: destination,
        headers,
        body,
    }
}
