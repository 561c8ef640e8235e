//! The machine's ceilings, measured in the same run as Herald: what a bare HTTP client against
//! the benchmark's receiver, JetStream and Postgres each do alone here. Herald's figures are
//! printed as fractions of them, which travel between machines where absolute figures do not
//! (the same `make bench` differs up to 3x between two machines of one kind).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use async_nats::jetstream;
use bytes::Bytes;
use futures::StreamExt as _;
use http_body_util::{BodyExt as _, Full};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use sqlx::Connection as _;
use uuid::Uuid;

use crate::receiver::Receiver;
use crate::scenario::{await_acks, prepare_events};
use crate::{ACK_CHUNK, EVENT_TYPE, TENANT};

/// Requests of the bare client, after [`WARM_UP`] not counted.
const HTTP_REQUESTS: usize = 60_000;
const WARM_UP: usize = 1_000;
/// Requests in flight at once: twice Herald's default per-target cap, so the ceiling is not
/// set by too few connections.
const HTTP_CONCURRENCY: usize = 64;
const MESSAGES: usize = 50_000;
const ROWS: usize = 100_000;
/// Rows per INSERT, as Herald's ingest writes a batch of deliveries in one statement.
const ROWS_PER_INSERT: usize = 1_000;

/// Operations per second of each part of the machine alone.
#[derive(Debug, Clone, Copy)]
pub struct Ceilings {
    pub http_per_s: f64,
    pub publish_per_s: f64,
    pub consume_ack_per_s: f64,
    pub insert_rows_per_s: f64,
}

pub async fn measure(nats_url: &str, postgres_url: &str) -> anyhow::Result<Ceilings> {
    let http_per_s = http().await.context("the bare HTTP client's ceiling")?;
    let (publish_per_s, consume_ack_per_s) = jetstream_rates(nats_url)
        .await
        .context("JetStream's ceilings")?;
    let insert_rows_per_s = insert_rows(postgres_url)
        .await
        .context("Postgres's batched-insert ceiling")?;
    Ok(Ceilings {
        http_per_s,
        publish_per_s,
        consume_ack_per_s,
        insert_rows_per_s,
    })
}

/// hyper's pooled client (the one Herald's webhooks use) posting event-sized bodies with the
/// headers of a signed webhook to a receiver of its own, `HTTP_CONCURRENCY` at a time.
async fn http() -> anyhow::Result<f64> {
    let receiver = Receiver::start(HTTP_REQUESTS + WARM_UP, 1).await?;
    let url: hyper::Uri = receiver.urls[0].parse().context("receiver URL")?;
    let client: Client<_, Full<Bytes>> = Client::builder(TokioExecutor::new()).build_http();
    let bodies: Arc<Vec<Bytes>> = Arc::new(
        prepare_events(HTTP_REQUESTS + WARM_UP)?
            .into_iter()
            .map(|(_, _, body)| body)
            .collect(),
    );
    let send = |range: std::ops::Range<usize>| {
        let next = Arc::new(AtomicUsize::new(range.start));
        let tasks: Vec<_> = (0..HTTP_CONCURRENCY)
            .map(|_| {
                let (client, url, bodies, next) =
                    (client.clone(), url.clone(), bodies.clone(), next.clone());
                let end = range.end;
                tokio::spawn(async move {
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        if i >= end {
                            return Ok::<_, anyhow::Error>(());
                        }
                        let request = hyper::Request::post(url.clone())
                            .header("content-type", "application/json")
                            .header("webhook-id", format!("msg_{i}"))
                            .header("webhook-timestamp", "1767225600")
                            .header("webhook-signature", format!("v1,{}", "A".repeat(44)))
                            .body(Full::new(bodies[i].clone()))?;
                        let response = client.request(request).await?;
                        if !response.status().is_success() {
                            bail!("the receiver answered {}", response.status());
                        }
                        response.into_body().collect().await?;
                    }
                })
            })
            .collect();
        async move {
            for task in tasks {
                task.await.context("a client task panicked")??;
            }
            Ok::<_, anyhow::Error>(())
        }
    };
    send(0..WARM_UP).await?;
    let started = Instant::now();
    send(WARM_UP..WARM_UP + HTTP_REQUESTS).await?;
    let rate = HTTP_REQUESTS as f64 / started.elapsed().as_secs_f64();
    let received = receiver.finish();
    if received.arrivals.len() != HTTP_REQUESTS + WARM_UP {
        bail!(
            "the receiver counted {} of {} requests",
            received.arrivals.len(),
            HTTP_REQUESTS + WARM_UP
        );
    }
    Ok(rate)
}

