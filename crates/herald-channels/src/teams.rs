//! Microsoft Teams webhooks (Workflows or the legacy connectors): an Adaptive Card or a
//! MessageCard from `herald_render`, and Teams' answers — 200 or 202, 429 with Retry-After,
//! 404 for a removed webhook; legacy connectors also answer 200 with the words of a 429.

use herald_domain::{TeamsTarget, WebhookUrl};
use herald_render::{DigestReport, Notice, teams_digest, teams_message};

use crate::chat::Platform;
use crate::http::HttpOutcome;
use crate::{Verdict, classify_status};

pub struct Teams;

/// What a legacy connector says, with status 200, when it throttled the request.
const THROTTLED: &str = "HTTP error 429";

impl Platform for Teams {
    type Target = TeamsTarget;

    fn webhook_url(target: &TeamsTarget) -> &WebhookUrl {
        &target.webhook_url
    }

    fn template(target: &TeamsTarget) -> Option<&str> {
        target.template.as_deref()
    }

    fn message(notice: &Notice, target: &TeamsTarget) -> serde_json::Value {
        teams_message(notice, target)
    }

    fn digest(report: &DigestReport, target: &TeamsTarget) -> serde_json::Value {
        teams_digest(report, target)
    }

    fn verdict(outcome: &HttpOutcome) -> Verdict {
        let status = outcome.status.unwrap_or_default();
        let body = outcome.body.as_deref().unwrap_or_default();
        match status {
            200..=299 if body.contains(THROTTLED) => Verdict::Retry {
                after: outcome.retry_after,
            },
            404 => Verdict::Permanent {
                disable: Some("Teams answered 404: the webhook was removed".into()),
            },
            _ => classify_status(status, outcome.retry_after),
        }
    }
}
