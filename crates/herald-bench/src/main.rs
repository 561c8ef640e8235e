//! `herald-bench`: the real `herald serve --target all` against local NATS and Postgres, with a
//! local webhook receiver. Per scenario: N events published to JetStream, M webhook subscriptions
//! each receiving every event; it measures ingest and delivery rates, publish→delivered latency
//! and Herald's peak memory, prints them and appends them to `bench/results.jsonl`.

mod cpu;
mod herald;
mod receiver;

use std::collections::HashMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use async_nats::HeaderMap;
use async_nats::jetstream;
use bytes::Bytes;
use clap::Parser;
use serde_json::json;
use sqlx::Connection as _;
use uuid::Uuid;

use crate::cpu::{CpuMeter, CpuShare};
use crate::herald::{ADMIN_TOKEN, Herald, HeraldSettings, PER_TARGET_CONCURRENCY};
use crate::receiver::Receiver;

/// Publish acks are awaited in chunks of this many, the publishes themselves are pipelined.
const ACK_CHUNK: usize = 1000;
const READY_WITHIN: Duration = Duration::from_secs(60);
const STOP_WITHIN: Duration = Duration::from_secs(30);
const TENANT: &str = "bench";
const EVENT_TYPE: &str = "transfer.completed";

#[derive(Parser)]
#[command(
    name = "herald-bench",
    about = "Load benchmark of Herald: NATS JetStream in, signed webhooks out",
    long_about = "Runs the real herald binary (next to this one) against local NATS and Postgres \
                  with a local webhook receiver. Without --events/--subscriptions it runs \
                  scenario A (20,000 events x 1 subscription) and B (400 events x 50 \
                  subscriptions)."
)]
struct Cli {
    /// Run one custom scenario with this many events instead of A and B (default 1000).
    #[arg(long)]
    events: Option<usize>,
    /// Run one custom scenario with this many subscriptions instead of A and B (default 1).
    #[arg(long)]
    subscriptions: Option<usize>,
    /// NATS server with JetStream.
    #[arg(
        long,
        env = "HERALD_BENCH_NATS_URL",
        default_value = "nats://127.0.0.1:4222"
    )]
    nats_url: String,
    /// A database on the Postgres server to connect to; each scenario creates its own next to it.
    #[arg(
        long,
        env = "HERALD_BENCH_POSTGRES_URL",
        default_value = "postgres://postgres@127.0.0.1:5432/postgres"
    )]
    postgres_url: String,
    /// How long a scenario may take from its first publish to its last delivery, in seconds.
    #[arg(long, default_value_t = 180)]
    timeout_secs: u64,
    /// Fail a scenario early when no delivery arrived for this many seconds (Herald stalled).
    #[arg(long, default_value_t = 30)]
    stall_secs: u64,
    /// JSON lines file the results are appended to (default: bench/results.jsonl of the repo).
    #[arg(long)]
    results: Option<PathBuf>,
    /// RUST_LOG of Herald, e.g. `warn,sqlx::query=debug` to see each statement's time in its log.
    #[arg(long, default_value = "warn")]
    herald_rust_log: String,
    /// Extra environment of Herald, KEY=VALUE, repeatable (e.g. HERALD_INGEST_BATCH_SIZE=100).
    /// Runs with it are not Herald's defaults: record them apart with --results.
    #[arg(long, value_name = "KEY=VALUE", value_parser = parse_env)]
    herald_env: Vec<(String, String)>,
}

fn parse_env(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((key, value)) if !key.is_empty() => Ok((key.to_owned(), value.to_owned())),
        _ => Err("expected KEY=VALUE".into()),
    }
}

struct Scenario {
    name: String,
    events: usize,
    subscriptions: usize,
    /// Deliveries per second to reach, when the scenario has a target.
    target: Option<f64>,
}

impl Scenario {
    fn deliveries(&self) -> usize {
        self.events * self.subscriptions
    }
}

