//! A delivery's attempts as the API shows them, oldest first.

use chrono::{DateTime, Utc};
use herald_domain::DeliveryId;
use sqlx::Row as _;

use crate::{Store, StoreError};

/// One attempt as recorded: what was sent where, and what came back.
#[derive(Debug, Clone)]
pub struct AttemptView {
    pub number: i32,
    pub started_at: DateTime<Utc>,
    pub duration_ms: i32,
    pub destination: Option<String>,
    pub method: Option<String>,
    pub status_code: Option<i32>,
    pub response_body: Option<String>,
    pub error_class: Option<String>,
    pub error: Option<String>,
    pub trace_id: Option<String>,
}

impl Store {
    pub async fn attempts(&self, id: DeliveryId) -> Result<Vec<AttemptView>, StoreError> {
        let rows = sqlx::query(
            "SELECT number, started_at, duration_ms, destination, method, status_code,
                    response_body, error_class, error, trace_id
             FROM delivery_attempts WHERE delivery_id = $1 ORDER BY number",
        )
        .bind(id.as_uuid())
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(AttemptView {
                    number: row.try_get("number")?,
                    started_at: row.try_get("started_at")?,
                    duration_ms: row.try_get("duration_ms")?,
                    destination: row.try_get("destination")?,
                    method: row.try_get("method")?,
                    status_code: row.try_get("status_code")?,
                    response_body: row.try_get("response_body")?,
                    error_class: row.try_get("error_class")?,
                    error: row.try_get("error")?,
                    trace_id: row.try_get("trace_id")?,
                })
            })
            .collect()
    }
}
