//! The daily digest on Discord: one embed in the day's colour, the counts, the failures (at
//! most ten) and the schedules in its description, the zone in its footer. Nobody is
//! mentioned: a daily summary is not an alarm.

use herald_domain::DiscordTarget;
use serde_json::{Value, json};

use super::{DESCRIPTION_MAX, DESCRIPTION_OVERHEAD, FOOTER_SHOWN, TITLE_MAX, USERNAME_MAX};
use crate::escape::Markup;
use crate::text::{Piece, fit, fit_plain, share};
use crate::{DigestReport, digest_chat, style};

pub fn discord_digest(report: &DigestReport, target: &DiscordTarget) -> Value {
    let lines = digest_chat(report);
    let title = format!("{} {}", style::icon(lines.outcome), lines.title);
    let counts = lines.counts_text();
    let failures = lines.failures_text();
    let schedules = lines.schedules_text();
    // Title, description and footer stay well inside the embed's 6,000 together.
    let [counts, failures, schedules] = share(
        DESCRIPTION_MAX - DESCRIPTION_OVERHEAD,
        [
            piece(Some(&counts), 1500),
            piece(failures.as_deref(), DESCRIPTION_MAX),
            piece(schedules.as_deref(), 1500),
        ],
    );
    let mut blocks = vec![counts];
    if !failures.is_empty() {
        blocks.push(format!("**Failures:**\n{failures}"));
    }
    if !schedules.is_empty() {
        blocks.push(format!("**Schedules:**\n{schedules}"));
    }
    let mut message = json!({
        "embeds": [{
            "title": fit(&title, TITLE_MAX, Markup::Discord),
            "color": style::colour(lines.outcome),
            "description": blocks.join("\n\n"),
            "footer": { "text": fit(&lines.footer, FOOTER_SHOWN, Markup::Inert) },
        }],
        "allowed_mentions": { "parse": [] },
    });
    if let Some(username) = &target.username {
        message["username"] = json!(fit_plain(username, USERNAME_MAX));
    }
    if let Some(avatar) = &target.avatar_url {
        message["avatar_url"] = json!(avatar);
    }
    message
}

fn piece(text: Option<&str>, cap: usize) -> Piece<'_> {
    Piece {
        text: text.unwrap_or_default(),
        markup: Markup::Discord,
        cap,
    }
}