struct Paths {
    herald: PathBuf,
    logs: PathBuf,
    repo: PathBuf,
}

/// What one scenario measured.
struct Outcome {
    events_per_s: f64,
    deliveries_per_s: f64,
    p50_ms: f64,
    p95_ms: f64,
    p99_ms: f64,
    peak_rss_mib: f64,
    publish_secs: f64,
    ingest_secs: f64,
    deliver_secs: f64,
    duplicates: usize,
    unreadable: usize,
    cpu: CpuShare,
    log: PathBuf,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // reqwest is built without a default TLS provider: install ring before any client exists.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("herald-bench: cannot start the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("herald-bench: {error:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let scenarios = scenarios(&cli)?;
    let paths = paths()?;
    let results = cli
        .results
        .clone()
        .unwrap_or_else(|| paths.repo.join("bench").join("results.jsonl"));
    let commit = git_commit(&paths.repo);
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .context("cannot build the HTTP client")?;

    println!(
        "herald-bench: {} at {commit}; Herald with its defaults except \
         HERALD_DISPATCHER_PER_TARGET_CONCURRENCY={PER_TARGET_CONCURRENCY}",
        paths.herald.display()
    );
    println!(
        "  (every subscription targets the one local receiver, so the per-target cap (default 32) \
         is raised to keep it from being the bottleneck)"
    );
    for (key, value) in &cli.herald_env {
        println!("  and, from --herald-env, {key}={value} (not a default run)");
    }
    println!(
        "  {} cores on this machine, shared by Herald, Postgres, NATS and this benchmark \
         (receiver included)",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    let mut failed = Vec::new();
    for scenario in &scenarios {
        println!();
        println!(
            "Scenario {}: {} events x {} subscription{} = {} deliveries ...",
            scenario.name,
            thousands(scenario.events as f64, 0),
            scenario.subscriptions,
            if scenario.subscriptions == 1 { "" } else { "s" },
            thousands(scenario.deliveries() as f64, 0),
        );
        match run_scenario(&cli, scenario, &paths, &http).await {
            Ok(outcome) => {
                print_outcome(scenario, &outcome);
                append_result(&results, &commit, scenario, &outcome)?;
                println!("  appended to {}", results.display());
            }
            Err(error) => {
                println!("  FAILED: {error:#}");
                failed.push(scenario.name.as_str());
            }
        }
    }
    if !failed.is_empty() {
        bail!(
            "scenario {} failed (nothing recorded for it)",
            failed.join(", ")
        );
    }
    Ok(())
}

fn scenarios(cli: &Cli) -> anyhow::Result<Vec<Scenario>> {
    if cli.events.is_none() && cli.subscriptions.is_none() {
        return Ok(vec![
            Scenario {
                name: "A".into(),
                events: 20_000,
                subscriptions: 1,
                target: Some(8_000.0),
            },
            Scenario {
                name: "B".into(),
                events: 400,
                subscriptions: 50,
                target: Some(15_000.0),
            },
        ]);
    }
    let events = cli.events.unwrap_or(1000);
    let subscriptions = cli.subscriptions.unwrap_or(1);
    if events == 0 || subscriptions == 0 {
        bail!("--events and --subscriptions must be at least 1");
    }
    Ok(vec![Scenario {
        name: "custom".into(),
        events,
        subscriptions,
        target: None,
    }])
}

/// The herald binary next to this one, the logs in `<target>/bench-logs`, the repository root.
fn paths() -> anyhow::Result<Paths> {
    let exe = std::env::current_exe().context("cannot find this executable")?;
    let dir = exe
        .parent()
        .context("this executable has no directory")?
        .to_owned();
    let herald = dir.join("herald");
    if !herald.is_file() {
        bail!(
            "{} not found: build it first (cargo build --release -p herald -p herald-bench, or make bench)",
            herald.display()
        );
    }
    let logs = dir.parent().unwrap_or(&dir).join("bench-logs");
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let repo = manifest
        .join("../..")
        .canonicalize()
        .unwrap_or_else(|_| manifest.join("../.."));
    Ok(Paths { herald, logs, repo })
}

/// Creates the scenario's database, runs it, then drops the database and the NATS streams
/// whatever happened.
async fn run_scenario(
    cli: &Cli,
    scenario: &Scenario,
    paths: &Paths,
    http: &reqwest::Client,
) -> anyhow::Result<Outcome> {
    let suffix = Uuid::now_v7().simple().to_string()[20..].to_owned();
    let database = format!("herald_bench_{suffix}");
    let prefix = format!("bench{suffix}");
    let mut admin = sqlx::PgConnection::connect(&cli.postgres_url)
        .await
        .with_context(|| format!("cannot connect to Postgres at {}", cli.postgres_url))?;
    sqlx::raw_sql(&format!("CREATE DATABASE {database}"))
        .execute(&mut admin)
        .await
        .with_context(|| format!("cannot create database {database}"))?;
    let database_url = database_url(&cli.postgres_url, &database);

    let outcome = run_with_herald(cli, scenario, paths, http, &database_url, &prefix).await;

    let dropped = sqlx::raw_sql(&format!("DROP DATABASE IF EXISTS {database} WITH (FORCE)"))
        .execute(&mut admin)
        .await;
    let _ = admin.close().await;
    delete_streams(&cli.nats_url, &prefix).await;
    let outcome = outcome?;
    dropped.with_context(|| format!("cannot drop database {database}"))?;
    Ok(outcome)
}

/// Herald as a child process for the time of the scenario; stopped with SIGTERM in every case.
async fn run_with_herald(
    cli: &Cli,
    scenario: &Scenario,
    paths: &Paths,
    http: &reqwest::Client,
    database_url: &str,
    prefix: &str,
) -> anyhow::Result<Outcome> {
    let receiver = Receiver::start(scenario.deliveries()).await?;
    let log = paths
        .logs
        .join(format!("herald-{}-{prefix}.log", scenario.name));
    let mut herald = Herald::spawn(&HeraldSettings {
        binary: &paths.herald,
        database_url,
        nats_url: &cli.nats_url,
        subject_prefix: prefix,
        rust_log: &cli.herald_rust_log,
        extra_env: &cli.herald_env,
        log: &log,
    })?;
    let measured = drive(
        cli,
        scenario,
        &mut herald,
        &receiver,
        http,
        database_url,
        prefix,
    )
    .await;
    // Read just before stopping: the peak of the whole run.
    let peak_rss_mib = herald.peak_rss_mib();
    let stopped = herald.stop(STOP_WITHIN).await;
    let measured = match (measured, stopped) {
        (Ok(measured), Ok(())) => measured,
        (Ok(_), Err(stop)) => bail!("{stop:#}"),
        (Err(run), Ok(())) => bail!("{run:#}\n  Herald's log: {}", log.display()),
        (Err(run), Err(stop)) => bail!(
            "{run:#}\n  then, stopping Herald: {stop:#}\n  Herald's log: {}",
            log.display()
        ),
    };
    let peak_rss_mib = peak_rss_mib?;
    summarize(scenario, measured, receiver, peak_rss_mib, log)
}

/// The raw timings of one run, before the receiver's records are matched to them.
struct Measured {
    publish_times: HashMap<Uuid, Instant>,
    first_publish: Instant,
    published: Instant,
    ingested: Instant,
    cpu: CpuShare,
}

async fn drive(
    cli: &Cli,
    scenario: &Scenario,
    herald: &mut Herald,
    receiver: &Receiver,
    http: &reqwest::Client,
    database_url: &str,
    prefix: &str,
) -> anyhow::Result<Measured> {
    herald.wait_ready(http, READY_WITHIN).await?;
    subscribe(http, &herald.api, &receiver.url, scenario.subscriptions).await?;

    let client = async_nats::connect(&cli.nats_url)
        .await
        .with_context(|| format!("cannot connect to NATS at {}", cli.nats_url))?;
    let js = jetstream::new(client);
    let subject = async_nats::Subject::from(format!("{prefix}.events.{TENANT}.{EVENT_TYPE}"));
    let events = prepare_events(scenario.events)?;
    let mut poll = sqlx::PgConnection::connect(database_url)
        .await
        .context("cannot connect to the benchmark database")?;
    let timeout = Duration::from_secs(cli.timeout_secs);

    let expected_events = i64::try_from(scenario.events).context("too many events")?;
    let ingest_deadline = Instant::now() + timeout;
    let poller = tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_millis(50));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            let count: i64 = sqlx::query_scalar("SELECT count(*) FROM events")
                .fetch_one(&mut poll)
                .await
                .context("cannot count the stored events")?;
            if count >= expected_events {
                let at = Instant::now();
                let _ = poll.close().await;
                return Ok::<_, anyhow::Error>(at);
            }
            if Instant::now() >= ingest_deadline {
                bail!("only {count} of {expected_events} events were stored in time");
            }
        }
    });

    let meter = CpuMeter::new();
    let cpu_before = meter.sample(herald.pid());
    let mut sent_at = Vec::with_capacity(events.len());
    let mut ids = Vec::with_capacity(events.len());
    let mut pending = Vec::with_capacity(ACK_CHUNK);
    for (id, headers, payload) in events {
        sent_at.push(Instant::now());
        ids.push(id);
        let ack = js
            .publish_with_headers(subject.clone(), headers, payload)
            .await
            .context("cannot publish to JetStream")?;
        pending.push(ack);
        if pending.len() >= ACK_CHUNK {
            await_acks(&mut pending).await?;
        }
    }
    await_acks(&mut pending).await?;
    let published = Instant::now();
    let first_publish = *sent_at.first().context("no event was published")?;

    let expected = scenario.deliveries();
    let deadline = first_publish + timeout;
    let stall = Duration::from_secs(cli.stall_secs);
    let (mut seen, mut progressed) = (0, Instant::now());
    while receiver.distinct() < expected {
        herald.check_alive()?;
        let arrived = receiver.distinct();
        if arrived > seen {
            (seen, progressed) = (arrived, Instant::now());
        }
        let why = if Instant::now() >= deadline {
            format!("timed out after {}s", timeout.as_secs())
        } else if progressed.elapsed() >= stall {
            format!(
                "no delivery arrived for {}s (Herald stalled?)",
                stall.as_secs()
            )
        } else {
            tokio::time::sleep(Duration::from_millis(10)).await;
            continue;
        };
        bail!(
            "{why}: {arrived} of {expected} deliveries arrived ({} requests in all); {}",
            receiver.total(),
            progress(database_url, scenario.events).await,
        );
    }
    let cpu_after = meter.sample(herald.pid());
    let ingested = tokio::time::timeout(Duration::from_secs(10), poller)
        .await
        .context("the event count did not reach the number of events")?
        .context("the event counter panicked")??;

    Ok(Measured {
        publish_times: ids.into_iter().zip(sent_at).collect(),
        first_publish,
        published,
        ingested,
        cpu: meter.share(&cpu_before, &cpu_after),
    })
}

