//! What every connection of the store is set up with, against a real Postgres
//! (HERALD_TEST_DATABASE_URL, as `make test` starts it).

// Test code: a failed expectation is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use herald_store::{EncryptionKey, Store};

const KEY: &str = "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0";

/// A prepared statement's generic plan, made while the tables were empty, kept the
/// dispatcher on sequential scans as they grew (docs/performance.md): every connection,
/// not only the first, must plan each statement for its parameters.
#[tokio::test]
async fn every_connection_plans_statements_for_their_parameters() {
    let url = std::env::var("HERALD_TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
    let store = Store::connect(&url, 3, &EncryptionKey::parse(KEY).unwrap())
        .await
        .unwrap();
    let mut held = Vec::new();
    for _ in 0..3 {
        let mut connection = store.pool().acquire().await.unwrap();
        let mode: String = sqlx::query_scalar("SHOW plan_cache_mode")
            .fetch_one(&mut *connection)
            .await
            .unwrap();
        assert_eq!(mode, "force_custom_plan");
        held.push(connection);
    }
}
