//! Events and their fan-out, written for a whole ingest batch in one statement.
//!
//! An event and its delivery rows commit together, so "the event exists" means "it has been fanned
//! out". A redelivered event therefore gets no new deliveries; its still-pending ones come back so
//! their jobs can be published again (JetStream drops the duplicates by `Nats-Msg-Id`).

use std::collections::{HashMap, HashSet};

use chrono::Utc;
use herald_domain::{
    DeliveryId, Event, EventId, SubscriptionId, Tenant, contains_nul, replace_nul,
};
use sqlx::Row as _;
use uuid::Uuid;

use crate::transitions::{HeldJob, route};
use crate::{Store, StoreError, SubscriptionCache};

pub struct NewEvent<'a> {
    pub event: &'a Event,
    pub trace_id: Option<String>,
}

/// A delivery job to publish: everything the dispatcher needs to find its rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobRow {
    pub delivery_id: DeliveryId,
    pub event_id: EventId,
    pub subscription_id: SubscriptionId,
    pub tenant: String,
    pub channel: String,
    pub event_type: String,
}

impl From<&JobRow> for herald_proto::v1::DeliveryJob {
    fn from(job: &JobRow) -> Self {
        Self {
            delivery_id: job.delivery_id.to_string(),
            event_id: job.event_id.to_string(),
            subscription_id: job.subscription_id.to_string(),
            tenant: job.tenant.clone(),
            channel: job.channel.clone(),
            event_type: job.event_type.clone(),
        }
    }
}

/// What became of one input event: its Herald id, and the jobs to publish for it.
#[derive(Debug)]
pub struct FanOut {
    pub event_id: EventId,
    pub newly_stored: bool,
    pub jobs: Vec<JobRow>,
}

/// How often one batch is routed again because subscriptions changed under it before it gives up
/// (and is redelivered).
const STALE_ROUTING_TRIES: usize = 5;

/// One statement, so one round trip and one commit per batch: it stores the events new to the
/// database and the deliveries of exactly those, but only if the subscriptions the batch was
/// routed with are still current (otherwise it writes nothing and the batch is routed again).
/// Each UNNEST names its columns next to the binds they come from (see `insert_batch`).
const RECORD_BATCH: &str = "
WITH current AS (SELECT version FROM subscriptions_version),
inserted AS (
    INSERT INTO events (id, tenant, ce_id, type, source, subject, outcome, time, received_at,
                        trace_id, cloudevent, cloudevent_exact)
    SELECT u.id, u.tenant, u.ce_id, u.type, u.source, u.subject, u.outcome, u.time,
           u.received_at, u.trace_id, u.cloudevent, u.exact::json
    FROM UNNEST($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
                $7::text[], $8::timestamptz[], $9::timestamptz[], $10::text[], $11::jsonb[],
                $12::text[])
         AS u(id, tenant, ce_id, type, source, subject, outcome, time, received_at, trace_id,
              cloudevent, exact)
    WHERE (SELECT version FROM current) = $13
    ON CONFLICT (tenant, ce_id) DO NOTHING
    RETURNING id
),
fanned AS (
    INSERT INTO deliveries (id, event_id, subscription_id, tenant, channel, event_type, status,
                            hold_key)
    SELECT j.id, j.event_id, j.subscription_id, j.tenant, j.channel, j.event_type,
           CASE WHEN j.hold_key IS NULL THEN 'pending' ELSE 'held' END, j.hold_key
    FROM UNNEST($14::uuid[], $15::uuid[], $16::uuid[], $17::text[], $18::text[], $19::text[],
                $20::text[]) AS j(id, event_id, subscription_id, tenant, channel, event_type,
                                  hold_key)
    WHERE j.event_id IN (SELECT id FROM inserted)
    ON CONFLICT (event_id, subscription_id) DO NOTHING
)
SELECT (SELECT version FROM current) AS version, ARRAY(SELECT id FROM inserted) AS inserted";

