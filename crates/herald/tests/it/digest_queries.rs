//! The digest's figures straight from the store: every figure of a Berlin day exactly, nothing
//! of another tenant or of the minutes around the day, and a plan that stays on the indexes.

mod plan;

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use chrono_tz::Europe::Berlin;
use herald_store::{
    BusiestRow, DigestWindow, EncryptionKey, FailureRow, FamilyFigures, ScheduleRow, Store,
    WarningRow,
};
use serde_json::{Value, json};

use crate::support::{ENCRYPTION_KEY, TestDatabase};

pub(crate) async fn migrated_store() -> (TestDatabase, Store) {
    let database = TestDatabase::create().await;
    let key = EncryptionKey::parse(ENCRYPTION_KEY).unwrap();
    let store = Store::connect(&database.url, 3, &key).await.unwrap();
    store.migrate().await.unwrap();
    (database, store)
}

/// One local day in Europe/Berlin, as the digest asks for it.
pub(crate) fn berlin_day(y: i32, m: u32, d: u32) -> DigestWindow {
    let midnight = |day: NaiveDate| {
        Berlin
            .from_local_datetime(&day.and_hms_opt(0, 0, 0).unwrap())
            .unwrap()
            .with_timezone(&Utc)
    };
    let day = NaiveDate::from_ymd_opt(y, m, d).unwrap();
    DigestWindow {
        tenant: "acme".into(),
        start: midnight(day),
        end: midnight(day.succ_opt().unwrap()),
    }
}

fn utc(d: u32, h: u32, min: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 3, d, h, min, 0).unwrap()
}

/// Stores one event row as ingest would, outcome from the type as Herald derives it.
async fn insert(store: &Store, tenant: &str, event_type: &str, time: DateTime<Utc>, data: Value) {
    let outcome = herald_domain::EventType::parse(event_type)
        .unwrap()
        .outcome()
        .as_str();
    let ce_id = uuid::Uuid::now_v7().to_string();
    let document = json!({
        "specversion": "1.0", "id": ce_id, "source": "test://digest", "type": event_type,
        "time": time.to_rfc3339(), "tenant": tenant, "data": data,
    });
    sqlx::query(
        "INSERT INTO events (id, tenant, ce_id, type, source, outcome, time, received_at,
                             cloudevent)
         VALUES ($1, $2, $3, $4, 'test://digest', $5, $6, now(), $7)",
    )
    .bind(uuid::Uuid::now_v7())
    .bind(tenant)
    .bind(&ce_id)
    .bind(event_type)
    .bind(outcome)
    .bind(time)
    .bind(document)
    .execute(store.pool())
    .await
    .unwrap();
}

