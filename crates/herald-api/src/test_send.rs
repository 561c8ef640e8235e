//! `POST /v1/subscriptions/{id}/test`: one test event through the real channel, now, with the
//! receiver's answer in the response. Nothing is stored: it is not a delivery.

use std::time::Duration;

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use herald_channels::{Delivery, Verdict};
use herald_domain::{DeliveryId, EventDocument, SubscriptionId};
use serde::Serialize;
use serde_json::json;
use utoipa::ToSchema;

use crate::openapi::examples;
use crate::{ApiError, AppState, Caller, REQUEST_TIMEOUT};

/// The longest a test waits for the receiver, whatever the subscription's `timeout_ms` (up to
/// 120 s for deliveries): inside the API's request timeout, so the caller gets the test's
/// answer rather than a 408.
const TEST_WAITS_AT_MOST: Duration = REQUEST_TIMEOUT.saturating_sub(Duration::from_secs(2));

/// What the receiver made of a test message.
#[derive(Serialize, ToSchema)]
pub struct TestSendResult {
    /// Whether the receiver took it (a 2xx, or the mail server's acceptance).
    pub delivered: bool,
    /// Where it went, secrets masked.
    pub destination: String,
    /// The HTTP status, or the SMTP reply code; null when no answer came.
    pub status_code: Option<u16>,
    /// What came back: an excerpt of the body, or the server's reply text.
    pub response_body: Option<String>,
    pub duration_ms: u64,
    /// Why it was not delivered; null when it was.
    pub error: Option<String>,
}

/// Send a test message now
///
/// A `herald.test` event goes through the subscription's real channel (template, signing,
/// headers and all), and the receiver's answer comes back. Nothing is stored: it is not a
/// delivery and is never retried. A receiver that refuses is still a 200, with
/// `delivered: false`. A test waits at most 28 s for the receiver, even when the
/// subscription's `timeout_ms` is longer.
#[utoipa::path(
    post,
    path = "/v1/subscriptions/{id}/test",
    operation_id = "testSubscription",
    tag = "subscriptions",
    params(("id" = String, Path, description = "The subscription's `sub_…` id")),
    responses(
        (status = 200, description = "What the receiver answered", body = TestSendResult,
            examples(
                ("delivered" = (value = json!(examples::test_delivered()))),
                ("refused" = (value = json!(examples::test_refused()))),
            )),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
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
        notice: None,
        now,
    };
    let Ok(report) =
        tokio::time::timeout(TEST_WAITS_AT_MOST, state.channels.deliver(&delivery)).await
    else {
        let waited = TEST_WAITS_AT_MOST.as_secs();
        return Ok(Json(TestSendResult {
            delivered: false,
            destination: spec.target.destination(),
            status_code: None,
            response_body: None,
            duration_ms: TEST_WAITS_AT_MOST.as_millis() as u64,
            error: Some(format!(
                "no answer within {waited} s, the longest a test waits; deliveries wait for the \
                 subscription's timeout_ms"
            )),
        })
        .into_response());
    };
    Ok(Json(TestSendResult {
        delivered: report.verdict == Verdict::Delivered,
        destination: report.destination,
        status_code: report.status,
        response_body: report.response,
        duration_ms: report.duration.as_millis() as u64,
        error: report.error.map(|e| e.message),
    })
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
