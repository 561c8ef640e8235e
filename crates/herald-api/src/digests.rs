//! `/v1/digests/{subscription_id}/preview|send?date=YYYY-MM-DD`: a digest subscription's report
//! of one local day, exactly as it would be sent (not sent), or sent now through the same
//! delivery path as the scheduled one. `date` defaults to yesterday in the digest's zone.

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use chrono::{Days, NaiveDate, Utc};
use chrono_tz::Tz;
use herald_domain::Target;
use herald_render::{digest_mail, discord_digest, slack_digest, teams_digest};
use herald_store::Subscription;
use serde::Serialize;
use utoipa::ToSchema;

use crate::openapi::examples;
use crate::openapi::params::DigestQuery;
use crate::{ApiError, AppState, Caller};

/// A digest sent by request.
#[derive(Serialize, ToSchema)]
pub struct DigestSent {
    /// The delivery that carries it, to follow under `/v1/deliveries/{id}`.
    #[schema(pattern = "^dlv_[0-9A-HJKMNP-TV-Z]{26}$")]
    pub delivery_id: String,
    /// The local day it covers.
    #[schema(format = Date)]
    pub date: String,
}

/// Preview a digest, sending nothing
///
/// The digest subscription's report of one local day (in the digest's `timezone`, else
/// `HERALD_TIMEZONE`), exactly as it would be sent: the mail's HTML for email, the platform's
/// JSON payload for Slack, Discord and Teams. A subscription without `digest` is not found.
#[utoipa::path(
    get,
    path = "/v1/digests/{id}/preview",
    operation_id = "previewDigest",
    tag = "digests",
    params(
        ("id" = String, Path, description = "The digest subscription's `sub_…` id"),
        DigestQuery,
    ),
    responses(
        (status = 200, description = "The digest as it would be sent", content(
            (String = "text/html", example = json!(examples::DIGEST_HTML)),
            (Object = "application/json", example = json!(examples::digest_slack())),
        )),
        (status = 404, response = crate::openapi::NotFound),
        (status = 422, response = crate::openapi::Invalid),
    )
)]
pub async fn preview(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let (subscription, tz, day) = digest_of(&state, &caller, &id, &params).await?;
    let report =
        herald_digest::build_report(&state.store, subscription.spec.tenant.as_str(), tz, day)
            .await?;
    let body = match &subscription.spec.target {
        Target::Email(_) => {
            return Ok((
                [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
                digest_mail(&report).html,
            )
                .into_response());
        }
        Target::Slack(target) => slack_digest(&report, target),
        Target::Discord(target) => discord_digest(&report, target),
        Target::Teams(target) => teams_digest(&report, target),
        Target::Webhook(_) => return Err(ApiError::NotFound("digest subscription")),
    };
    Ok(Json(body).into_response())
}

/// Send a day's digest now
///
/// Through the same delivery path as the scheduled digest; the answer names the delivery.
#[utoipa::path(
    post,
    path = "/v1/digests/{id}/send",
    operation_id = "sendDigest",
    tag = "digests",
    params(
        ("id" = String, Path, description = "The digest subscription's `sub_…` id"),
        DigestQuery,
    ),
    responses(
        (status = 202, description = "Queued for delivery", body = DigestSent,
            example = json!({"delivery_id": examples::DELIVERY_ID, "date": "2026-11-21"})),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 422, response = crate::openapi::Invalid),
        (status = 503, response = crate::openapi::Unavailable),
    )
)]
pub async fn send(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let (subscription, tz, day) = digest_of(&state, &caller, &id, &params).await?;
    let delivery_id =
        herald_digest::send_digest(&state.store, &state.bus, &subscription, tz, day, Utc::now())
            .await
            .map_err(digest_error)?;
    tracing::info!(subscription_id = %subscription.id, %day, %delivery_id, "Digest sent by request.");
    Ok((
        StatusCode::ACCEPTED,
        Json(DigestSent {
            delivery_id: delivery_id.to_string(),
            date: day.to_string(),
        }),
    )
        .into_response())
}

/// The digest subscription, its zone and the day asked for.
async fn digest_of(
    state: &AppState,
    caller: &Caller,
    id: &str,
    params: &HashMap<String, String>,
) -> Result<(Subscription, Tz, NaiveDate), ApiError> {
    let mut errors = std::collections::BTreeMap::new();
    crate::json::documented_only::<DigestQuery>(params, &mut errors);
    if !errors.is_empty() {
        return Err(ApiError::Invalid(errors));
    }
    let subscription = crate::subscriptions::find(state, caller, id).await?;
    if subscription.spec.digest.is_none() {
        return Err(ApiError::NotFound("digest subscription"));
    }
    let tz = subscription
        .spec
        .digest
        .and_then(|d| d.timezone)
        .unwrap_or(state.default_timezone);
    let day = match params.get("date") {
        Some(text) => NaiveDate::parse_from_str(text, "%Y-%m-%d")
            .map_err(|_| ApiError::field("date", "must be a date like 2026-11-21"))?,
        None => {
            let today = Utc::now().with_timezone(&tz).date_naive();
            today.checked_sub_days(Days::new(1)).unwrap_or(today)
        }
    };
    Ok((subscription, tz, day))
}

fn digest_error(error: herald_digest::DigestError) -> ApiError {
    match error {
        herald_digest::DigestError::Store(error) => ApiError::Internal(error),
        herald_digest::DigestError::Bus(error) => ApiError::Bus(error),
        herald_digest::DigestError::Report(message) => ApiError::Unavailable(message),
    }
}
