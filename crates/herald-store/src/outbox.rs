//! Jobs written in the same transaction as their deliveries by everything but ingest (a
//! replay, a retry, a digest), kept until JetStream acknowledges them: a crash or a NATS outage
//! between the write and the publish leaves a row the dispatcher's sweep publishes again,
//! instead of a pending delivery no job will ever reach.

use std::time::Duration;

use chrono::Utc;
use herald_domain::DeliveryId;
use sqlx::{PgConnection, Row};
use uuid::Uuid;

use crate::events::{JobRow, job_row};
use crate::{Store, StoreError};

/// A delivery's job and the JetStream message id it is published under, the same on every
/// publish so the stream's duplicate window drops a second copy.
#[derive(Debug, Clone)]
pub struct QueuedJob {
    pub job: JobRow,
    pub msg_id: String,
}

impl QueuedJob {
    /// The job of a new delivery: its id is one JetStream has not seen.
    pub(crate) fn first(job: JobRow) -> Self {
        let msg_id = job.delivery_id.to_string();
        Self { job, msg_id }
    }

    /// The job of a delivery sent again: the earlier job's id may still sit in the stream's
    /// duplicate window, so this one is told apart by the time of the retry.
    pub(crate) fn again(job: JobRow) -> Self {
        let msg_id = format!(
            "{}:retry:{}",
            job.delivery_id,
            Utc::now().timestamp_micros()
        );
        Self { job, msg_id }
    }
}

/// Records `jobs` as not yet published, inside the caller's transaction.
pub(crate) async fn enqueue(conn: &mut PgConnection, jobs: &[QueuedJob]) -> Result<(), StoreError> {
    if jobs.is_empty() {
        return Ok(());
    }
    sqlx::query(
        "INSERT INTO job_outbox (delivery_id, msg_id)
         SELECT * FROM UNNEST($1::uuid[], $2::text[])
         ON CONFLICT (delivery_id) DO UPDATE SET msg_id = EXCLUDED.msg_id, queued_at = now()",
    )
    .bind(
        jobs.iter()
            .map(|q| q.job.delivery_id.as_uuid())
            .collect::<Vec<_>>(),
    )
    .bind(jobs.iter().map(|q| q.msg_id.as_str()).collect::<Vec<_>>())
    .execute(conn)
    .await?;
    Ok(())
}

impl Store {
    /// JetStream acknowledged these jobs: nothing is left to publish for them.
    pub async fn jobs_published(&self, ids: &[DeliveryId]) -> Result<(), StoreError> {
        if ids.is_empty() {
            return Ok(());
        }
        sqlx::query("DELETE FROM job_outbox WHERE delivery_id = ANY($1)")
            .bind(ids.iter().map(|id| id.as_uuid()).collect::<Vec<Uuid>>())
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Up to `limit` jobs queued longer than `older_than` ago whose delivery still waits
    /// (pending), claimed for another `older_than` so replicas sweeping at once publish each
    /// one once. Rows whose delivery is gone or has moved on (its job arrived after all) are
    /// dropped: they have ended.
    pub async fn stranded_jobs(
        &self,
        older_than: Duration,
        limit: u32,
    ) -> Result<Vec<QueuedJob>, StoreError> {
        let mut tx = self.pool.begin().await?;
        let due: Vec<Uuid> = sqlx::query_scalar(
            "SELECT delivery_id FROM job_outbox
             WHERE queued_at < now() - make_interval(secs => $1)
             ORDER BY queued_at LIMIT $2 FOR UPDATE SKIP LOCKED",
        )
        .bind(older_than.as_secs_f64())
        .bind(i64::from(limit))
        .fetch_all(&mut *tx)
        .await?;
        sqlx::query(
            "DELETE FROM job_outbox o WHERE o.delivery_id = ANY($1) AND NOT EXISTS (
                 SELECT 1 FROM deliveries d WHERE d.id = o.delivery_id AND d.status = 'pending')",
        )
        .bind(&due)
        .execute(&mut *tx)
        .await?;
        let rows = sqlx::query(
            "WITH claimed AS (
                 UPDATE job_outbox SET queued_at = now()
                 WHERE delivery_id = ANY($1) RETURNING delivery_id, msg_id)
             SELECT d.id, d.event_id, d.subscription_id, d.tenant, d.channel, d.event_type,
                    c.msg_id
             FROM claimed c JOIN deliveries d ON d.id = c.delivery_id",
        )
        .bind(&due)
        .fetch_all(&mut *tx)
        .await?;
        tx.commit().await?;
        rows.iter()
            .map(|row| {
                Ok(QueuedJob {
                    job: job_row(row)?,
                    msg_id: row.try_get("msg_id")?,
                })
            })
            .collect()
    }
}