/// Where Herald got to, from its database, for a failure message.
async fn progress(database_url: &str, events: usize) -> String {
    let counted = async {
        let mut db = sqlx::PgConnection::connect(database_url).await?;
        let row: (i64, i64, i64) = sqlx::query_as(
            "SELECT (SELECT count(*) FROM events), (SELECT count(*) FROM deliveries),
                    (SELECT count(*) FROM deliveries WHERE status = 'delivered')",
        )
        .fetch_one(&mut db)
        .await?;
        let _ = db.close().await;
        Ok::<_, sqlx::Error>(row)
    };
    match counted.await {
        Ok((stored, jobs, delivered)) => format!(
            "in Postgres: {stored} of {events} events stored, {jobs} deliveries created, \
             {delivered} marked delivered"
        ),
        Err(error) => format!("cannot read Herald's progress from Postgres: {error}"),
    }
}

/// M webhook subscriptions of the bench tenant, all to the receiver.
async fn subscribe(
    http: &reqwest::Client,
    api: &str,
    receiver: &str,
    count: usize,
) -> anyhow::Result<()> {
    let url = format!("{api}/v1/subscriptions");
    for i in 0..count {
        let body = json!({
            "tenant": TENANT,
            "name": format!("bench-{i}"),
            "channel": "webhook",
            "target": { "url": receiver },
        });
        let response = http
            .post(&url)
            .bearer_auth(ADMIN_TOKEN)
            .json(&body)
            .send()
            .await
            .with_context(|| format!("POST {url}"))?;
        let status = response.status();
        if status != reqwest::StatusCode::CREATED {
            let text = response.text().await.unwrap_or_default();
            bail!("POST {url}: expected 201, got {status}: {text}");
        }
    }
    Ok(())
}

