//! Realistic sample events: `herald publish --sample` sends them, the tests use them, and a
//! subscription's templates are test-rendered against them before it is saved.

use chrono::{DateTime, Duration, SecondsFormat, Utc};
use serde_json::{Value, json};

/// The types `--sample` knows how to fill in.
pub const SAMPLE_TYPES: [&str; 18] = [
    "transfer.started",
    "transfer.completed",
    "transfer.failed",
    "backup.started",
    "backup.succeeded",
    "backup.failed",
    "backup.warning",
    "snapshot.created",
    "snapshot.deleted",
    "restore.started",
    "restore.completed",
    "restore.failed",
    "gc.started",
    "gc.completed",
    "verify.started",
    "verify.completed",
    "verify.failed",
    "custom.ping",
];

/// A CloudEvents JSON event of `event_type` for `tenant`, with data a real publisher would send.
pub fn sample_event(event_type: &str, tenant: &str, id: &str, now: DateTime<Utc>) -> Value {
    let started = now - Duration::minutes(30);
    let ts = |t: DateTime<Utc>| t.to_rfc3339_opts(SecondsFormat::Secs, true);
    let failed = event_type.ends_with(".failed");
    let error = json!({ "code": "ACCESS_DENIED", "message": "Access denied", "details": "403 from s3:/archive" });
    let family = event_type.split('.').next().unwrap_or_default();
    let mut data = match family {
        "transfer" => json!({
            "transfer_id": "def-456", "name": "nightly-backup",
            "source": "dropbox:/files", "destination": "s3:/archive",
            "status": event_type.rsplit('.').next().unwrap_or_default(),
            "started_at": ts(started), "ended_at": ts(now),
            "files_transferred": 120, "bytes_transferred": 52_428_800,
            "schedule": { "id": "sched-9", "name": "Nightly" },
            "labels": { "env": "production" }
        }),
        "backup" => json!({
            "job_id": "job-17", "job_name": "postgres-main", "databases": ["billing", "users"],
            "size_bytes": 734_003_200, "started_at": ts(started), "ended_at": ts(now),
            "storage": "s3://backups/pg", "schedule": { "id": "sched-2", "name": "Hourly" },
            "labels": { "env": "production" }
        }),
        "snapshot" => json!({
            "repo_id": "repo-1", "repo_root": "/srv/repo", "snapshot_id": "snap-0042",
            "note": "before upgrade", "tags": ["weekly"], "labels": { "env": "production" }
        }),
        "restore" => json!({ "repo_id": "repo-1", "snapshot_id": "snap-0042" }),
        "gc" => {
            json!({ "repo_id": "repo-1", "freed_bytes": 1_073_741_824_u64, "snapshots_deleted": 3 })
        }
        "verify" => {
            json!({ "repo_id": "repo-1", "snapshot_id": "snap-0042", "snapshots_verified": 12 })
        }
        _ => json!({ "message": "hello from herald publish" }),
    };
    if failed {
        data["error"] = error;
    }
    if event_type == "backup.warning" {
        data["warnings"] = json!(["table audit_log skipped: locked"]);
    }
    json!({
        "specversion": "1.0",
        "id": id,
        "source": "herald-cli://sample",
        "type": event_type,
        "time": ts(now),
        "subject": format!("{family}/sample"),
        "datacontenttype": "application/json",
        "tenant": tenant,
        "data": data,
    })
}
