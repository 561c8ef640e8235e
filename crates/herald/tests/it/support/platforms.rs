//! Local stand-ins for Slack, Discord and Teams incoming webhooks. Each checks what the real
//! platform checks (its payload limits, required fields, its rate limit) and answers the way it
//! does (Slack's `ok` or error word, Discord's 204 / 429 with `retry_after` / 404, Teams' 202),
//! and records what it accepted and what it refused.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Platform {
    Slack,
    Discord,
    Teams,
}

/// What the stand-in does with the next request, before checking it.
#[derive(Debug, Clone)]
pub enum Scripted {
    /// Discord's 429 with this `retry_after` (seconds).
    RateLimited(f64),
    /// A status with a body, as the platform answers when the webhook is gone.
    Answer(u16, &'static str),
}

#[derive(Debug, Clone)]
pub struct Request {
    pub at: Instant,
    pub payload: Value,
}

#[derive(Default)]
struct Log {
    accepted: Vec<Request>,
    /// Requests the real platform would have refused, with why (a limit, a 429 it had to send).
    refused: Vec<String>,
    /// When each recent request arrived, for the rate limit.
    recent: VecDeque<Instant>,
    script: VecDeque<Scripted>,
}

#[derive(Clone)]
struct Shared {
    platform: Platform,
    log: Arc<Mutex<Log>>,
}

pub struct StandIn {
    pub url: String,
    shared: Shared,
}

impl StandIn {
    pub async fn start(platform: Platform) -> Self {
        let shared = Shared {
            platform,
            log: Arc::default(),
        };
        let app = axum::Router::new()
            .fallback(answer)
            .with_state(shared.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        tokio::spawn(async move { axum::serve(listener, app).await });
        let path = match platform {
            Platform::Slack => "/services/T000/B000/XXXXXXXXXXXXXXXXXXXXXXXX",
            Platform::Discord => "/api/webhooks/123456789012345678/secret-token-abcdefghijkl",
            Platform::Teams => "/workflows/abcdefghijklmnop/triggers/manual/paths/invoke",
        };
        Self {
            url: format!("http://{addr}{path}"),
            shared,
        }
    }

    pub fn script(&self, answers: impl IntoIterator<Item = Scripted>) {
        self.shared.log.lock().unwrap().script.extend(answers);
    }

    pub fn accepted(&self) -> Vec<Request> {
        self.shared.log.lock().unwrap().accepted.clone()
    }

    pub fn refused(&self) -> Vec<String> {
        self.shared.log.lock().unwrap().refused.clone()
    }

    pub async fn wait_for(&self, count: usize, within: Duration) -> Vec<Request> {
        super::eventually(within, &format!("{count} accepted messages"), || async {
            let accepted = self.accepted();
            (accepted.len() >= count).then_some(accepted)
        })
        .await
    }
}

async fn answer(State(shared): State<Shared>, body: Bytes) -> Response {
    let now = Instant::now();
    let mut log = shared.log.lock().unwrap();
    match log.script.pop_front() {
        Some(Scripted::RateLimited(after)) => {
            return (
                StatusCode::TOO_MANY_REQUESTS,
                axum::Json(json!({"message": "You are being rate limited.", "retry_after": after, "global": false})),
            )
                .into_response();
        }
        Some(Scripted::Answer(status, body)) => {
            return (StatusCode::from_u16(status).unwrap(), body).into_response();
        }
        None => {}
    }
    let (count, per) = match shared.platform {
        Platform::Slack => (3, Duration::from_secs(3)),
        Platform::Discord => (5, Duration::from_secs(2)),
        Platform::Teams => (4, Duration::from_secs(1)),
    };
    while log.recent.front().is_some_and(|t| now - *t >= per) {
        log.recent.pop_front();
    }
    if log.recent.len() >= count {
        log.refused
            .push(format!("429: more than {count} in {per:?}"));
        return rate_limited(shared.platform, per);
    }
    log.recent.push_back(now);
    let payload: Value = match serde_json::from_slice(&body) {
        Ok(payload) => payload,
        Err(error) => {
            log.refused.push(format!("not JSON: {error}"));
            return (StatusCode::BAD_REQUEST, "invalid_payload").into_response();
        }
    };
    let problems = match shared.platform {
        Platform::Slack => slack_problems(&payload),
        Platform::Discord => discord_problems(&payload),
        Platform::Teams => teams_problems(&payload, body.len()),
    };
    if !problems.is_empty() {
        log.refused.push(problems.join("; "));
        return (StatusCode::BAD_REQUEST, "invalid_payload").into_response();
    }
    log.accepted.push(Request { at: now, payload });
    let remaining = count.saturating_sub(log.recent.len());
    match shared.platform {
        Platform::Slack => (StatusCode::OK, "ok").into_response(),
        Platform::Discord => (
            StatusCode::NO_CONTENT,
            [
                ("x-ratelimit-limit", count.to_string()),
                ("x-ratelimit-remaining", remaining.to_string()),
                (
                    "x-ratelimit-reset-after",
                    format!("{:.3}", per.as_secs_f64()),
                ),
            ],
        )
            .into_response(),
        Platform::Teams => StatusCode::ACCEPTED.into_response(),
    }
}

fn rate_limited(platform: Platform, per: Duration) -> Response {
    let after = per.as_secs_f64();
    match platform {
        Platform::Discord => (
            StatusCode::TOO_MANY_REQUESTS,
            axum::Json(json!({"message": "You are being rate limited.", "retry_after": after, "global": false})),
        )
            .into_response(),
        Platform::Slack | Platform::Teams => (
            StatusCode::TOO_MANY_REQUESTS,
            [("retry-after", format!("{}", after.ceil()))],
        )
            .into_response(),
    }
}

fn chars(value: &Value) -> usize {
    value
        .as_str()
        .map(|s| s.encode_utf16().count())
        .unwrap_or(0)
}

fn check(problems: &mut Vec<String>, what: &str, length: usize, limit: usize) {
    if length > limit {
        problems.push(format!("{what} is {length} long, over {limit}"));
    }
}

fn slack_problems(payload: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    if !payload["text"].is_string() && !payload["blocks"].is_array() {
        problems.push("neither text nor blocks".into());
    }
    check(&mut problems, "text", chars(&payload["text"]), 40_000);
    let blocks = payload["blocks"].as_array().cloned().unwrap_or_default();
    check(&mut problems, "blocks", blocks.len(), 50);
    for block in &blocks {
        match block["type"].as_str() {
            Some("header") => check(&mut problems, "header", chars(&block["text"]["text"]), 150),
            Some("section") => {
                check(
                    &mut problems,
                    "section text",
                    chars(&block["text"]["text"]),
                    3000,
                );
                let fields = block["fields"].as_array().cloned().unwrap_or_default();
                check(&mut problems, "section fields", fields.len(), 10);
                for field in &fields {
                    check(&mut problems, "field", chars(&field["text"]), 2000);
                }
            }
            Some(_) => {}
            None => problems.push("a block without a type".into()),
        }
    }
    problems
}

fn discord_problems(payload: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    check(&mut problems, "content", chars(&payload["content"]), 2000);
    let embeds = payload["embeds"].as_array().cloned().unwrap_or_default();
    if payload["content"].as_str().unwrap_or_default().is_empty() && embeds.is_empty() {
        problems.push("no content and no embed".into());
    }
    check(&mut problems, "embeds", embeds.len(), 10);
    let mut total = 0;
    for embed in &embeds {
        let fields = embed["fields"].as_array().cloned().unwrap_or_default();
        check(&mut problems, "fields", fields.len(), 25);
        for (key, limit) in [("title", 256), ("description", 4096)] {
            check(&mut problems, key, chars(&embed[key]), limit);
            total += chars(&embed[key]);
        }
        check(
            &mut problems,
            "footer",
            chars(&embed["footer"]["text"]),
            2048,
        );
        total += chars(&embed["footer"]["text"]) + chars(&embed["author"]["name"]);
        for field in &fields {
            check(&mut problems, "field name", chars(&field["name"]), 256);
            check(&mut problems, "field value", chars(&field["value"]), 1024);
            if chars(&field["name"]) == 0 || chars(&field["value"]) == 0 {
                problems.push("an empty field".into());
            }
            total += chars(&field["name"]) + chars(&field["value"]);
        }
    }
    check(&mut problems, "embeds in all", total, 6000);
    problems
}

fn teams_problems(payload: &Value, bytes: usize) -> Vec<String> {
    let mut problems = Vec::new();
    check(&mut problems, "body bytes", bytes, 28 * 1024);
    let adaptive = payload["type"] == "message"
        && payload["attachments"][0]["contentType"] == "application/vnd.microsoft.card.adaptive"
        && payload["attachments"][0]["content"]["type"] == "AdaptiveCard";
    let message_card = payload["@type"] == "MessageCard";
    if !adaptive && !message_card {
        problems.push("neither an Adaptive Card message nor a MessageCard".into());
    }
    problems
}
