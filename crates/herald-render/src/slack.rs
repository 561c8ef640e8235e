//! Slack: a Block Kit message for an incoming webhook. The header says what happened, fields
//! carry the facts, the time is a `<!date…>` token each reader sees in their own zone, and the
//! fallback `text` is what notifications and old clients show.

use chrono::{DateTime, Utc};
use herald_domain::SlackTarget;
use serde_json::{Value, json};

use crate::Notice;
use crate::escape::Markup;
use crate::human;
use crate::mentions::failure_mention;
use crate::text::{Piece, fit, fit_plain, share, units};

mod digest;
pub use digest::slack_digest;

/// Slack's limits (Block Kit reference), all in characters.
const HEADER_MAX: usize = 150;
const SECTION_MAX: usize = 3000;
const FIELD_MAX: usize = 2000;
const FIELDS_PER_SECTION: usize = 10;
/// Slack cuts `text` at 40,000; notifications show far less.
const FALLBACK_MAX: usize = 3000;
/// Three sections of fields are as many as anyone reads; more are summed up in the last.
const MAX_FACTS: usize = 30;
const LABEL_MAX: usize = 100;
const MAX_WARNINGS: usize = 20;

pub fn slack_message(notice: &Notice, target: &SlackTarget) -> Value {
    let mention = failure_mention(notice, target.mention_on_failure.as_deref());
    let mut blocks = vec![json!({
        "type": "header",
        "text": { "type": "plain_text", "text": fit_plain(&notice.headline(), HEADER_MAX), "emoji": true },
    })];
    blocks.extend(lead(notice, mention));
    // What went wrong comes before the facts: on a failure it is what the reader is after.
    blocks.extend(error(notice));
    blocks.extend(warnings(notice));
    blocks.extend(facts(notice));
    blocks.push(context(notice));
    let mut message = json!({
        "text": fallback(notice, mention),
        "blocks": blocks,
        // A publisher's link should not unfold into a preview of someone else's page.
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

/// `<!here> ❌ Transfer failed: nightly-backup`.
fn fallback(notice: &Notice, mention: Option<&str>) -> String {
    let headline = fit(
        &notice.headline(),
        FALLBACK_MAX - 1 - mention.map_or(0, units),
        Markup::Slack,
    );
    match mention {
        Some(mention) => format!("{mention} {headline}"),
        None => headline,
    }
}

fn section(text: String) -> Value {
    json!({ "type": "section", "text": { "type": "mrkdwn", "text": text } })
}

/// The mention, the route and the publisher's message, one per line.
fn lead(notice: &Notice, mention: Option<&str>) -> Option<Value> {
    let route = notice.route.as_ref().map(ToString::to_string);
    let [mention, route, description] = share(
        SECTION_MAX - 2,
        [
            // The subscription's own markup, passed as written.
            Piece {
                text: mention.unwrap_or_default(),
                markup: Markup::Plain,
                cap: SECTION_MAX,
            },
            Piece {
                text: route.as_deref().unwrap_or_default(),
                markup: Markup::Slack,
                cap: 1000,
            },
            Piece {
                text: notice.description.as_deref().unwrap_or_default(),
                markup: Markup::Slack,
                cap: SECTION_MAX,
            },
        ],
    );
    let lines: Vec<String> = [mention, route, description]
        .into_iter()
        .filter(|line| !line.is_empty())
        .collect();
    (!lines.is_empty()).then(|| section(lines.join("\n")))
}

/// Sections of two-column fields, ten to a section.
fn facts(notice: &Notice) -> Vec<Value> {
    let mut fields: Vec<Value> = Vec::new();
    let shown = if notice.facts.len() > MAX_FACTS {
        MAX_FACTS - 1
    } else {
        notice.facts.len()
    };
    for fact in &notice.facts[..shown] {
        fields.push(field(&fact.label, &fact.value));
    }
    if shown < notice.facts.len() {
        let more = format!("{} more not shown", notice.facts.len() - shown);
        fields.push(field("More", &more));
    }
    fields
        .chunks(FIELDS_PER_SECTION)
        .map(|chunk| json!({ "type": "section", "fields": chunk }))
        .collect()
}

fn field(label: &str, value: &str) -> Value {
    let label = fit(label, LABEL_MAX, Markup::Slack);
    // `*label*` and the line break around the value.
    let value = fit(value, FIELD_MAX - units(&label) - 3, Markup::Slack);
    json!({ "type": "mrkdwn", "text": format!("*{label}*\n{value}") })
}

/// `*Error:* Access denied (ACCESS_DENIED)` and the details below it; the details are cut
/// first.
fn error(notice: &Notice) -> Option<Value> {
    let error = notice.error.as_ref()?;
    const LABEL: &str = "*Error:* ";
    let summary = error.summary();
    let [summary, details] = share(
        SECTION_MAX - LABEL.len() - 1,
        [
            Piece {
                text: &summary,
                markup: Markup::Slack,
                cap: 1500,
            },
            Piece {
                text: error.details.as_deref().unwrap_or_default(),
                markup: Markup::Slack,
                cap: SECTION_MAX,
            },
        ],
    );
    let text = if details.is_empty() {
        format!("{LABEL}{summary}")
    } else {
        format!("{LABEL}{summary}\n{details}")
    };
    Some(section(text))
}

fn warnings(notice: &Notice) -> Option<Value> {
    const LABEL: &str = "*Warnings:*\n";
    let list = human::bullets(&notice.warnings, MAX_WARNINGS)?;
    Some(section(format!(
        "{LABEL}{}",
        fit(&list, SECTION_MAX - LABEL.len(), Markup::Slack)
    )))
}

/// When, for whom, what, and the link: small print under the message.
fn context(notice: &Notice) -> Value {
    let mut parts = vec![
        date_token(notice.time),
        fit(&notice.tenant, 100, Markup::Slack),
        fit(&notice.event_type, 300, Markup::Slack),
        fit(&notice.event_id, 300, Markup::Slack),
    ];
    if let Some(link) = &notice.link {
        parts.push(format!("<{}|Details>", link_target(link)));
    }
    let text: Vec<String> = parts.into_iter().filter(|p| !p.is_empty()).collect();
    json!({ "type": "context", "elements": [{ "type": "mrkdwn", "text": text.join(" · ") }] })
}

/// Each reader sees the time in their own zone; the fallback is for clients that cannot.
fn date_token(time: DateTime<Utc>) -> String {
    format!(
        "<!date^{}^{{date_short_pretty}} at {{time}}|{}>",
        time.timestamp(),
        time.format("%Y-%m-%d %H:%M UTC")
    )
}

/// A URL inside `<…|…>`: `&` escaped like all mrkdwn, and `|`, which would end the URL,
/// percent-encoded. `<` and `>` cannot occur: the URL was parsed and normalised.
fn link_target(url: &str) -> String {
    url.replace('&', "&amp;").replace('|', "%7C")
}

#[cfg(test)]
mod tests;
