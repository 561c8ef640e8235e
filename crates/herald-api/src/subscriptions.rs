//! `/v1/subscriptions`: create, list, read, change, remove.

use std::collections::{BTreeMap, HashMap};

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use bytes::Bytes;
use herald_bus::{OpsEvent, publish_all};
use herald_domain::{Channel, SubscriptionId, Target};
use herald_store::{Subscription, SubscriptionListFilter, SubscriptionView};
use serde_json::{Value, json};

use crate::json::{PageRequest, merge_patch, object_body, page};
use crate::openapi::{SubscriptionRequest, SubscriptionShown, examples};
use crate::subscription_health::{DISABLED_THROUGH_API, SubscriptionHealth, health_of, pick};
use crate::{ApiError, AppState, Caller};

page!(
    /// Subscriptions, oldest first.
    SubscriptionPage,
    Value,
    SubscriptionShown
);

/// Create a subscription
///
/// The whole document is checked at once: every bad field is named in the 422. A template is
/// compiled and rendered against the sample event of every type the subscription receives. A
/// webhook subscription's signing secret is in the answer this once (as `secret`); afterwards
/// only its mask. A tenant token creates subscriptions of its own tenant only. A
/// `fallback_subscription_id` must name another subscription of the same tenant that is not a
/// digest (a 422 naming it otherwise; another tenant's is answered as a missing one).
#[utoipa::path(
    post,
    path = "/v1/subscriptions",
    operation_id = "createSubscription",
    tag = "subscriptions",
    request_body(content = SubscriptionRequest, examples(
        ("webhook" = (summary = "A signed webhook for failures", value = json!(examples::webhook_request()))),
        ("slack" = (summary = "Slack, failures of one label", value = json!(examples::slack_request()))),
        ("discord" = (summary = "Discord with its own template", value = json!(examples::discord_request()))),
        ("teams" = (summary = "Microsoft Teams", value = json!(examples::teams_request()))),
        ("email" = (summary = "A daily email digest", value = json!(examples::email_request()))),
        ("transitions" = (summary = "Only failed, still failing and recovered, with a fallback",
            value = json!(examples::transitions_request()))),
        ("grouped" = (summary = "Bursts of failures as one message",
            value = json!(examples::grouped_request()))),
        ("quiet" = (summary = "Quiet at night, failures excepted",
            value = json!(examples::quiet_request()))),
    )),
    responses(
        (status = 201, description = "Created; a webhook's signing secret is shown this once",
            body = SubscriptionShown, example = json!(examples::webhook_created())),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 409, response = crate::openapi::NameTaken),
        (status = 422, response = crate::openapi::Invalid),
    )
)]
pub async fn create(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let request = object_body(&body)?;
    let spec = crate::fallback::checked_spec(&state, &caller, &request, None).await?;
    let created = state
        .store
        .create_subscription(&spec, DISABLED_THROUGH_API)
        .await?;
    tracing::info!(subscription_id = %created.id, tenant = %spec.tenant, channel = spec.channel().as_str(), "Subscription created.");
    state.metrics.subscriptions_changed();
    let mut body = shown(&state, &created).await?;
    // The signing secret is shown this once; afterwards only its mask.
    if let Target::Webhook(webhook) = &created.spec.target {
        body["secret"] = json!(webhook.secret.as_ref());
    }
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

/// Subscriptions, oldest first
///
/// A tenant token lists its own tenant's; the admin every tenant's, or the one `tenant` names.
#[utoipa::path(
    get,
    path = "/v1/subscriptions",
    operation_id = "listSubscriptions",
    tag = "subscriptions",
    params(crate::openapi::params::SubscriptionListQuery),
    responses(
        (status = 200, description = "A page of subscriptions, secrets masked",
            body = SubscriptionPage, example = json!(examples::subscription_page())),
        (status = 422, response = crate::openapi::Invalid),
    )
)]
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
    crate::json::documented_only::<crate::openapi::params::SubscriptionListQuery>(
        &params,
        &mut errors,
    );
    if !errors.is_empty() {
        return Err(ApiError::Invalid(errors));
    }
    filter.tenant = caller.list_scope(filter.tenant);
    let rows = state
        .store
        .list_subscriptions(&filter, page.cursor, page.fetch())
        .await?;
    let ids: Vec<SubscriptionId> = rows.iter().map(|r| r.id).collect();
    let health = health_of(&state, &ids).await?;
    Ok(page.respond::<SubscriptionPage, _>(rows, |r| r.id.to_string(), |r| view(r, &health)))
}

