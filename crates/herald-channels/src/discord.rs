//! Discord webhooks: one embed from `herald_render`, and Discord's answers — 204 (or 200), 429
//! with `retry_after` in its JSON body, 404 for a deleted webhook, and `X-RateLimit-*` headers
//! that say how many requests remain before the next 429.

use std::time::Duration;

use herald_domain::{DiscordTarget, WebhookUrl};
use herald_render::{DigestReport, Notice, discord_digest, discord_message};

use crate::chat::{Platform, seconds};
use crate::http::HttpOutcome;
use crate::{PaceHint, Verdict, classify_status};

pub struct Discord;

impl Platform for Discord {
    type Target = DiscordTarget;

    fn webhook_url(target: &DiscordTarget) -> &WebhookUrl {
        &target.webhook_url
    }

    fn template(target: &DiscordTarget) -> Option<&str> {
        target.template.as_deref()
    }

    fn message(notice: &Notice, target: &DiscordTarget) -> serde_json::Value {
        discord_message(notice, target)
    }

    fn digest(report: &DigestReport, target: &DiscordTarget) -> serde_json::Value {
        discord_digest(report, target)
    }

    fn verdict(outcome: &HttpOutcome) -> Verdict {
        let status = outcome.status.unwrap_or_default();
        match status {
            429 => Verdict::Retry {
                after: retry_after(outcome).or(outcome.retry_after),
            },
            // Unknown Webhook (deleted), or its token no longer valid.
            401 | 404 => Verdict::Permanent {
                disable: Some(format!(
                    "Discord answered {status}: the webhook was deleted or its token revoked"
                )),
            },
            _ => classify_status(status, outcome.retry_after),
        }
    }

    fn pace_hint(outcome: &HttpOutcome) -> Option<PaceHint> {
        let remaining = outcome
            .header("x-ratelimit-remaining")?
            .trim()
            .parse()
            .ok()?;
        let reset_after = outcome
            .header("x-ratelimit-reset-after")?
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|s| s.is_finite() && *s >= 0.0)?;
        Some(PaceHint {
            remaining,
            reset_after: Duration::from_secs_f64(reset_after.min(3600.0)),
        })
    }
}

/// `{"retry_after": 1.2, "global": false, …}`: seconds, fractions included.
fn retry_after(outcome: &HttpOutcome) -> Option<Duration> {
    let body: serde_json::Value = serde_json::from_str(outcome.body.as_deref()?).ok()?;
    seconds(body.get("retry_after")?)
}
