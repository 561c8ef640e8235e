//! Retention (`HERALD_RETENTION_DAYS`, issue 14): events received before the cutoff go with
//! their deliveries and attempts once every delivery of theirs is over, and rejections
//! received before it go as they are, as do digest claims of days before it (a digest is only
//! ever sent for its most recent due day, so an old claim guards nothing).
//!
//! Over means delivered, failed, suppressed or grouped into a message that is itself over.
//! An event with a delivery still pending, retrying or held (its group or quiet hours still
//! open) stays whatever its age, so nothing a dispatcher may still touch loses its rows.
//!
//! Each call is one short transaction over at most `limit` events (or rejections), so no
//! statement holds many row locks or runs long next to ingest's inserts. The age predicate is
//! a range of the primary key: ids are UUIDv7 (see `id_time`), which is why migration 0003
//! could drop the `created_at` index and why retention needs no new one. Deliveries are
//! found by the `(event_id, subscription_id)` key, attempts by theirs.

use chrono::{DateTime, Days, Utc};
use sqlx::Postgres;
use sqlx::Row as _;
use sqlx::postgres::PgArguments;
use sqlx::query::Query;
use uuid::Uuid;

use crate::id_time::ids_until;
use crate::{Store, StoreError};

/// The advisory lock every batch takes for its transaction: with several replicas running the
/// loop, one works while the others find it taken and wait for their next pass. A
/// transaction-level lock dies with its transaction, so a replica killed mid-batch leaves
/// nothing held.
const RETENTION_LOCK: i64 = 0x6865_7261_6c64_7274; // "heraldrt"

/// Rows one batch removed, by table.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Pruned {
    pub events: u64,
    pub deliveries: u64,
    pub attempts: u64,
    pub rejections: u64,
    pub digest_claims: u64,
}

impl Pruned {
    pub fn add(&mut self, other: Pruned) {
        self.events += other.events;
        self.deliveries += other.deliveries;
        self.attempts += other.attempts;
        self.rejections += other.rejections;
        self.digest_claims += other.digest_claims;
    }

    pub fn is_empty(&self) -> bool {
        *self == Pruned::default()
    }
}

/// What one batch did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PruneStep {
    /// Another replica holds the retention lock: this pass ends here.
    Busy,
    /// `last` when nothing more is old enough (the pass over this table is done).
    Pruned { pruned: Pruned, last: bool },
}

/// Where a pass over events has got to: events at or below it were looked at. Events kept
/// for an open delivery are not looked at again in the same pass.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct PruneCursor(Option<Uuid>);

/// Old events none of whose deliveries can still change, oldest first, locked so a second
/// replica (or a pass that outlives the lock) skips them rather than waits.
const OLD_FINISHED_EVENTS: &str = "
SELECT e.id FROM events e
WHERE e.id > $1 AND e.id < $2 AND e.received_at < $3
  AND NOT EXISTS (
      SELECT 1 FROM deliveries d
      WHERE d.event_id = e.id
        AND (d.status NOT IN ('delivered', 'failed', 'suppressed', 'grouped')
             OR d.hold_key IS NOT NULL
             OR (d.status = 'grouped' AND EXISTS (
                     SELECT 1 FROM deliveries g
                     WHERE g.id = d.grouped_into
                       AND g.status NOT IN ('delivered', 'failed', 'suppressed', 'grouped')))))
ORDER BY e.id
LIMIT $4
FOR UPDATE OF e SKIP LOCKED";

/// The status is checked again under the row lock the DELETE takes: a manual retry that
/// committed since the SELECT made its delivery pending, and that delivery (and so its event,
/// below) stays.
const DELETE_DELIVERIES: &str = "
DELETE FROM deliveries
WHERE event_id = ANY($1) AND status IN ('delivered', 'failed', 'suppressed', 'grouped')
  AND hold_key IS NULL
RETURNING id";

const DELETE_ATTEMPTS: &str = "DELETE FROM delivery_attempts WHERE delivery_id = ANY($1)";

/// A new statement sees the deliveries just deleted as gone and any that stayed as there.
const DELETE_EVENTS: &str = "
DELETE FROM events e
WHERE e.id = ANY($1) AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.event_id = e.id)";

