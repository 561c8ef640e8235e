//! The webhook receiver of the benchmark: answers 204 at once and records, for each request, when
//! it arrived and which event it carried. Kept cheap so it is not what the benchmark measures.

use std::collections::HashSet;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

use anyhow::Context as _;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use serde::Deserialize;
use tokio::task::JoinHandle;
use uuid::Uuid;

/// One delivery as the receiver saw it first (re-deliveries of the same webhook-id are counted
/// apart and left out of the figures).
#[derive(Debug, Clone, Copy)]
pub struct Arrival {
    pub at: Instant,
    pub event_id: Uuid,
}

#[derive(Default)]
struct Record {
    arrivals: Vec<Arrival>,
    delivery_ids: HashSet<String>,
    duplicates: usize,
    unreadable: usize,
}

#[derive(Default)]
struct Shared {
    record: Mutex<Record>,
    /// Distinct deliveries so far, readable without the lock.
    distinct: AtomicUsize,
}

pub struct Receiver {
    /// One URL per listener: a subscription per listener stands for a receiver per
    /// subscription, as Herald's per-target cap counts by host and port.
    pub urls: Vec<String>,
    shared: Arc<Shared>,
    tasks: Vec<JoinHandle<()>>,
}

/// What the receiver recorded, once the run is over.
pub struct Received {
    pub arrivals: Vec<Arrival>,
    pub duplicates: usize,
    pub unreadable: usize,
}

/// Only the CloudEvents `id` is parsed; every other field is skipped.
#[derive(Deserialize)]
struct EventId {
    id: Uuid,
}

impl Receiver {
    pub async fn start(capacity: usize, listeners: usize) -> anyhow::Result<Self> {
        let shared = Arc::new(Shared {
            record: Mutex::new(Record {
                arrivals: Vec::with_capacity(capacity),
                delivery_ids: HashSet::with_capacity(capacity),
                ..Record::default()
            }),
            distinct: AtomicUsize::new(0),
        });
        let app = axum::Router::new()
            .fallback(answer)
            .with_state(shared.clone());
        let mut urls = Vec::with_capacity(listeners);
        let mut tasks = Vec::with_capacity(listeners);
        for _ in 0..listeners.max(1) {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                .await
                .context("cannot bind the receiver on 127.0.0.1:0")?;
            let addr: SocketAddr = listener.local_addr().context("receiver address")?;
            let app = app.clone();
            tasks.push(tokio::spawn(async move {
                if let Err(error) = axum::serve(listener, app).await {
                    eprintln!("herald-bench: the receiver stopped: {error}");
                }
            }));
            urls.push(format!("http://{addr}/hook"));
        }
        Ok(Self {
            urls,
            shared,
            tasks,
        })
    }

    /// Distinct deliveries received so far.
    pub fn distinct(&self) -> usize {
        self.shared.distinct.load(Ordering::Relaxed)
    }

    /// Requests received so far, re-deliveries included.
    pub fn total(&self) -> usize {
        let record = self
            .shared
            .record
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        record.arrivals.len() + record.duplicates + record.unreadable
    }

    /// Stops the server and hands over what it recorded.
    pub fn finish(self) -> Received {
        for task in &self.tasks {
            task.abort();
        }
        let mut record = self
            .shared
            .record
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        Received {
            arrivals: std::mem::take(&mut record.arrivals),
            duplicates: record.duplicates,
            unreadable: record.unreadable,
        }
    }
}

async fn answer(State(shared): State<Arc<Shared>>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let at = Instant::now();
    let event_id = serde_json::from_slice::<EventId>(&body).ok().map(|e| e.id);
    let delivery_id = headers
        .get("webhook-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let mut record = shared.record.lock().unwrap_or_else(PoisonError::into_inner);
    match event_id {
        None => record.unreadable += 1,
        Some(event_id) => {
            let first = match delivery_id {
                Some(id) => record.delivery_ids.insert(id),
                None => true,
            };
            if first {
                record.arrivals.push(Arrival { at, event_id });
                shared.distinct.fetch_add(1, Ordering::Relaxed);
            } else {
                record.duplicates += 1;
            }
        }
    }
    StatusCode::NO_CONTENT
}