impl Store {
    /// Stores the events and fans the new ones out to the subscriptions `cache` routes them
    /// to. Returns one `FanOut` per input event, in order. All or nothing: when it fails,
    /// nothing of the batch was written.
    pub async fn record_events(
        &self,
        events: &[NewEvent<'_>],
        cache: &mut SubscriptionCache,
    ) -> Result<Vec<FanOut>, StoreError> {
        if events.is_empty() {
            return Ok(Vec::new());
        }
        let tenants: Vec<&Tenant> = events.iter().map(|e| &e.event.tenant).collect();
        let documents: Vec<StoredDocument> = events
            .iter()
            .map(|e| StoredDocument::new(e.event.to_cloudevent()))
            .collect();
        for _ in 0..STALE_ROUTING_TRIES {
            let version = cache.load(self, &tenants).await?;
            let ids: Vec<EventId> = events.iter().map(|_| EventId::new()).collect();
            let mut held = Vec::new();
            let mut fan_outs: Vec<FanOut> = Vec::with_capacity(events.len());
            for (new, id) in events.iter().zip(&ids) {
                let (jobs, waiting) = route(cache, new.event, *id);
                held.extend(waiting);
                fan_outs.push(FanOut {
                    event_id: *id,
                    newly_stored: true,
                    jobs,
                });
            }
            let batch = Batch {
                events,
                documents: &documents,
                ids: &ids,
                fan_outs: &fan_outs,
                held: &held,
                version,
            };
            let row = insert_batch(&self.pool, &batch).await?;
            let current: i64 = row.try_get("version")?;
            if current != version {
                cache.observe(current);
                continue;
            }
            let inserted: HashSet<Uuid> = row
                .try_get::<Vec<Uuid>, _>("inserted")?
                .into_iter()
                .collect();
            let mut duplicates = Vec::new();
            for (index, fan_out) in fan_outs.iter_mut().enumerate() {
                if !inserted.contains(&fan_out.event_id.as_uuid()) {
                    fan_out.newly_stored = false;
                    fan_out.jobs.clear();
                    duplicates.push(index);
                }
            }
            if !duplicates.is_empty() {
                let mut conn = self.pool.acquire().await?;
                resolve_duplicates(&mut conn, events, &duplicates, &inserted, &mut fan_outs)
                    .await?;
            }
            return Ok(fan_outs);
        }
        Err(StoreError::SubscriptionsChanging)
    }
}

/// One try at writing a batch: its events, their ids and documents, the every-event jobs, the
/// deliveries held for `transitions` subscriptions, and the subscriptions version they were
/// routed with.
pub(crate) struct Batch<'b, 'e> {
    pub events: &'b [NewEvent<'e>],
    pub documents: &'b [StoredDocument],
    pub ids: &'b [EventId],
    pub fan_outs: &'b [FanOut],
    pub held: &'b [HeldJob],
    pub version: i64,
}

async fn insert_batch<'c>(
    executor: impl sqlx::PgExecutor<'c>,
    batch: &Batch<'_, '_>,
) -> Result<sqlx::postgres::PgRow, StoreError> {
    let Batch {
        events,
        documents,
        ids,
        fan_outs,
        held,
        version,
    } = *batch;
    let jobs: Vec<&JobRow> = fan_outs
        .iter()
        .flat_map(|f| &f.jobs)
        .chain(held.iter().map(|h| &h.job))
        .collect();
    let hold_keys: Vec<Option<&str>> = fan_outs
        .iter()
        .flat_map(|f| f.jobs.iter().map(|_| None))
        .chain(held.iter().map(|h| Some(h.hold_key.as_str())))
        .collect();
    let now = Utc::now();
    let column =
        |f: fn(&Event) -> Option<&str>| events.iter().map(|e| f(e.event)).collect::<Vec<_>>();
    let query = sqlx::query(RECORD_BATCH)
        // u.id, u.tenant, u.ce_id, u.type, u.source, u.subject, u.outcome
        .bind(ids.iter().map(|id| id.as_uuid()).collect::<Vec<_>>())
        .bind(column(|e| Some(e.tenant.as_str())))
        .bind(column(|e| Some(e.id.as_str())))
        .bind(column(|e| Some(e.event_type.as_str())))
        .bind(column(|e| Some(e.source.as_str())))
        .bind(column(|e| e.subject.as_deref()))
        .bind(column(|e| Some(e.outcome().as_str())))
        // u.time, u.received_at, u.trace_id
        .bind(events.iter().map(|e| e.event.time).collect::<Vec<_>>())
        .bind(events.iter().map(|_| now).collect::<Vec<_>>())
        .bind(
            events
                .iter()
                .map(|e| e.trace_id.as_deref())
                .collect::<Vec<_>>(),
        )
        // u.cloudevent, u.exact
        .bind(documents.iter().map(|d| &d.storable).collect::<Vec<_>>())
        .bind(
            documents
                .iter()
                .map(|d| d.exact.as_deref())
                .collect::<Vec<_>>(),
        )
        .bind(version);
    // j.id, j.event_id, j.subscription_id, j.tenant, j.channel, j.event_type, j.hold_key
    let row = bind_jobs(query, &jobs)
        .bind(hold_keys)
        .fetch_one(executor)
        .await?;
    Ok(row)
}

type PgQuery<'q> = sqlx::query::Query<'q, sqlx::Postgres, sqlx::postgres::PgArguments>;

