//! `GET /v1/events`: recent events newest first, by type and by when Herald received them.

use std::collections::{BTreeMap, HashMap};

use axum::Extension;
use axum::extract::{Query, State};
use axum::response::Response;
use chrono::{DateTime, Utc};
use herald_domain::EventId;
use herald_store::EventListFilter;
use serde::Serialize;
use utoipa::ToSchema;

use crate::json::{PageRequest, page};
use crate::openapi::{Outcome, examples};
use crate::{ApiError, AppState, Caller};

/// An event Herald accepted, as lists show it.
#[derive(Serialize, ToSchema)]
pub struct EventSummary {
    /// Herald's own id, taken when it received the event.
    #[schema(pattern = "^evt_[0-9A-HJKMNP-TV-Z]{26}$")]
    pub id: String,
    pub tenant: String,
    /// The publisher's CloudEvents `id`.
    pub event_id: String,
    #[serde(rename = "type")]
    pub event_type: String,
    pub source: String,
    pub subject: Option<String>,
    /// What the type says happened (its last segment).
    #[schema(value_type = Outcome)]
    pub outcome: String,
    /// The publisher's `time` (when it had none, when Herald received it).
    pub time: DateTime<Utc>,
    pub received_at: DateTime<Utc>,
    /// The W3C trace id the event came with, if any.
    pub trace_id: Option<String>,
}

page!(
    /// Events newest first.
    EventPage,
    EventSummary
);

/// Recent events, newest first
///
/// Filters `type` (exact), `since` (inclusive) and `until` (exclusive) apply to when Herald
/// received the event, not to the publisher's `time`. `tenant` is the admin's choice; a tenant
/// token lists its own tenant whatever it names.
#[utoipa::path(
    get,
    path = "/v1/events",
    operation_id = "listEvents",
    tag = "events",
    params(crate::openapi::params::EventListQuery),
    responses(
        (status = 200, description = "A page of events", body = EventPage,
            example = json!(examples::event_page())),
        (status = 422, response = crate::openapi::Invalid),
    )
)]
pub async fn list(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let mut errors = BTreeMap::new();
    let requested = crate::json::tenant_param(&params, &mut errors);
    // On `received_at`, not on the publisher's `time`: ids are UUIDv7 taken when Herald
    // received the event, so the page order (by id) and the time filter agree, and a
    // publisher's wrong clock moves nothing.
    let filter = EventListFilter {
        tenant: caller.list_scope(requested).map(|t| t.as_str().to_owned()),
        event_type: params.get("type").cloned(),
        since: time_param(params.get("since"), "since", &mut errors),
        until: time_param(params.get("until"), "until", &mut errors),
    };
    let page = PageRequest::<EventId>::parse(&params, &mut errors);
    crate::json::documented_only::<crate::openapi::params::EventListQuery>(&params, &mut errors);
    if !errors.is_empty() {
        return Err(ApiError::Invalid(errors));
    }
    let rows = state
        .store
        .list_events(&filter, page.cursor, page.fetch())
        .await?;
    Ok(page.respond::<EventPage, _>(rows, |e| e.id.to_string(), summary))
}

/// An RFC 3339 time, or the error named after its field.
pub fn time_param(
    value: Option<&String>,
    field: &str,
    errors: &mut BTreeMap<String, String>,
) -> Option<DateTime<Utc>> {
    match DateTime::parse_from_rfc3339(value?) {
        Ok(time) => Some(time.with_timezone(&Utc)),
        Err(_) => {
            errors.insert(
                field.into(),
                "must be an RFC 3339 time like 2026-11-22T08:00:00Z".into(),
            );
            None
        }
    }
}

/// An event as lists show it; `GET /v1/events/{id}` adds its body and deliveries.
pub(crate) fn summary(e: &herald_store::EventSummary) -> EventSummary {
    EventSummary {
        id: e.id.to_string(),
        tenant: e.tenant.clone(),
        event_id: e.ce_id.clone(),
        event_type: e.event_type.clone(),
        source: e.source.clone(),
        subject: e.subject.clone(),
        outcome: e.outcome.clone(),
        time: e.time,
        received_at: e.received_at,
        trace_id: e.trace_id.clone(),
    }
}
