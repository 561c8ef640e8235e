//! `herald events …` and `herald deliveries …`: the real binary against a delivering Herald,
//! as an operator (tables) or a script (`-o json`, exit codes) would use them.

use std::time::Duration;

use serde_json::{Value, json};

use crate::operator_cli::{Run, herald};
use crate::support::{
    Receiver, Reply, TestApp, eventually, spawn_delivering_app, spawn_targets, subscribe_receiver,
};

const WAIT: Duration = Duration::from_secs(20);

fn json_of(run: &Run) -> Value {
    assert_eq!(run.code, Some(0), "{}{}", run.stdout, run.stderr);
    serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {}", run.stdout))
}

fn items(run: &Run) -> Vec<Value> {
    json_of(run)["items"].as_array().unwrap().clone()
}

/// The cells of one column of a table, header excluded.
fn column<'a>(table: &'a str, header: &str) -> Vec<&'a str> {
    let mut lines = table.lines();
    let at = lines.next().unwrap().find(header).unwrap();
    lines
        .map(|l| l[at..].split("  ").next().unwrap_or("").trim())
        .collect()
}

async fn failed(app: &TestApp) -> Vec<Value> {
    let page: Value = app
        .get("/v1/deliveries?status=failed&limit=500")
        .await
        .json()
        .await
        .unwrap();
    page["items"].as_array().unwrap().clone()
}

#[tokio::test]
async fn events_are_listed_shown_and_replayed_to_all_or_one_subscription() {
    let app = spawn_delivering_app().await;
    let (first, second) = (
        Receiver::start(Reply::status(204)).await,
        Receiver::start(Reply::status(204)).await,
    );
    subscribe_receiver(&app, &first.url, json!({})).await;
    let (only, _) = subscribe_receiver(&app, &second.url, json!({})).await;
    app.publish_sample("transfer.failed", "cli-failed").await;
    app.publish_sample("backup.succeeded", "cli-backup").await;
    eventually(WAIT, "both events delivered to both", || async {
        let page: Value = app
            .get("/v1/deliveries?status=delivered")
            .await
            .json()
            .await
            .ok()?;
        (page["items"].as_array()?.len() == 4).then_some(())
    })
    .await;

    let all = items(&herald(&app, &["events", "list", "-o", "json"], &[]).await);
    assert_eq!(all.len(), 2);
    let by_type = herald(
        &app,
        &["events", "list", "--type", "transfer.failed", "-o", "json"],
        &[],
    )
    .await;
    let by_type = items(&by_type);
    assert_eq!(by_type.len(), 1);
    assert_eq!(by_type[0]["event_id"], "cli-failed");
    let id = by_type[0]["id"].as_str().unwrap().to_owned();

    // A list of events may hold millions: it stops at --limit and says how to see more.
    let newest = herald(&app, &["events", "list", "--limit", "1"], &[]).await;
    assert_eq!(column(&newest.stdout, "TYPE").len(), 1, "{}", newest.stdout);
    assert!(
        newest.stderr.contains("--limit N or --all"),
        "{}",
        newest.stderr
    );
    let page: Value = serde_json::from_str(
        &herald(&app, &["events", "list", "--limit", "1", "-o", "json"], &[])
            .await
            .stdout,
    )
    .unwrap();
    assert!(page["next_cursor"].is_string(), "{page}");

    let table = herald(&app, &["events", "list", "--since", "1h"], &[]).await;
    assert_eq!(table.code, Some(0), "{}", table.stderr);
    let mut types = column(&table.stdout, "TYPE");
    types.sort_unstable();
    assert_eq!(
        types,
        ["backup.succeeded", "transfer.failed"],
        "{}",
        table.stdout
    );

    // By Herald's id or the publisher's: the event with both its deliveries.
    for key in [id.as_str(), "cli-failed"] {
        let shown = json_of(&herald(&app, &["events", "get", key, "-o", "json"], &[]).await);
        assert_eq!(shown["id"], id.as_str());
        assert_eq!(shown["deliveries"].as_array().unwrap().len(), 2);
    }
    let table = herald(&app, &["events", "get", &id], &[]).await;
    assert_eq!(table.code, Some(0));
    let deliveries = table.stdout.split("\n\n").nth(1).unwrap();
    assert_eq!(
        column(deliveries, "STATUS"),
        ["delivered", "delivered"],
        "{}",
        table.stdout
    );

    let replay = herald(&app, &["events", "replay", &id], &[]).await;
    assert_eq!(replay.code, Some(0), "{}", replay.stderr);
    assert!(
        replay
            .stdout
            .starts_with(&format!("replayed {id}: 2 new deliveries")),
        "{}",
        replay.stdout
    );
    first.wait_for(3, WAIT).await;
    second.wait_for(3, WAIT).await;

    let to_one = json_of(
        &herald(
            &app,
            &[
                "events",
                "replay",
                &id,
                "--subscription",
                &only,
                "-o",
                "json",
            ],
            &[],
        )
        .await,
    );
    assert_eq!(to_one["deliveries"].as_array().unwrap().len(), 1);
    assert_eq!(to_one["deliveries"][0]["subscription_id"], only.as_str());
    second.wait_for(4, WAIT).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        first.received().len(),
        3,
        "the other subscription got no second replay"
    );

    // Exit codes a script can branch on: 1 refused, 2 usage, 3 unreachable.
    let missing = herald(&app, &["events", "get", "evt_nope"], &[]).await;
    assert_eq!(missing.code, Some(1));
    assert!(
        missing.stderr.contains("not_found (404)"),
        "{}",
        missing.stderr
    );
    let unknown_subscription = herald(
        &app,
        &["events", "replay", &id, "--subscription", "sub_nope"],
        &[],
    )
    .await;
    assert_eq!(unknown_subscription.code, Some(1));
    assert!(
        unknown_subscription.stderr.contains("subscription_id:"),
        "{}",
        unknown_subscription.stderr
    );
    let wrong_token = herald(&app, &["events", "list"], &[("HERALD_TOKEN", "wrong")]).await;
    assert_eq!(wrong_token.code, Some(1));
    assert!(wrong_token.stderr.contains("unauthorized (401)"));
    let bad_since = herald(&app, &["events", "list", "--since", "yesterday"], &[]).await;
    assert_eq!(bad_since.code, Some(2));
    assert!(bad_since.stderr.contains("--since"), "{}", bad_since.stderr);
    let down = herald(
        &app,
        &["events", "list"],
        &[("HERALD_API_URL", "http://127.0.0.1:9")],
    )
    .await;
    assert_eq!(down.code, Some(3), "{}", down.stderr);
    assert!(down.stdout.is_empty());
}

