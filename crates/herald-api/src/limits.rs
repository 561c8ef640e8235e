//! What one request may cost: its body (413 past `MAX_BODY_BYTES`), its time (408 past
//! `REQUEST_TIMEOUT`), and its caller's pace (429 with `Retry-After` past the per-token
//! rate). And every error answer in the one JSON shape, including the ones axum and tower
//! make themselves (404, 405, 408, 413, 415).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use axum::Json;
use axum::body::Body;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::error::ErrorBody;

/// Larger bodies are refused before they are read: no request Herald takes is near this.
pub const MAX_BODY_BYTES: usize = 2 * 1024 * 1024;
/// A request still running after this is answered 408.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// Requests per second per token (the admin's included), with a burst of twice that: a
/// runaway script slows down, a person never notices. Per API replica.
#[derive(Clone)]
pub struct RateLimiter {
    per_second: f64,
    buckets: Arc<Mutex<HashMap<String, (f64, Instant)>>>,
}

impl RateLimiter {
    pub fn new(per_second: u32) -> Self {
        Self {
            per_second: f64::from(per_second.max(1)),
            buckets: Arc::default(),
        }
    }

    /// Takes a token for `caller`; when none is left, how long until one is.
    pub fn take(&self, caller: &str, now: Instant) -> Result<(), Duration> {
        let burst = self.per_second * 2.0;
        let mut buckets = self.buckets.lock().unwrap_or_else(PoisonError::into_inner);
        if buckets.len() > 10_000 {
            buckets.retain(|_, (_, at)| now.duration_since(*at) < Duration::from_secs(60));
        }
        let (tokens, at) = buckets.entry(caller.to_owned()).or_insert((burst, now));
        *tokens = (*tokens + now.duration_since(*at).as_secs_f64() * self.per_second).min(burst);
        *at = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            Ok(())
        } else {
            Err(Duration::from_secs_f64((1.0 - *tokens) / self.per_second))
        }
    }
}

/// Gives error answers that are not in the API's shape (axum's plain-text 405, 413, 415,
/// tower's 408) the `{"error": {"code", "message"}}` body every client expects.
pub async fn json_errors(response: Response) -> Response {
    let status = response.status();
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !(status.is_client_error() || status.is_server_error()) || is_json {
        return response;
    }
    let code = match status {
        StatusCode::METHOD_NOT_ALLOWED => "method_not_allowed",
        StatusCode::PAYLOAD_TOO_LARGE => "too_large",
        StatusCode::REQUEST_TIMEOUT => "timeout",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported_media_type",
        StatusCode::NOT_FOUND => "not_found",
        _ if status.is_client_error() => "bad_request",
        _ => "internal",
    };
    let message = match status {
        StatusCode::PAYLOAD_TOO_LARGE => {
            format!("the body is larger than {MAX_BODY_BYTES} bytes")
        }
        StatusCode::REQUEST_TIMEOUT => format!(
            "the request took longer than {} s",
            REQUEST_TIMEOUT.as_secs()
        ),
        _ => status
            .canonical_reason()
            .unwrap_or("error")
            .to_ascii_lowercase(),
    };
    let (mut parts, _) = response.into_parts();
    let fresh = Json(ErrorBody::new(code, message, None)).into_response();
    parts.headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    parts.headers.remove(header::CONTENT_LENGTH);
    let (_, body) = fresh.into_parts();
    Response::from_parts(parts, Body::new(body))
}

#[cfg(test)]
mod tests;
