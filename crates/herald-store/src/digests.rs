//! The daily digest's figures: what one tenant's events of one local day add up to, read in
//! one statement that passes over the day's rows once. Herald's own rows are not the
//! tenant's activity: a replay's copy of an event (`replay_of`), the `herald.digest` events
//! that carry digests and the `herald.group` events that sum up held ones are left out, so
//! nothing is counted twice.

use chrono::{DateTime, Utc};
use herald_domain::EventId;
use sqlx::Row as _;
use sqlx::postgres::PgRow;

use crate::{Store, StoreError};

/// One tenant's events with `start <= time < end`: a local day, in UTC. `time` is the event's
/// own time, so an event that arrives late still counts for the day it happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DigestWindow {
    pub tenant: String,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

/// Everything the digest shows for one window.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DigestFigures {
    /// Only the families that had events, in the order of [`DIGEST_FAMILIES`].
    pub families: Vec<FamilyFigures>,
    /// Bytes moved: `data.bytes_transferred` of transfers and `data.size_bytes` of backups that
    /// finished (succeeded, warned or failed; a start would count them twice).
    pub bytes: u64,
    /// The first `max_failures` failures, oldest first.
    pub failures: Vec<FailureRow>,
    pub failures_total: u64,
    /// The first `max_warnings` warnings, oldest first.
    pub warnings: Vec<WarningRow>,
    pub warnings_total: u64,
    /// Every schedule that ran, by schedule then family.
    pub schedules: Vec<ScheduleRow>,
    /// The [`BUSIEST_JOBS`] names with the most runs, most first (then by name).
    pub busiest: Vec<BusiestRow>,
}

/// The families a digest counts apart, in the order it shows them. A type's family is its
/// first segment (`transfer.failed`: `transfer`); every other family counts as `other`.
pub const DIGEST_FAMILIES: [&str; 7] = [
    "transfer", "backup", "snapshot", "restore", "gc", "verify", "other",
];

/// How many names `DigestFigures::busiest` holds.
pub const BUSIEST_JOBS: usize = 10;

/// One family's events by outcome; `total` counts every event, `info` ones included.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FamilyFigures {
    pub family: String,
    pub succeeded: u64,
    pub failed: u64,
    pub warnings: u64,
    pub started: u64,
    pub total: u64,
    pub bytes: u64,
}

/// An event with outcome `failure`. The name is `data.name`, else `data.job_name`, else
/// `data.repo_id`; the other fields are `data.source`, `data.destination`, `data.error.code`
/// and `data.error.message`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailureRow {
    pub event_id: EventId,
    pub time: DateTime<Utc>,
    pub event_type: String,
    pub name: Option<String>,
    pub source: Option<String>,
    pub destination: Option<String>,
    pub error_code: Option<String>,
    pub error_message: Option<String>,
}

/// An event with outcome `warning`: its name as for failures, and its text (the first of
/// `data.warnings`, else `data.error.message`, else empty).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WarningRow {
    pub event_id: EventId,
    pub time: DateTime<Utc>,
    pub event_type: String,
    pub name: Option<String>,
    pub text: String,
}

/// The runs of one schedule (`data.schedule.name`, else `data.schedule.id`) in one family. A
/// run is an event of the schedule that is not a start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScheduleRow {
    pub schedule: String,
    pub family: String,
    pub runs: u64,
    pub failed: u64,
    pub last_failure: Option<DateTime<Utc>>,
}

/// The runs (events that are not starts) of one name, and the bytes they moved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BusiestRow {
    pub name: String,
    pub runs: u64,
    pub bytes: u64,
}

