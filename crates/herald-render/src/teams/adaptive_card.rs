//! The Adaptive Card (1.4) in the envelope a Teams Workflows webhook takes: a coloured header,
//! the facts as a FactSet, the error, and the time as Teams' `DATE`/`TIME` functions so each
//! reader sees their own local time.

use chrono::SecondsFormat;
use serde_json::{Value, json};

use herald_domain::Outcome;

use super::{Caps, LABEL_MAX, TITLE_MAX, shown_facts};
use crate::Notice;
use crate::escape::Markup;
use crate::human;
use crate::text::fit;

pub(super) fn message(notice: &Notice, caps: Caps) -> Value {
    json!({
        "type": "message",
        "attachments": [{
            "contentType": "application/vnd.microsoft.card.adaptive",
            "contentUrl": null,
            "content": card(notice, caps),
        }],
    })
}

fn card(notice: &Notice, caps: Caps) -> Value {
    let mut body = vec![header(notice, caps)];
    if let Some(description) = &notice.description {
        body.push(text_block(fit(description, caps.text, Markup::Teams)));
    }
    // What went wrong comes before the facts: on a failure it is what the reader is after.
    if let Some(error) = &notice.error {
        let summary = fit(&error.summary(), caps.text, Markup::Teams);
        let mut block = text_block(format!("**Error:** {summary}"));
        block["color"] = json!("Attention");
        body.push(block);
        if let Some(details) = &error.details {
            let mut block = text_block(fit(details, caps.text, Markup::Teams));
            block["isSubtle"] = json!(true);
            block["spacing"] = json!("Small");
            body.push(block);
        }
    }
    if let Some(list) = human::bullets(&notice.warnings, caps.warnings) {
        let mut block = text_block(format!(
            "**Warnings:**\n\n{}",
            fit(&list, caps.text, Markup::Teams)
        ));
        block["color"] = json!("Warning");
        body.push(block);
    }
    body.extend(facts(notice, caps));
    body.push(footer(notice));
    let mut card = json!({
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "fallbackText": fit(&notice.headline(), TITLE_MAX, Markup::Inert),
        "msteams": { "width": "Full" },
        "body": body,
    });
    if let Some(link) = &notice.link {
        card["actions"] = json!([{ "type": "Action.OpenUrl", "title": "Details", "url": link }]);
    }
    card
}

/// The container style (a tinted band) and the matching text colour of an outcome.
pub(super) fn colours(outcome: Outcome) -> (&'static str, &'static str) {
    match outcome {
        Outcome::Success => ("good", "Good"),
        Outcome::Failure => ("attention", "Attention"),
        Outcome::Warning => ("warning", "Warning"),
        Outcome::Started => ("accent", "Accent"),
        Outcome::Info => ("emphasis", "Default"),
    }
}

fn text_block(text: String) -> Value {
    json!({ "type": "TextBlock", "text": text, "wrap": true })
}

/// The headline and route on a band of the outcome's colour.
fn header(notice: &Notice, caps: Caps) -> Value {
    let (style, colour) = colours(notice.outcome);
    let mut items = vec![json!({
        "type": "TextBlock",
        "text": fit(&notice.headline(), TITLE_MAX, Markup::Teams),
        "size": "Large",
        "weight": "Bolder",
        "color": colour,
        "wrap": true,
    })];
    if let Some(route) = &notice.route {
        let mut block = text_block(fit(&route.to_string(), caps.text, Markup::Teams));
        block["spacing"] = json!("Small");
        items.push(block);
    }
    json!({ "type": "Container", "style": style, "bleed": true, "items": items })
}

fn facts(notice: &Notice, caps: Caps) -> Option<Value> {
    let (shown, more) = shown_facts(notice, caps);
    let mut facts: Vec<Value> = shown
        .iter()
        .map(|fact| fact_json(&fact.label, &fact.value, caps))
        .collect();
    facts.extend(more.map(|more| fact_json("More", &more, caps)));
    (!facts.is_empty()).then(|| json!({ "type": "FactSet", "facts": facts }))
}

fn fact_json(label: &str, value: &str, caps: Caps) -> Value {
    json!({
        "title": fit(label, LABEL_MAX, Markup::Teams),
        "value": fit(value, caps.fact, Markup::Teams),
    })
}

/// `{{DATE(…, SHORT)}} {{TIME(…)}}` are Teams' own: it shows them in the reader's zone.
fn footer(notice: &Notice) -> Value {
    let time = notice.time.to_rfc3339_opts(SecondsFormat::Secs, true);
    let mut parts = vec![format!("{{{{DATE({time}, SHORT)}}}} {{{{TIME({time})}}}}")];
    for part in [&notice.tenant, &notice.event_type, &notice.event_id] {
        if !part.is_empty() {
            parts.push(fit(part, 300, Markup::Teams));
        }
    }
    json!({
        "type": "TextBlock",
        "text": parts.join(" · "),
        "isSubtle": true,
        "size": "Small",
        "spacing": "Medium",
        "wrap": true,
    })
}
