//! Channels: each renders a delivery into a request, sends it and classifies the answer.
//! Adding a channel is one new module implementing [`Channel`].

mod classify;
mod guard;
mod http;
mod signing;
mod webhook;
mod xml;

use std::time::Duration;

use chrono::{DateTime, Utc};
use futures::future::BoxFuture;
use herald_domain::{EventDocument, SubscriptionId, SubscriptionSpec};

pub use classify::classify_status;
pub use guard::is_public;
pub use http::{HttpClient, HttpOptions, HttpOutcome, OutgoingRequest, TransportError};
pub use signing::{github_signature, standard_webhooks_signature};
pub use webhook::WebhookChannel;
pub use xml::to_xml;

/// The largest response body excerpt kept with an attempt.
pub const RESPONSE_EXCERPT_BYTES: usize = 4096;

/// One attempt to deliver one event to one subscription.
pub struct Delivery<'a> {
    /// Stays the same across retries: receivers deduplicate by it (`webhook-id`).
    pub delivery_id: &'a str,
    /// 1-based.
    pub attempt: u32,
    /// The event as CloudEvents structured JSON.
    pub event: &'a EventDocument,
    pub subscription_id: SubscriptionId,
    pub subscription: &'a SubscriptionSpec,
    /// W3C traceparent of the attempt's span, sent on to the receiver.
    pub traceparent: Option<&'a str>,
    pub now: DateTime<Utc>,
}

/// What the answer means for the delivery.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    Delivered,
    /// Try again later; `after` is the receiver's own wish (Retry-After), if any.
    Retry {
        after: Option<Duration>,
    },
    /// Trying again cannot help. `disable` also switches the subscription off (410 Gone).
    Permanent {
        disable: bool,
    },
}

/// Everything recorded about one attempt.
#[derive(Debug, Clone)]
pub struct AttemptReport {
    pub verdict: Verdict,
    pub method: String,
    /// The URL with any secret in it masked: safe for logs, spans and the API.
    pub url: String,
    pub outcome: HttpOutcome,
}

pub trait Channel: Send + Sync {
    fn deliver<'a>(&'a self, delivery: &'a Delivery<'a>) -> BoxFuture<'a, AttemptReport>;
}

/// The channels this build can send through, by subscription channel.
pub struct Channels {
    webhook: WebhookChannel,
}

impl Channels {
    pub fn new(http: HttpClient) -> Self {
        Self {
            webhook: WebhookChannel::new(http),
        }
    }

    pub fn get(&self, channel: herald_domain::Channel) -> Option<&dyn Channel> {
        match channel {
            herald_domain::Channel::Webhook => Some(&self.webhook),
            _ => None,
        }
    }
}
