//! The 24-hour counts of a page of subscriptions' health read deliveries through
//! `deliveries_subscription (subscription_id, id)`, from the oldest id that can still count:
//! never a scan of the whole table, however many days of deliveries it holds.

use herald_domain::SubscriptionId;
use serde_json::Value;

use crate::digest_queries::migrated_store;

/// Every node of a plan, depth first.
fn nodes(plan: &Value) -> Vec<&Value> {
    let mut all = vec![plan];
    for child in plan["Plans"].as_array().into_iter().flatten() {
        all.extend(nodes(child));
    }
    all
}

#[tokio::test]
async fn a_pages_health_counts_read_deliveries_through_their_index() {
    let (_database, store) = migrated_store().await;
    // 200 subscriptions, 100,000 deliveries over nine days with UUIDv7-shaped ids (the time in
    // their first 48 bits): a day of one subscription is a two-thousandth of the table.
    sqlx::query(
        "INSERT INTO subscriptions (id, tenant, name, channel, enabled, spec_masked, spec_sealed)
         SELECT gen_random_uuid(), 'acme', 's' || g, 'webhook', true, '{}', '\\x00'
         FROM generate_series(1, 200) AS g",
    )
    .execute(store.pool())
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO deliveries (id, event_id, subscription_id, tenant, channel, event_type,
                                 status, created_at, updated_at)
         SELECT (lpad(to_hex((extract(epoch FROM t.at) * 1000)::bigint), 12, '0') || '7000'
                 || '8' || lpad(to_hex(g), 15, '0'))::uuid,
                gen_random_uuid(), s.id, 'acme', 'webhook', 'backup.completed',
                CASE WHEN g % 10 = 0 THEN 'failed' ELSE 'delivered' END, t.at, t.at
         FROM generate_series(1, 100000) AS g
         CROSS JOIN LATERAL (SELECT now() - g * INTERVAL '8 seconds' AS at) AS t
         CROSS JOIN LATERAL (SELECT (array_agg(id ORDER BY id))[1 + g % 200] AS id
                             FROM subscriptions) AS s",
    )
    .execute(store.pool())
    .await
    .unwrap();
    sqlx::query("ANALYZE").execute(store.pool()).await.unwrap();
    let page: Vec<SubscriptionId> =
        sqlx::query_scalar::<_, uuid::Uuid>("SELECT id FROM subscriptions ORDER BY id LIMIT 50")
            .fetch_all(store.pool())
            .await
            .unwrap()
            .into_iter()
            .map(SubscriptionId::from_uuid)
            .collect();

    let plan = store.explain_subscription_standings(&page).await.unwrap();
    let plan = &plan[0]["Plan"];
    let on_deliveries: Vec<(&str, &str)> = nodes(plan)
        .into_iter()
        .filter(|node| node["Relation Name"] == "deliveries" || node["Index Name"].is_string())
        .map(|node| {
            (
                node["Node Type"].as_str().unwrap(),
                node["Index Name"].as_str().unwrap_or_default(),
            )
        })
        .collect();
    assert!(
        !nodes(plan)
            .iter()
            .any(|n| n["Relation Name"] == "deliveries" && n["Node Type"] == "Seq Scan"),
        "a sequential scan of deliveries: {plan}"
    );
    assert!(
        on_deliveries
            .iter()
            .any(|(_, index)| *index == "deliveries_subscription"),
        "{on_deliveries:?}"
    );

    // And the counts: a day of deliveries every 8 s over 200 subscriptions is 54 each.
    let standings = store.subscription_standings(&page).await.unwrap();
    assert_eq!(standings.len(), 50);
    for standing in standings.values() {
        let ended = standing.delivered_24h + standing.failed_24h;
        assert!((50..=58).contains(&ended), "{standing:?}");
    }
}
