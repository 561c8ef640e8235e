//! How long the digest of a busy day takes: a million events of one tenant in one day, among
//! a million more of another tenant and of the day before, on the local Postgres.
//!
//! `make bench` runs it after the delivery scenarios (about a minute to fill the table, then
//! three digests); alone: `cargo run --release -p herald-bench --bin digest-bench`.

use std::time::{Duration, Instant};

use anyhow::{Context as _, ensure};
use herald_store::{DigestWindow, EncryptionKey, Store};
use sqlx::Connection as _;

/// Any key: the bench stores no secret.
const ENCRYPTION_KEY: &str = "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0";

const EVENTS_IN_THE_DAY: i64 = 1_000_000;
const SERVER: &str = "postgres://postgres@127.0.0.1:5432";

/// Fills `events` with 2 × `$1` rows: the even ones are acme's in the day 2025-03-10 in
/// Europe/Berlin (23:00 UTC to 23:00 UTC), a quarter are globex's in the same day and a
/// quarter acme's the day before, interleaved on disk as ingest would write them. Of every 100:
/// 40 transfers completed, 5 failed, 15 started; 15 backups succeeded, 3 warned, 2 failed, 5
/// started; 5 snapshots, 3 verifies, 2 gcs, 2 restores, 3 custom events.
const FILL: &str = "
INSERT INTO events (id, tenant, ce_id, type, source, outcome, time, received_at, cloudevent)
SELECT gen_random_uuid(), x.tenant, 'ce-' || g, k.type, 'bench://digest', k.outcome, x.t, x.t,
       jsonb_build_object('specversion', '1.0', 'id', 'ce-' || g, 'source', 'bench://digest',
           'type', k.type, 'time', x.t, 'datacontenttype', 'application/json',
           'tenant', x.tenant,
           'data', CASE split_part(k.type, '.', 1)
             WHEN 'transfer' THEN jsonb_build_object('transfer_id', 't-' || g,
                  'name', 'transfer-' || (g % 300), 'source', 'dropbox:/files',
                  'destination', 's3:/archive', 'status', split_part(k.type, '.', 2),
                  'files_transferred', g % 1000, 'bytes_transferred', (g % 100000) * 1000,
                  'schedule', CASE WHEN g % 2 = 0 THEN jsonb_build_object(
                      'id', 'sched-' || (g % 20), 'name', 'Nightly ' || (g % 20)) END,
                  'labels', jsonb_build_object('env', 'production'))
                  || CASE WHEN k.outcome = 'failure' THEN jsonb_build_object('error',
                      jsonb_build_object('code', 'ACCESS_DENIED', 'message', 'Access denied',
                                         'details', '403 from s3:/archive'))
                     ELSE '{}' END
             WHEN 'backup' THEN jsonb_build_object('job_id', 'job-' || (g % 50),
                  'job_name', 'pg-' || (g % 50), 'databases', jsonb_build_array('billing', 'users'),
                  'size_bytes', ((g % 1000) * 1000000)::text, 'storage', 's3://backups/pg',
                  'schedule', jsonb_build_object('id', 'hourly-' || (g % 5)))
                  || CASE WHEN k.outcome = 'failure' THEN jsonb_build_object('error',
                      jsonb_build_object('code', 'DISK_FULL', 'message', 'No space left'))
                     ELSE '{}' END
                  || CASE WHEN k.outcome = 'warning' THEN jsonb_build_object('warnings',
                      jsonb_build_array('table audit_log skipped: locked'))
                     ELSE '{}' END
             WHEN 'custom' THEN jsonb_build_object('message', 'hello', 'bytes_transferred', 'lots')
             ELSE jsonb_build_object('repo_id', 'repo-' || (g % 10), 'snapshot_id', 'snap-' || g)
           END)
