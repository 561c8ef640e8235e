//! Events as the API reads them back, with their deliveries.

use chrono::{DateTime, Utc};
use herald_domain::{DeliveryId, EventId, SubscriptionId};
use sqlx::Row as _;

use crate::deliveries::DELIVERY_COLUMNS;
use crate::{Store, StoreError};

/// An event as a list shows it: everything but its body.
#[derive(Debug, Clone)]
pub struct EventSummary {
    pub id: EventId,
    pub tenant: String,
    pub ce_id: String,
    pub event_type: String,
    pub source: String,
    pub subject: Option<String>,
    pub outcome: String,
    pub time: DateTime<Utc>,
    pub received_at: DateTime<Utc>,
    pub trace_id: Option<String>,
}

/// One event with its body: the CloudEvents document as the publisher sent it.
#[derive(Debug, Clone)]
pub struct EventRecord {
    pub summary: EventSummary,
    pub cloudevent: serde_json::Value,
}

#[derive(Debug, Clone)]
pub struct DeliveryRecord {
    pub id: DeliveryId,
    pub tenant: String,
    pub event_id: EventId,
    pub event_type: String,
    pub subscription_id: SubscriptionId,
    pub channel: String,
    pub status: herald_domain::DeliveryStatus,
    pub attempt_count: i32,
    /// Why it failed without an attempt saying so; `None` otherwise.
    pub failure_reason: Option<String>,
    /// A `notify: transitions` delivery's notice.
    pub notice: Option<herald_domain::JobNotice>,
    /// The grouped message's delivery that carried this one.
    pub grouped_into: Option<DeliveryId>,
    /// The delivery this one stands in for as a fallback, and why.
    pub fallback_of: Option<DeliveryId>,
    pub fallback_reason: Option<String>,
    /// A retrying delivery: when its next attempt is due.
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

pub enum EventLookup<'a> {
    Id(EventId),
    /// The publisher's id, optionally within one tenant (newest first when several tenants match).
    Published {
        ce_id: &'a str,
        tenant: Option<&'a str>,
    },
}

impl Store {
    pub async fn event(&self, lookup: EventLookup<'_>) -> Result<Option<EventRecord>, StoreError> {
        let (id, ce_id, tenant) = match lookup {
            EventLookup::Id(id) => (Some(id.as_uuid()), None, None),
            EventLookup::Published { ce_id, tenant } => (None, Some(ce_id), tenant),
        };
        let row = sqlx::query(
            "SELECT id, tenant, ce_id, type, source, subject, outcome, time, received_at, trace_id,
                    cloudevent, cloudevent_exact
             FROM events
             WHERE ($1::uuid IS NULL OR id = $1)
               AND ($2::text IS NULL OR ce_id = $2)
               AND ($3::text IS NULL OR tenant = $3)
             ORDER BY received_at DESC LIMIT 1",
        )
        .bind(id)
        .bind(ce_id)
        .bind(tenant)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|row| {
            Ok(EventRecord {
                summary: event_summary(&row)?,
                cloudevent: exact_or_stored(&row)?,
            })
        })
        .transpose()
    }

    pub async fn deliveries_of_event(
        &self,
        event_id: EventId,
    ) -> Result<Vec<DeliveryRecord>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {DELIVERY_COLUMNS} FROM deliveries WHERE event_id = $1 ORDER BY id"
        ))
        .bind(event_id.as_uuid())
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(crate::deliveries::delivery_record)
            .collect()
    }
}

/// The event's CloudEvents JSON as the publisher sent it: the exact copy when Postgres could
/// not hold it as jsonb (U+0000), else the jsonb column. Reads columns `cloudevent` and
/// `cloudevent_exact`.
pub(crate) fn exact_or_stored(
    row: &sqlx::postgres::PgRow,
) -> Result<serde_json::Value, StoreError> {
    match row.try_get::<Option<serde_json::Value>, _>("cloudevent_exact")? {
        Some(exact) => Ok(exact),
        None => Ok(row.try_get("cloudevent")?),
    }
}

/// An event row's columns but its body: id, tenant, ce_id, type, source, subject, outcome,
/// time, received_at, trace_id.
pub(crate) fn event_summary(row: &sqlx::postgres::PgRow) -> Result<EventSummary, StoreError> {
    Ok(EventSummary {
        id: EventId::from_uuid(row.try_get("id")?),
        tenant: row.try_get("tenant")?,
        ce_id: row.try_get("ce_id")?,
        event_type: row.try_get("type")?,
        source: row.try_get("source")?,
        subject: row.try_get("subject")?,
        outcome: row.try_get("outcome")?,
        time: row.try_get("time")?,
        received_at: row.try_get("received_at")?,
        trace_id: row.try_get("trace_id")?,
    })
}
