//! Slack incoming webhooks: Block Kit from `herald_render`, and Slack's answers — `ok`, or an
//! error word in a 4xx body (`invalid_payload`, `channel_not_found`, `channel_is_archived`).

use herald_domain::{SlackTarget, WebhookUrl};
use herald_render::{DigestReport, Notice, slack_digest, slack_message};

use crate::chat::Platform;
use crate::http::HttpOutcome;
use crate::{Verdict, classify_status};

pub struct Slack;

impl Platform for Slack {
    type Target = SlackTarget;

    fn webhook_url(target: &SlackTarget) -> &WebhookUrl {
        &target.webhook_url
    }

    fn template(target: &SlackTarget) -> Option<&str> {
        target.template.as_deref()
    }

    fn message(notice: &Notice, target: &SlackTarget) -> serde_json::Value {
        slack_message(notice, target)
    }

    fn digest(report: &DigestReport, target: &SlackTarget) -> serde_json::Value {
        slack_digest(report, target)
    }

    fn verdict(outcome: &HttpOutcome) -> Verdict {
        let status = outcome.status.unwrap_or_default();
        let word = outcome.body.as_deref().unwrap_or_default().trim();
        match status {
            // The webhook, its channel or its workspace is gone: sending again cannot help.
            404 | 410 => Verdict::Permanent {
                disable: Some(format!("Slack answered {status} {word}")),
            },
            // invalid_payload, invalid_blocks, action_prohibited, invalid_token, …
            400 | 403 => Verdict::Permanent { disable: None },
            _ => classify_status(status, outcome.retry_after),
        }
    }
}
