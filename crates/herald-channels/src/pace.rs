//! How fast one destination may be sent to: each chat platform's published pace per webhook,
//! and a subscription's own `rate_limit_per_second`. The dispatcher keeps the buckets. Every
//! window has 10 % to spare: a turn is counted when it is given, and the request leaves a
//! moment later (a first connection, a busy process), by a different moment each time.

use std::time::Duration;

use herald_domain::{SubscriptionId, SubscriptionSpec, Target};

/// At most `count` turns in any `per`: how every platform states its limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pace {
    pub count: u32,
    pub per: Duration,
}

impl Pace {
    /// Slack: about one message a second per incoming webhook, short bursts tolerated.
    pub const SLACK: Pace = Pace {
        count: 3,
        per: Duration::from_millis(3_300),
    };
    /// Discord: 5 requests per 2 seconds per webhook (its `X-RateLimit-*` headers say so).
    pub const DISCORD: Pace = Pace {
        count: 5,
        per: Duration::from_millis(2_200),
    };
    /// Teams: 4 requests a second per webhook.
    pub const TEAMS: Pace = Pace {
        count: 4,
        per: Duration::from_millis(1_100),
    };
}

/// One bucket a delivery must take a turn from: its key (never shown; it may hold a webhook
/// token) and its pace.
#[derive(Debug, Clone, PartialEq)]
pub struct PaceKey {
    pub key: String,
    pub pace: Pace,
    /// The platform's own bucket, which its 429s and rate-limit headers speak for.
    pub platform: bool,
}

/// The buckets a subscription's deliveries take turns from: the platform's, per webhook URL,
/// and the subscription's own limit (every channel). Each must allow a turn: the lower wins.
pub fn pace_keys(id: SubscriptionId, spec: &SubscriptionSpec) -> Vec<PaceKey> {
    let mut keys = Vec::with_capacity(2);
    let platform = match &spec.target {
        Target::Slack(t) => Some((t.webhook_url.as_str(), Pace::SLACK)),
        Target::Discord(t) => Some((t.webhook_url.as_str(), Pace::DISCORD)),
        Target::Teams(t) => Some((t.webhook_url.as_str(), Pace::TEAMS)),
        Target::Webhook(_) | Target::Email(_) => None,
    };
    if let Some((url, pace)) = platform {
        keys.push(PaceKey {
            key: format!("url:{url}"),
            pace,
            platform: true,
        });
    }
    if let Some(limit) = spec.rate_limit_per_second {
        keys.push(PaceKey {
            key: format!("sub:{id}"),
            pace: Pace {
                count: limit,
                per: Duration::from_millis(1_100),
            },
            platform: false,
        });
    }
    keys
}
