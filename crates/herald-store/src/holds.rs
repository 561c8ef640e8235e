//! Deliveries a subscription's noise controls keep back (issue 12): held under a key (their
//! group, or `quiet`) until the dispatcher's releaser sends them as one `herald.group` message,
//! or suppressed by quiet hours. A release is one transaction: the members marked `grouped`,
//! the group's event, its delivery and that delivery's job in the outbox, and the group's last
//! send. Whatever dies half-way leaves either all of it or none, so a group is sent once.

use std::time::Duration;

use chrono::{DateTime, Utc};
use herald_domain::{DeliveryId, EventId, Outcome, SubscriptionId};
use sqlx::Row as _;
use uuid::Uuid;

use crate::events::job_row;
use crate::outbox::QueuedJob;
use crate::{Store, StoreError, storable};

/// What waits under one key of one subscription.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeldGroup {
    pub subscription_id: SubscriptionId,
    pub tenant: String,
    pub hold_key: String,
    /// When its oldest member's delivery was made: the group's `wait` counts from here.
    pub first_held: DateTime<Utc>,
    pub held: i64,
    /// When the key last had its message, if within the longest interval.
    pub last_sent_at: Option<DateTime<Utc>>,
}

/// One held delivery as its group's message lists it: what its event was, read from the event
/// where the digest reads the same (the name as the event's notice would give it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeldMember {
    pub delivery_id: DeliveryId,
    pub event_id: EventId,
    /// The publisher's id of the event.
    pub ce_id: String,
    pub event_type: String,
    pub outcome: String,
    pub time: DateTime<Utc>,
    pub held_at: DateTime<Utc>,
    pub name: Option<String>,
    pub source: Option<String>,
    pub destination: Option<String>,
    pub error_code: Option<String>,
    pub error_message: Option<String>,
    /// A `transitions` subscription's notice (`failing`, `recovered`, …) the member's delivery
    /// was written with, so its line in the group still says it.
    pub notice: Option<herald_domain::JobNotice>,
}

/// A group to send, and the ids its message gets.
#[derive(Debug, Clone)]
pub struct GroupRelease<'a> {
    pub subscription_id: SubscriptionId,
    pub tenant: &'a str,
    pub channel: &'a str,
    pub hold_key: &'a str,
    /// How long its oldest member must have waited (checked again under the group's lock).
    pub wait: Duration,
    /// How long since the key's last message (checked again under the group's lock).
    pub interval: Duration,
    pub event_id: EventId,
    pub delivery_id: DeliveryId,
}

/// The group's event, composed from its members.
#[derive(Debug, Clone)]
pub struct GroupDraft {
    pub ce_id: String,
    pub event_type: String,
    pub outcome: Outcome,
    pub time: DateTime<Utc>,
    pub cloudevent: serde_json::Value,
}

