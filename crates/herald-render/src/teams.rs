//! Microsoft Teams: an Adaptive Card in the envelope Workflows webhooks take, or the legacy
//! MessageCard that Office 365 connectors still take (`format: message_card`).

mod adaptive_card;
mod digest;
mod message_card;

use herald_domain::{TeamsFormat, TeamsTarget};
use serde_json::Value;

use crate::{Fact, Notice};

pub use digest::teams_digest;

pub fn teams_message(notice: &Notice, target: &TeamsTarget) -> Value {
    match target.format {
        TeamsFormat::AdaptiveCard => within_limit(|caps| adaptive_card::message(notice, caps)),
        TeamsFormat::MessageCard => within_limit(|caps| message_card::message(notice, caps)),
    }
}

/// Teams refuses a message body above 28 KB of JSON.
pub(crate) const BODY_MAX: usize = 28_000;
/// The headline in a card's title; Teams shows it whole, wrapped.
const TITLE_MAX: usize = 400;
const LABEL_MAX: usize = 100;

/// How much of the long texts a card shows. A card that is still too large is built again with
/// every cap halved, so the longest texts (error details, long facts) give way first and in
/// proportion, and the title and the first facts stay.
#[derive(Debug, Clone, Copy)]
struct Caps {
    /// Route, message, error, details, warnings: each.
    text: usize,
    /// Each fact's value.
    fact: usize,
    /// How many facts, a closing "More" included.
    facts: usize,
    warnings: usize,
}

const LEVELS: u32 = 6;

impl Caps {
    fn at(level: u32) -> Caps {
        Caps {
            text: 4000 >> level,
            fact: 1000 >> level,
            facts: (30 >> level).max(2),
            warnings: (20 >> level).max(1),
        }
    }
}

/// The first rendering, from the most generous caps down, whose JSON fits in `BODY_MAX`.
/// The last level is small enough to fit whatever the event held.
fn within_limit(render: impl Fn(Caps) -> Value) -> Value {
    let mut level = 0;
    loop {
        let message = render(Caps::at(level));
        if level + 1 == LEVELS || message.to_string().len() <= BODY_MAX {
            return message;
        }
        level += 1;
    }
}

/// The facts a card shows: at most `caps.facts`, the last replaced by a count when more.
fn shown_facts(notice: &Notice, caps: Caps) -> (&[Fact], Option<String>) {
    let facts = &notice.facts;
    if facts.len() <= caps.facts {
        return (facts, None);
    }
    let shown = caps.facts - 1;
    (
        &facts[..shown],
        Some(format!("{} more not shown", facts.len() - shown)),
    )
}

#[cfg(test)]
mod tests;
