//! Retention's loop (`HERALD_RETENTION_DAYS`): at start and every quarter of an hour, removes
//! what `herald_store` finds old and finished, batch by batch, and counts it in
//! `herald_retention_deleted_total{table}`.
//!
//! It runs in the dispatcher target: every deployment that delivers anything has one, and a
//! process without it (an API or ingest replica) then never deletes under a read or write of
//! its own target. Several dispatcher replicas all run it; each batch takes a Postgres advisory
//! lock, and a replica that finds it taken ends its pass, so one replica works at a time
//! without any of them being elected.

use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use herald_store::{PruneCursor, PruneStep, Pruned, Store, StoreError};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::registry::Registry;
use tokio_util::sync::CancellationToken;

/// A day's events of a busy installation (~17 M at 200/s) go in about a day's worth of
/// passes without one pass outlasting the next.
const EVERY: Duration = Duration::from_secs(15 * 60);

/// Rows (events, with their deliveries and attempts; or rejections) per batch: each batch is
/// one short transaction, so ingest and the dispatcher never wait long on its locks.
const BATCH: u32 = 1000;

/// Between batches, so a long backlog (the first pass after enabling it) leaves Postgres
/// room for the pipeline's own writes.
const PAUSE: Duration = Duration::from_millis(100);

pub const TABLES: [&str; 5] = [
    "events",
    "deliveries",
    "delivery_attempts",
    "rejections",
    "digest_claims",
];

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct TableLabel {
    table: &'static str,
}

pub struct Retention {
    store: Store,
    /// 0 keeps everything: the loop does not run, the counters stay at 0.
    days: u32,
    deleted: Family<TableLabel, Counter>,
}

impl Retention {
    /// Registers the counters, every table's series at 0.
    pub fn register(store: Store, days: u32, registry: &mut Registry) -> Self {
        let deleted = Family::<TableLabel, Counter>::default();
        for table in TABLES {
            let _ = deleted.get_or_create(&TableLabel { table });
        }
        registry.register(
            "herald_retention_deleted",
            "Rows retention removed, by table",
            deleted.clone(),
        );
        Self {
            store,
            days,
            deleted,
        }
    }

    /// Passes until `shutdown`; a batch in flight finishes (it is short), then it stops.
    pub async fn run(self, shutdown: CancellationToken) {
        if self.days == 0 {
            return;
        }
        loop {
            let mut removed = Pruned::default();
            let outcome = self.pass(Utc::now(), &mut removed, &shutdown).await;
            if !removed.is_empty() {
                tracing::info!(
                    events = removed.events,
                    deliveries = removed.deliveries,
                    attempts = removed.attempts,
                    rejections = removed.rejections,
                    days = self.days,
                    "Removed finished rows older than the retention."
                );
            }
            if let Err(error) = outcome {
                tracing::warn!(%error, "Retention pass stopped; it resumes at the next one.");
            }
            tokio::select! {
                () = shutdown.cancelled() => return,
                () = tokio::time::sleep(EVERY) => {}
            }
        }
    }

    /// One pass at `now`: events first (with their deliveries and attempts), then rejections,
    /// then digest claims, adding to `removed` batch by batch so an error mid-pass still
    /// reports what went.
    pub async fn pass(
        &self,
        now: DateTime<Utc>,
        removed: &mut Pruned,
        shutdown: &CancellationToken,
    ) -> Result<(), StoreError> {
        let Some(before) = cutoff(now, self.days) else {
            return Ok(());
        };
        let mut cursor = PruneCursor::default();
        loop {
            let step = self.store.prune_events(before, &mut cursor, BATCH).await?;
            if !self.taken(step, removed) || paused(shutdown).await {
                break;
            }
        }
        loop {
            let step = self.store.prune_rejections(before, BATCH).await?;
            if !self.taken(step, removed) || paused(shutdown).await {
                break;
            }
        }
        loop {
            let step = self.store.prune_digest_claims(before, BATCH).await?;
            if !self.taken(step, removed) || paused(shutdown).await {
                break;
            }
        }
        Ok(())
    }

    /// Counts a batch; whether another may follow.
    fn taken(&self, step: PruneStep, removed: &mut Pruned) -> bool {
        let PruneStep::Pruned { pruned, last } = step else {
            return false;
        };
        removed.add(pruned);
        let counts = [
            pruned.events,
            pruned.deliveries,
            pruned.attempts,
            pruned.rejections,
            pruned.digest_claims,
        ];
        for (table, count) in TABLES.into_iter().zip(counts) {
            if count > 0 {
                self.deleted
                    .get_or_create(&TableLabel { table })
                    .inc_by(count);
            }
        }
        !last
    }
}

/// What was received before this is old enough to go; `None` keeps everything.
pub fn cutoff(now: DateTime<Utc>, days: u32) -> Option<DateTime<Utc>> {
    if days == 0 {
        return None;
    }
    now.checked_sub_signed(TimeDelta::days(i64::from(days)))
}

/// Waits between batches; true when shutdown came first.
async fn paused(shutdown: &CancellationToken) -> bool {
    tokio::select! {
        () = shutdown.cancelled() => true,
        () = tokio::time::sleep(PAUSE) => false,
    }
}

#[cfg(test)]
mod tests;