/// Event-sized messages with a `Nats-Msg-Id` into a file-stored stream, acks awaited in chunks
/// as the benchmark publishes events; then a pull consumer reading and acking each one.
async fn jetstream_rates(nats_url: &str) -> anyhow::Result<(f64, f64)> {
    let client = async_nats::connect(nats_url)
        .await
        .with_context(|| format!("cannot connect to NATS at {nats_url}"))?;
    let js = jetstream::new(client);
    let name = format!(
        "BENCH_CEILING_{}",
        &Uuid::now_v7().simple().to_string()[20..]
    );
    let subject = format!("{}.{TENANT}.{EVENT_TYPE}", name.to_ascii_lowercase());
    let stream = js
        .create_stream(jetstream::stream::Config {
            name: name.clone(),
            subjects: vec![subject.clone()],
            storage: jetstream::stream::StorageType::File,
            ..Default::default()
        })
        .await
        .context("cannot create the ceiling's stream")?;
    let measured = async {
        let events = prepare_events(MESSAGES)?;
        let started = Instant::now();
        let mut pending = Vec::with_capacity(ACK_CHUNK);
        for (_, headers, payload) in events {
            pending.push(
                js.publish_with_headers(subject.clone(), headers, payload)
                    .await?,
            );
            if pending.len() >= ACK_CHUNK {
                await_acks(&mut pending).await?;
            }
        }
        await_acks(&mut pending).await?;
        let publish = MESSAGES as f64 / started.elapsed().as_secs_f64();

        let consumer = stream
            .create_consumer(jetstream::consumer::pull::Config {
                ack_policy: jetstream::consumer::AckPolicy::Explicit,
                ..Default::default()
            })
            .await?;
        let mut messages = consumer.messages().await?;
        let started = Instant::now();
        for _ in 0..MESSAGES {
            let message = tokio::time::timeout(Duration::from_secs(10), messages.next())
                .await
                .context("no message for 10 s")?
                .context("the consumer ended")?
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            message.ack().await.map_err(|e| anyhow::anyhow!("{e}"))?;
        }
        let consume = MESSAGES as f64 / started.elapsed().as_secs_f64();
        Ok::<_, anyhow::Error>((publish, consume))
    }
    .await;
    let _ = js.delete_stream(&name).await;
    measured
}

/// Rows shaped like Herald's deliveries (three unique indexes' worth of keys, two more
/// indexes), `ROWS_PER_INSERT` per UNNEST statement on one connection.
async fn insert_rows(postgres_url: &str) -> anyhow::Result<f64> {
    let mut db = sqlx::PgConnection::connect(postgres_url)
        .await
        .with_context(|| format!("cannot connect to Postgres at {postgres_url}"))?;
    let table = format!(
        "herald_bench_ceiling_{}",
        &Uuid::now_v7().simple().to_string()[20..]
    );
    sqlx::raw_sql(&format!(
        "CREATE TABLE {table} (
             id uuid PRIMARY KEY, event_id uuid NOT NULL, subscription_id uuid NOT NULL,
             tenant text NOT NULL, channel text NOT NULL, event_type text NOT NULL,
             status text NOT NULL DEFAULT 'pending', attempt_count integer NOT NULL DEFAULT 0,
             created_at timestamptz NOT NULL DEFAULT now(),
             updated_at timestamptz NOT NULL DEFAULT now(),
             UNIQUE (event_id, subscription_id));
         CREATE INDEX ON {table} (subscription_id, id);
         CREATE INDEX ON {table} (status, id);"
    ))
    .execute(&mut db)
    .await
    .context("cannot create the ceiling's table")?;
    let statement = format!(
        "INSERT INTO {table} (id, event_id, subscription_id, tenant, channel, event_type)
         SELECT id, event_id, subscription_id, $4, 'webhook', $5
         FROM UNNEST($1::uuid[], $2::uuid[], $3::uuid[]) AS r(id, event_id, subscription_id)"
    );
    let subscription = Uuid::now_v7();
    let measured = async {
        let started = Instant::now();
        for _ in 0..ROWS / ROWS_PER_INSERT {
            let ids: Vec<Uuid> = (0..ROWS_PER_INSERT).map(|_| Uuid::now_v7()).collect();
            let events: Vec<Uuid> = (0..ROWS_PER_INSERT).map(|_| Uuid::now_v7()).collect();
            sqlx::query(&statement)
                .bind(&ids)
                .bind(&events)
                .bind(vec![subscription; ROWS_PER_INSERT])
                .bind(TENANT)
                .bind(EVENT_TYPE)
                .execute(&mut db)
                .await?;
        }
        Ok::<_, anyhow::Error>(ROWS as f64 / started.elapsed().as_secs_f64())
    }
    .await;
    let _ = sqlx::raw_sql(&format!("DROP TABLE IF EXISTS {table}"))
        .execute(&mut db)
        .await;
    let _ = db.close().await;
    measured
}
