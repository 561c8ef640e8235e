//! Every Herald process killed with SIGKILL, again and again, while events keep arriving:
//! ingest, dispatcher, API and digest each run as `herald serve --target X` of its own, and
//! each is killed and started again twice during one run. A daily digest of another tenant is
//! due the whole time, so each digest process that starts finds it, and it must go out once.

use std::time::{Duration, Instant};

use serde_json::json;

use super::{Load, Subscribers, assert_every_pair_delivered, undelivered};
use crate::support::{
    ADMIN_TOKEN, Herald, Platform, StandIn, TestApp, eventually, nats_url, serve_binary,
    spawn_targets,
};

const TARGETS: [&str; 4] = ["ingest", "dispatcher", "api", "digest"];
const ROUNDS: usize = 2;
/// 40 a second for 12 s; a kill every 50 events (1.25 s), the first 1 s in.
const EVENTS: usize = 480;
const PER_SECOND: u32 = 40;
const FIRST_KILL_AT: usize = 40;
const KILL_EVERY: usize = 50;

fn serve(app: &TestApp, target: &str, api_addr: &str) -> Herald {
    serve_binary(
        app,
        target,
        &[
            // The API comes back where its clients know it.
            ("HERALD_API_ADDR", api_addr),
            ("HERALD_INGEST_ACK_WAIT_SECS", "2"),
            ("HERALD_DISPATCHER_ACK_WAIT_SECS", "3"),
        ],
    )
}

/// A free port below the ephemeral range: while the API process is down, a port from that
/// range could be taken by any outgoing connection (or another test's port 0) before it is back.
fn free_port() -> u16 {
    loop {
        let random = uuid::Uuid::now_v7().as_u128();
        let port = 20_000 + u16::try_from(random % 12_000).unwrap();
        if std::net::TcpListener::bind(("127.0.0.1", port)).is_ok() {
            return port;
        }
    }
}

/// A Discord digest of a tenant with no events, due since midnight UTC (made "before" it), so
/// that every digest process finds yesterday's digest on its first pass.
async fn due_digest(app: &TestApp) -> (StandIn, uuid::Uuid) {
    let discord = StandIn::start(Platform::Discord).await;
    let id = app
        .subscribe(json!({
            "tenant": "nightly", "name": "daily", "channel": "discord",
            "target": {"webhook_url": discord.url},
            "digest": {"hour": 0, "timezone": "UTC"},
        }))
        .await;
    let uuid = id
        .parse::<herald_domain::SubscriptionId>()
        .unwrap()
        .as_uuid();
    sqlx::query("UPDATE subscriptions SET created_at = now() - interval '3 days' WHERE id = $1")
        .bind(uuid)
        .execute(app.store.pool())
        .await
        .unwrap();
    (discord, uuid)
}

/// How long until the API process answers an authenticated request again.
async fn api_answers(app: &TestApp, api_addr: &str) -> Duration {
    let started = Instant::now();
    let url = format!("http://{api_addr}/v1/subscriptions");
    eventually(
        // Generous: a start migrates first, and the shared Postgres is slow under parallel tests.
        Duration::from_secs(45),
        "the API process answering",
        || async {
            let response = app
                .http
                .get(&url)
                .bearer_auth(ADMIN_TOKEN)
                .send()
                .await
                .ok()?;
            (response.status() == 200).then_some(())
        },
    )
    .await;
    started.elapsed()
}

#[tokio::test]
async fn every_herald_process_killed_twice_mid_run_loses_nothing() {
    // This process's own API only sets up and counts; the one killed is a process of its own.
    let app = spawn_targets("api", |_| {}).await;
    let subscribers = Subscribers::three(&app).await;
    let (discord, digest) = due_digest(&app).await;
    let api_addr = format!("127.0.0.1:{}", free_port());
    let mut processes: Vec<Herald> = TARGETS.iter().map(|t| serve(&app, t, &api_addr)).collect();
    api_answers(&app, &api_addr).await;
    let load = Load::start(&nats_url(), &app.nats.names, EVENTS, PER_SECOND).await;

    let mut in_flight = 0;
    let mut api_back = Vec::new();
    for kill in 0..ROUNDS * TARGETS.len() {
        let which = kill % TARGETS.len();
        load.reached(FIRST_KILL_AT + kill * KILL_EVERY).await;
        processes[which].kill();
        if matches!(TARGETS[which], "ingest" | "dispatcher") {
            in_flight += undelivered(&app).await;
        }
        processes[which] = serve(&app, TARGETS[which], &api_addr);
        if TARGETS[which] == "api" {
            api_back.push(api_answers(&app, &api_addr).await);
        }
    }

    let (ids, _) = load.finish().await;
    let repeats =
        assert_every_pair_delivered(&app, &subscribers, &ids, Duration::from_secs(60)).await;
    // Claimed once whichever process found it first; a claim whose process died before
    // handing it on is finished a minute later.
    discord.wait_for(1, Duration::from_secs(90)).await;
    let digests: i64 =
        sqlx::query_scalar("SELECT count(*) FROM deliveries WHERE subscription_id = $1")
            .bind(digest)
            .fetch_one(app.store.pool())
            .await
            .unwrap();
    assert_eq!((digests, discord.accepted().len()), (1, 1), "one digest");
    eprintln!(
        "{} kills: {in_flight} pairs in flight at ingest and dispatcher kills, {repeats} sent \
         twice, the API answering again after {api_back:?}",
        ROUNDS * TARGETS.len()
    );
    // A dispatcher killed mid-attempt sends that attempt again; an ingest killed after storing
    // an event but before its ack publishes the jobs again. Either way only pairs not yet
    // delivered at the kill, counted right after it, may be sent twice.
    assert!(
        repeats <= in_flight,
        "{repeats} repeats, {in_flight} in flight"
    );
}
