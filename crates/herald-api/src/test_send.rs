//! `POST /v1/subscriptions/{id}/test`: one test event through the real channel, now, with the
//! receiver's answer in the response. Nothing is stored: it is not a delivery.

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use herald_channels::{Delivery, Verdict};
use herald_domain::{DeliveryId, EventDocument, SubscriptionId};
use serde_json::json;

use crate::{ApiError, AppState, Caller};

pub async fn send(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let subscription = crate::subscriptions::find(&state, &caller, &id).await?;
    let id = subscription.id;
    let spec = &subscription.spec;
    let now = chrono::Utc::now();
    let delivery_id = DeliveryId::new().to_string();
    let event = EventDocument::new(test_event(&delivery_id, id, spec, now));
    let delivery = Delivery {
        delivery_id: &delivery_id,
        attempt: 1,
        event: &event,
        subscription_id: id,
        subscription: spec,
        traceparent: None,
        now,
    };
    let report = state.channels.deliver(&delivery).await;
    Ok(Json(json!({
        "delivered": report.verdict == Verdict::Delivered,
        "destination": report.destination,
        "status_code": report.status,
        "response_body": report.response,
        "duration_ms": report.duration.as_millis() as u64,
        "error": report.error.as_ref().map(|e| e.message.clone()),
    }))
    .into_response())
}

/// The `herald.test` event a test message is made of.
pub(crate) fn test_event(
    delivery_id: &str,
    id: SubscriptionId,
    spec: &herald_domain::SubscriptionSpec,
    now: chrono::DateTime<chrono::Utc>,
) -> serde_json::Value {
    json!({
        "specversion": "1.0",
        "id": format!("test-{delivery_id}"),
        "source": "herald://test",
        "type": "herald.test",
        "time": now,
        "tenant": spec.tenant.as_str(),
        "datacontenttype": "application/json",
        "data": {
            "message": "This is a test notification from Herald.",
            "subscription_id": id.to_string(),
            "subscription_name": spec.name,
        }
    })
}