/// A Berlin day (10 March 2025: 23:00 UTC the day before to 23:00 UTC) of acme's events, the
/// events just outside it, and globex's at the same times.
async fn a_day_of_events(store: &Store) {
    let events = json!([
        // At the very first instant of the day.
        ["acme", "transfer.completed", "2025-03-09T23:00:00Z", { "transfer_id": "t1", "name": "nightly-sync", "bytes_transferred": 1000, "schedule": { "id": "sched-9", "name": "Nightly" } }],
        // uint64 in its JSON string form.
        ["acme", "transfer.completed", "2025-03-10T08:00:00Z", { "transfer_id": "t2", "name": "nightly-sync", "bytes_transferred": "2500", "schedule": { "id": "sched-9", "name": "Nightly" } }],
        // A start counts for its family, never as a run, nor its bytes.
        ["acme", "transfer.started", "2025-03-10T07:59:00Z", { "transfer_id": "t3", "name": "nightly-sync", "bytes_transferred": 999_999, "schedule": { "id": "sched-9", "name": "Nightly" } }],
        ["acme", "transfer.failed", "2025-03-10T09:00:00Z", { "transfer_id": "t3", "name": "nightly-sync", "bytes_transferred": 500, "schedule": { "id": "sched-9", "name": "Nightly" }, "source": "dropbox:/files", "destination": "s3:/archive", "error": { "code": "ACCESS_DENIED", "message": "Access denied" } }],
        ["acme", "transfer.failed", "2025-03-10T10:00:00Z", { "transfer_id": "t4", "name": "adhoc-copy", "error": { "message": "Timeout" } }],
        // A custom type of the transfer family: its data is unchecked, so never cast.
        ["acme", "transfer.exploded", "2025-03-10T06:30:00Z", { "name": "nightly-sync", "bytes_transferred": "lots" }],
        ["acme", "backup.succeeded", "2025-03-10T02:00:00Z", { "job_id": "j1", "job_name": "postgres-main", "size_bytes": 700, "schedule": { "id": "hourly" } }],
        ["acme", "backup.warning", "2025-03-10T03:00:00Z", { "job_id": "j1", "job_name": "postgres-main", "size_bytes": "300", "schedule": { "id": "hourly" }, "warnings": ["table audit_log skipped: locked", "second"] }],
        ["acme", "backup.failed", "2025-03-10T04:00:00Z", { "job_id": "j1", "job_name": "postgres-main", "size_bytes": 100, "schedule": { "id": "hourly" }, "error": { "code": "DISK_FULL", "message": "No space left" } }],
        ["acme", "backup.warning", "2025-03-10T12:00:00Z", { "job_id": "j2", "job_name": "mysql-replica", "error": { "message": "replica lag" } }],
        ["acme", "snapshot.created", "2025-03-10T05:00:00Z", { "repo_id": "repo-1", "snapshot_id": "s1" }],
        ["acme", "verify.failed", "2025-03-10T11:00:00Z", { "repo_id": "repo-1", "error": { "message": "checksum mismatch" } }],
        ["acme", "custom.ping", "2025-03-10T06:00:00Z", { "message": "hi", "size_bytes": "many" }],
        ["acme", "custom.warning", "2025-03-10T13:00:00Z", {}],
        // The last millisecond before the day, and the day's end (the next one's first instant).
        ["acme", "transfer.failed", "2025-03-09T22:59:59.999Z", { "transfer_id": "x", "name": "nightly-sync", "bytes_transferred": 1_000_000, "schedule": { "id": "sched-9", "name": "Nightly" }, "error": { "message": "before" } }],
        ["acme", "backup.warning", "2025-03-10T23:00:00Z", { "job_id": "j1", "job_name": "late" }],
        // Another tenant, inside the same hours.
        ["globex", "transfer.failed", "2025-03-10T09:00:00Z", { "transfer_id": "x", "name": "nightly-sync", "bytes_transferred": 1_000_000, "schedule": { "id": "sched-9", "name": "Nightly" }, "error": { "message": "theirs" } }],
        ["globex", "transfer.completed", "2025-03-09T23:00:00Z", { "transfer_id": "x", "name": "nightly-sync", "bytes_transferred": 1_000_000, "schedule": { "id": "sched-9", "name": "Nightly" } }],
        ["globex", "backup.warning", "2025-03-10T03:00:00Z", { "job_id": "g", "job_name": "globex-db", "warnings": ["theirs"] }],
    ]);
    for event in events.as_array().unwrap() {
        let time = event[2].as_str().unwrap().parse().unwrap();
        let (tenant, event_type) = (event[0].as_str().unwrap(), event[1].as_str().unwrap());
        insert(store, tenant, event_type, time, event[3].clone()).await;
    }
}

fn failure_line(f: &FailureRow) -> String {
    let or = |value: &Option<String>| value.clone().unwrap_or_else(|| "?".into());
    format!(
        "{} {} {} {} -> {} {}: {}",
        f.time.format("%Y-%m-%d %H:%M"),
        f.event_type,
        or(&f.name),
        or(&f.source),
        or(&f.destination),
        or(&f.error_code),
        or(&f.error_message)
    )
}

fn family(
    name: &str,
    [succeeded, failed, warnings, started, total, bytes]: [u64; 6],
) -> FamilyFigures {
    FamilyFigures {
        family: name.into(),
        succeeded,
        failed,
        warnings,
        started,
        total,
        bytes,
    }
}

