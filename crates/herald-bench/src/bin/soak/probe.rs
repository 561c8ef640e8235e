//! What the soak reads from outside Herald: its memory from /proc, its tables from Postgres.

use anyhow::Context as _;

/// Current resident set (VmRSS), in MiB.
pub fn rss_mib(pid: u32) -> anyhow::Result<f64> {
    let path = format!("/proc/{pid}/status");
    let status = std::fs::read_to_string(&path).with_context(|| format!("cannot read {path}"))?;
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|kib| kib.parse::<f64>().ok())
        .map(|kib| kib / 1024.0)
        .with_context(|| format!("no VmRSS in {path}"))
}

pub async fn table_sizes(db: &mut sqlx::PgConnection) -> anyhow::Result<[i64; 3]> {
    let (events, deliveries, attempts): (i64, i64, i64) = sqlx::query_as(
        "SELECT pg_total_relation_size('events'), pg_total_relation_size('deliveries'),
                pg_total_relation_size('delivery_attempts')",
    )
    .fetch_one(db)
    .await?;
    Ok([events, deliveries, attempts])
}

pub async fn statuses(db: &mut sqlx::PgConnection) -> anyhow::Result<String> {
    let rows: Vec<(String, i64)> =
        sqlx::query_as("SELECT status, count(*) FROM deliveries GROUP BY status ORDER BY 1")
            .fetch_all(db)
            .await?;
    Ok(rows
        .iter()
        .map(|(status, count)| format!("{status} {count}"))
        .collect::<Vec<_>>()
        .join(", "))
}

pub fn mib(bytes: i64) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}