/// Every event's id, headers and body, built before the clock starts.
fn prepare_events(count: usize) -> anyhow::Result<Vec<(Uuid, HeaderMap, Bytes)>> {
    (0..count)
        .map(|i| {
            let id = Uuid::now_v7();
            let body = json!({
                "specversion": "1.0",
                "id": id.to_string(),
                "source": "bench",
                "type": EVENT_TYPE,
                "tenant": TENANT,
                "data": {
                    "transfer_id": format!("t-{i}"),
                    "name": "nightly",
                    "source": "s3:/a",
                    "destination": "gcs:/b",
                    "bytes_transferred": 1_048_576,
                    "files_transferred": 10,
                },
            });
            let mut headers = HeaderMap::new();
            headers.insert("Nats-Msg-Id", id.to_string().as_str());
            let payload = serde_json::to_vec(&body).context("event JSON")?;
            Ok((id, headers, Bytes::from(payload)))
        })
        .collect()
}

async fn await_acks(pending: &mut Vec<jetstream::context::PublishAckFuture>) -> anyhow::Result<()> {
    for ack in pending.drain(..) {
        let ack = ack
            .await
            .context("JetStream did not acknowledge a publish")?;
        if ack.duplicate {
            bail!(
                "JetStream took publish {} of {} as a duplicate",
                ack.sequence,
                ack.stream
            );
        }
    }
    Ok(())
}

