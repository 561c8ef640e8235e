//! The admin listener every process serves (`HERALD_ADMIN_ADDR`): probes and metrics whatever
//! the targets, consumer lag read from JetStream, exemplars, per-subscription metrics, and the
//! stream replica setting.

use std::process::Command;
use std::time::Duration;

use serde_json::{Value, json};

use crate::support::{
    ENCRYPTION_KEY, Receiver, Reply, TestDatabase, TestPostgres, eventually, nats_url,
    serve_binary, spawn_app, spawn_delivering_app, spawn_targets, spawn_targets_on,
    subscribe_receiver, unique_prefix,
};

const OPENMETRICS: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// The value of `series` (a name with its labels, as exposed), when the text has it.
fn sample(text: &str, series: &str) -> Option<f64> {
    text.lines().find_map(|line| {
        let rest = line.strip_prefix(series)?.strip_prefix(' ')?;
        rest.split_whitespace().next()?.parse().ok()
    })
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

async fn get(http: &reqwest::Client, url: &str) -> Option<(u16, String)> {
    let response = http.get(url).send().await.ok()?;
    let status = response.status().as_u16();
    Some((status, response.text().await.ok()?))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dispatcher_only_process_answers_probes_and_shows_its_consumer_lag() {
    let app = spawn_app().await;
    // The receiver holds each answer long enough for a lag reading (every 5 s) to see the job.
    let receiver = Receiver::start(Reply::status(200).after(Duration::from_secs(7))).await;
    subscribe_receiver(
        &app,
        &receiver.url,
        json!({"target": {"timeout_ms": 30000}}),
    )
    .await;
    let admin = format!("http://127.0.0.1:{}", free_port());
    let _dispatcher = serve_binary(
        &app,
        "dispatcher",
        &[("HERALD_ADMIN_ADDR", admin.trim_start_matches("http://"))],
    );
    let http = &app.http;
    eventually(Duration::from_secs(30), "the admin /readyz", || async {
        let (status, body) = get(http, &format!("{admin}/readyz")).await?;
        (status == 200).then_some(body)
    })
    .await;
    let (status, body) = get(http, &format!("{admin}/healthz")).await.unwrap();
    assert_eq!((status, body.as_str()), (200, r#"{"status":"ok"}"#));

    let stream = app.nats.names.deliveries_stream();
    let series = |name: &str| format!(r#"{name}{{stream="{stream}",consumer="dispatcher"}}"#);
    let pending = series("herald_jetstream_consumer_pending_messages");
    let ack_pending = series("herald_jetstream_consumer_ack_pending_messages");
    let redelivered = series("herald_jetstream_consumer_redelivered_messages");
    let oldest = "herald_deliveries_oldest_pending_age_seconds";
    let scrape = || async { get(http, &format!("{admin}/metrics")).await.map(|(_, t)| t) };
    let idle = scrape().await.unwrap();
    for series in [pending.as_str(), &ack_pending, &redelivered, oldest] {
        assert_eq!(sample(&idle, series), Some(0.0), "{series}: {idle}");
    }
    assert!(idle.contains("herald_build_info{version=\""), "{idle}");
    assert!(
        !idle.contains("herald_ingest_") && !idle.contains("herald_api_"),
        "only the dispatcher's metrics: {idle}"
    );
    assert!(
        !idle.contains(r#"consumer="ingest""#),
        "no ingest consumer here: {idle}"
    );

    app.publish_sample("transfer.failed", "lag-1").await;
    let busy = eventually(Duration::from_secs(20), "the job in the lag", || async {
        let text = scrape().await?;
        let held = sample(&text, &pending)? + sample(&text, &ack_pending)?;
        (held >= 1.0 && sample(&text, oldest)? > 0.0).then_some(text)
    })
    .await;
    assert!(sample(&busy, oldest).unwrap() < 60.0, "{busy}");
    eventually(
        Duration::from_secs(25),
        "the lag back to nothing",
        || async {
            let text = scrape().await?;
            (sample(&text, &pending)? == 0.0
                && sample(&text, &ack_pending)? == 0.0
                && sample(&text, oldest)? == 0.0)
                .then_some(())
        },
    )
    .await;
    assert_eq!(receiver.received().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn attempt_durations_carry_the_attempts_trace_id_as_an_exemplar() {
    let app = spawn_delivering_app().await;
    let receiver = Receiver::start(Reply::status(200)).await;
    subscribe_receiver(&app, &receiver.url, json!({})).await;
    app.publish_sample("transfer.failed", "exemplar-1").await;
    let delivery = app
        .delivery_when("exemplar-1", "delivered", Duration::from_secs(15))
        .await;
    let trace_id = delivery["attempts"][0]["trace_id"]
        .as_str()
        .expect("the attempt's trace id")
        .to_owned();
    let response = app
        .http
        .get(format!("{}/metrics", app.admin))
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["content-type"], OPENMETRICS);
    let text = response.text().await.unwrap();
    let exemplar = format!(r#"# {{trace_id="{trace_id}"}}"#);
    let bucket = text
        .lines()
        .find(|l| l.contains(&exemplar))
        .unwrap_or_else(|| panic!("no exemplar with {trace_id}: {text}"));
    assert!(
        bucket.starts_with("herald_dispatch_attempt_duration_seconds_bucket{")
            && bucket.contains(r#"channel="webhook""#),
        "{bucket}"
    );
    assert!(text.trim_end().ends_with("# EOF"), "OpenMetrics ends so");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readyz_answers_503_while_postgres_is_down_and_200_once_it_is_back() {
    let postgres = TestPostgres::start();
    let database = TestDatabase::create_on(postgres.url("postgres")).await;
    let app = spawn_targets_on(database, "dispatcher", |_| {}).await;
    let readyz = format!("{}/readyz", app.admin);
    assert_eq!(get(&app.http, &readyz).await.unwrap().0, 200);

    postgres.stop();
    let down = eventually(Duration::from_secs(15), "a 503", || async {
        let (status, body) = get(&app.http, &readyz).await?;
        (status == 503).then_some(body)
    })
    .await;
    let body: Value = serde_json::from_str(&down).unwrap();
    assert_eq!(body["nats"], "ok", "{body}");
    assert_ne!(body["postgres"], "ok", "{body}");

    postgres.start_again();
    eventually(Duration::from_secs(20), "ready again", || async {
        (get(&app.http, &readyz).await?.0 == 200).then_some(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deliveries_count_per_channel_and_per_subscription_and_disabling_counts() {
    let app = spawn_delivering_app().await;
    let receiver = Receiver::start(Reply::status(200)).await;
    receiver.script([Reply::status(200), Reply::status(400)]);
    let (id, _) = subscribe_receiver(&app, &receiver.url, json!({})).await;
    app.publish_sample("transfer.failed", "count-1").await;
    app.delivery_when("count-1", "delivered", Duration::from_secs(15))
        .await;
    app.publish_sample("transfer.failed", "count-2").await;
    app.delivery_when("count-2", "failed", Duration::from_secs(15))
        .await;

    let text = app.admin_metrics().await;
    let finished = r#"herald_deliveries_finished_total{channel="webhook",status="#;
    assert_eq!(
        sample(&text, &format!(r#"{finished}"delivered"}}"#)),
        Some(1.0)
    );
    assert_eq!(
        sample(&text, &format!(r#"{finished}"failed"}}"#)),
        Some(1.0)
    );
    let attempts = r#"herald_dispatch_attempts_total{channel="webhook",outcome="#;
    assert_eq!(
        sample(&text, &format!(r#"{attempts}"delivered"}}"#)),
        Some(1.0)
    );
    assert_eq!(
        sample(&text, &format!(r#"{attempts}"failed"}}"#)),
        Some(1.0)
    );
    let sub = format!(r#"tenant="acme",subscription_id="{id}""#);
    let per_sub =
        format!(r#"herald_subscription_attempts_total{{{sub},channel="webhook",outcome="#);
    assert_eq!(
        sample(&text, &format!(r#"{per_sub}"delivered"}}"#)),
        Some(1.0),
        "{text}"
    );
    assert_eq!(sample(&text, &format!(r#"{per_sub}"failed"}}"#)), Some(1.0));
    let failures = format!("herald_subscription_consecutive_failures{{{sub}}}");
    assert_eq!(sample(&text, &failures), Some(1.0));
    let seconds = format!("herald_subscription_attempt_duration_seconds_total{{{sub}}}");
    assert!(sample(&text, &seconds).unwrap() > 0.0, "{text}");

    // A delivered one ends the run of failures.
    app.publish_sample("transfer.failed", "count-3").await;
    app.delivery_when("count-3", "delivered", Duration::from_secs(15))
        .await;
    assert_eq!(sample(&app.admin_metrics().await, &failures), Some(0.0));

    let name = app.get(&format!("/v1/subscriptions/{id}")).await;
    let name = name.json::<Value>().await.unwrap()["name"]
        .as_str()
        .unwrap()
        .to_owned();
    let info = |enabled: &str| {
        format!(
            r#"herald_subscription_info{{{sub},name="{name}",channel="webhook",enabled="{enabled}"}}"#
        )
    };
    eventually(
        Duration::from_secs(10),
        "the subscription's info",
        || async { (sample(&app.admin_metrics().await, &info("true")) == Some(1.0)).then_some(()) },
    )
    .await;
    let patched = app
        .patch(
            &format!("/v1/subscriptions/{id}"),
            &json!({"enabled": false}),
        )
        .await;
    assert_eq!(patched.status(), 200);
    assert_eq!(app.get("/v1/no-such-route").await.status(), 404);
    let text = eventually(Duration::from_secs(10), "the info disabled", || async {
        let text = app.admin_metrics().await;
        (sample(&text, &info("false")) == Some(1.0)).then_some(text)
    })
    .await;
    assert_eq!(
        sample(&text, &info("true")),
        None,
        "one series per subscription"
    );
    assert_eq!(
        sample(
            &text,
            r#"herald_subscriptions_disabled_total{reason="api"}"#
        ),
        Some(1.0)
    );
    let route = r#"method="PATCH",route="/v1/subscriptions/{id}""#;
    assert_eq!(
        sample(
            &text,
            &format!(r#"herald_api_requests_total{{{route},status="200"}}"#)
        ),
        Some(1.0),
        "{text}"
    );
    assert_eq!(
        sample(
            &text,
            &format!("herald_api_request_duration_seconds_count{{{route}}}")
        ),
        Some(1.0)
    );
    assert_eq!(
        sample(
            &text,
            r#"herald_api_requests_total{method="GET",route="unmatched",status="404"}"#
        ),
        Some(1.0)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_gone_receiver_counts_a_disabled_subscription_and_per_subscription_series_can_be_off() {
    let app = spawn_targets("ingest,dispatcher,api", |c| {
        c.insert("metrics_per_subscription".into(), json!(false));
    })
    .await;
    let receiver = Receiver::start(Reply::status(410)).await;
    subscribe_receiver(&app, &receiver.url, json!({})).await;
    app.publish_sample("transfer.failed", "gone-1").await;
    app.delivery_when("gone-1", "failed", Duration::from_secs(15))
        .await;
    let text = eventually(Duration::from_secs(10), "the disable counted", || async {
        let text = app.admin_metrics().await;
        let gone = sample(
            &text,
            r#"herald_subscriptions_disabled_total{reason="gone"}"#,
        );
        (gone == Some(1.0)).then_some(text)
    })
    .await;
    assert!(
        !text.contains("herald_subscription_"),
        "no per-subscription series: {text}"
    );
    assert_eq!(
        sample(
            &text,
            r#"herald_deliveries_finished_total{channel="webhook",status="failed"}"#
        ),
        Some(1.0)
    );
}

#[tokio::test]
async fn every_stream_gets_the_replica_count() {
    let app = spawn_targets("ingest,api", |c| {
        c.insert("stream_replicas".into(), json!(1));
    })
    .await;
    let names = &app.nats.names;
    for stream in [
        names.events_stream(),
        names.deliveries_stream(),
        names.rejected_stream(),
        names.ops_stream(),
    ] {
        let info = app.nats.js.get_stream(&stream).await.unwrap();
        assert_eq!(info.cached_info().config.num_replicas, 1, "{stream}");
    }
}

/// `herald serve --target dispatcher` with `env`; its exit code and what it wrote to stderr.
fn start_failure(database_url: &str, env: &[(&str, &str)]) -> (Option<i32>, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_herald"))
        .args(["serve", "--target", "dispatcher"])
        .env("HERALD_NATS_URL", nats_url())
        .env("HERALD_DATABASE_URL", database_url)
        .env("HERALD_SUBJECT_PREFIX", unique_prefix())
        .env("HERALD_ENCRYPTION_KEY", ENCRYPTION_KEY)
        .env("HERALD_ADMIN_ADDR", "127.0.0.1:0")
        .env("RUST_LOG", "off")
        .envs(env.iter().copied())
        .output()
        .expect("runs");
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[tokio::test]
async fn three_stream_replicas_on_a_single_server_stop_the_start_with_one_line() {
    let database = TestDatabase::create().await;
    let (code, stderr) = start_failure(&database.url, &[("HERALD_STREAM_REPLICAS", "3")]);
    assert_eq!(code, Some(1), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("HERALD_STREAM_REPLICAS"), "{stderr}");
    assert!(stderr.contains("cluster"), "{stderr}");
}

#[tokio::test]
async fn an_admin_port_in_use_stops_the_start_with_one_line_naming_the_key() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    // The port is bound before anything is connected: this database is never asked.
    let nowhere = "postgres://postgres@127.0.0.1:1/nowhere";
    let (code, stderr) = start_failure(nowhere, &[("HERALD_ADMIN_ADDR", &addr)]);
    assert_eq!(code, Some(1), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("HERALD_ADMIN_ADDR"), "{stderr}");
    assert!(stderr.contains(&addr), "{stderr}");
}

/// What a scrape of a process running every target holds: the names docs/metrics.md lists.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_process_with_every_target_exposes_every_documented_family() {
    let app = spawn_targets("all", |_| {}).await;
    let text = app.admin_metrics().await;
    let documented = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/metrics.md"),
    )
    .expect("docs/metrics.md");
    for line in text.lines() {
        let Some(family) = line.strip_prefix("# TYPE ") else {
            continue;
        };
        let name = family.split_whitespace().next().unwrap();
        assert!(
            documented.contains(&format!("`{name}")),
            "{name} is exposed but not in docs/metrics.md"
        );
    }
}
