//! Discord: one embed for an execute-webhook call, coloured by outcome, with the facts as
//! fields. Only the subscription's own mention goes in `content`, and `allowed_mentions`
//! lets through exactly that one.

use herald_domain::DiscordTarget;
use serde_json::{Value, json};

use crate::Notice;
use crate::escape::Markup;
use crate::human;
use crate::mentions::{discord_allowed_mentions, failure_mention};
use crate::text::{Piece, fit, fit_plain, share, units};

mod digest;
pub use digest::discord_digest;

/// Discord's limits (Channel › Embed Limits), in characters.
const CONTENT_MAX: usize = 2000;
const TITLE_MAX: usize = 256;
const DESCRIPTION_MAX: usize = 4096;
const FIELDS_MAX: usize = 25;
const FIELD_NAME_MAX: usize = 256;
const FIELD_VALUE_MAX: usize = 1024;
/// Title, description, field names and values, footer and author together.
const EMBED_MAX: usize = 6000;
/// Discord allows 2048; a footer is small print, and the room is better spent above it.
const FOOTER_SHOWN: usize = 256;
const USERNAME_MAX: usize = 80;
/// A field narrower than this sits beside others; a longer one gets the full width.
const INLINE_MAX: usize = 40;
const MAX_WARNINGS: usize = 20;
/// Labels and blank lines the description adds around its pieces, at most.
const DESCRIPTION_OVERHEAD: usize = 40;

pub fn discord_message(notice: &Notice, target: &DiscordTarget) -> Value {
    let mention = failure_mention(notice, target.mention_on_failure.as_deref());
    let mut message = json!({
        "embeds": [embed(notice)],
        "allowed_mentions": discord_allowed_mentions(mention),
    });
    if let Some(mention) = mention {
        // The subscription's own markup, passed as written.
        message["content"] = json!(fit_plain(mention, CONTENT_MAX));
    }
    if let Some(username) = &target.username {
        message["username"] = json!(fit_plain(username, USERNAME_MAX));
    }
    if let Some(avatar) = &target.avatar_url {
        message["avatar_url"] = json!(avatar);
    }
    message
}

struct Field {
    name: String,
    value: String,
}

impl Field {
    fn new(name: &str, value: &str) -> Field {
        Field {
            name: non_empty(fit(name, FIELD_NAME_MAX, Markup::Discord)),
            value: non_empty(fit(value, FIELD_VALUE_MAX, Markup::Discord)),
        }
    }

    fn size(&self) -> usize {
        units(&self.name) + units(&self.value)
    }

    fn json(&self) -> Value {
        let inline = units(&self.value) <= INLINE_MAX && units(&self.name) <= INLINE_MAX;
        json!({ "name": self.name, "value": self.value, "inline": inline })
    }
}

/// The 6,000 characters of an embed go to the title and footer first, then to the fields
/// up to what they need while the description keeps at least half of the rest, then to the
/// description; fields that no longer fit are dropped from the end (labels and the least
/// telling facts come last) and counted in a closing "More" field.
fn embed(notice: &Notice) -> Value {
    let title = fit(&notice.headline(), TITLE_MAX, Markup::Discord);
    let footer = fit(&footer(notice), FOOTER_SHOWN, Markup::Inert);
    let rest = EMBED_MAX - units(&title) - units(&footer);
    let (fields, hidden) = fields(notice);
    let wanted: usize = fields.iter().map(Field::size).sum();
    let description_budget = DESCRIPTION_MAX.min(rest.saturating_sub(wanted).max(rest / 2));
    let description = description(notice, description_budget);
    let fields = within(fields, hidden, rest - units(&description));
    let mut embed = json!({
        "title": title,
        "color": notice.colour,
        "timestamp": notice.time.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
    });
    // Discord rejects a footer without text.
    if !footer.is_empty() {
        embed["footer"] = json!({ "text": footer });
    }
    if let Some(link) = &notice.link {
        embed["url"] = json!(link);
    }
    if !description.is_empty() {
        embed["description"] = json!(description);
    }
    if !fields.is_empty() {
        embed["fields"] = fields.iter().map(Field::json).collect();
    }
    embed
}

fn footer(notice: &Notice) -> String {
    let parts: Vec<&str> = [&notice.tenant, &notice.event_type, &notice.event_id]
        .into_iter()
        .map(String::as_str)
        .filter(|part| !part.is_empty())
        .collect();
    parts.join(" · ")
}

/// Discord rejects an empty field name or value; a zero-width space is its usual stand-in.
fn non_empty(text: String) -> String {
    if text.is_empty() {
        "\u{200B}".to_owned()
    } else {
        text
    }
}

/// A field per fact, up to Discord's 25 with room for a closing count; and how many did not
/// get one.
fn fields(notice: &Notice) -> (Vec<Field>, usize) {
    let facts = &notice.facts;
    let shown = if facts.len() > FIELDS_MAX {
        FIELDS_MAX - 1
    } else {
        facts.len()
    };
    let fields = facts[..shown]
        .iter()
        .map(|fact| Field::new(&fact.label, &fact.value))
        .collect();
    (fields, facts.len() - shown)
}

/// The fields that fit in `budget`, dropped from the end, with a closing "More" field
/// counting those not shown.
fn within(mut fields: Vec<Field>, mut hidden: usize, budget: usize) -> Vec<Field> {
    loop {
        let more = (hidden > 0).then(|| Field::new("More", &format!("{hidden} more not shown")));
        let size =
            fields.iter().map(Field::size).sum::<usize>() + more.as_ref().map_or(0, Field::size);
        if size <= budget {
            fields.extend(more);
            return fields;
        }
        if fields.pop().is_none() {
            return fields;
        }
        hidden += 1;
    }
}

fn piece(text: Option<&str>, cap: usize) -> Piece<'_> {
    Piece {
        text: text.unwrap_or_default(),
        markup: Markup::Discord,
        cap,
    }
}

/// The route and message, then the error and its details, then the warnings. Under the limit
/// the details are cut first, then the warnings, the message, the route and the error itself.
fn description(notice: &Notice, budget: usize) -> String {
    let route = notice.route.as_ref().map(ToString::to_string);
    let summary = notice.error.as_ref().map(crate::ErrorText::summary);
    let details = notice.error.as_ref().and_then(|e| e.details.as_deref());
    let warnings = human::bullets(&notice.warnings, MAX_WARNINGS);
    let [summary, route, message, warnings, details] = share(
        budget.saturating_sub(DESCRIPTION_OVERHEAD),
        [
            piece(summary.as_deref(), 2048),
            piece(route.as_deref(), 512),
            piece(notice.description.as_deref(), 1024),
            piece(warnings.as_deref(), 1024),
            piece(details, DESCRIPTION_MAX),
        ],
    );
    let mut blocks = Vec::new();
    let lead: Vec<String> = [route, message]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect();
    if !lead.is_empty() {
        blocks.push(lead.join("\n"));
    }
    if !summary.is_empty() {
        let mut block = format!("**Error:** {summary}");
        if !details.is_empty() {
            block.push('\n');
            block.push_str(&details);
        }
        blocks.push(block);
    }
    if !warnings.is_empty() {
        blocks.push(format!("**Warnings:**\n{warnings}"));
    }
    blocks.join("\n\n")
}

#[cfg(test)]
mod tests;