/// One statement, so every figure comes from the same snapshot. `r` is the window read once
/// through events_tenant_event_time, each field taken out of the document once; the three
/// grouping sets are counted in that same pass. The failures and warnings are read apart
/// through events_tenant_trouble, which holds just them, in order.
///
/// * The families named in the CASE are DIGEST_FAMILIES but `other`: change them together.
/// * Bytes are cast only for the exact known types, whose data ingest checked against
///   proto/herald/v1 (uint64: a number or a string of digits). A custom type's data may hold
///   anything (`transfer.exploded` too): a cast there could fail the whole digest.
/// * Starts get no name and no schedule, so they fall into the NULL groups dropped below:
///   only runs count for schedules and names.
/// * OFFSET 0 keeps `r` a subquery, so the planner estimates the groups with its defaults
///   (a few tens of thousands at most) and hashes them; folded into the scan, it estimates
///   them from cloudevent, where every document differs, and sorts the whole window instead.
/// * GROUPING(family, schedule, name) has a bit set for each column a set leaves out:
///   3 is (family), 1 is (schedule, family), 6 is (name).
const DIGEST_FIGURES: &str = "
WITH agg AS MATERIALIZED (
    SELECT CASE GROUPING(r.family, r.schedule, r.name)
               WHEN 3 THEN 'family' WHEN 1 THEN 'schedule' ELSE 'job' END AS kind,
           r.family, r.schedule, r.name,
           count(*) FILTER (WHERE r.outcome = 'success') AS succeeded,
           count(*) FILTER (WHERE r.outcome = 'failure') AS failed,
           count(*) FILTER (WHERE r.outcome = 'warning') AS warnings,
           count(*) FILTER (WHERE r.outcome = 'started') AS started,
           count(*) AS total,
           trunc(LEAST(COALESCE(sum(r.bytes), 0), 18446744073709551615))::text AS bytes,
           max(r.time) FILTER (WHERE r.outcome = 'failure') AS last_failure
    FROM (
        SELECT e.time, e.outcome,
               CASE WHEN split_part(e.type, '.', 1)
                         IN ('transfer', 'backup', 'snapshot', 'restore', 'gc', 'verify')
                    THEN split_part(e.type, '.', 1) ELSE 'other' END AS family,
               CASE WHEN e.type IN ('transfer.completed', 'transfer.failed')
                        THEN (e.cloudevent #>> '{data,bytes_transferred}')::numeric
                    WHEN e.type IN ('backup.succeeded', 'backup.warning', 'backup.failed')
                        THEN (e.cloudevent #>> '{data,size_bytes}')::numeric
               END AS bytes,
               CASE WHEN e.outcome <> 'started'
                    THEN COALESCE(e.cloudevent #>> '{data,name}',
                                  e.cloudevent #>> '{data,job_name}',
                                  e.cloudevent #>> '{data,repo_id}') END AS name,
               CASE WHEN e.outcome <> 'started'
                    THEN COALESCE(e.cloudevent #>> '{data,schedule,name}',
                                  e.cloudevent #>> '{data,schedule,id}') END AS schedule
        FROM events e
        WHERE e.tenant = $1 AND e.time >= $2 AND e.time < $3
          AND e.replay_of IS NULL AND e.type NOT IN ('herald.digest', 'herald.group')
        OFFSET 0
    ) r
    GROUP BY GROUPING SETS ((r.family), (r.schedule, r.family), (r.name))
)
SELECT kind, family, schedule, name, NULL::uuid AS id, NULL::timestamptz AS time,
       NULL::text AS type, succeeded, failed, warnings, started, total, bytes, last_failure,
       NULL::text AS source, NULL::text AS destination, NULL::text AS error_code,
       NULL::text AS error_message, NULL::text AS warning
FROM agg WHERE kind = 'family' OR (kind = 'schedule' AND schedule IS NOT NULL)
UNION ALL
(SELECT kind, NULL, NULL, name, NULL, NULL, NULL, succeeded, failed, warnings, started, total,
        bytes, last_failure, NULL, NULL, NULL, NULL, NULL
 FROM agg WHERE kind = 'job' AND name IS NOT NULL
 ORDER BY total DESC, name LIMIT $6)
UNION ALL
(SELECT 'failure', NULL, NULL, COALESCE(e.cloudevent #>> '{data,name}',
                                        e.cloudevent #>> '{data,job_name}',
                                        e.cloudevent #>> '{data,repo_id}'),
        e.id, e.time, e.type, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
        e.cloudevent #>> '{data,source}', e.cloudevent #>> '{data,destination}',
        e.cloudevent #>> '{data,error,code}', e.cloudevent #>> '{data,error,message}', NULL
 FROM events e
 WHERE e.tenant = $1 AND e.outcome = 'failure' AND e.time >= $2 AND e.time < $3
          AND e.replay_of IS NULL AND e.type NOT IN ('herald.digest', 'herald.group')
 ORDER BY e.time, e.id LIMIT $4)
UNION ALL
(SELECT 'warning', NULL, NULL, COALESCE(e.cloudevent #>> '{data,name}',
                                        e.cloudevent #>> '{data,job_name}',
                                        e.cloudevent #>> '{data,repo_id}'),
        e.id, e.time, e.type, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
        COALESCE(e.cloudevent #>> '{data,warnings,0}', e.cloudevent #>> '{data,error,message}', '')
 FROM events e
 WHERE e.tenant = $1 AND e.outcome = 'warning' AND e.time >= $2 AND e.time < $3
          AND e.replay_of IS NULL AND e.type NOT IN ('herald.digest', 'herald.group')
 ORDER BY e.time, e.id LIMIT $5)";

/// The planner settings of the digest's transaction, and why:
/// * enable_seqscan: a tenant's day is read through the index whatever the planner expects.
///   It only prefers a scan of the whole table when the day is most of it (a young,
///   single-tenant deployment), where the bitmap scan costs about as much; with statistics
///   that lag an ingest burst, its mistake would be a scan of every tenant's history.
/// * work_mem: the grouping sets are estimated at up to ~40,000 groups (see DIGEST_FIGURES),
///   more than the default 4 MB allows a hash table, and sorting a million rows instead
///   costs more than the rest of the statement. The hash tables really hold a few hundred.
const DIGEST_SETTINGS: &str = "SELECT set_config('enable_seqscan', 'off', true),
                                      set_config('work_mem', '32MB', true)";

impl Store {
    /// The figures of one window; `max_failures` and `max_warnings` bound the lists (their
    /// totals count them all).
    pub async fn digest_figures(
        &self,
        window: &DigestWindow,
        max_failures: u32,
        max_warnings: u32,
    ) -> Result<DigestFigures, StoreError> {
        let rows = self
            .digest_statement(DIGEST_FIGURES, window, max_failures, max_warnings)
            .await?;
        let mut figures = DigestFigures::default();
        for row in &rows {
            add_row(&mut figures, row)?;
        }
        order(&mut figures);
        Ok(figures)
    }

    /// The plan `digest_figures` gets for these arguments, as `EXPLAIN (FORMAT JSON)` gives
    /// it: for the tests that keep it on the indexes, and for whoever asks why a digest is slow.
    pub async fn explain_digest_figures(
        &self,
        window: &DigestWindow,
        max_failures: u32,
        max_warnings: u32,
    ) -> Result<serde_json::Value, StoreError> {
        let explain = format!("EXPLAIN (FORMAT JSON) {DIGEST_FIGURES}");
        let rows = self
            .digest_statement(&explain, window, max_failures, max_warnings)
            .await?;
        let row = rows
            .first()
            .ok_or(StoreError::Database(sqlx::Error::RowNotFound))?;
        Ok(row.try_get(0)?)
    }

    async fn digest_statement(
        &self,
        statement: &str,
        window: &DigestWindow,
        max_failures: u32,
        max_warnings: u32,
    ) -> Result<Vec<PgRow>, StoreError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query(DIGEST_SETTINGS).execute(&mut *tx).await?;
        let rows = sqlx::query(statement)
            .bind(&window.tenant)
            .bind(window.start)
            .bind(window.end)
            .bind(i64::from(max_failures))
            .bind(i64::from(max_warnings))
            .bind(BUSIEST_JOBS as i64)
            .fetch_all(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(rows)
    }

    /// Whether the window holds any event: the cheap check behind a digest's `skip_empty`.
    /// Asking for the first event in index order keeps it one index probe.
    pub async fn digest_has_events(&self, window: &DigestWindow) -> Result<bool, StoreError> {
        let first = sqlx::query(
            "SELECT e.time FROM events e
             WHERE e.tenant = $1 AND e.time >= $2 AND e.time < $3
          AND e.replay_of IS NULL AND e.type NOT IN ('herald.digest', 'herald.group')
             ORDER BY e.time LIMIT 1",
        )
        .bind(&window.tenant)
        .bind(window.start)
        .bind(window.end)
        .fetch_optional(&self.pool)
        .await?;
        Ok(first.is_some())
    }
}

fn add_row(figures: &mut DigestFigures, row: &PgRow) -> Result<(), StoreError> {
    let kind: String = row.try_get("kind")?;
    match kind.as_str() {
        "family" => {
            let family = FamilyFigures {
                family: row.try_get("family")?,
                succeeded: count(row, "succeeded")?,
                failed: count(row, "failed")?,
                warnings: count(row, "warnings")?,
                started: count(row, "started")?,
                total: count(row, "total")?,
                bytes: bytes(row)?,
            };
            figures.bytes = figures.bytes.saturating_add(family.bytes);
            figures.failures_total += family.failed;
            figures.warnings_total += family.warnings;
            figures.families.push(family);
        }
        "schedule" => figures.schedules.push(ScheduleRow {
            schedule: row.try_get("schedule")?,
            family: row.try_get("family")?,
            runs: count(row, "total")?,
            failed: count(row, "failed")?,
            last_failure: row.try_get("last_failure")?,
        }),
        "job" => figures.busiest.push(BusiestRow {
            name: row.try_get("name")?,
            runs: count(row, "total")?,
            bytes: bytes(row)?,
        }),
        "failure" => figures.failures.push(FailureRow {
            event_id: EventId::from_uuid(row.try_get("id")?),
            time: row.try_get("time")?,
            event_type: row.try_get("type")?,
            name: row.try_get("name")?,
            source: row.try_get("source")?,
            destination: row.try_get("destination")?,
            error_code: row.try_get("error_code")?,
            error_message: row.try_get("error_message")?,
        }),
        "warning" => figures.warnings.push(WarningRow {
            event_id: EventId::from_uuid(row.try_get("id")?),
            time: row.try_get("time")?,
            event_type: row.try_get("type")?,
            name: row.try_get("name")?,
            text: row.try_get("warning")?,
        }),
        other => return Err(StoreError::Corrupt(format!("digest row of kind {other}"))),
    }
    Ok(())
}

/// The rows of a UNION ALL come in no promised order: put each list in the one it documents.
fn order(figures: &mut DigestFigures) {
    let rank = |family: &str| DIGEST_FAMILIES.iter().position(|f| *f == family);
    figures.families.sort_by_key(|f| rank(&f.family));
    figures
        .schedules
        .sort_by(|a, b| (&a.schedule, &a.family).cmp(&(&b.schedule, &b.family)));
    figures
        .busiest
        .sort_by(|a, b| b.runs.cmp(&a.runs).then_with(|| a.name.cmp(&b.name)));
    figures
        .failures
        .sort_by_key(|f| (f.time, f.event_id.as_uuid()));
    figures
        .warnings
        .sort_by_key(|w| (w.time, w.event_id.as_uuid()));
}

fn count(row: &PgRow, column: &str) -> Result<u64, StoreError> {
    let value: i64 = row.try_get(column)?;
    u64::try_from(value).map_err(|_| StoreError::Corrupt(format!("digest {column} is {value}")))
}

/// A sum of bytes, sent as text: Postgres sums uint64 values as numeric, which sqlx reads
/// only with a decimal crate Herald does not otherwise need.
fn bytes(row: &PgRow) -> Result<u64, StoreError> {
    let value: Option<String> = row.try_get("bytes")?;
    parse_bytes(value.as_deref())
}

fn parse_bytes(value: Option<&str>) -> Result<u64, StoreError> {
    match value {
        None => Ok(0),
        Some(text) => text
            .parse()
            .map_err(|_| StoreError::Corrupt(format!("digest bytes are {text}"))),
    }
}

#[cfg(test)]
mod tests;
