//! The soak's webhook receiver: one path per subscription (`/hook/{n}`), hook 0 answers 500,
//! hook 1 answers after `SLOW`, every other one 204 at once. It keeps only what the current
//! report window needs (a count and the latencies, taken and emptied every report), so its own
//! memory stays flat however long the soak runs.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::Context as _;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;
use tokio::task::JoinHandle;

/// The hook that always fails and the one that answers late: 1 % each of 100 subscriptions.
pub const FAILING_HOOK: usize = 0;
pub const SLOW_HOOK: usize = 1;
pub const SLOW: Duration = Duration::from_secs(2);

/// What arrived since the last report.
#[derive(Default)]
pub struct Window {
    /// Publish → arrival of each request answered 2xx, in microseconds.
    pub latencies_us: Vec<u64>,
    pub delivered: u64,
    pub failed_answers: u64,
    pub unreadable: u64,
}

pub struct Receiver {
    pub base: String,
    window: Arc<Mutex<Window>>,
    task: JoinHandle<()>,
}

/// Only `data.sent_us` is read: when the soak published the event, in µs since the epoch.
#[derive(Deserialize)]
struct Sent {
    data: SentData,
}

#[derive(Deserialize)]
struct SentData {
    sent_us: u64,
}

impl Receiver {
    pub async fn start() -> anyhow::Result<Self> {
        let window = Arc::new(Mutex::new(Window::default()));
        let app = axum::Router::new()
            .route("/hook/{n}", axum::routing::post(answer))
            .with_state(window.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .context("cannot bind the receiver on 127.0.0.1:0")?;
        let addr: SocketAddr = listener.local_addr().context("receiver address")?;
        let task = tokio::spawn(async move {
            if let Err(error) = axum::serve(listener, app).await {
                eprintln!("soak: the receiver stopped: {error}");
            }
        });
        Ok(Self {
            base: format!("http://{addr}/hook"),
            window,
            task,
        })
    }

    /// What arrived since the last call; the next window starts empty.
    pub fn take(&self) -> Window {
        let mut window = self.window.lock().unwrap_or_else(PoisonError::into_inner);
        std::mem::take(&mut *window)
    }

    pub fn stop(self) {
        self.task.abort();
    }
}

pub fn now_us() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_micros()).unwrap_or(u64::MAX))
}

async fn answer(
    State(window): State<Arc<Mutex<Window>>>,
    Path(hook): Path<usize>,
    body: Bytes,
) -> StatusCode {
    let arrived = now_us();
    let sent = serde_json::from_slice::<Sent>(&body).ok();
    {
        let mut window = window.lock().unwrap_or_else(PoisonError::into_inner);
        match (sent, hook) {
            (None, _) => window.unreadable += 1,
            (Some(_), FAILING_HOOK) => window.failed_answers += 1,
            (Some(sent), _) => {
                window.delivered += 1;
                window
                    .latencies_us
                    .push(arrived.saturating_sub(sent.data.sent_us));
            }
        }
    }
    match hook {
        FAILING_HOOK => StatusCode::INTERNAL_SERVER_ERROR,
        SLOW_HOOK => {
            tokio::time::sleep(SLOW).await;
            StatusCode::NO_CONTENT
        }
        _ => StatusCode::NO_CONTENT,
    }
}
