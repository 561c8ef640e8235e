//! `/v1/subscriptions`: create, list, read, change, remove.

use std::collections::{BTreeMap, HashMap};

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use bytes::Bytes;
use herald_bus::{OpsEvent, publish_all};
use herald_domain::{Channel, SubscriptionId, SubscriptionSpec, Target};
use herald_store::{Subscription, SubscriptionListFilter, SubscriptionView};
use serde_json::{Value, json};

use crate::json::{PageRequest, merge_patch, object_body};
use crate::{ApiError, AppState, Caller};

pub async fn create(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let request = object_body(&body)?;
    let spec = SubscriptionSpec::from_json(&request)?;
    caller.may_write_for(&spec.tenant)?;
    let created = state.store.create_subscription(&spec).await?;
    tracing::info!(subscription_id = %created.id, tenant = %spec.tenant, channel = spec.channel().as_str(), "Subscription created.");
    let mut body = shown(&created);
    // The signing secret is shown this once; afterwards only its mask.
    if let Target::Webhook(webhook) = &created.spec.target {
        body["secret"] = json!(webhook.secret.as_ref());
    }
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

pub async fn list(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let mut errors = BTreeMap::new();
    let mut filter = SubscriptionListFilter {
        tenant: crate::json::tenant_param(&params, &mut errors),
        ..SubscriptionListFilter::default()
    };
    if let Some(channel) = params.get("channel") {
        match Channel::parse(channel) {
            Ok(channel) => filter.channel = Some(channel),
            Err(_) => {
                errors.insert(
                    "channel".into(),
                    "must be webhook, slack, discord, teams or email".into(),
                );
            }
        }
    }
    if let Some(enabled) = params.get("enabled") {
        match enabled.as_str() {
            "true" => filter.enabled = Some(true),
            "false" => filter.enabled = Some(false),
            _ => {
                errors.insert("enabled".into(), "must be true or false".into());
            }
        }
    }
    let page = PageRequest::<SubscriptionId>::parse(&params, &mut errors);
    if !errors.is_empty() {
        return Err(ApiError::Invalid(errors));
    }
    filter.tenant = caller.list_scope(filter.tenant);
    let rows = state
        .store
        .list_subscriptions(&filter, page.cursor, page.fetch())
        .await?;
    Ok(page.respond(rows, |r| r.id.to_string(), view))
}

pub async fn get(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let subscription = find(&state, &caller, &id).await?;
    Ok(Json(shown(&subscription)).into_response())
}

/// A JSON merge patch over the subscription as created; the result is validated like a create.
pub async fn patch(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let patch = object_body(&body)?;
    let current = find(&state, &caller, &id).await?;
    let mut merged = current.spec.to_json();
    merge_patch(&mut merged, &patch);
    let spec = SubscriptionSpec::from_json(&merged)?;
    caller.may_write_for(&spec.tenant)?;
    let updated = state
        .store
        .update_subscription(current.id, &spec)
        .await?
        .ok_or(ApiError::NotFound("subscription"))?;
    tracing::info!(subscription_id = %updated.id, "Subscription changed.");
    if current.spec.enabled && !updated.spec.enabled {
        let disabled = OpsEvent::subscription_disabled(
            updated.spec.tenant.as_str(),
            &updated.id.to_string(),
            &updated.spec.name,
            "disabled through the API",
            &updated.updated_at.timestamp_micros().to_string(),
        );
        // The change is made; owners hearing of it is best effort.
        if let Err(error) =
            publish_all(&state.bus, vec![disabled.into_outgoing(state.bus.names())]).await
        {
            tracing::warn!(%error, subscription_id = %updated.id, "Cannot publish herald.subscription.disabled.");
        }
    }
    Ok(Json(shown(&updated)).into_response())
}

pub async fn delete(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let id = find(&state, &caller, &id).await?.id;
    if state.store.delete_subscription(id).await? {
        tracing::info!(subscription_id = %id, "Subscription deleted.");
        Ok(StatusCode::NO_CONTENT.into_response())
    } else {
        Err(ApiError::NotFound("subscription"))
    }
}

/// The subscription `id` names, when the caller may see it (another tenant's is not found).
pub(crate) async fn find(
    state: &AppState,
    caller: &Caller,
    id: &str,
) -> Result<Subscription, ApiError> {
    let id = parse_id(id)?;
    let subscription = state
        .store
        .subscription(id)
        .await?
        .ok_or(ApiError::NotFound("subscription"))?;
    caller.sees(subscription.spec.tenant.as_str(), "subscription")?;
    Ok(subscription)
}

fn parse_id(id: &str) -> Result<SubscriptionId, ApiError> {
    id.parse().map_err(|_| ApiError::NotFound("subscription"))
}

fn shown(subscription: &Subscription) -> Value {
    view(&SubscriptionView {
        id: subscription.id,
        masked: subscription.spec.to_masked_json(),
        created_at: subscription.created_at,
        updated_at: subscription.updated_at,
    })
}

fn view(row: &SubscriptionView) -> Value {
    let mut body = row.masked.clone();
    body["id"] = json!(row.id.to_string());
    body["created_at"] = json!(row.created_at);
    body["updated_at"] = json!(row.updated_at);
    body
}