fn summarize(
    scenario: &Scenario,
    measured: Measured,
    receiver: Receiver,
    peak_rss_mib: f64,
    log: PathBuf,
) -> anyhow::Result<Outcome> {
    let received = receiver.finish();
    let mut latencies_ms = Vec::with_capacity(received.arrivals.len());
    let mut last_arrival = measured.first_publish;
    for arrival in &received.arrivals {
        let published = measured
            .publish_times
            .get(&arrival.event_id)
            .with_context(|| format!("a delivery of an unknown event {}", arrival.event_id))?;
        latencies_ms.push(arrival.at.duration_since(*published).as_secs_f64() * 1000.0);
        last_arrival = last_arrival.max(arrival.at);
    }
    latencies_ms.sort_by(f64::total_cmp);
    let since_first = |at: Instant| {
        at.duration_since(measured.first_publish)
            .as_secs_f64()
            .max(1e-9)
    };
    let ingest_secs = since_first(measured.ingested);
    let deliver_secs = since_first(last_arrival);
    Ok(Outcome {
        events_per_s: scenario.events as f64 / ingest_secs,
        deliveries_per_s: scenario.deliveries() as f64 / deliver_secs,
        p50_ms: percentile(&latencies_ms, 50.0),
        p95_ms: percentile(&latencies_ms, 95.0),
        p99_ms: percentile(&latencies_ms, 99.0),
        peak_rss_mib,
        publish_secs: since_first(measured.published),
        ingest_secs,
        deliver_secs,
        duplicates: received.duplicates,
        unreadable: received.unreadable,
        cpu: measured.cpu,
        log,
    })
}

