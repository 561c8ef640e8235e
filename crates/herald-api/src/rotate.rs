//! `POST /v1/subscriptions/{id}/rotate-secret`: a new signing secret, returned once; the old
//! one keeps signing beside it for the overlap (`HERALD_SECRET_ROTATION_OVERLAP_SECS`, 24 h),
//! so receivers can switch without missing a delivery.

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use chrono::Utc;
use herald_domain::{PreviousSecret, Target, WebhookSecret};
use serde_json::json;

use crate::{ApiError, AppState, Caller};

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
        .update_subscription(subscription.id, &spec)
        .await?
        .ok_or(ApiError::NotFound("subscription"))?;
    tracing::info!(subscription_id = %subscription.id, %expires_at, "Signing secret rotated.");
    Ok(Json(json!({
        "secret": fresh.expose(),
        "previous_secret_expires_at": expires_at,
    }))
    .into_response())
}
