//! `/v1/deliveries`: what was sent, what came back, and a way to try a failed one again.

use std::collections::{BTreeMap, HashMap};

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use chrono::{DateTime, Utc};
use herald_domain::{DeliveryId, DeliveryStatus, SubscriptionId};
use herald_store::DeliveryListFilter;
use serde::Serialize;
use utoipa::ToSchema;

use crate::event_list::time_param;
use crate::events::{Delivery, delivery};
use crate::json::{PageRequest, documented_only, page};
use crate::openapi::examples;
use crate::openapi::params::DeliveryListQuery;
use crate::{ApiError, AppState, Caller};

page!(
    /// Deliveries newest first.
    DeliveryPage,
    Delivery
);

/// A delivery with every attempt, oldest first.
#[derive(Serialize, ToSchema)]
pub struct DeliveryDetail {
    #[serde(flatten)]
    pub delivery: Delivery,
    pub attempts: Vec<Attempt>,
}

/// One try at sending a delivery.
#[derive(Serialize, ToSchema)]
pub struct Attempt {
    /// 1 for the first attempt.
    pub number: i32,
    pub started_at: DateTime<Utc>,
    pub duration_ms: i32,
    /// Where it went, secrets masked (a chat webhook's token, URL query values, a password).
    pub destination: Option<String>,
    /// The HTTP method, for channels that speak HTTP; null for email.
    pub method: Option<String>,
    /// The HTTP status, or the SMTP reply code; null when no answer came.
    pub status_code: Option<i32>,
    /// What came back: at most 4 KiB of the body, or the server's reply text.
    pub response_body: Option<String>,
    /// Why no usable answer came, for people; null when one came (its status tells).
    pub error: Option<String>,
    /// Why no usable answer came, for programs: `timeout`, `connect`, `tls`,
    /// `private_address`, `request`, `body`, `template`, `refused`, `not_configured`.
    pub error_class: Option<String>,
    /// The W3C trace id of the attempt's span.
    pub trace_id: Option<String>,
    /// Where the trace can be seen: `HERALD_TRACE_URL_TEMPLATE` with the trace id in it;
    /// null when that is not set or the attempt has no trace id.
    #[schema(required = true)]
    pub trace_url: Option<String>,
}

/// The answer to a retry by request.
#[derive(Serialize, ToSchema)]
pub struct RetryQueued {
    #[schema(pattern = "^dlv_[0-9A-HJKMNP-TV-Z]{26}$")]
    pub id: String,
    /// Always `pending`: the delivery waits for its first new attempt.
    #[schema(value_type = crate::openapi::DeliveryStatus)]
    pub status: &'static str,
}

/// Deliveries, newest first
///
/// A tenant token lists its own tenant's; the admin every tenant's, or the one `tenant` names.
#[utoipa::path(
    get,
    path = "/v1/deliveries",
    operation_id = "listDeliveries",
    tag = "deliveries",
    params(crate::openapi::params::DeliveryListQuery),
    responses(
        (status = 200, description = "A page of deliveries", body = DeliveryPage,
            example = json!(examples::delivery_page())),
        (status = 422, response = crate::openapi::Invalid),
    )
)]
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
                format!("must be one of {}", DeliveryStatus::listed()),
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
    filter.since = time_param(params.get("since"), "since", &mut errors);
    filter.until = time_param(params.get("until"), "until", &mut errors);
    documented_only::<DeliveryListQuery>(&params, &mut errors);
    let page = PageRequest::<DeliveryId>::parse(&params, &mut errors);
    if !errors.is_empty() {
        return Err(ApiError::Invalid(errors));
    }
    filter.tenant = caller.list_scope(requested).map(|t| t.as_str().to_owned());
    let rows = state
        .store
        .list_deliveries(&filter, page.cursor, page.fetch())
        .await?;
    Ok(page.respond::<DeliveryPage, _>(rows, |r| r.id.to_string(), delivery))
}

/// One delivery with every attempt
#[utoipa::path(
    get,
    path = "/v1/deliveries/{id}",
    operation_id = "getDelivery",
    tag = "deliveries",
    params(("id" = String, Path, description = "The delivery's `dlv_…` id")),
    responses(
        (status = 200, description = "The delivery and its attempts", body = DeliveryDetail,
            example = json!(examples::delivery_detail())),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
pub async fn get(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let record = find(&state, &caller, &id).await?;
    let id = record.id;
    let attempts = state.store.attempts(id).await?;
    let attempts = attempts
        .into_iter()
        .map(|a| Attempt {
            number: a.number,
            started_at: a.started_at,
            duration_ms: a.duration_ms,
            destination: a.destination,
            method: a.method,
            status_code: a.status_code,
            response_body: a.response_body,
            error: a.error,
            error_class: a.error_class,
            trace_url: state
                .trace_url_template
                .as_ref()
                .zip(a.trace_id.as_deref())
                .and_then(|(template, trace_id)| template.link(trace_id)),
            trace_id: a.trace_id,
        })
        .collect();
    Ok(Json(DeliveryDetail {
        delivery: delivery(&record),
        attempts,
    })
    .into_response())
}

/// Deliver a failed delivery again
///
/// With a fresh set of attempts under the subscription's policy. Only a `failed` delivery
/// can be retried (409 otherwise).
#[utoipa::path(
    post,
    path = "/v1/deliveries/{id}/retry",
    operation_id = "retryDelivery",
    tag = "deliveries",
    params(("id" = String, Path, description = "The delivery's `dlv_…` id")),
    responses(
        (status = 202, description = "Queued again", body = RetryQueued,
            example = json!({"id": examples::DELIVERY_ID, "status": "pending"})),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, response = crate::openapi::Conflict),
    )
)]
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
    crate::replay::hand_over(&state, std::slice::from_ref(&job)).await;
    tracing::info!(delivery_id = %id, "Delivery queued again by request.");
    Ok((
        StatusCode::ACCEPTED,
        Json(RetryQueued {
            id: id.to_string(),
            status: DeliveryStatus::Pending.as_str(),
        }),
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
