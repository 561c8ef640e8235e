//! The daily digest on Teams: an Adaptive Card with the day's band, counts, failures (at most
//! ten) and schedules, or the same as a legacy MessageCard, as the target's format says.

use herald_domain::{TeamsFormat, TeamsTarget};
use serde_json::{Value, json};

use super::TITLE_MAX;
use super::adaptive_card::colours;
use crate::escape::Markup;
use crate::text::fit;
use crate::{DigestLines, DigestReport, digest_chat, style};

/// Each block of text; together far below the 28 KB Teams takes.
const TEXT_MAX: usize = 4000;

pub fn teams_digest(report: &DigestReport, target: &TeamsTarget) -> Value {
    let lines = digest_chat(report);
    match target.format {
        TeamsFormat::AdaptiveCard => adaptive_card(&lines),
        TeamsFormat::MessageCard => message_card(&lines),
    }
}

fn headline(lines: &DigestLines) -> String {
    format!("{} {}", style::icon(lines.outcome), lines.title)
}

fn text_block(text: String) -> Value {
    json!({ "type": "TextBlock", "text": text, "wrap": true })
}

fn adaptive_card(lines: &DigestLines) -> Value {
    let (style, colour) = colours(lines.outcome);
    let header = json!({
        "type": "Container",
        "style": style,
        "bleed": true,
        "items": [{
            "type": "TextBlock",
            "text": fit(&headline(lines), TITLE_MAX, Markup::Teams),
            "size": "Large",
            "weight": "Bolder",
            "color": colour,
            "wrap": true,
        }],
    });
    let mut body = vec![
        header,
        text_block(fit(&lines.counts_text(), TEXT_MAX, Markup::Teams)),
    ];
    if let Some(failures) = lines.failures_text() {
        let mut block = text_block(format!(
            "**Failures:**\n\n{}",
            fit(&failures, TEXT_MAX, Markup::Teams)
        ));
        block["color"] = json!("Attention");
        body.push(block);
    }
    if let Some(schedules) = lines.schedules_text() {
        body.push(text_block(format!(
            "**Schedules:**\n\n{}",
            fit(&schedules, TEXT_MAX, Markup::Teams)
        )));
    }
    let mut footer = text_block(fit(&lines.footer, TEXT_MAX, Markup::Teams));
    footer["isSubtle"] = json!(true);
    footer["size"] = json!("Small");
    body.push(footer);
    json!({
        "type": "message",
        "attachments": [{
            "contentType": "application/vnd.microsoft.card.adaptive",
            "contentUrl": null,
            "content": {
                "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                "type": "AdaptiveCard",
                "version": "1.4",
                "fallbackText": fit(&headline(lines), TITLE_MAX, Markup::Inert),
                "msteams": { "width": "Full" },
                "body": body,
            },
        }],
    })
}

fn message_card(lines: &DigestLines) -> Value {
    let mut sections =
        vec![json!({ "text": fit(&lines.counts_text(), TEXT_MAX, Markup::MessageCard) })];
    if let Some(failures) = lines.failures_text() {
        let text = fit(&failures, TEXT_MAX, Markup::MessageCard);
        sections.push(json!({ "title": "Failures", "text": text }));
    }
    if let Some(schedules) = lines.schedules_text() {
        let text = fit(&schedules, TEXT_MAX, Markup::MessageCard);
        sections.push(json!({ "title": "Schedules", "text": text }));
    }
    sections.push(json!({ "text": fit(&lines.footer, TEXT_MAX, Markup::MessageCard) }));
    json!({
        "@type": "MessageCard",
        "@context": "https://schema.org/extensions",
        "summary": fit(&headline(lines), TITLE_MAX, Markup::Inert),
        "themeColor": format!("{:06X}", style::colour(lines.outcome)),
        "title": fit(&headline(lines), TITLE_MAX, Markup::MessageCard),
        "sections": sections,
    })
}