/// Nearest-rank percentile of sorted values.
fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = (p / 100.0 * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn print_outcome(scenario: &Scenario, o: &Outcome) {
    let target = match scenario.target {
        Some(target) => format!(
            ">= {}/s  {}",
            thousands(target, 0),
            if o.deliveries_per_s >= target {
                "MET"
            } else {
                "MISSED"
            }
        ),
        None => String::new(),
    };
    let row = |name: &str, value: String, note: &str| {
        println!("  {name:<30} {value:>14}  {note}");
    };
    println!("  {:<30} {:>14}  target", "metric", "value");
    println!("  {}", "-".repeat(66));
    row(
        "deliveries/s (end to end)",
        thousands(o.deliveries_per_s, 0),
        &target,
    );
    row("events/s ingested", thousands(o.events_per_s, 0), "");
    row("latency p50 (publish→received)", ms(o.p50_ms), "");
    row("latency p95", ms(o.p95_ms), "");
    row("latency p99", ms(o.p99_ms), "");
    row(
        "Herald peak RSS (VmHWM)",
        format!("{:.1} MiB", o.peak_rss_mib),
        "",
    );
    println!("  {}", "-".repeat(66));
    row(
        "all published and acked after",
        format!("{:.2} s", o.publish_secs),
        &format!(
            "({}/s)",
            thousands(scenario.events as f64 / o.publish_secs, 0)
        ),
    );
    row(
        "all stored after",
        format!("{:.2} s", o.ingest_secs),
        "(SELECT count(*) polled every 50 ms)",
    );
    row(
        "all delivered after",
        format!("{:.2} s", o.deliver_secs),
        "",
    );
    row(
        "re-deliveries / unreadable",
        format!("{} / {}", o.duplicates, o.unreadable),
        "",
    );
    row(
        "CPU, cores (of all on the box)",
        format!("herald {:.2}", o.cpu.herald),
        &format!(
            "postgres {:.2}, nats-server {:.2}, herald-bench {:.2}",
            o.cpu.postgres, o.cpu.nats, o.cpu.bench
        ),
    );
    println!("  Herald's log: {}", o.log.display());
}

fn ms(value: f64) -> String {
    format!("{value:.1} ms")
}

/// 12345.6 -> "12,346" (decimals 0).
fn thousands(value: f64, decimals: usize) -> String {
    let text = format!("{value:.decimals$}");
    let (int, frac) = match text.split_once('.') {
        Some((int, frac)) => (int.to_owned(), Some(frac.to_owned())),
        None => (text.clone(), None),
    };
    let (sign, digits) = match int.strip_prefix('-') {
        Some(digits) => ("-", digits),
        None => ("", int.as_str()),
    };
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    match frac {
        Some(frac) => format!("{sign}{grouped}.{frac}"),
        None => format!("{sign}{grouped}"),
    }
}

/// One line of `bench/results.jsonl`, fields in this order.
#[derive(serde::Serialize)]
struct ResultLine<'a> {
    date: String,
    commit: &'a str,
    scenario: &'a str,
    events: usize,
    subscriptions: usize,
    events_per_s: f64,
    deliveries_per_s: f64,
    p50_ms: f64,
    p95_ms: f64,
    p99_ms: f64,
    peak_rss_mib: f64,
}

