//! The one outbound HTTP client: pooled, never follows redirects, ignores proxy variables,
//! refuses private addresses unless allowed, and keeps what came back for the attempt record.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use chrono::{DateTime, Utc};
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use reqwest::header::{HeaderMap, RETRY_AFTER};

use crate::RESPONSE_EXCERPT_BYTES;
use crate::guard::is_public;

#[derive(Debug, Clone, Copy)]
pub struct HttpOptions {
    /// Lets deliveries reach loopback, private and link-local addresses (development, tests).
    pub allow_private_targets: bool,
    /// Open connections kept for reuse per receiver (scheme, host and port). At least the
    /// dispatcher's per-target concurrency, or a busy receiver's extra connections are closed
    /// after each request and opened again for the next.
    pub max_idle_per_host: usize,
}

impl Default for HttpOptions {
    fn default() -> Self {
        Self {
            allow_private_targets: false,
            max_idle_per_host: 64,
        }
    }
}

#[derive(Debug, Clone)]
pub struct OutgoingRequest {
    pub method: reqwest::Method,
    pub url: url::Url,
    pub headers: HeaderMap,
    pub body: Bytes,
    pub timeout: Duration,
}

/// Why no HTTP answer came back. `class` is stable (`error.type` in spans, `error_class` rows).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransportError {
    pub class: &'static str,
    pub message: String,
}

#[derive(Debug, Clone)]
pub struct HttpOutcome {
    pub started_at: DateTime<Utc>,
    pub duration: Duration,
    pub status: Option<u16>,
    pub headers: Vec<(String, String)>,
    /// At most [`RESPONSE_EXCERPT_BYTES`] of the body, lossily decoded.
    pub body: Option<String>,
    pub retry_after: Option<Duration>,
    pub error: Option<TransportError>,
}

#[derive(Clone)]
pub struct HttpClient {
    client: reqwest::Client,
    allow_private: bool,
}

#[derive(Debug, thiserror::Error)]
#[error("cannot build the HTTP client: {0}")]
pub struct ClientError(#[from] reqwest::Error);

impl HttpClient {
    /// Needs a rustls crypto provider installed first (the binary installs ring at start).
    pub fn new(options: HttpOptions) -> Result<Self, ClientError> {
        let mut builder = reqwest::Client::builder()
            .user_agent(concat!("Herald/", env!("CARGO_PKG_VERSION")))
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .pool_max_idle_per_host(options.max_idle_per_host)
            .pool_idle_timeout(Duration::from_secs(60))
            .connect_timeout(Duration::from_secs(10))
            .tcp_nodelay(true);
        if !options.allow_private_targets {
            builder = builder.dns_resolver(Arc::new(PublicOnly));
        }
        Ok(Self {
            client: builder.build()?,
            allow_private: options.allow_private_targets,
        })
    }

    pub async fn send(&self, request: OutgoingRequest) -> HttpOutcome {
        let started_at = Utc::now();
        let clock = Instant::now();
        let mut outcome = HttpOutcome {
            started_at,
            duration: Duration::ZERO,
            status: None,
            headers: Vec::new(),
            body: None,
            retry_after: None,
            error: None,
        };
        if let Err(error) = self.check_literal_host(&request.url) {
            outcome.error = Some(error);
            return outcome;
        }
        let sent = self
            .client
            .request(request.method, request.url)
            .headers(request.headers)
            .body(request.body)
            .timeout(request.timeout)
            .send()
            .await;
        match sent {
            Ok(response) => {
                outcome.status = Some(response.status().as_u16());
                outcome.retry_after = response
                    .headers()
                    .get(RETRY_AFTER)
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| parse_retry_after(v, Utc::now()));
                outcome.headers = response
                    .headers()
                    .iter()
                    .map(|(k, v)| {
                        (
                            k.as_str().to_owned(),
                            String::from_utf8_lossy(v.as_bytes()).into_owned(),
                        )
                    })
                    .collect();
                match read_excerpt(response).await {
                    Ok(body) => outcome.body = Some(body),
                    Err(error) => outcome.error = Some(classify_error(error)),
                }
            }
            Err(error) => outcome.error = Some(classify_error(error)),
        }
        outcome.duration = clock.elapsed();
        outcome
    }

    /// The resolver never sees a URL whose host is an IP literal; check those here.
    fn check_literal_host(&self, url: &url::Url) -> Result<(), TransportError> {
        if self.allow_private {
            return Ok(());
        }
        let ip = match url.host() {
            Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip),
            Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip),
            _ => return Ok(()),
        };
        if is_public(ip) {
            Ok(())
        } else {
            Err(refused(ip))
        }
    }
}

fn refused(ip: IpAddr) -> TransportError {
    TransportError {
        class: "private_address",
        message: format!(
            "{ip} is not a public address (set HERALD_ALLOW_PRIVATE_TARGETS to allow it)"
        ),
    }
}

/// Reads at most the excerpt, then stops: a huge answer costs nothing more.
async fn read_excerpt(mut response: reqwest::Response) -> Result<String, reqwest::Error> {
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await? {
        let room = RESPONSE_EXCERPT_BYTES - body.len();
        body.extend_from_slice(&chunk[..chunk.len().min(room)]);
        if body.len() >= RESPONSE_EXCERPT_BYTES {
            break;
        }
    }
    Ok(String::from_utf8_lossy(&body).into_owned())
}

/// The message never names the URL: webhook URLs may carry tokens, and this text goes to
/// logs, attempt rows and the API.
fn classify_error(error: reqwest::Error) -> TransportError {
    let error = error.without_url();
    let mut message = error.to_string();
    let mut source = std::error::Error::source(&error);
    while let Some(cause) = source {
        message.push_str(": ");
        message.push_str(&cause.to_string());
        source = cause.source();
    }
    let class = if error.is_timeout() {
        "timeout"
    } else if message.contains("not a public address") {
        "private_address"
    } else if message.to_ascii_lowercase().contains("certificate") || message.contains("tls") {
        "tls"
    } else if error.is_connect() {
        "connect"
    } else if error.is_body() || error.is_decode() {
        "body"
    } else {
        "request"
    };
    TransportError { class, message }
}

/// `Retry-After` as seconds or an HTTP date, as a wait from `now`.
pub fn parse_retry_after(value: &str, now: DateTime<Utc>) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let date = DateTime::parse_from_rfc2822(value).ok()?;
    Some(
        (date.with_timezone(&Utc) - now)
            .to_std()
            .unwrap_or(Duration::ZERO),
    )
}

/// Resolves like the system does, then drops every address that is not public.
struct PublicOnly;

impl Resolve for PublicOnly {
    fn resolve(&self, name: Name) -> Resolving {
        Box::pin(async move {
            let host = name.as_str().to_owned();
            let addrs: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let public: Vec<SocketAddr> = addrs
                .iter()
                .copied()
                .filter(|a| is_public(a.ip()))
                .collect();
            if public.is_empty() {
                let shown = addrs
                    .first()
                    .map(|a| a.ip().to_string())
                    .unwrap_or_else(|| host.clone());
                return Err(
                    format!("{host} resolves to {shown}, which is not a public address").into(),
                );
            }
            let addrs: Addrs = Box::new(public.into_iter());
            Ok(addrs)
        })
    }
}

#[cfg(test)]
mod tests;