/// One subscription, secrets masked
#[utoipa::path(
    get,
    path = "/v1/subscriptions/{id}",
    operation_id = "getSubscription",
    tag = "subscriptions",
    params(("id" = String, Path, description = "The subscription's `sub_…` id")),
    responses(
        (status = 200, description = "The subscription, secrets masked", body = SubscriptionShown,
            examples(
                ("slack" = (summary = "A Slack subscription", value = json!(examples::slack_shown()))),
                ("transitions" = (summary = "Only a job's changes of state",
                    value = json!(examples::transitions_shown()))),
            )),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
pub async fn get(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let subscription = find(&state, &caller, &id).await?;
    Ok(Json(shown(&state, &subscription).await?).into_response())
}

/// Change a subscription
///
/// The body is a JSON merge patch (RFC 7396) over the subscription as created: fields given
/// replace, `null` removes, objects merge key by key. The result is checked like a create.
/// Disabling a subscription publishes `herald.subscription.disabled`.
#[utoipa::path(
    patch,
    path = "/v1/subscriptions/{id}",
    operation_id = "changeSubscription",
    tag = "subscriptions",
    params(("id" = String, Path, description = "The subscription's `sub_…` id")),
    request_body(content = crate::openapi::SubscriptionPatch, examples(
        ("disable" = (summary = "Pause it", value = json!({"enabled": false}))),
        ("retarget" = (summary = "Move a webhook, drop its rate limit",
            value = json!(examples::webhook_patch()))),
        ("loud_again" = (summary = "Every event again, no quiet hours, no fallback",
            value = json!({"notify": "every_event", "group_key": null, "repeat_interval": null,
                "quiet_hours": null, "fallback_subscription_id": null}))),
    )),
    responses(
        (status = 200, description = "The changed subscription, secrets masked",
            body = SubscriptionShown, example = json!(examples::webhook_shown())),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, response = crate::openapi::NameTaken),
        (status = 422, response = crate::openapi::Invalid),
    )
)]
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
    let spec = crate::fallback::checked_spec(&state, &caller, &merged, Some(current.id)).await?;
    let updated = state
        .store
        .update_subscription(current.id, &spec, DISABLED_THROUGH_API)
        .await?
        .ok_or(ApiError::NotFound("subscription"))?;
    tracing::info!(subscription_id = %updated.id, "Subscription changed.");
    state.metrics.subscriptions_changed();
    let switched = match (current.spec.enabled, updated.spec.enabled) {
        (true, false) => {
            state.metrics.disabled.inc("api");
            Some(OpsEvent::subscription_disabled(
                updated.spec.tenant.as_str(),
                &updated.id.to_string(),
                &updated.spec.name,
                DISABLED_THROUGH_API,
                &updated.updated_at.timestamp_micros().to_string(),
            ))
        }
        (false, true) => Some(OpsEvent::subscription_recovered(
            updated.spec.tenant.as_str(),
            &updated.id.to_string(),
            &updated.spec.name,
            "enabled again through the API",
            &updated.updated_at.timestamp_micros().to_string(),
        )),
        _ => None,
    };
    if let Some(event) = switched {
        let event = event.with("channel", json!(updated.spec.channel().as_str()));
        let event_type = event.event_type;
        // The change is made; owners hearing of it is best effort.
        if let Err(error) =
            publish_all(&state.bus, vec![event.into_outgoing(state.bus.names())]).await
        {
            tracing::warn!(%error, subscription_id = %updated.id, event_type, "Cannot publish an operational event.");
        }
    }
    Ok(Json(shown(&state, &updated).await?).into_response())
}

/// Remove a subscription
///
/// Its pending deliveries fail with a reason saying so.
#[utoipa::path(
    delete,
    path = "/v1/subscriptions/{id}",
    operation_id = "deleteSubscription",
    tag = "subscriptions",
    params(("id" = String, Path, description = "The subscription's `sub_…` id")),
    responses(
        (status = 204, description = "Removed"),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
pub async fn delete(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let id = find(&state, &caller, &id).await?.id;
    if state.store.delete_subscription(id).await? {
        tracing::info!(subscription_id = %id, "Subscription deleted.");
        state.metrics.subscriptions_changed();
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

/// One subscription as answered, with its health read now.
async fn shown(state: &AppState, subscription: &Subscription) -> Result<Value, ApiError> {
    let health = health_of(state, &[subscription.id]).await?;
    Ok(view(
        &SubscriptionView {
            id: subscription.id,
            masked: subscription.spec.to_masked_json(),
            created_at: subscription.created_at,
            updated_at: subscription.updated_at,
        },
        &health,
    ))
}

fn view(row: &SubscriptionView, health: &HashMap<SubscriptionId, SubscriptionHealth>) -> Value {
    let mut body = row.masked.clone();
    body["id"] = json!(row.id.to_string());
    let enabled = body["enabled"].as_bool().unwrap_or(true);
    body["health"] = json!(pick(health, row.id, enabled));
    body["created_at"] = json!(row.created_at);
    body["updated_at"] = json!(row.updated_at);
    body
}
