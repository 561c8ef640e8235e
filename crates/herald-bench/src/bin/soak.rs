//! `soak` (`make soak`): the release `herald serve --target all` with its default
//! configuration under a steady load for minutes, watching what a short benchmark cannot see:
//! memory that creeps, tables that grow, latency that drifts.
//!
//! 100 webhook subscriptions, each routed one event in 100 by a label; hook 0 always answers
//! 500 (its deliveries retry and fail), hook 1 answers after 2 s. Every 30 s it prints
//! deliveries/s, publish→delivered p50/p99, Herald's RSS and the size of events, deliveries and
//! delivery_attempts; at the end, whether RSS stayed flat and how fast the tables grew.
//!
//! `SOAK_RATE` (events/s, 200), `SOAK_MINUTES` (10), `SOAK_RETENTION_DAYS` (Herald's
//! `HERALD_RETENTION_DAYS`, its default when unset).

#[path = "../herald.rs"]
// The benchmark's launcher, shared whole: the soak does not use every part of it.
#[allow(dead_code)]
mod herald;

#[path = "soak/figures.rs"]
mod figures;
#[path = "soak/load.rs"]
mod load;
#[path = "soak/probe.rs"]
mod probe;
#[path = "soak/receiver.rs"]
mod receiver;

use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use async_nats::jetstream;
use sqlx::Connection as _;
use uuid::Uuid;

use crate::figures::{Growth, quantile};
use crate::herald::{Herald, HeraldSettings};
use crate::load::{publish, subscribe};
use crate::probe::{mib, rss_mib, statuses, table_sizes};
use crate::receiver::{FAILING_HOOK, Receiver, SLOW, SLOW_HOOK};

const SUBSCRIPTIONS: usize = 100;
const REPORT_EVERY: Duration = Duration::from_secs(30);
const RSS_EVERY: Duration = Duration::from_secs(5);
/// RSS before this (or a tenth of the run, when shorter) is warm-up: pools and caches fill,
/// and the verdict leaves it out.
const WARM_UP: Duration = Duration::from_secs(60);
const TENANT: &str = "soak";
const EVENT_TYPE: &str = "transfer.completed";
/// Publish acks are awaited off the publishing loop, this many at a time.
const ACK_CHUNK: usize = 100;

struct Settings {
    rate: f64,
    minutes: f64,
    retention_days: Option<String>,
    nats_url: String,
    postgres_url: String,
}

fn env_or(name: &str, default: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| default.to_owned())
}

fn settings() -> anyhow::Result<Settings> {
    let rate: f64 = env_or("SOAK_RATE", "200")
        .parse()
        .context("SOAK_RATE: events per second, e.g. 200")?;
    let minutes: f64 = env_or("SOAK_MINUTES", "10")
        .parse()
        .context("SOAK_MINUTES: e.g. 10 or 0.5")?;
    let valid = |value: f64, most: f64| value > 0.0 && value <= most;
    if !valid(rate, 10_000.0) || !valid(minutes, 24.0 * 60.0) {
        bail!("SOAK_RATE must be from 0 to 10000, SOAK_MINUTES from 0 to 1440");
    }
    Ok(Settings {
        rate,
        minutes,
        retention_days: std::env::var("SOAK_RETENTION_DAYS").ok(),
        nats_url: env_or("HERALD_BENCH_NATS_URL", "nats://127.0.0.1:4222"),
        postgres_url: env_or(
            "HERALD_BENCH_POSTGRES_URL",
            "postgres://postgres@127.0.0.1:5432/postgres",
        ),
    })
}

fn main() -> ExitCode {
    // reqwest is built without a default TLS provider: install ring before any client exists.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let outcome = settings().and_then(|settings| {
        let runtime = tokio::runtime::Runtime::new().context("cannot start the runtime")?;
        runtime.block_on(run(&settings))
    });
    match outcome {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(error) => {
            eprintln!("soak: {error:#}");
            ExitCode::FAILURE
        }
    }
}

