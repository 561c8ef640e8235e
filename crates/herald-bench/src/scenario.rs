//! One scenario: its database, streams and Herald process, the subscriptions, the publishing
//! and the waiting for every delivery.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use async_nats::HeaderMap;
use async_nats::jetstream;
use bytes::Bytes;
use futures::StreamExt as _;
use serde_json::json;
use sqlx::Connection as _;
use uuid::Uuid;

use crate::cpu::{CpuMeter, CpuShare};
use crate::herald::{ADMIN_TOKEN, Herald, HeraldSettings};
use crate::receiver::Receiver;

use crate::report::summarize;
use crate::{
    ACK_CHUNK, Cli, EVENT_TYPE, Outcome, Paths, READY_WITHIN, STOP_WITHIN, Scenario, TENANT,
};

/// Creates the scenario's database, runs it, then drops the database and the NATS streams
/// whatever happened.
pub(crate) async fn run_scenario(
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
pub(crate) async fn run_with_herald(
    cli: &Cli,
    scenario: &Scenario,
    paths: &Paths,
    http: &reqwest::Client,
    database_url: &str,
    prefix: &str,
) -> anyhow::Result<Outcome> {
    let receiver = Receiver::start(scenario.deliveries(), scenario.listeners).await?;
    let log = paths
        .logs
        .join(format!("herald-{}-{prefix}.log", scenario.name));
    let mut extra_env: Vec<(String, String)> = scenario
        .settings
        .iter()
        .map(|(key, value, _)| ((*key).to_owned(), value.clone()))
        .collect();
    extra_env.extend(cli.herald_env.iter().cloned());
    let mut herald = Herald::spawn(&HeraldSettings {
        binary: &paths.herald,
        database_url,
        nats_url: &cli.nats_url,
        subject_prefix: prefix,
        rust_log: &cli.herald_rust_log,
        extra_env: &extra_env,
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
pub(crate) struct Measured {
    pub(crate) publish_times: HashMap<Uuid, Instant>,
    pub(crate) first_publish: Instant,
    pub(crate) published: Instant,
    pub(crate) ingested: Instant,
    pub(crate) cpu: CpuShare,
    pub(crate) cpu_secs: f64,
}

pub(crate) async fn drive(
    cli: &Cli,
    scenario: &Scenario,
    herald: &mut Herald,
    receiver: &Receiver,
    http: &reqwest::Client,
    database_url: &str,
    prefix: &str,
) -> anyhow::Result<Measured> {
    herald.wait_ready(http, READY_WITHIN).await?;
    subscribe(http, &herald.api, &receiver.urls, scenario.subscriptions).await?;

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
    let mut pace = scenario.rate.map(|rate| {
        let mut tick = tokio::time::interval(Duration::from_secs(1) / rate);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
        tick
    });
    for (id, headers, payload) in events {
        if let Some(tick) = pace.as_mut() {
            tick.tick().await;
        }
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
        cpu_secs: cpu_after.seconds_since(&cpu_before),
    })
}

/// Where Herald got to, from its database, for a failure message.
pub(crate) async fn progress(database_url: &str, events: usize) -> String {
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

/// M webhook subscriptions of the bench tenant, spread over the receiver's ports, created
/// eight at a time.
pub(crate) async fn subscribe(
    http: &reqwest::Client,
    api: &str,
    receivers: &[String],
    count: usize,
) -> anyhow::Result<()> {
    let url = format!("{api}/v1/subscriptions");
    let create = |i: usize| {
        let body = json!({
            "tenant": TENANT,
            "name": format!("bench-{i}"),
            "channel": "webhook",
            "target": { "url": receivers[i % receivers.len()] },
        });
        let request = http.post(&url).bearer_auth(ADMIN_TOKEN).json(&body);
        let url = &url;
        async move {
            let response = request
                .send()
                .await
                .with_context(|| format!("POST {url}"))?;
            let status = response.status();
            if status != reqwest::StatusCode::CREATED {
                let text = response.text().await.unwrap_or_default();
                bail!("POST {url}: expected 201, got {status}: {text}");
            }
            Ok(())
        }
    };
    let mut created = futures::stream::iter(0..count)
        .map(create)
        .buffer_unordered(8);
    while let Some(result) = created.next().await {
        result?;
    }
    Ok(())
}

/// Every event's id, headers and body, built before the clock starts.
pub(crate) fn prepare_events(count: usize) -> anyhow::Result<Vec<(Uuid, HeaderMap, Bytes)>> {
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

pub(crate) async fn await_acks(
    pending: &mut Vec<jetstream::context::PublishAckFuture>,
) -> anyhow::Result<()> {
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

/// The URL of database `name` on the server of `server` (another database's URL there).
pub(crate) fn database_url(server: &str, name: &str) -> String {
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
pub(crate) async fn delete_streams(nats_url: &str, prefix: &str) {
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
}