fn append_result(
    path: &Path,
    commit: &str,
    scenario: &Scenario,
    o: &Outcome,
) -> anyhow::Result<()> {
    let round = |value: f64, places: i32| {
        let factor = 10f64.powi(places);
        (value * factor).round() / factor
    };
    let line = ResultLine {
        date: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        commit,
        scenario: &scenario.name,
        events: scenario.events,
        subscriptions: scenario.subscriptions,
        events_per_s: round(o.events_per_s, 1),
        deliveries_per_s: round(o.deliveries_per_s, 1),
        p50_ms: round(o.p50_ms, 2),
        p95_ms: round(o.p95_ms, 2),
        p99_ms: round(o.p99_ms, 2),
        peak_rss_mib: round(o.peak_rss_mib, 1),
    };
    let line = serde_json::to_string(&line).context("result JSON")?;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .with_context(|| format!("cannot open {}", path.display()))?;
    writeln!(file, "{line}").with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

/// `git rev-parse --short HEAD`, plus `-dirty` when the work tree has changes (the results file
/// this benchmark appends to does not count).
fn git_commit(repo: &Path) -> String {
    let git = |args: &[&str]| {
        std::process::Command::new("git")
            .current_dir(repo)
            .args(args)
            .output()
            .ok()
            .filter(|out| out.status.success())
            .map(|out| String::from_utf8_lossy(&out.stdout).trim().to_owned())
    };
    let Some(commit) = git(&["rev-parse", "--short", "HEAD"]) else {
        return "unknown".into();
    };
    match git(&[
        "status",
        "--porcelain",
        "--",
        ".",
        ":(exclude)bench/results.jsonl",
    ]) {
        Some(status) if status.is_empty() => commit,
        _ => format!("{commit}-dirty"),
    }
}

/// The URL of database `name` on the server of `server` (another database's URL there).
fn database_url(server: &str, name: &str) -> String {
    let (base, query) = match server.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (server, None),
    };
    let authority_start = base.find("://").map_or(0, |i| i + 3);
    let base = match base[authority_start..].find('/') {
        Some(slash) => &base[..authority_start + slash],
        None => base,
    };
    match query {
        Some(query) => format!("{base}/{name}?{query}"),
        None => format!("{base}/{name}"),
    }
}

/// Herald creates `{P}_EVENTS`, `{P}_DELIVERIES`, `{P}_REJECTED` and `{P}_OPS`; a benchmark
/// prefix is used once, so its streams go with it.
async fn delete_streams(nats_url: &str, prefix: &str) {
    let Ok(client) = async_nats::connect(nats_url).await else {
        eprintln!("herald-bench: cannot connect to NATS to delete the streams of {prefix}");
        return;
    };
    let js = jetstream::new(client);
    let base = prefix.to_ascii_uppercase().replace('-', "_");
    for stream in ["EVENTS", "DELIVERIES", "REJECTED", "OPS"] {
        let _ = js.delete_stream(format!("{base}_{stream}")).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_url_replaces_the_database() {
        assert_eq!(
            database_url("postgres://postgres@127.0.0.1:5432/postgres", "b"),
            "postgres://postgres@127.0.0.1:5432/b"
        );
        assert_eq!(
            database_url("postgres://u@h:5432", "b"),
            "postgres://u@h:5432/b"
        );
        assert_eq!(
            database_url("postgres://u@h/x?sslmode=disable", "b"),
            "postgres://u@h/b?sslmode=disable"
        );
    }

    #[test]
    fn percentiles_are_nearest_rank() {
        let values: Vec<f64> = (1..=100).map(f64::from).collect();
        assert!((percentile(&values, 50.0) - 50.0).abs() < f64::EPSILON);
        assert!((percentile(&values, 99.0) - 99.0).abs() < f64::EPSILON);
        assert!((percentile(&[7.0], 95.0) - 7.0).abs() < f64::EPSILON);
    }

    #[test]
    fn thousands_are_grouped() {
        assert_eq!(thousands(1234567.0, 0), "1,234,567");
        assert_eq!(thousands(999.0, 0), "999");
        assert_eq!(thousands(12345.67, 1), "12,345.7");
    }
}