/// A database and a stream prefix of its own, dropped afterwards whatever happened; true when
/// the verdict is good.
async fn run(settings: &Settings) -> anyhow::Result<bool> {
    let exe = std::env::current_exe().context("cannot find this executable")?;
    let dir = exe.parent().context("no directory")?.to_owned();
    let binary = dir.join("herald");
    if !binary.is_file() {
        bail!(
            "{} not found: cargo build --release -p herald",
            binary.display()
        );
    }
    let suffix = Uuid::now_v7().simple().to_string()[20..].to_owned();
    let (database, prefix) = (format!("herald_soak_{suffix}"), format!("soak{suffix}"));
    let mut admin = sqlx::PgConnection::connect(&settings.postgres_url)
        .await
        .with_context(|| format!("cannot connect to Postgres at {}", settings.postgres_url))?;
    sqlx::raw_sql(&format!("CREATE DATABASE {database}"))
        .execute(&mut admin)
        .await
        .context("cannot create the soak's database")?;
    let (base, _) = settings
        .postgres_url
        .rsplit_once('/')
        .context("HERALD_BENCH_POSTGRES_URL names no database")?;
    let database_url = format!("{base}/{database}");
    let log = dir
        .parent()
        .unwrap_or(&dir)
        .join("bench-logs")
        .join(format!("soak-{prefix}.log"));
    let mut env = vec![
        // The launcher raises it for the benchmark's single receiver; the soak runs defaults.
        (
            "HERALD_DISPATCHER_PER_TARGET_CONCURRENCY".to_owned(),
            "32".to_owned(),
        ),
    ];
    if let Some(days) = &settings.retention_days {
        env.push(("HERALD_RETENTION_DAYS".to_owned(), days.clone()));
    }
    let herald = Herald::spawn(&HeraldSettings {
        binary: &binary,
        database_url: &database_url,
        nats_url: &settings.nats_url,
        subject_prefix: &prefix,
        rust_log: "info",
        extra_env: &env,
        log: &log,
    })?;
    println!(
        "soak: {} events/s for {} min, {SUBSCRIPTIONS} subscriptions (hook {FAILING_HOOK} \
         answers 500, hook {SLOW_HOOK} answers after {} s); Herald's log: {}",
        settings.rate,
        settings.minutes,
        SLOW.as_secs(),
        log.display()
    );
    let outcome = soak(settings, herald, &database_url, &prefix).await;
    let _ = sqlx::raw_sql(&format!("DROP DATABASE IF EXISTS {database} WITH (FORCE)"))
        .execute(&mut admin)
        .await;
    delete_streams(&settings.nats_url, &prefix).await;
    outcome
}

