//! The legacy MessageCard for Office 365 connectors: a title, a theme colour, a section of
//! facts, the error and warnings as sections, and a link as an `OpenUri` action. Its text is
//! markdown over HTML, escaped as such.

use serde_json::{Value, json};

use super::{Caps, LABEL_MAX, TITLE_MAX, shown_facts};
use crate::Notice;
use crate::escape::Markup;
use crate::human;
use crate::text::fit;

pub(super) fn message(notice: &Notice, caps: Caps) -> Value {
    let mut sections: Vec<Value> = Vec::new();
    sections.extend(lead(notice, caps));
    // What went wrong comes before the facts: on a failure it is what the reader is after.
    if let Some(error) = &notice.error {
        let mut text = fit(&error.summary(), caps.text, Markup::MessageCard);
        if let Some(details) = &error.details {
            text.push_str("\n\n");
            text.push_str(&fit(details, caps.text, Markup::MessageCard));
        }
        sections.push(json!({ "title": "Error", "text": text }));
    }
    if let Some(list) = human::bullets(&notice.warnings, caps.warnings) {
        let text = fit(&list, caps.text, Markup::MessageCard);
        sections.push(json!({ "title": "Warnings", "text": text }));
    }
    sections.extend(facts(notice, caps));
    sections.push(json!({ "text": footer(notice) }));
    let mut card = json!({
        "@type": "MessageCard",
        "@context": "https://schema.org/extensions",
        // Shown in notifications as plain text.
        "summary": fit(&notice.headline(), TITLE_MAX, Markup::Inert),
        "themeColor": format!("{:06X}", notice.colour),
        "title": fit(&notice.headline(), TITLE_MAX, Markup::MessageCard),
        "sections": sections,
    });
    if let Some(link) = &notice.link {
        card["potentialAction"] = json!([{
            "@type": "OpenUri",
            "name": "Details",
            "targets": [{ "os": "default", "uri": link }],
        }]);
    }
    card
}

/// The route and the publisher's message.
fn lead(notice: &Notice, caps: Caps) -> Option<Value> {
    let route = notice.route.as_ref().map(ToString::to_string);
    let lines: Vec<String> = [route.as_deref(), notice.description.as_deref()]
        .into_iter()
        .flatten()
        .map(|line| fit(line, caps.text, Markup::MessageCard))
        .collect();
    (!lines.is_empty()).then(|| json!({ "text": lines.join("\n\n") }))
}

fn facts(notice: &Notice, caps: Caps) -> Option<Value> {
    let (shown, more) = shown_facts(notice, caps);
    let mut facts: Vec<Value> = shown
        .iter()
        .map(|fact| fact_json(&fact.label, &fact.value, caps))
        .collect();
    facts.extend(more.map(|more| fact_json("More", &more, caps)));
    (!facts.is_empty()).then(|| json!({ "facts": facts }))
}

fn fact_json(label: &str, value: &str, caps: Caps) -> Value {
    json!({
        "name": fit(label, LABEL_MAX, Markup::MessageCard),
        "value": fit(value, caps.fact, Markup::MessageCard),
    })
}

/// MessageCards have no local-time function, so the time is in UTC, said so.
fn footer(notice: &Notice) -> String {
    let mut parts = vec![notice.time.format("%Y-%m-%d %H:%M UTC").to_string()];
    for part in [&notice.tenant, &notice.event_type, &notice.event_id] {
        if !part.is_empty() {
            parts.push(fit(part, 300, Markup::MessageCard));
        }
    }
    parts.join(" · ")
}