/// The fields of a member's event its group's message lists. The name follows the notice of
/// each family (`herald-render`): a transfer's `name`, a backup's `job_name`, a snapshot, a
/// repository, then the ids; an error is `{code, message}` or a plain string.
const MEMBER_FIELDS: &str = "
    d.id AS delivery_id, d.created_at AS held_at, d.notice, e.id AS event_id, e.ce_id, e.type AS event_type,
    e.outcome, e.time,
    COALESCE(e.cloudevent #>> '{data,name}', e.cloudevent #>> '{data,job_name}',
             e.cloudevent #>> '{data,snapshot_id}', e.cloudevent #>> '{data,repo_id}',
             e.cloudevent #>> '{data,transfer_id}', e.cloudevent #>> '{data,job_id}',
             e.cloudevent #>> '{data,title}', e.cloudevent #>> '{data,subscription_name}',
             e.subject) AS name,
    e.cloudevent #>> '{data,source}' AS source,
    e.cloudevent #>> '{data,destination}' AS destination,
    e.cloudevent #>> '{data,error,code}' AS error_code,
    COALESCE(e.cloudevent #>> '{data,error,message}',
             CASE WHEN jsonb_typeof(e.cloudevent #> '{data,error}') = 'string'
                  THEN e.cloudevent #>> '{data,error}' END,
             e.cloudevent #>> '{data,last_error}') AS error_message";

impl Store {
    /// Holds deliveries under their keys; only those still waiting for their first attempt
    /// (a job redelivered after a release finds its delivery grouped and leaves it).
    pub async fn hold_deliveries(&self, holds: &[(DeliveryId, String)]) -> Result<(), StoreError> {
        if holds.is_empty() {
            return Ok(());
        }
        sqlx::query(
            "UPDATE deliveries d SET status = 'held', hold_key = h.key, updated_at = now()
             FROM UNNEST($1::uuid[], $2::text[]) AS h(id, key)
             WHERE d.id = h.id AND d.status = 'pending'",
        )
        .bind(holds.iter().map(|(id, _)| id.as_uuid()).collect::<Vec<_>>())
        .bind(
            holds
                .iter()
                .map(|(_, key)| key.as_str())
                .collect::<Vec<_>>(),
        )
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Ends deliveries without an attempt, each with the reason (quiet hours dropped them).
    pub async fn suppress_deliveries(
        &self,
        suppressed: &[(DeliveryId, String)],
    ) -> Result<(), StoreError> {
        self.end_with_reasons(
            "UPDATE deliveries d
             SET status = 'suppressed', failure_reason = r.reason, updated_at = now()
             FROM UNNEST($1::uuid[], $2::text[]) AS r(id, reason)
             WHERE d.id = r.id AND d.status = 'pending'",
            suppressed,
        )
        .await
    }

    /// Every key something is held under, read off the index of held deliveries.
    pub async fn held_groups(&self) -> Result<Vec<HeldGroup>, StoreError> {
        let rows = sqlx::query(
            "SELECT h.subscription_id, h.hold_key, h.first_held, h.held, g.last_sent_at,
                    (SELECT d.tenant FROM deliveries d
                     WHERE d.subscription_id = h.subscription_id AND d.hold_key = h.hold_key
                     LIMIT 1) AS tenant
             FROM (SELECT subscription_id, hold_key, min(created_at) AS first_held,
                          count(*) AS held
                   FROM deliveries WHERE hold_key IS NOT NULL
                   GROUP BY subscription_id, hold_key) h
             LEFT JOIN group_sends g
                    ON g.subscription_id = h.subscription_id AND g.hold_key = h.hold_key
             ORDER BY h.first_held",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .filter_map(|row| {
                // A release between the two reads leaves no tenant: nothing is held any more.
                let tenant: Option<String> = match row.try_get("tenant") {
                    Ok(tenant) => tenant,
                    Err(error) => return Some(Err(error.into())),
                };
                tenant.map(|tenant| held_group(row, tenant))
            })
            .collect()
    }

    /// Sends one group: under the lock of its `group_sends` row (taken with SKIP LOCKED, so a
    /// replica already on it is left to it), checks again that it is due, marks its members
    /// grouped into the new delivery, writes the event `compose` makes of them, its delivery
    /// and job, and the key's send time. `None` when another replica has it or it is not due.
    pub async fn release_group<F>(
        &self,
        release: &GroupRelease<'_>,
        compose: F,
    ) -> Result<Option<QueuedJob>, StoreError>
    where
        F: FnOnce(&[HeldMember]) -> GroupDraft,
    {
        let subscription = release.subscription_id.as_uuid();
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "INSERT INTO group_sends (subscription_id, hold_key) VALUES ($1, $2)
             ON CONFLICT DO NOTHING",
        )
        .bind(subscription)
        .bind(release.hold_key)
        .execute(&mut *tx)
        .await?;
        let due: Option<bool> = sqlx::query_scalar(
            "SELECT (last_sent_at IS NULL OR last_sent_at <= now() - make_interval(secs => $3))
                    AND EXISTS (SELECT 1 FROM deliveries
                                WHERE subscription_id = $1 AND hold_key = $2
                                HAVING min(created_at) <= now() - make_interval(secs => $4))
             FROM group_sends WHERE subscription_id = $1 AND hold_key = $2
             FOR UPDATE SKIP LOCKED",
        )
        .bind(subscription)
        .bind(release.hold_key)
        .bind(release.interval.as_secs_f64())
        .bind(release.wait.as_secs_f64())
        .fetch_optional(&mut *tx)
        .await?;
        if due != Some(true) {
            return Ok(None);
        }
        let rows = sqlx::query(&format!(
            "WITH members AS (
                 UPDATE deliveries d
                 SET status = 'grouped', hold_key = NULL, grouped_into = $3,
                     failure_reason = $4, updated_at = now()
                 WHERE d.subscription_id = $1 AND d.hold_key = $2 AND d.status = 'held'
                 RETURNING d.id, d.event_id, d.created_at, d.notice)
             SELECT {MEMBER_FIELDS}
             FROM members d JOIN events e ON e.id = d.event_id
             ORDER BY e.time, e.id"
        ))
        .bind(subscription)
        .bind(release.hold_key)
        .bind(release.delivery_id.as_uuid())
        .bind(format!(
            "sent in the grouped message of delivery {}",
            release.delivery_id
        ))
        .fetch_all(&mut *tx)
        .await?;
        if rows.is_empty() {
            return Ok(None);
        }
        let members = rows
            .iter()
            .map(held_member)
            .collect::<Result<Vec<_>, _>>()?;
        let draft = compose(&members);
        let row = sqlx::query(
            "WITH stored AS (
                 INSERT INTO events (id, tenant, ce_id, type, source, outcome, time, received_at,
                                     cloudevent)
                 VALUES ($1, $2, $3, $4, 'herald', $5, $6, now(), $7)
                 RETURNING id
             )
             INSERT INTO deliveries (id, event_id, subscription_id, tenant, channel, event_type)
             SELECT $8, stored.id, $9, $2, $10, $4 FROM stored
             RETURNING id, event_id, subscription_id, tenant, channel, event_type",
        )
        .bind(release.event_id.as_uuid())
        .bind(release.tenant)
        .bind(&draft.ce_id)
        .bind(&draft.event_type)
        .bind(draft.outcome.as_str())
        .bind(draft.time)
        .bind(&draft.cloudevent)
        .bind(release.delivery_id.as_uuid())
        .bind(subscription)
        .bind(release.channel)
        .fetch_one(&mut *tx)
        .await?;
        let job = QueuedJob::first(job_row(&row)?);
        crate::outbox::enqueue(&mut tx, std::slice::from_ref(&job)).await?;
        sqlx::query(
            "UPDATE group_sends SET last_sent_at = now()
             WHERE subscription_id = $1 AND hold_key = $2",
        )
        .bind(subscription)
        .bind(release.hold_key)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(Some(job))
    }

    /// Ends the held deliveries of a subscription that was deleted or disabled, as intake
    /// ends its pending ones: failed, with the reason. Returns how many.
    pub async fn fail_held(
        &self,
        subscription_id: SubscriptionId,
        reason: &str,
    ) -> Result<u64, StoreError> {
        let done = sqlx::query(
            "UPDATE deliveries
             SET status = 'failed', troubled = true, hold_key = NULL, failure_reason = $2,
                 updated_at = now()
             WHERE subscription_id = $1 AND hold_key IS NOT NULL AND status = 'held'",
        )
        .bind(subscription_id.as_uuid())
        .bind(storable::text(reason))
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected())
    }

    /// Drops the send times older than `older_than` (the longest interval): they delay
    /// nothing any more. Keys still holding deliveries keep theirs.
    pub async fn forget_group_sends(&self, older_than: Duration) -> Result<u64, StoreError> {
        let done = sqlx::query(
            "DELETE FROM group_sends g
             WHERE (g.last_sent_at IS NULL
                    OR g.last_sent_at < now() - make_interval(secs => $1))
               AND NOT EXISTS (SELECT 1 FROM deliveries d
                               WHERE d.subscription_id = g.subscription_id
                                 AND d.hold_key = g.hold_key)",
        )
        .bind(older_than.as_secs_f64())
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected())
    }
}

fn held_group(row: &sqlx::postgres::PgRow, tenant: String) -> Result<HeldGroup, StoreError> {
    Ok(HeldGroup {
        subscription_id: SubscriptionId::from_uuid(row.try_get::<Uuid, _>("subscription_id")?),
        tenant,
        hold_key: row.try_get("hold_key")?,
        first_held: row.try_get("first_held")?,
        held: row.try_get("held")?,
        last_sent_at: row.try_get("last_sent_at")?,
    })
}

fn held_member(row: &sqlx::postgres::PgRow) -> Result<HeldMember, StoreError> {
    Ok(HeldMember {
        delivery_id: DeliveryId::from_uuid(row.try_get("delivery_id")?),
        event_id: EventId::from_uuid(row.try_get("event_id")?),
        ce_id: row.try_get("ce_id")?,
        event_type: row.try_get("event_type")?,
        outcome: row.try_get("outcome")?,
        time: row.try_get("time")?,
        held_at: row.try_get("held_at")?,
        name: row.try_get("name")?,
        source: row.try_get("source")?,
        destination: row.try_get("destination")?,
        error_code: row.try_get("error_code")?,
        error_message: row.try_get("error_message")?,
        notice: crate::transitions::notice(row)?,
    })
}