const DELETE_REJECTIONS: &str = "
DELETE FROM rejections WHERE id IN (
    SELECT id FROM rejections WHERE id < $1 AND received_at < $2
    ORDER BY id LIMIT $3 FOR UPDATE SKIP LOCKED)";

const DELETE_DIGEST_CLAIMS: &str = "
DELETE FROM digest_claims WHERE (subscription_id, day) IN (
    SELECT subscription_id, day FROM digest_claims WHERE day < $1
    ORDER BY day LIMIT $2 FOR UPDATE SKIP LOCKED)";

impl Store {
    /// Removes up to `limit` finished events received before `before`, with their deliveries
    /// and attempts, continuing from `cursor` (and moving it on).
    pub async fn prune_events(
        &self,
        before: DateTime<Utc>,
        cursor: &mut PruneCursor,
        limit: u32,
    ) -> Result<PruneStep, StoreError> {
        let mut tx = self.pool.begin().await?;
        if !locked(&mut tx).await? {
            return Ok(PruneStep::Busy);
        }
        let ids: Vec<Uuid> = sqlx::query_scalar(OLD_FINISHED_EVENTS)
            .bind(cursor.0.unwrap_or(Uuid::nil()))
            .bind(ids_until(before))
            .bind(before)
            .bind(i64::from(limit))
            .fetch_all(&mut *tx)
            .await?;
        let last = ids.len() < limit as usize;
        let Some(&highest) = ids.last() else {
            tx.commit().await?;
            return Ok(PruneStep::Pruned {
                pruned: Pruned::default(),
                last,
            });
        };
        let deliveries: Vec<Uuid> = sqlx::query(DELETE_DELIVERIES)
            .bind(&ids)
            .fetch_all(&mut *tx)
            .await?
            .iter()
            .map(|row| row.try_get("id"))
            .collect::<Result<_, _>>()?;
        let attempts = sqlx::query(DELETE_ATTEMPTS)
            .bind(&deliveries)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        let events = sqlx::query(DELETE_EVENTS)
            .bind(&ids)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        tx.commit().await?;
        cursor.0 = Some(highest);
        Ok(PruneStep::Pruned {
            pruned: Pruned {
                events,
                deliveries: deliveries.len() as u64,
                attempts,
                ..Pruned::default()
            },
            last,
        })
    }

    /// Removes up to `limit` rejections received before `before`.
    pub async fn prune_rejections(
        &self,
        before: DateTime<Utc>,
        limit: u32,
    ) -> Result<PruneStep, StoreError> {
        let delete = sqlx::query(DELETE_REJECTIONS)
            .bind(ids_until(before))
            .bind(before);
        self.prune_rows(delete, limit, |rejections| Pruned {
            rejections,
            ..Pruned::default()
        })
        .await
    }

    /// Removes up to `limit` digest claims of days before `before`'s UTC date, less a day so
    /// no time zone's day that `before` falls in goes.
    pub async fn prune_digest_claims(
        &self,
        before: DateTime<Utc>,
        limit: u32,
    ) -> Result<PruneStep, StoreError> {
        let delete = sqlx::query(DELETE_DIGEST_CLAIMS).bind(before.date_naive() - Days::new(1));
        self.prune_rows(delete, limit, |digest_claims| Pruned {
            digest_claims,
            ..Pruned::default()
        })
        .await
    }

    /// One batch of a table whose old rows go as they are: `delete`, whose last parameter is
    /// the limit, under the retention lock; `counted` says which table the rows were.
    async fn prune_rows(
        &self,
        delete: Query<'_, Postgres, PgArguments>,
        limit: u32,
        counted: fn(u64) -> Pruned,
    ) -> Result<PruneStep, StoreError> {
        let mut tx = self.pool.begin().await?;
        if !locked(&mut tx).await? {
            return Ok(PruneStep::Busy);
        }
        let removed = delete
            .bind(i64::from(limit))
            .execute(&mut *tx)
            .await?
            .rows_affected();
        tx.commit().await?;
        Ok(PruneStep::Pruned {
            pruned: counted(removed),
            last: removed < u64::from(limit),
        })
    }
}

async fn locked(tx: &mut sqlx::Transaction<'_, sqlx::Postgres>) -> Result<bool, StoreError> {
    Ok(sqlx::query_scalar("SELECT pg_try_advisory_xact_lock($1)")
        .bind(RETENTION_LOCK)
        .fetch_one(&mut **tx)
        .await?)
}