#[tokio::test]
async fn a_berlin_day_adds_up_exactly_and_holds_nothing_of_another_tenant_or_day() {
    let (_database, store) = migrated_store().await;
    a_day_of_events(&store).await;
    let day = berlin_day(2025, 3, 10);
    assert_eq!((day.start, day.end), (utc(9, 23, 0), utc(10, 23, 0)));

    let figures = store.digest_figures(&day, 2, 5).await.unwrap();

    assert_eq!(
        figures.families,
        [
            family("transfer", [2, 2, 0, 1, 6, 4000]),
            family("backup", [1, 1, 2, 0, 4, 1100]),
            family("snapshot", [1, 0, 0, 0, 1, 0]),
            family("verify", [0, 1, 0, 0, 1, 0]),
            family("other", [0, 0, 1, 0, 2, 0]),
        ]
    );
    assert_eq!(figures.bytes, 5100);
    assert_eq!(figures.failures_total, 4);
    let failures: Vec<_> = figures.failures.iter().map(failure_line).collect();
    assert_eq!(
        failures,
        [
            "2025-03-10 04:00 backup.failed postgres-main ? -> ? DISK_FULL: No space left",
            "2025-03-10 09:00 transfer.failed nightly-sync dropbox:/files -> s3:/archive \
             ACCESS_DENIED: Access denied",
        ],
        "the oldest two of four"
    );

    assert_eq!(figures.warnings_total, 3);
    let warnings: Vec<(DateTime<Utc>, &str, Option<&str>, &str)> = figures
        .warnings
        .iter()
        .map(|w: &WarningRow| {
            (
                w.time,
                w.event_type.as_str(),
                w.name.as_deref(),
                w.text.as_str(),
            )
        })
        .collect();
    assert_eq!(
        warnings,
        [
            (
                utc(10, 3, 0),
                "backup.warning",
                Some("postgres-main"),
                "table audit_log skipped: locked"
            ),
            (
                utc(10, 12, 0),
                "backup.warning",
                Some("mysql-replica"),
                "replica lag"
            ),
            (utc(10, 13, 0), "custom.warning", None, ""),
        ]
    );

    assert_eq!(
        figures.schedules,
        [
            ScheduleRow {
                schedule: "Nightly".into(),
                family: "transfer".into(),
                runs: 3,
                failed: 1,
                last_failure: Some(utc(10, 9, 0))
            },
            ScheduleRow {
                schedule: "hourly".into(),
                family: "backup".into(),
                runs: 3,
                failed: 1,
                last_failure: Some(utc(10, 4, 0))
            },
        ]
    );
    let job = |name: &str, runs, bytes| BusiestRow {
        name: name.into(),
        runs,
        bytes,
    };
    assert_eq!(
        figures.busiest,
        [
            job("nightly-sync", 4, 4000),
            job("postgres-main", 3, 1100),
            job("repo-1", 2, 0),
            job("adhoc-copy", 1, 0),
            job("mysql-replica", 1, 0),
        ]
    );
    // Nothing of globex, nor of the events just outside the day, made it into any list.
    let debug = format!("{figures:?}");
    for absent in ["globex-db", "theirs", "late", "before", "1000000"] {
        assert!(!debug.contains(absent), "{absent} leaked into {debug}");
    }

    // The next day holds only the event at its first instant; globex sees only its own.
    let next = store
        .digest_figures(&berlin_day(2025, 3, 11), 10, 10)
        .await
        .unwrap();
    assert_eq!(next.warnings_total, 1);
    assert_eq!(next.warnings[0].name.as_deref(), Some("late"));
    let globex = DigestWindow {
        tenant: "globex".into(),
        ..day.clone()
    };
    let theirs = store.digest_figures(&globex, 10, 10).await.unwrap();
    assert_eq!(
        (theirs.failures_total, theirs.warnings_total, theirs.bytes),
        (1, 1, 2_000_000)
    );
}

#[tokio::test]
async fn an_empty_window_has_no_events_and_no_figures() {
    let (_database, store) = migrated_store().await;
    a_day_of_events(&store).await;
    assert!(
        store
            .digest_has_events(&berlin_day(2025, 3, 10))
            .await
            .unwrap()
    );
    let empty = berlin_day(2025, 3, 12);
    assert!(!store.digest_has_events(&empty).await.unwrap());
    let initech = DigestWindow {
        tenant: "initech".into(),
        ..berlin_day(2025, 3, 10)
    };
    assert!(!store.digest_has_events(&initech).await.unwrap());
    let figures = store.digest_figures(&empty, 10, 10).await.unwrap();
    assert_eq!(figures, herald_store::DigestFigures::default());
}

#[tokio::test]
async fn only_the_ten_busiest_names_are_listed() {
    let (_database, store) = migrated_store().await;
    for n in 1..=12u32 {
        for run in 0..n {
            let data = json!({ "transfer_id": format!("t{run}"), "name": format!("job-{n:02}"), "bytes_transferred": 10 });
            insert(&store, "acme", "transfer.completed", utc(10, 1, run), data).await;
        }
    }
    let figures = store
        .digest_figures(&berlin_day(2025, 3, 10), 0, 0)
        .await
        .unwrap();
    let names: Vec<(&str, u64, u64)> = figures
        .busiest
        .iter()
        .map(|j| (j.name.as_str(), j.runs, j.bytes))
        .collect();
    let expected: Vec<(String, u64, u64)> = (3..=12u64)
        .rev()
        .map(|n| (format!("job-{n:02}"), n, n * 10))
        .collect();
    let expected: Vec<(&str, u64, u64)> = expected
        .iter()
        .map(|(name, runs, bytes)| (name.as_str(), *runs, *bytes))
        .collect();
    assert_eq!(names, expected);
    assert!(figures.failures.is_empty() && figures.warnings.is_empty());
}
