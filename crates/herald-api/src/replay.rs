//! `POST /v1/events/{id}/replay`: an event fanned out again, to every subscription that
//! matches it now or to the one named.
//!
//! Deliveries are unique per (event, subscription), the key ingest's fan-out depends on, so a
//! replay stores a copy of the event (new `evt_` id, publisher id `{original}:replay:{n}`,
//! `replay_of` the original, the CloudEvents JSON unchanged so receivers see the original id)
//! and its new deliveries in one statement.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use bytes::Bytes;
use herald_domain::{Channel, EventId, EventLimits, Incoming, SubscriptionId, Tenant, parse_event};
use herald_store::{EventLookup, EventRecord, QueuedJob, StoreError, SubscriptionCache};
use serde_json::Value;

use crate::json::object_body;
use crate::openapi::{ReplayRequest, examples};
use crate::{ApiError, AppState, Caller};

/// The deliveries a replay made: none when no subscription matches the event now.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct ReplayAnswer {
    pub deliveries: Vec<Replayed>,
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct Replayed {
    /// The new delivery, to follow under `/v1/deliveries/{id}`.
    #[schema(pattern = "^dlv_[0-9A-HJKMNP-TV-Z]{26}$")]
    pub id: String,
    #[schema(pattern = "^sub_[0-9A-HJKMNP-TV-Z]{26}$")]
    pub subscription_id: String,
}

/// Fan an event out again
///
/// To every enabled subscription it matches now, or to the one `subscription_id` names
/// (whatever its filters say). Herald stores a copy of the event for it (receivers see the
/// original CloudEvents `id`), left out of event lists and digests.
#[utoipa::path(
    post,
    path = "/v1/events/{id}/replay",
    operation_id = "replayEvent",
    tag = "events",
    params(("id" = String, Path, description = "Herald's `evt_…` id of the event")),
    request_body(content = ReplayRequest, description = "Optional: an empty body is `{}`",
        example = json!({"subscription_id": examples::SUBSCRIPTION_ID})),
    responses(
        (status = 202, description = "The new deliveries, handed to the dispatcher",
            body = ReplayAnswer, example = json!({"deliveries": [
                {"id": examples::DELIVERY_ID, "subscription_id": examples::SUBSCRIPTION_ID}
            ]})),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, response = crate::openapi::Conflict),
        (status = 422, response = crate::openapi::Invalid),
    )
)]
pub async fn replay(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let id: EventId = id.parse().map_err(|_| ApiError::NotFound("event"))?;
    let named = named_subscription(&body)?;
    let event = state
        .store
        .event(EventLookup::Id(id))
        .await?
        .ok_or(ApiError::NotFound("event"))?;
    caller.sees(&event.summary.tenant, "event")?;
    let targets = match named {
        Some(subscription_id) => vec![named_target(&state, &event, subscription_id).await?],
        None => matching_targets(&state, &event).await?,
    };
    let jobs = match state.store.replay_event(id, &targets).await? {
        Some(replay) => replay.jobs,
        // No subscription matches now: nothing to send, and nothing stored.
        None if targets.is_empty() => Vec::new(),
        None => return Err(ApiError::NotFound("event")),
    };
    hand_over(&state, &jobs).await;
    tracing::info!(event_id = %id, deliveries = jobs.len(), "Event replayed by request.");
    let deliveries = jobs
        .iter()
        .map(|q| Replayed {
            id: q.job.delivery_id.to_string(),
            subscription_id: q.job.subscription_id.to_string(),
        })
        .collect();
    Ok((StatusCode::ACCEPTED, Json(ReplayAnswer { deliveries })).into_response())
}

/// `{}` (or no body) or `{"subscription_id": "sub_…"}`; any other field is named as invalid.
pub(crate) fn named_subscription(body: &[u8]) -> Result<Option<SubscriptionId>, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    let body = object_body(body)?;
    let mut errors = std::collections::BTreeMap::new();
    let mut named = None;
    if let Value::Object(fields) = &body {
        for (key, value) in fields {
            match (key.as_str(), value) {
                ("subscription_id", Value::Null) => {}
                ("subscription_id", Value::String(s)) => match s.parse::<SubscriptionId>() {
                    Ok(id) => named = Some(id),
                    Err(_) => {
                        errors.insert(key.clone(), "is not a subscription id (sub_…)".into());
                    }
                },
                ("subscription_id", _) => {
                    errors.insert(key.clone(), "must be a subscription id (sub_…)".into());
                }
                _ => {
                    errors.insert(key.clone(), "is not a field of a replay".into());
                }
            }
        }
    }
    if errors.is_empty() {
        Ok(named)
    } else {
        Err(ApiError::Invalid(errors))
    }
}

/// The named subscription, which need not match the event (the caller asked for it) but must
/// be the event's tenant's, enabled, and not a digest (a digest sends no single events).
async fn named_target(
    state: &AppState,
    event: &EventRecord,
    id: SubscriptionId,
) -> Result<(SubscriptionId, Channel), ApiError> {
    let invalid = |why: &str| ApiError::field("subscription_id", why);
    let subscription = match state.store.subscription(id).await? {
        Some(s) if s.spec.tenant.as_str() == event.summary.tenant => s,
        // Another tenant's subscription is as unknown as a missing one.
        _ => return Err(invalid("is not a subscription of the event's tenant")),
    };
    if !subscription.spec.enabled {
        return Err(invalid("is disabled"));
    }
    if subscription.spec.digest.is_some() {
        return Err(invalid(
            "is a digest: it sends a daily summary, not single events",
        ));
    }
    Ok((subscription.id, subscription.spec.channel()))
}

/// Every enabled subscription of the event's tenant that matches it now, routed exactly as
/// ingest routes: the stored CloudEvent is parsed again into the domain event.
async fn matching_targets(
    state: &AppState,
    event: &EventRecord,
) -> Result<Vec<(SubscriptionId, Channel)>, ApiError> {
    let tenant = Tenant::parse(&event.summary.tenant)
        .map_err(|e| ApiError::Internal(StoreError::Corrupt(format!("stored tenant: {e}"))))?;
    let body = serde_json::to_vec(&event.cloudevent)
        .map_err(|e| ApiError::Internal(StoreError::Corrupt(format!("stored event: {e}"))))?;
    let incoming = Incoming {
        subject_tenant: &event.summary.tenant,
        subject_type: &event.summary.event_type,
        content_type: None,
        body: &body,
        received_at: event.summary.received_at,
    };
    // The event was accepted once; today's size limit must not refuse its replay.
    let limits = EventLimits {
        max_bytes: body.len().max(1),
    };
    let parsed = parse_event(&incoming, &limits).map_err(|rejection| {
        ApiError::Conflict(format!(
            "the stored event no longer passes validation: {}",
            rejection.reason
        ))
    })?;
    let mut cache = SubscriptionCache::default();
    cache.load(&state.store, &[&tenant]).await?;
    Ok(cache.route(&parsed))
}

/// Hands `jobs` to the dispatcher. They are in the outbox already, so when NATS cannot take
/// them now the dispatcher's sweep publishes them later: the request has still succeeded.
pub async fn hand_over(state: &AppState, jobs: &[QueuedJob]) {
    if let Err(error) = herald_dispatcher::hand_over(&state.store, &state.bus, jobs).await {
        tracing::warn!(%error, jobs = jobs.len(), "Jobs wait in the outbox until NATS takes them.");
    }
}
