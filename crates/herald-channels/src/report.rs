//! What one attempt did, in terms every channel shares: where it went (masked), what came back,
//! how long it took, and what that means for the delivery. Nothing HTTP-shaped is required:
//! an email's attempt has no method, and its status is the SMTP reply code.

use std::time::Duration;

use chrono::{DateTime, Utc};

/// Why an attempt got no usable answer. Stable names: `error.type` in spans, `error_class`
/// in attempt rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorClass {
    /// No complete answer within the attempt's timeout.
    Timeout,
    /// The receiver could not be reached (refused, reset, DNS).
    Connect,
    /// The TLS handshake or certificate check failed.
    Tls,
    /// The receiver is at a loopback, private, link-local or metadata address.
    PrivateAddress,
    /// The request could not be built or was cut off while sending.
    Request,
    /// The answer's body broke off while it was read.
    Body,
    /// The subscription's template does not render for this event.
    Template,
    /// The platform understood the request and refused it (e.g. Slack's `invalid_payload`).
    Refused,
    /// Herald has nothing configured to send this channel with (e.g. no SMTP server).
    NotConfigured,
}

impl ErrorClass {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorClass::Timeout => "timeout",
            ErrorClass::Connect => "connect",
            ErrorClass::Tls => "tls",
            ErrorClass::PrivateAddress => "private_address",
            ErrorClass::Request => "request",
            ErrorClass::Body => "body",
            ErrorClass::Template => "template",
            ErrorClass::Refused => "refused",
            ErrorClass::NotConfigured => "not_configured",
        }
    }
}

/// An attempt's failure: its class and one line for people (never a secret: no URL token).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttemptError {
    pub class: ErrorClass,
    pub message: String,
}

impl AttemptError {
    pub fn new(class: ErrorClass, message: impl Into<String>) -> Self {
        Self {
            class,
            message: message.into(),
        }
    }
}

/// What the answer means for the delivery.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    Delivered,
    /// Try again later; `after` is the receiver's own wish (Retry-After, Discord's
    /// `retry_after`), if any.
    Retry {
        after: Option<Duration>,
    },
    /// Trying again cannot help. `disable` also switches the subscription off, saying why
    /// (410 Gone, a deleted chat webhook, an archived Slack channel).
    Permanent {
        disable: Option<String>,
    },
}

/// Everything recorded about one attempt.
#[derive(Debug, Clone)]
pub struct AttemptReport {
    pub verdict: Verdict,
    /// Where it went, with any secret masked: safe for logs, spans and the API.
    pub destination: String,
    /// The HTTP method, for channels that speak HTTP.
    pub method: Option<&'static str>,
    pub started_at: DateTime<Utc>,
    pub duration: Duration,
    /// The HTTP status, or the SMTP reply code.
    pub status: Option<u16>,
    /// The answer's headers (HTTP), for the record.
    pub headers: Vec<(String, String)>,
    /// What came back: an excerpt of the body, or the server's reply text.
    pub response: Option<String>,
    pub error: Option<AttemptError>,
    /// The platform's word on how fast this destination may be sent to, when it said one.
    pub pace: Option<PaceHint>,
}

/// A platform's rate-limit headers after an answer (Discord's `X-RateLimit-Remaining` and
/// `X-RateLimit-Reset-After`): when none remain, wait `reset_after` before the next request.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PaceHint {
    pub remaining: u32,
    pub reset_after: Duration,
}

impl AttemptReport {
    /// An attempt that ended before anything was sent, e.g. a template that does not render.
    pub fn not_sent(
        destination: String,
        method: Option<&'static str>,
        started_at: DateTime<Utc>,
        verdict: Verdict,
        error: AttemptError,
    ) -> Self {
        Self {
            verdict,
            destination,
            method,
            started_at,
            duration: Duration::ZERO,
            status: None,
            headers: Vec::new(),
            response: None,
            error: Some(error),
            pace: None,
        }
    }
}
