//! The soak's load: its subscriptions, and events published at a steady rate.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::bail;
use async_nats::{HeaderMap, jetstream};
use bytes::Bytes;
use serde_json::json;
use uuid::Uuid;

use crate::herald::ADMIN_TOKEN;
use crate::receiver::now_us;
use crate::{ACK_CHUNK, EVENT_TYPE, SUBSCRIPTIONS, TENANT};

pub async fn publish(
    js: jetstream::Context,
    subject: String,
    rate: f64,
    until: Instant,
    published: Arc<AtomicU64>,
    failed: Arc<AtomicU64>,
) {
    let mut tick = tokio::time::interval(Duration::from_secs_f64(1.0 / rate));
    let mut acks = Vec::with_capacity(ACK_CHUNK);
    let mut n: u64 = 0;
    while Instant::now() < until {
        tick.tick().await;
        let (headers, payload) = event(n);
        match js
            .publish_with_headers(subject.clone(), headers, payload)
            .await
        {
            Ok(ack) => acks.push(ack),
            Err(_) => {
                failed.fetch_add(1, Ordering::Relaxed);
            }
        }
        n += 1;
        published.store(n, Ordering::Relaxed);
        if acks.len() >= ACK_CHUNK {
            let chunk = std::mem::replace(&mut acks, Vec::with_capacity(ACK_CHUNK));
            let failed = failed.clone();
            tokio::spawn(async move {
                for ack in chunk {
                    if ack.await.is_err() {
                        failed.fetch_add(1, Ordering::Relaxed);
                    }
                }
            });
        }
    }
    for ack in acks {
        if ack.await.is_err() {
            failed.fetch_add(1, Ordering::Relaxed);
        }
    }
}

/// Event `n`, for subscription `n % 100` (its `shard` label), stamped with when it was sent.
fn event(n: u64) -> (HeaderMap, Bytes) {
    let id = Uuid::now_v7().to_string();
    let body = json!({
        "specversion": "1.0",
        "id": id,
        "source": "soak",
        "type": EVENT_TYPE,
        "tenant": TENANT,
        "data": {
            "transfer_id": format!("t-{n}"),
            "name": "nightly",
            "bytes_transferred": 1_048_576,
            "labels": { "shard": (n % SUBSCRIPTIONS as u64).to_string() },
            "sent_us": now_us(),
        },
    });
    let mut headers = HeaderMap::new();
    headers.insert("Nats-Msg-Id", id.as_str());
    (headers, Bytes::from(body.to_string()))
}

pub async fn subscribe(http: &reqwest::Client, api: &str, hooks: &str) -> anyhow::Result<()> {
    let url = format!("{api}/v1/subscriptions");
    for i in 0..SUBSCRIPTIONS {
        let body = json!({
            "tenant": TENANT,
            "name": format!("soak-{i}"),
            "channel": "webhook",
            "event_types": [EVENT_TYPE],
            "filter": { "labels": { "shard": i.to_string() } },
            "target": { "url": format!("{hooks}/{i}") },
        });
        let response = http
            .post(&url)
            .bearer_auth(ADMIN_TOKEN)
            .json(&body)
            .send()
            .await?;
        let status = response.status();
        if status != reqwest::StatusCode::CREATED {
            bail!("POST {url}: {status}: {}", response.text().await?);
        }
    }
    Ok(())
}
