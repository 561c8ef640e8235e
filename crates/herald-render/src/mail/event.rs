//! The mail of one event: the notice's facts, each bounded, as the view that `event.html.j2`
//! and `event.txt.j2` lay out.

use serde::Serialize;

use super::{MailContent, mail_subject, palette, render};
use crate::text::fit_plain;
use crate::{ErrorText, Notice};

/// Far more than anyone reads in a mail, and it keeps a publisher's megabyte of stack trace
/// from becoming a megabyte of mail.
const NAME_MAX: usize = 300;
const ROUTE_MAX: usize = 1000;
const DESCRIPTION_MAX: usize = 4000;
const CODE_MAX: usize = 200;
const MESSAGE_MAX: usize = 2000;
const DETAILS_MAX: usize = 5000;
const MAX_WARNINGS: usize = 20;
const WARNING_MAX: usize = 1000;
/// The same 30 as the chat messages, a closing "More" included.
const MAX_FACTS: usize = 30;
const LABEL_MAX: usize = 100;
const VALUE_MAX: usize = 1000;
/// Small print: ids, tenant and type.
const ID_MAX: usize = 300;
/// What an inbox shows beside the subject.
const PREHEADER_MAX: usize = 150;

#[derive(Debug, Serialize)]
struct View {
    subject: String,
    /// The inbox preview line: what went wrong, else where the data went.
    preheader: String,
    band: String,
    icon: &'static str,
    title: String,
    name: Option<String>,
    route: Option<String>,
    description: Option<String>,
    error: Option<ErrorView>,
    warnings: Vec<String>,
    warnings_more: usize,
    facts: Vec<FactView>,
    /// `2026-03-01 09:30:00 UTC`.
    time: String,
    link: Option<String>,
    tenant: String,
    event_type: String,
    event_id: String,
}

#[derive(Debug, Serialize)]
struct ErrorView {
    code: Option<String>,
    message: Option<String>,
    details: Option<String>,
}

#[derive(Debug, Serialize)]
struct FactView {
    label: String,
    value: String,
}

/// The mail of one event: the headline as its subject (`❌ Transfer failed: nightly-backup`),
/// and the same facts as the chat messages in a text and an HTML part.
pub fn event_mail(notice: &Notice) -> MailContent {
    let view = view(notice);
    render("event", &view.subject, &view)
}

fn view(notice: &Notice) -> View {
    let fit = |text: &str, max| fit_plain(text, max);
    let route = notice.route.as_ref().map(ToString::to_string);
    let (warnings, warnings_more) = capped(&notice.warnings, MAX_WARNINGS);
    View {
        subject: mail_subject(&notice.headline()),
        preheader: preheader(notice, route.as_deref()),
        band: palette::band(notice.colour),
        icon: notice.icon,
        title: fit(&notice.title, NAME_MAX),
        name: notice.name.as_deref().map(|name| fit(name, NAME_MAX)),
        route: route.as_deref().map(|route| fit(route, ROUTE_MAX)),
        description: notice
            .description
            .as_deref()
            .map(|d| fit(d, DESCRIPTION_MAX)),
        error: notice.error.as_ref().map(error),
        warnings: warnings.iter().map(|w| fit(w, WARNING_MAX)).collect(),
        warnings_more,
        facts: facts(notice),
        time: notice.time.format("%Y-%m-%d %H:%M:%S UTC").to_string(),
        link: notice.link.clone(),
        tenant: fit(&notice.tenant, ID_MAX),
        event_type: fit(&notice.event_type, ID_MAX),
        event_id: fit(&notice.event_id, ID_MAX),
    }
}

/// The first `max` items, and how many more there are.
fn capped<T>(items: &[T], max: usize) -> (&[T], usize) {
    let shown = items.len().min(max);
    (&items[..shown], items.len() - shown)
}

fn error(error: &ErrorText) -> ErrorView {
    let fit = |text: &Option<String>, max| text.as_deref().map(|text| fit_plain(text, max));
    ErrorView {
        code: fit(&error.code, CODE_MAX),
        message: fit(&error.message, MESSAGE_MAX),
        details: fit(&error.details, DETAILS_MAX),
    }
}

/// Up to 30 facts; when there are more, the last place says how many were left out.
fn facts(notice: &Notice) -> Vec<FactView> {
    let all = &notice.facts;
    let shown = if all.len() > MAX_FACTS {
        MAX_FACTS - 1
    } else {
        all.len()
    };
    let mut facts: Vec<FactView> = all[..shown]
        .iter()
        .map(|fact| FactView {
            label: fit_plain(&fact.label, LABEL_MAX),
            value: fit_plain(&fact.value, VALUE_MAX),
        })
        .collect();
    if shown < all.len() {
        facts.push(FactView {
            label: "More".to_owned(),
            value: format!("{} more not shown", all.len() - shown),
        });
    }
    facts
}

fn preheader(notice: &Notice, route: Option<&str>) -> String {
    let summary = notice.error.as_ref().map(ErrorText::summary);
    let line = summary
        .as_deref()
        .or(notice.warnings.first().map(String::as_str))
        .or(route)
        .or(notice.description.as_deref())
        .unwrap_or_default();
    fit_plain(
        &line.split_whitespace().collect::<Vec<_>>().join(" "),
        PREHEADER_MAX,
    )
}
