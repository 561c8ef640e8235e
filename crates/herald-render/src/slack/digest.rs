//! The daily digest on Slack: a header naming the day, the counts, the failures (at most ten),
//! how the schedules went, and the zone the times are in, within the same limits as an
//! event's message.

use herald_domain::SlackTarget;
use serde_json::{Value, json};

use super::{FALLBACK_MAX, HEADER_MAX, SECTION_MAX, section};
use crate::escape::Markup;
use crate::text::{fit, fit_plain};
use crate::{DigestReport, digest_chat, style};

pub fn slack_digest(report: &DigestReport, target: &SlackTarget) -> Value {
    let lines = digest_chat(report);
    let headline = format!("{} {}", style::icon(lines.outcome), lines.title);
    let mut blocks = vec![json!({
        "type": "header",
        "text": { "type": "plain_text", "text": fit_plain(&headline, HEADER_MAX), "emoji": true },
    })];
    blocks.push(labelled("", &lines.counts_text()));
    blocks.extend(
        lines
            .failures_text()
            .map(|text| labelled("*Failures:*\n", &text)),
    );
    blocks.extend(
        lines
            .schedules_text()
            .map(|text| labelled("*Schedules:*\n", &text)),
    );
    blocks.push(json!({
        "type": "context",
        "elements": [{ "type": "mrkdwn", "text": fit(&lines.footer, SECTION_MAX, Markup::Slack) }],
    }));
    let fallback = format!("{}: {}", lines.title, lines.summary);
    let mut message = json!({
        "text": fit(&fallback, FALLBACK_MAX, Markup::Slack),
        "blocks": blocks,
        "unfurl_links": false,
        "unfurl_media": false,
    });
    if let Some(username) = &target.username {
        message["username"] = json!(fit_plain(username, 80));
    }
    if let Some(icon) = &target.icon_emoji {
        message["icon_emoji"] = json!(icon);
    }
    message
}

/// A section of `label` (Slack markup, as written) and `text` (escaped, cut to fit).
fn labelled(label: &str, text: &str) -> Value {
    let room = SECTION_MAX - label.chars().count();
    section(format!("{label}{}", fit(text, room, Markup::Slack)))
}
