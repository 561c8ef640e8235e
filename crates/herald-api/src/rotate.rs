//! `POST /v1/subscriptions/{id}/rotate-secret`: a new signing secret, returned once; the old
//! one keeps signing beside it for the overlap (`HERALD_SECRET_ROTATION_OVERLAP_SECS`, 24 h),
//! so receivers can switch without missing a delivery.

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use chrono::{DateTime, Utc};
use herald_domain::{PreviousSecret, Target, WebhookSecret};
use serde::Serialize;
use utoipa::ToSchema;

use crate::openapi::examples;
use crate::{ApiError, AppState, Caller};

/// A new signing secret, shown this once.
#[derive(Serialize, ToSchema)]
pub struct RotatedSecret {
    /// The new `whsec_…` secret in full.
    #[schema(pattern = "^whsec_[A-Za-z0-9+/]+={0,2}$")]
    pub secret: String,
    /// Until then deliveries are signed with both secrets.
    pub previous_secret_expires_at: DateTime<Utc>,
}

/// Rotate a webhook's signing secret
///
/// The new secret is answered once; the old one keeps signing beside it for the overlap
/// (`HERALD_SECRET_ROTATION_OVERLAP_SECS`, 24 h by default), so receivers can switch without
/// missing a delivery. Only a webhook subscription has a signing secret (409 otherwise).
#[utoipa::path(
    post,
    path = "/v1/subscriptions/{id}/rotate-secret",
    operation_id = "rotateSecret",
    tag = "subscriptions",
    params(("id" = String, Path, description = "The subscription's `sub_…` id")),
    responses(
        (status = 200, description = "The new secret", body = RotatedSecret,
            example = json!(examples::rotated())),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, response = crate::openapi::Conflict),
    )
)]
pub async fn rotate(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let subscription = crate::subscriptions::find(&state, &caller, &id).await?;
    let mut spec = subscription.spec;
    let Target::Webhook(webhook) = &mut spec.target else {
        return Err(ApiError::Conflict(
            "only a webhook subscription has a signing secret".into(),
        ));
    };
    let expires_at = Utc::now()
        + chrono::Duration::from_std(state.rotation_overlap).unwrap_or(chrono::Duration::days(1));
    let fresh = WebhookSecret::generate();
    let old = std::mem::replace(&mut webhook.secret, fresh.clone());
    webhook.previous_secret = Some(PreviousSecret {
        secret: old,
        expires_at,
    });
    state
        .store
        .update_subscription(
            subscription.id,
            &spec,
            crate::subscription_health::DISABLED_THROUGH_API,
        )
        .await?
        .ok_or(ApiError::NotFound("subscription"))?;
    tracing::info!(subscription_id = %subscription.id, %expires_at, "Signing secret rotated.");
    Ok(Json(RotatedSecret {
        secret: fresh.expose().to_owned(),
        previous_secret_expires_at: expires_at,
    })
    .into_response())
}
