//! `herald-bench`: the real `herald serve --target all` against local NATS and Postgres, with a
//! local webhook receiver. First the machine's ceilings (a bare HTTP client, JetStream, a batched
//! Postgres insert), then per scenario: N events published to JetStream, at once or at a steady
//! rate, M webhook subscriptions each receiving every event; it measures delivery rates as
//! fractions of the ceilings, publish→delivered latency, CPU per delivery and Herald's peak
//! memory, prints them and appends them to `bench/results.jsonl`.

mod ceilings;
mod cpu;
mod herald;
mod receiver;
mod report;
mod scenario;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context as _, bail};
use clap::Parser;

use crate::cpu::CpuShare;
use crate::report::{append_result, git_commit, print_ceilings, print_outcome, thousands};
use crate::scenario::run_scenario;

/// Publish acks are awaited in chunks of this many, the publishes themselves are pipelined.
const ACK_CHUNK: usize = 1000;
/// Above this share of busy cores before a run, its figures are flagged as taken on a busy machine.
const BUSY_BEFORE: f64 = 0.15;
const READY_WITHIN: Duration = Duration::from_secs(60);
const STOP_WITHIN: Duration = Duration::from_secs(30);
const TENANT: &str = "bench";
const EVENT_TYPE: &str = "transfer.completed";

#[derive(Parser)]
#[command(
    name = "herald-bench",
    about = "Load benchmark of Herald: NATS JetStream in, signed webhooks out",
    long_about = "Runs the real herald binary (next to this one) against local NATS and Postgres \
                  with a local webhook receiver, after measuring the machine's ceilings. \
                  Without --events/--subscriptions it runs scenarios A (20,000 events x 1 \
                  subscription), B (2,000 x 50), C (1,000 events/s x 1 for 10 s), D (20 \
                  events/s x 50 for 15 s) and E (1 event x 10,000 subscriptions)."
)]
struct Cli {
    /// Run one custom scenario with this many events instead of A and B (default 1000).
    #[arg(long)]
    events: Option<usize>,
    /// Run one custom scenario with this many subscriptions instead of A and B (default 1).
    #[arg(long)]
    subscriptions: Option<usize>,
    /// The custom scenario publishes this many events a second instead of all at once.
    #[arg(long)]
    rate: Option<u32>,
    /// Receiver ports of the custom scenario, its subscriptions spread over them (default 1).
    #[arg(long, default_value_t = 1)]
    listeners: usize,
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
    /// Events a second at a steady pace; `None` publishes them all at once.
    rate: Option<u32>,
    /// Receiver ports; subscription i targets port i mod `listeners`. One port stands for one
    /// receiver, as Herald's per-target cap counts by host and port.
    listeners: usize,
    goals: Vec<Goal>,
    /// Herald's settings that differ from its defaults, and why.
    settings: Vec<(&'static str, String, &'static str)>,
}

/// What a scenario must show (issue 15), with the default configuration.
#[derive(Clone, Copy)]
enum Goal {
    /// Deliveries per second of at least this share of the bare HTTP client's ceiling.
    HttpShare(f64),
    /// Publish→delivered p99 under this many milliseconds.
    P99Below(f64),
    /// Every delivery within this many seconds of the publish.
    AllWithin(f64),
    /// Herald's peak RSS under this many MiB.
    PeakRssBelow(f64),
}

impl Scenario {
    fn deliveries(&self) -> usize {
        self.events * self.subscriptions
    }

    fn new(name: &str, events: usize, subscriptions: usize, goals: Vec<Goal>) -> Self {
        Self {
            name: name.into(),
            events,
            subscriptions,
            rate: None,
            listeners: subscriptions.min(50),
            goals,
            settings: Vec::new(),
        }
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
    /// Seconds the CPU shares were measured over.
    cpu_secs: f64,
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
        "herald-bench: {} at {commit}; Herald with its default configuration unless a \
         scenario names a setting",
        paths.herald.display()
    );
    for (key, value) in &cli.herald_env {
        println!("  and, from --herald-env, {key}={value} (not a default run)");
    }
    println!(
        "  {} cores on this machine, shared by Herald, Postgres, NATS and this benchmark \
         (receiver included)",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    if let Some(busy) = cpu::machine_busy(Duration::from_secs(1)).await {
        println!(
            "  before the run the machine was {:.0} % busy{}",
            busy * 100.0,
            if busy > BUSY_BEFORE {
                " - figures taken now come out low; wait for it to settle (e.g. after a build)"
            } else {
                ""
            }
        );
    }
    println!();
    println!("Ceilings of this machine, each part alone ...");
    let ceilings = ceilings::measure(&cli.nats_url, &cli.postgres_url).await?;
    print_ceilings(&ceilings);
    let mut failed = Vec::new();
    for scenario in &scenarios {
        println!();
        println!(
            "Scenario {}: {} event{}{} x {} subscription{} = {} deliveries ...",
            scenario.name,
            thousands(scenario.events as f64, 0),
            if scenario.events == 1 { "" } else { "s" },
            scenario.rate.map_or(String::new(), |r| format!(
                " at {}/s",
                thousands(f64::from(r), 0)
            )),
            thousands(scenario.subscriptions as f64, 0),
            if scenario.subscriptions == 1 { "" } else { "s" },
            thousands(scenario.deliveries() as f64, 0),
        );
        for (key, value, why) in &scenario.settings {
            println!("  with {key}={value} ({why})");
        }
        match run_scenario(&cli, scenario, &paths, &http).await {
            Ok(outcome) => {
                print_outcome(scenario, &outcome, &ceilings);
                append_result(&results, &commit, scenario, &outcome, &ceilings)?;
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
        let steady = |name, events, subscriptions, rate, p99| Scenario {
            rate: Some(rate),
            ..Scenario::new(name, events, subscriptions, vec![Goal::P99Below(p99)])
        };
        let mut fan_out = Scenario::new("E", 1, 10_000, vec![Goal::AllWithin(3.0)]);
        fan_out.settings.push((
            "HERALD_API_RATE_PER_SECOND",
            "100000".into(),
            "to create 10,000 subscriptions through the API; not on the delivery path",
        ));
        return Ok(vec![
            Scenario::new("A", 20_000, 1, vec![Goal::HttpShare(0.24)]),
            // 100,000 jobs in flight at once: the memory goal is for 50,000.
            Scenario::new(
                "B",
                2_000,
                50,
                vec![Goal::HttpShare(0.48), Goal::PeakRssBelow(150.0)],
            ),
            steady("C", 10_000, 1, 1_000, 50.0),
            steady("D", 300, 50, 20, 100.0),
            fan_out,
        ]);
    }
    let events = cli.events.unwrap_or(1000);
    let subscriptions = cli.subscriptions.unwrap_or(1);
    if events == 0 || subscriptions == 0 || cli.listeners == 0 || cli.rate == Some(0) {
        bail!("--events, --subscriptions, --listeners and --rate must be at least 1");
    }
    Ok(vec![Scenario {
        rate: cli.rate,
        listeners: cli.listeners,
        ..Scenario::new("custom", events, subscriptions, Vec::new())
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
