//! The one outbound HTTP client: pooled, never follows redirects (a 3xx is the answer, kept
//! as it came), ignores proxy variables, refuses what the target policy refuses (checked on
//! the very addresses it connects to, see `resolver`), and keeps what came back for the
//! attempt record. It is hyper's own client: nothing between Herald and the connection pool.

use std::time::{Duration, Instant};

use bytes::Bytes;
use chrono::{DateTime, Utc};
use http::header::{HeaderMap, HeaderValue, RETRY_AFTER, USER_AGENT};
use http_body_util::{BodyExt as _, Full};
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioTimer};
use rustls_platform_verifier::BuilderVerifierExt as _;

mod resolver;

use crate::guard::TargetPolicy;
use crate::{AttemptError, AttemptReport, ErrorClass, PaceHint, RESPONSE_EXCERPT_BYTES, Verdict};
use resolver::{Lookup, PrivateHost, Resolver};

const AGENT: &str = concat!("Herald/", env!("CARGO_PKG_VERSION"));
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
const IDLE_TIMEOUT: Duration = Duration::from_secs(60);

#[derive(Debug, Clone)]
pub struct HttpOptions {
    /// Which addresses deliveries may reach: public ones, the operator's allowed ranges, or
    /// everything (development, tests).
    pub targets: TargetPolicy,
    /// Open connections kept for reuse per receiver (scheme, host and port). At least the
    /// dispatcher's per-target concurrency, or a busy receiver's extra connections are closed
    /// after each request and opened again for the next.
    pub max_idle_per_host: usize,
}

impl Default for HttpOptions {
    fn default() -> Self {
        Self {
            targets: TargetPolicy::default(),
            max_idle_per_host: 64,
        }
    }
}

#[derive(Debug, Clone)]
pub struct OutgoingRequest {
    pub method: http::Method,
    pub url: url::Url,
    pub headers: HeaderMap,
    pub body: Bytes,
    pub timeout: Duration,
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
    pub error: Option<AttemptError>,
}

impl HttpOutcome {
    /// The attempt's record: `destination` is the URL with any secret masked.
    pub fn into_report(
        self,
        verdict: Verdict,
        method: &'static str,
        destination: String,
        pace: Option<PaceHint>,
    ) -> AttemptReport {
        AttemptReport {
            verdict,
            destination,
            method: Some(method),
            started_at: self.started_at,
            duration: self.duration,
            status: self.status,
            headers: self.headers,
            response: self.body,
            error: self.error,
            pace,
        }
    }

