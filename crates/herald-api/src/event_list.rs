//! `GET /v1/events`: recent events newest first, by type and by when Herald received them.

use std::collections::{BTreeMap, HashMap};

use axum::Extension;
use axum::extract::{Query, State};
use axum::response::Response;
use chrono::{DateTime, Utc};
use herald_domain::EventId;
use herald_store::{EventListFilter, EventSummary};
use serde_json::{Value, json};

use crate::json::PageRequest;
use crate::{ApiError, AppState, Caller};

/// Filters `type` (exact), `since` (inclusive) and `until` (exclusive) on `received_at`, not on
/// the publisher's `time`: ids are UUIDv7 taken when Herald received the event, so the page
/// order (by id) and the time filter agree, and a publisher's wrong clock moves nothing.
/// `tenant` is the admin's choice; a token lists its own tenant whatever it names.
pub async fn list(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let mut errors = BTreeMap::new();
    let requested = crate::json::tenant_param(&params, &mut errors);
    let filter = EventListFilter {
        tenant: caller.list_scope(requested).map(|t| t.as_str().to_owned()),
        event_type: params.get("type").cloned(),
        since: time_param(params.get("since"), "since", &mut errors),
        until: time_param(params.get("until"), "until", &mut errors),
    };
    let page = PageRequest::<EventId>::parse(&params, &mut errors);
    if !errors.is_empty() {
        return Err(ApiError::Invalid(errors));
    }
    let rows = state
        .store
        .list_events(&filter, page.cursor, page.fetch())
        .await?;
    Ok(page.respond(rows, |e| e.id.to_string(), summary))
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
pub(crate) fn summary(e: &EventSummary) -> Value {
    json!({
        "id": e.id.to_string(),
        "tenant": e.tenant,
        "event_id": e.ce_id,
        "type": e.event_type,
        "source": e.source,
        "subject": e.subject,
        "outcome": e.outcome,
        "time": e.time,
        "received_at": e.received_at,
        "trace_id": e.trace_id,
    })
}
