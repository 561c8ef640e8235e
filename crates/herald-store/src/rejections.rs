//! Rejected events: kept with their reason and the original bytes.

use chrono::{DateTime, Utc};
use herald_domain::RejectionId;
use sqlx::Row as _;

use crate::{Store, StoreError, storable};

#[derive(Debug, Clone)]
pub struct NewRejection {
    pub tenant: String,
    pub subject: String,
    pub reason_code: String,
    pub reason: String,
    pub event_id: Option<String>,
    pub received_at: DateTime<Utc>,
    pub stream: String,
    pub stream_seq: u64,
    pub body: Vec<u8>,
}

#[derive(Debug, Clone)]
pub struct RejectionRecord {
    pub id: RejectionId,
    pub tenant: String,
    pub subject: String,
    pub reason_code: String,
    pub reason: String,
    pub event_id: Option<String>,
    pub size_bytes: i32,
    pub received_at: DateTime<Utc>,
}

impl Store {
    /// Stores rejected events with their reasons; a redelivered one is recorded once.
    pub async fn record_rejections(&self, rejections: &[NewRejection]) -> Result<(), StoreError> {
        if rejections.is_empty() {
            return Ok(());
        }
        insert_rejections(&self.pool, rejections).await
    }
}

async fn insert_rejections(
    pool: &sqlx::PgPool,
    rejections: &[NewRejection],
) -> Result<(), StoreError> {
    let seqs = rejections
        .iter()
        .map(|r| i64::try_from(r.stream_seq))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|_| StoreError::Corrupt("stream sequence beyond i64".into()))?;
    sqlx::query(
        "INSERT INTO rejections (id, tenant, subject, reason_code, reason, event_id, size_bytes,
                                 received_at, stream, stream_seq, body)
         SELECT * FROM UNNEST($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[],
                              $6::text[], $7::int4[], $8::timestamptz[], $9::text[], $10::int8[],
                              $11::bytea[])
         ON CONFLICT (stream, stream_seq) DO NOTHING",
    )
    .bind(
        rejections
            .iter()
            .map(|_| RejectionId::new().as_uuid())
            .collect::<Vec<_>>(),
    )
    .bind(
        rejections
            .iter()
            .map(|r| storable::text(&r.tenant))
            .collect::<Vec<_>>(),
    )
    .bind(
        rejections
            .iter()
            .map(|r| storable::text(&r.subject))
            .collect::<Vec<_>>(),
    )
    .bind(
        rejections
            .iter()
            .map(|r| r.reason_code.as_str())
            .collect::<Vec<_>>(),
    )
    .bind(
        rejections
            .iter()
            .map(|r| storable::text(&r.reason))
            .collect::<Vec<_>>(),
    )
    .bind(
        rejections
            .iter()
            .map(|r| r.event_id.as_deref().map(storable::text))
            .collect::<Vec<_>>(),
    )
    .bind(
        rejections
            .iter()
            .map(|r| i32::try_from(r.body.len()).unwrap_or(i32::MAX))
            .collect::<Vec<_>>(),
    )
    .bind(rejections.iter().map(|r| r.received_at).collect::<Vec<_>>())
    .bind(
        rejections
            .iter()
            .map(|r| r.stream.as_str())
            .collect::<Vec<_>>(),
    )
    .bind(seqs)
    .bind(
        rejections
            .iter()
            .map(|r| r.body.as_slice())
            .collect::<Vec<_>>(),
    )
    .execute(pool)
    .await?;
    Ok(())
}

impl Store {
    /// Newest first; a page continues below `before`.
    pub async fn list_rejections(
        &self,
        tenant: Option<&str>,
        before: Option<RejectionId>,
        limit: u32,
    ) -> Result<Vec<RejectionRecord>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, tenant, subject, reason_code, reason, event_id, size_bytes, received_at
             FROM rejections
             WHERE ($1::text IS NULL OR tenant = $1) AND ($2::uuid IS NULL OR id < $2)
             ORDER BY id DESC LIMIT $3",
        )
        .bind(tenant)
        .bind(before.map(|id| id.as_uuid()))
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(RejectionRecord {
                    id: RejectionId::from_uuid(row.try_get("id")?),
                    tenant: row.try_get("tenant")?,
                    subject: row.try_get("subject")?,
                    reason_code: row.try_get("reason_code")?,
                    reason: row.try_get("reason")?,
                    event_id: row.try_get("event_id")?,
                    size_bytes: row.try_get("size_bytes")?,
                    received_at: row.try_get("received_at")?,
                })
            })
            .collect()
    }
}