/// Binds the six columns of `jobs` as arrays, in the order the fan-out statements UNNEST
/// them: id, event_id, subscription_id, tenant, channel, event_type.
pub(crate) fn bind_jobs<'q>(query: PgQuery<'q>, jobs: &[&'q JobRow]) -> PgQuery<'q> {
    query
        .bind(
            jobs.iter()
                .map(|j| j.delivery_id.as_uuid())
                .collect::<Vec<_>>(),
        )
        .bind(
            jobs.iter()
                .map(|j| j.event_id.as_uuid())
                .collect::<Vec<_>>(),
        )
        .bind(
            jobs.iter()
                .map(|j| j.subscription_id.as_uuid())
                .collect::<Vec<_>>(),
        )
        .bind(jobs.iter().map(|j| j.tenant.as_str()).collect::<Vec<_>>())
        .bind(jobs.iter().map(|j| j.channel.as_str()).collect::<Vec<_>>())
        .bind(
            jobs.iter()
                .map(|j| j.event_type.as_str())
                .collect::<Vec<_>>(),
        )
}

/// An event's CloudEvents JSON as Postgres can hold it: `storable` for the jsonb column, and,
/// only when the two differ (U+0000 in the text), the exact JSON text.
pub(crate) struct StoredDocument {
    storable: serde_json::Value,
    exact: Option<String>,
}

impl StoredDocument {
    fn new(document: serde_json::Value) -> Self {
        if contains_nul(&document) {
            Self {
                storable: replace_nul(&document),
                exact: Some(document.to_string()),
            }
        } else {
            Self {
                storable: document,
                exact: None,
            }
        }
    }
}

/// Points each already-stored event at its existing row and returns its pending deliveries.
async fn resolve_duplicates(
    tx: &mut sqlx::PgConnection,
    events: &[NewEvent<'_>],
    duplicates: &[usize],
    inserted: &HashSet<Uuid>,
    fan_outs: &mut [FanOut],
) -> Result<(), StoreError> {
    let rows = sqlx::query(
        "SELECT e.id, e.tenant, e.ce_id FROM events e
         JOIN UNNEST($1::text[], $2::text[]) AS k(tenant, ce_id)
           ON e.tenant = k.tenant AND e.ce_id = k.ce_id",
    )
    .bind(
        duplicates
            .iter()
            .map(|&i| events[i].event.tenant.as_str())
            .collect::<Vec<_>>(),
    )
    .bind(
        duplicates
            .iter()
            .map(|&i| events[i].event.id.as_str())
            .collect::<Vec<_>>(),
    )
    .fetch_all(&mut *tx)
    .await?;
    let mut existing: HashMap<(String, String), EventId> = HashMap::new();
    for row in &rows {
        existing.insert(
            (row.try_get("tenant")?, row.try_get("ce_id")?),
            EventId::from_uuid(row.try_get("id")?),
        );
    }
    for &index in duplicates {
        let event = events[index].event;
        let key = (event.tenant.as_str().to_owned(), event.id.clone());
        let id = existing.get(&key).copied().ok_or_else(|| {
            StoreError::Corrupt(format!("event {} vanished during ingest", event.id))
        })?;
        fan_outs[index].event_id = id;
    }

    // Events this very batch inserted already publish their jobs through their first copy.
    let existing_ids: Vec<Uuid> = existing
        .values()
        .map(|id| id.as_uuid())
        .filter(|id| !inserted.contains(id))
        .collect();
    let pending = sqlx::query(
        "SELECT id, event_id, subscription_id, tenant, channel, event_type FROM deliveries
         WHERE event_id = ANY($1) AND status = 'pending' AND attempt_count = 0",
    )
    .bind(&existing_ids)
    .fetch_all(&mut *tx)
    .await?;
    let mut by_event: HashMap<EventId, Vec<JobRow>> = HashMap::new();
    for row in &pending {
        let job = job_row(row)?;
        by_event.entry(job.event_id).or_default().push(job);
    }
    // Several copies of one old event in a batch: the first copy takes its jobs.
    for &index in duplicates {
        let id = fan_outs[index].event_id;
        fan_outs[index].jobs = by_event.remove(&id).unwrap_or_default();
    }
    Ok(())
}

/// A job from a deliveries row with columns id, event_id, subscription_id, tenant, channel,
/// event_type.
pub(crate) fn job_row(row: &sqlx::postgres::PgRow) -> Result<JobRow, StoreError> {
    Ok(JobRow {
        delivery_id: DeliveryId::from_uuid(row.try_get("id")?),
        event_id: EventId::from_uuid(row.try_get("event_id")?),
        subscription_id: SubscriptionId::from_uuid(row.try_get("subscription_id")?),
        tenant: row.try_get("tenant")?,
        channel: row.try_get("channel")?,
        event_type: row.try_get("event_type")?,
    })
}