async fn soak(
    settings: &Settings,
    mut herald: Herald,
    database_url: &str,
    prefix: &str,
) -> anyhow::Result<bool> {
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()?;
    herald.wait_ready(&http, Duration::from_secs(60)).await?;
    let receiver = Receiver::start().await?;
    subscribe(&http, &herald.api, &receiver.base).await?;
    let mut db = sqlx::PgConnection::connect(database_url).await?;
    let js = jetstream::new(async_nats::connect(&settings.nats_url).await?);
    let subject = format!("{prefix}.events.{TENANT}.{EVENT_TYPE}");

    let start = Instant::now();
    let until = start + Duration::from_secs_f64(settings.minutes * 60.0);
    let published = Arc::new(AtomicU64::new(0));
    let failed = Arc::new(AtomicU64::new(0));
    let publisher = tokio::spawn(publish(
        js,
        subject,
        settings.rate,
        until,
        published.clone(),
        failed.clone(),
    ));

    let mut rss = Vec::new();
    let warm_up = WARM_UP.min(until.duration_since(start) / 10);
    let mut sizes = Vec::new();
    let (mut next_report, mut window_start) = (start + REPORT_EVERY, start);
    while Instant::now() < until {
        tokio::time::sleep(RSS_EVERY.min(until.saturating_duration_since(Instant::now()))).await;
        herald.check_alive()?;
        let current = rss_mib(herald.pid())?;
        if start.elapsed() >= warm_up {
            rss.push(current);
        }
        let now = Instant::now();
        if now >= next_report || now >= until {
            let mut window = receiver.take();
            let secs = now.duration_since(window_start).as_secs_f64();
            let mut ms =
                |q| quantile(&mut window.latencies_us, q).map_or(0.0, |us| us as f64 / 1e3);
            let (p50, p99) = (ms(0.5), ms(0.99));
            let size = table_sizes(&mut db).await?;
            sizes.push((now.duration_since(start), size));
            println!(
                "[{:>4.0} s] {:>7.1} deliveries/s  p50 {p50:>6.1} ms  p99 {p99:>7.1} ms  \
                 RSS {:>6.1} MiB  events {:>6.1} MiB  deliveries {:>6.1} MiB  attempts {:>6.1} MiB  \
                 (published {}, 500s {}, unreadable {})",
                now.duration_since(start).as_secs_f64(),
                window.delivered as f64 / secs,
                current,
                mib(size[0]),
                mib(size[1]),
                mib(size[2]),
                published.load(Ordering::Relaxed),
                window.failed_answers,
                window.unreadable,
            );
            (next_report, window_start) = (now + REPORT_EVERY, now);
        }
    }
    publisher.await.context("the publisher panicked")?;
    let statuses = statuses(&mut db).await.unwrap_or_default();
    let _ = db.close().await;
    herald.stop(Duration::from_secs(30)).await?;
    receiver.stop();
    Ok(verdict(&rss, &sizes, settings, &failed, &statuses))
}

fn verdict(
    rss: &[f64],
    sizes: &[(Duration, [i64; 3])],
    settings: &Settings,
    failed: &AtomicU64,
    statuses: &str,
) -> bool {
    println!("deliveries by status at the end: {statuses}");
    let failed = failed.load(Ordering::Relaxed);
    if failed > 0 {
        println!("VERDICT: {failed} publishes were not acknowledged by JetStream");
    }
    let flat = match Growth::of(rss) {
        Some(growth) => {
            println!(
                "VERDICT: RSS {}: median {:.1} MiB in the first third after warm-up, {:.1} MiB \
                 in the last ({:+.1} %, flat up to +{:.0} %)",
                if growth.is_flat() { "flat" } else { "GREW" },
                growth.first,
                growth.last,
                growth.percent,
                figures::FLAT_GROWTH_PERCENT
            );
            growth.is_flat()
        }
        None => {
            println!("VERDICT: too short a run to judge RSS");
            true
        }
    };
    if let (Some((t0, first)), Some((t1, last))) = (sizes.first(), sizes.last()) {
        let minutes = (t1.saturating_sub(*t0)).as_secs_f64() / 60.0;
        let total = |s: &[i64; 3]| s.iter().sum::<i64>();
        if minutes > 0.0 {
            let per_minute = mib(total(last) - total(first)) / minutes;
            let days: f64 = settings
                .retention_days
                .as_deref()
                .and_then(|d| d.parse().ok())
                .unwrap_or(30.0);
            println!(
                "VERDICT: tables grew {per_minute:.2} MiB/min at {} events/s; retention of {days} \
                 days bounds them near {:.1} GiB at this rate (a run this short never reaches \
                 the cutoff, so retention itself deleted nothing here)",
                settings.rate,
                per_minute * 60.0 * 24.0 * days / 1024.0
            );
        }
    }
    flat && failed == 0
}

async fn delete_streams(nats_url: &str, prefix: &str) {
    let Ok(client) = async_nats::connect(nats_url).await else {
        return;
    };
    let js = jetstream::new(client);
    let base = prefix.to_ascii_uppercase();
    for stream in ["EVENTS", "DELIVERIES", "REJECTED", "OPS"] {
        let _ = js.delete_stream(format!("{base}_{stream}")).await;
    }
}