#[tokio::test]
async fn failed_deliveries_are_listed_counted_and_retried_one_or_all() {
    let app = spawn_delivering_app().await;
    let receiver = Receiver::start(Reply::status(204)).await;
    // A 400 is final: each of the three fails at its first attempt.
    receiver.script([Reply::status(400), Reply::status(400), Reply::status(400)]);
    subscribe_receiver(&app, &receiver.url, json!({})).await;
    for i in 0..3 {
        app.publish_sample("transfer.failed", &format!("retry-{i}"))
            .await;
    }
    eventually(WAIT, "3 failed deliveries", || async {
        (failed(&app).await.len() == 3).then_some(())
    })
    .await;
    app.publish_sample("backup.succeeded", "fine").await;
    app.delivery_when("fine", "delivered", WAIT).await;

    let listed = herald(
        &app,
        &["deliveries", "list", "--status", "failed", "-o", "json"],
        &[],
    )
    .await;
    let listed = items(&listed);
    assert_eq!(listed.len(), 3);
    assert!(listed.iter().all(|d| d["status"] == "failed"));
    let table = herald(&app, &["deliveries", "list", "--status", "failed"], &[]).await;
    assert_eq!(
        column(&table.stdout, "STATUS"),
        ["failed"; 3],
        "{}",
        table.stdout
    );
    let typo = herald(&app, &["deliveries", "list", "--status", "broken"], &[]).await;
    assert_eq!(typo.code, Some(2), "{}", typo.stderr);

    let one = listed[0]["id"].as_str().unwrap().to_owned();
    let shown = herald(&app, &["deliveries", "get", &one], &[]).await;
    assert_eq!(shown.code, Some(0));
    let attempts = shown.stdout.split("\n\n").nth(1).unwrap();
    assert_eq!(column(attempts, "STATUS CODE"), ["400"], "{}", shown.stdout);

    let dry_run = [
        "deliveries",
        "retry",
        "--failed",
        "--since",
        "12h",
        "--dry-run",
    ];
    let counted = herald(&app, &dry_run, &[]).await;
    assert_eq!(counted.code, Some(0), "{}", counted.stderr);
    assert_eq!(
        counted.stdout.trim(),
        "dry run: 3 failed deliveries would be retried; nothing was changed"
    );
    let counted = json_of(&herald(&app, &[&dry_run[..], &["-o", "json"][..]].concat(), &[]).await);
    assert_eq!(counted, json!({"count": 3, "more": false}));
    assert_eq!(failed(&app).await.len(), 3, "a dry run retries nothing");

    let retried = herald(&app, &["deliveries", "retry", &one], &[]).await;
    assert_eq!(retried.code, Some(0), "{}", retried.stderr);
    assert_eq!(
        retried.stdout.trim(),
        format!("{one} queued again (pending)")
    );
    eventually(WAIT, "the retried delivery delivered", || async {
        (failed(&app).await.len() == 2).then_some(())
    })
    .await;
    // Only a failed delivery can be retried; an unknown one is not found.
    let again = herald(&app, &["deliveries", "retry", &one], &[]).await;
    assert_eq!(again.code, Some(1));
    assert!(again.stderr.contains("conflict (409)"), "{}", again.stderr);
    let missing = herald(&app, &["deliveries", "retry", "dlv_nope"], &[]).await;
    assert_eq!(missing.code, Some(1));
    assert!(missing.stderr.contains("not_found (404)"));

    // A read-only token may look but not retry.
    let created: Value = app
        .post(
            "/v1/tokens",
            &json!({"tenant": "acme", "name": "viewer", "read_only": true}),
        )
        .await
        .json()
        .await
        .unwrap();
    let viewer = [("HERALD_TOKEN", created["token"].as_str().unwrap())];
    let refused = herald(
        &app,
        &["deliveries", "retry", "--failed", "--since", "12h"],
        &viewer,
    )
    .await;
    assert_eq!(refused.code, Some(1));
    assert!(
        refused.stderr.contains("forbidden (403)"),
        "{}",
        refused.stderr
    );
    let seen = herald(
        &app,
        &["deliveries", "list", "--status", "failed", "-o", "json"],
        &viewer,
    )
    .await;
    assert_eq!(items(&seen).len(), 2);

    let all = herald(
        &app,
        &["deliveries", "retry", "--failed", "--since", "12h"],
        &[],
    )
    .await;
    assert_eq!(all.code, Some(0), "{}", all.stderr);
    assert_eq!(all.stdout.trim(), "retried 2 failed deliveries");
    eventually(WAIT, "every failed delivery delivered", || async {
        failed(&app).await.is_empty().then_some(())
    })
    .await;
    assert_eq!(receiver.wait_for(7, WAIT).await.len(), 7);
    let none = herald(&app, &["deliveries", "list", "--status", "failed"], &[]).await;
    assert_eq!(none.code, Some(0));
    assert_eq!(
        (none.stdout.as_str(), none.stderr.trim()),
        ("", "nothing matches")
    );

    let without_since = herald(&app, &["deliveries", "retry", "--failed"], &[]).await;
    assert_eq!(without_since.code, Some(2));
    let both = herald(
        &app,
        &["deliveries", "retry", &one, "--failed", "--since", "1h"],
        &[],
    )
    .await;
    assert_eq!(both.code, Some(2));
}

#[tokio::test]
async fn being_rate_limited_exits_3_so_a_script_tries_again_later() {
    let app = spawn_targets("api", |c| {
        c.insert("api_rate_per_second".into(), json!(1));
    })
    .await;
    let mut codes = Vec::new();
    for _ in 0..4 {
        let run = herald(&app, &["deliveries", "list"], &[]).await;
        if run.code == Some(3) {
            assert!(
                run.stderr.contains("rate limited (HTTP 429)"),
                "{}",
                run.stderr
            );
        }
        codes.push(run.code);
    }
    assert_eq!(codes[0], Some(0));
    assert!(codes.contains(&Some(3)), "{codes:?}");
}