    /// A header of the answer, by name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

type Connector = HttpsConnector<HttpConnector<Resolver>>;

#[derive(Clone)]
pub struct HttpClient {
    client: Client<Connector, Full<Bytes>>,
    targets: TargetPolicy,
}

#[derive(Debug, thiserror::Error)]
#[error("cannot build the HTTP client: {0}")]
pub struct ClientError(#[from] rustls::Error);

/// What a receiver answered, read within the attempt's timeout.
struct Answer {
    status: u16,
    headers: HeaderMap,
    body: String,
}

impl HttpClient {
    /// TLS: rustls with ring, certificates checked by the platform's verifier.
    pub fn new(options: HttpOptions) -> Result<Self, ClientError> {
        Self::with_lookup(options, resolver::system_lookup())
    }

    /// A client whose names resolve through `lookup` (tests script the answers).
    fn with_lookup(options: HttpOptions, lookup: Lookup) -> Result<Self, ClientError> {
        let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
        let tls = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()?
            .with_platform_verifier()?
            .with_no_client_auth();
        let mut http = HttpConnector::new_with_resolver(Resolver {
            policy: options.targets.clone(),
            lookup,
        });
        http.enforce_http(false);
        http.set_nodelay(true);
        http.set_connect_timeout(Some(CONNECT_TIMEOUT));
        let https = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(tls)
            .https_or_http()
            .enable_all_versions()
            .wrap_connector(http);
        let client = Client::builder(TokioExecutor::new())
            .pool_max_idle_per_host(options.max_idle_per_host)
            .pool_idle_timeout(IDLE_TIMEOUT)
            .pool_timer(TokioTimer::new())
            .build(https);
        Ok(Self {
            client,
            targets: options.targets,
        })
    }

    /// The policy every connection is checked against (the API checks new targets with it).
    pub fn target_policy(&self) -> &TargetPolicy {
        &self.targets
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
        match self.exchange(request).await {
            Ok(answer) => {
                outcome.status = Some(answer.status);
                outcome.retry_after = answer
                    .headers
                    .get(RETRY_AFTER)
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| parse_retry_after(v, Utc::now()));
                outcome.headers = answer
                    .headers
                    .iter()
                    .map(|(k, v)| {
                        (
                            k.as_str().to_owned(),
                            String::from_utf8_lossy(v.as_bytes()).into_owned(),
                        )
                    })
                    .collect();
                outcome.body = Some(answer.body);
            }
            Err(error) => outcome.error = Some(error),
        }
        outcome.duration = clock.elapsed();
        outcome
    }

    /// The request and its answer, head and body, within the request's timeout as a whole: a
    /// receiver that trickles its answer a byte at a time gets no more time than one that
    /// says nothing.
    async fn exchange(&self, request: OutgoingRequest) -> Result<Answer, AttemptError> {
        let timeout = request.timeout;
        let deadline = tokio::time::Instant::now() + timeout;
        let mut url = request.url;
        let mut headers = request.headers;
        // Credentials in the URL become basic auth (unless the subscription sets its own
        // Authorization), never part of the request line.
        if !url.username().is_empty() {
            let username = percent_decoded(url.username());
            let password = url.password().map(percent_decoded).unwrap_or_default();
            if let Ok(mut value) = HeaderValue::from_str(&basic_auth(&username, &password)) {
                value.set_sensitive(true);
                headers.entry(http::header::AUTHORIZATION).or_insert(value);
            }
            let _ = url.set_username("");
            let _ = url.set_password(None);
        }
        headers
            .entry(USER_AGENT)
            .or_insert(HeaderValue::from_static(AGENT));
        let mut outgoing = http::Request::builder()
            .method(request.method)
            .uri(url.as_str())
            .body(Full::new(request.body))
            .map_err(|e| AttemptError::new(ErrorClass::Request, e.to_string()))?;
        *outgoing.headers_mut() = headers;
        // Dropping the request's future (or, below, the body) closes its connection: a
        // receiver that never answers keeps nothing of Herald's once the attempt is over.
        let response = tokio::time::timeout_at(deadline, self.client.request(outgoing))
            .await
            .map_err(|_| {
                AttemptError::new(
                    ErrorClass::Timeout,
                    format!("no answer within {} ms", timeout.as_millis()),
                )
            })?
            .map_err(classify_error)?;
        let (parts, body) = response.into_parts();
        let status = parts.status.as_u16();
        let body = tokio::time::timeout_at(deadline, read_excerpt(body))
            .await
            .map_err(|_| {
                AttemptError::new(
                    ErrorClass::Timeout,
                    format!(
                        "HTTP {status} came, but its body was still arriving after {} ms",
                        timeout.as_millis()
                    ),
                )
            })??;
        Ok(Answer {
            status,
            headers: parts.headers,
            body,
        })
    }

    /// The resolver never sees a URL whose host is an IP literal (hyper connects to it
    /// directly); check those here.
    fn check_literal_host(&self, url: &url::Url) -> Result<(), AttemptError> {
        self.targets
            .check_url_host(url)
            .map_err(|refusal| AttemptError::new(ErrorClass::PrivateAddress, refusal.to_string()))
    }
}

/// Reads at most the excerpt, then stops: a huge answer costs nothing more (the rest is
/// never read, and the connection, no longer reusable, is closed when the body drops).
async fn read_excerpt(mut body: hyper::body::Incoming) -> Result<String, AttemptError> {
    let mut excerpt = Vec::new();
    while excerpt.len() < RESPONSE_EXCERPT_BYTES {
        let Some(frame) = body.frame().await else {
            break;
        };
        let frame = frame.map_err(|e| AttemptError::new(ErrorClass::Body, with_causes(&e)))?;
        if let Some(chunk) = frame.data_ref() {
            let room = RESPONSE_EXCERPT_BYTES - excerpt.len();
            excerpt.extend_from_slice(&chunk[..chunk.len().min(room)]);
        }
    }
    Ok(excerpt_text(&excerpt))
}

/// The excerpt as text of at most [`RESPONSE_EXCERPT_BYTES`] bytes: lossy decoding turns each
/// invalid byte (binary bodies, a character cut at the end) into a three-byte U+FFFD, which
/// would otherwise let the stored text grow past the documented size.
fn excerpt_text(bytes: &[u8]) -> String {
    let mut text = String::from_utf8_lossy(bytes).into_owned();
    if text.len() > RESPONSE_EXCERPT_BYTES {
        let mut end = RESPONSE_EXCERPT_BYTES;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text.truncate(end);
    }
    text
}

/// hyper's errors never name the URL (webhook URLs may carry tokens, and this text goes to
/// logs, attempt rows and the API); the resolver's names only the host.
fn classify_error(error: hyper_util::client::legacy::Error) -> AttemptError {
    let message = with_causes(&error);
    let class = if caused_by::<PrivateHost>(&error) {
        ErrorClass::PrivateAddress
    } else if caused_by::<rustls::Error>(&error) {
        ErrorClass::Tls
    } else if error.is_connect() {
        ErrorClass::Connect
    } else {
        ErrorClass::Request
    };
    AttemptError::new(class, message)
}

/// Whether `error` or any error under it is an `E`.
fn caused_by<E: std::error::Error + 'static>(error: &(dyn std::error::Error + 'static)) -> bool {
    let mut current = Some(error);
    while let Some(error) = current {
        if error.downcast_ref::<E>().is_some() {
            return true;
        }
        // rustls errors arrive wrapped in an io::Error, whose `source` skips the payload.
        if let Some(io) = error.downcast_ref::<std::io::Error>()
            && io
                .get_ref()
                .is_some_and(|inner| inner.downcast_ref::<E>().is_some())
        {
            return true;
        }
        current = error.source();
    }
    false
}

/// An error and every cause under it, as one line.
pub(crate) fn with_causes(error: &dyn std::error::Error) -> String {
    let mut message = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        message.push_str(": ");
        message.push_str(&cause.to_string());
        source = cause.source();
    }
    message
}

/// The `Authorization` value of HTTP basic auth.
pub(crate) fn basic_auth(username: &str, password: &str) -> String {
    use base64::Engine as _;
    let encoded =
        base64::engine::general_purpose::STANDARD.encode(format!("{username}:{password}"));
    format!("Basic {encoded}")
}

fn percent_decoded(text: &str) -> String {
    percent_encoding::percent_decode_str(text)
        .decode_utf8_lossy()
        .into_owned()
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

#[cfg(test)]
mod tests;
