//! The digest's plan on a table of several tenants and days: it reads events through its
//! indexes, never by a scan of the whole table.

use herald_store::DigestWindow;
use serde_json::Value;

use super::{berlin_day, migrated_store};

/// Every node of a plan, depth first.
fn nodes(plan: &Value) -> Vec<&Value> {
    let mut all = vec![plan];
    for child in plan["Plans"].as_array().into_iter().flatten() {
        all.extend(nodes(child));
    }
    all
}

#[tokio::test]
async fn the_digest_reads_events_through_its_indexes_only() {
    let (_database, store) = migrated_store().await;
    // Five tenants over ten days, a few in a hundred failing or warning: tenant-0's day
    // is a fiftieth of the table.
    sqlx::query(
        "INSERT INTO events (id, tenant, ce_id, type, source, outcome, time, received_at,
                             cloudevent)
         SELECT gen_random_uuid(), 'tenant-' || (g % 5), 'ce-' || g, t.type, 'test://plan',
                t.outcome, t.time, t.time,
                jsonb_build_object('type', t.type, 'data', jsonb_build_object(
                    'transfer_id', 't' || g, 'name', 'job-' || (g % 40),
                    'bytes_transferred', g, 'schedule', jsonb_build_object('id', 's' || (g % 3))))
         FROM generate_series(0, 9999) AS g,
              LATERAL (SELECT CASE WHEN g % 50 = 0 THEN 'transfer.failed'
                                   WHEN g % 50 = 1 THEN 'backup.warning'
                                   ELSE 'transfer.completed' END AS type,
                              CASE WHEN g % 50 = 0 THEN 'failure'
                                   WHEN g % 50 = 1 THEN 'warning' ELSE 'success' END AS outcome,
                              TIMESTAMPTZ '2025-03-01 00:00:00+00' + g * INTERVAL '86 seconds'
                                  AS time) AS t",
    )
    .execute(store.pool())
    .await
    .unwrap();
    sqlx::query("ANALYZE events")
        .execute(store.pool())
        .await
        .unwrap();
    let window = DigestWindow {
        tenant: "tenant-0".into(),
        ..berlin_day(2025, 3, 5)
    };

    // The store runs the statement with enable_seqscan off (DIGEST_SETTINGS in herald-store's
    // digests.rs): this is the plan it really gets, nothing set here. (On this table the
    // planner picks the same indexes without the setting.)
    let plan = store.explain_digest_figures(&window, 20, 20).await.unwrap();
    let plan = &plan[0]["Plan"];
    let on_events: Vec<(&str, &str)> = nodes(plan)
        .into_iter()
        .filter(|node| node["Relation Name"] == "events")
        .map(|node| {
            (
                node["Node Type"].as_str().unwrap(),
                node["Index Name"].as_str().unwrap_or_default(),
            )
        })
        .collect();
    assert!(!on_events.is_empty(), "no scan of events in {plan}");
    assert!(
        on_events.iter().all(|(node, _)| !node.contains("Seq Scan")),
        "a sequential scan of events: {on_events:?}"
    );
    let indexes: Vec<&str> = nodes(plan)
        .into_iter()
        .filter_map(|node| node["Index Name"].as_str())
        .collect();
    assert!(indexes.contains(&"events_tenant_event_time"), "{indexes:?}");
    assert_eq!(
        indexes
            .iter()
            .filter(|i| **i == "events_tenant_trouble")
            .count(),
        2,
        "failures and warnings come off their own index: {indexes:?}"
    );
    let figures = store.digest_figures(&window, 20, 20).await.unwrap();
    let runs: u64 = figures.families.iter().map(|f| f.total).sum();
    assert!(runs > 150, "tenant-0 had {runs} events that day");
}
