//! Rolling upgrades and rollbacks: a process starts on a schema a newer release migrated.

use crate::support::{spawn_replica, spawn_targets};

#[tokio::test]
async fn a_process_starts_on_a_database_a_newer_release_migrated() {
    let app = spawn_targets("api", |_| {}).await;
    // What a newer release's `herald migrate` leaves behind: a version this binary lacks.
    sqlx::query(
        "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time)
         VALUES (99999, 'from a newer release', true, '\\x00', 0)",
    )
    .execute(app.store.pool())
    .await
    .unwrap();

    // An older pod restarting mid-rollout, or after a rollback: it starts (the build panics
    // otherwise) and serves.
    let (shutdown, task) = spawn_replica(&app, "api").await;
    assert_eq!(app.get("/v1/subscriptions").await.status(), 200);
    shutdown.cancel();
    task.await.unwrap().unwrap();

    // `herald migrate` with this binary refuses: it would not know what it migrates over.
    assert!(app.store.migrate().await.is_err());
}