FROM generate_series(0, 2 * $1 - 1) AS g
CROSS JOIN LATERAL (
    SELECT CASE WHEN g % 2 = 0 OR g % 4 = 3 THEN 'acme' ELSE 'globex' END AS tenant,
           TIMESTAMPTZ '2025-03-09 23:00:00+00' + (g / 2) * (INTERVAL '86400 seconds' / $1)
               - CASE WHEN g % 4 = 3 THEN INTERVAL '1 day' ELSE INTERVAL '0' END AS t) AS x
CROSS JOIN LATERAL (
    SELECT (ARRAY['transfer.completed', 'transfer.failed', 'transfer.started',
                  'backup.succeeded', 'backup.warning', 'backup.failed', 'backup.started',
                  'snapshot.created', 'verify.completed', 'gc.completed',
                  'restore.completed', 'custom.ping'])[b] AS type,
           (ARRAY['success', 'failure', 'started', 'success', 'warning', 'failure', 'started',
                  'success', 'success', 'success', 'success', 'info'])[b] AS outcome
    FROM (SELECT CASE WHEN g % 100 < 40 THEN 1 WHEN g % 100 < 45 THEN 2 WHEN g % 100 < 60 THEN 3
                      WHEN g % 100 < 75 THEN 4 WHEN g % 100 < 78 THEN 5 WHEN g % 100 < 80 THEN 6
                      WHEN g % 100 < 85 THEN 7 WHEN g % 100 < 90 THEN 8 WHEN g % 100 < 93 THEN 9
                      WHEN g % 100 < 95 THEN 10 WHEN g % 100 < 97 THEN 11 ELSE 12 END AS b) AS bb
) AS k";

/// Drops the bench's database however the bench ends.
struct Scratch(String);

impl Drop for Scratch {
    fn drop(&mut self) {
        let name = self.0.clone();
        // Drop may run while the runtime shuts down; a thread with its own runtime may block.
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?;
            runtime.block_on(async move {
                let mut admin = sqlx::PgConnection::connect(&format!("{SERVER}/postgres")).await?;
                sqlx::raw_sql(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .execute(&mut admin)
                    .await?;
                Ok::<_, Box<dyn std::error::Error + Send + Sync>>(())
            })
        })
        .join();
        if !matches!(dropped, Ok(Ok(()))) {
            eprintln!("could not drop the bench database {}", self.0);
        }
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let name = format!("herald_digest_bench_{}", uuid::Uuid::now_v7().simple());
    let url = format!("{SERVER}/{name}");
    Store::create_database_if_missing(&url)
        .await
        .context("cannot create the bench database (is Postgres up? make services)")?;
    let _scratch = Scratch(name);
    let key = EncryptionKey::parse(ENCRYPTION_KEY)?;
    let store = Store::connect(&url, 5, &key).await?;
    store.migrate().await?;

    println!("digest bench: filling a day of 1,000,000 events among 2,000,000 …");
    let started = Instant::now();
    sqlx::query(FILL)
        .bind(EVENTS_IN_THE_DAY)
        .execute(store.pool())
        .await?;
    sqlx::query("ANALYZE events").execute(store.pool()).await?;
    println!("  filled in {:.1} s", started.elapsed().as_secs_f64());
    let day = DigestWindow {
        tenant: "acme".into(),
        start: "2025-03-09T23:00:00Z".parse()?,
        end: "2025-03-10T23:00:00Z".parse()?,
    };
    let mut best = Duration::MAX;
    for run in 1..=3 {
        let started = Instant::now();
        let figures = store.digest_figures(&day, 50, 30).await?;
        let took = started.elapsed();
        best = best.min(took);
        let total: u64 = figures.families.iter().map(|f| f.total).sum();
        ensure!(total == EVENTS_IN_THE_DAY as u64, "counted {total} events");
        println!("  run {run}: {:.2} s", took.as_secs_f64());
    }
    println!(
        "digest of 1,000,000 events: {:.2} s (best of 3)",
        best.as_secs_f64()
    );
    store.close().await;
    Ok(())
}
