//! One event as a person reads it, before any channel's markup: the channel-neutral model
//! every renderer (and later the email channel) starts from.

use std::fmt;

use chrono::{DateTime, Utc};
use herald_domain::{EventType, Outcome, WebhookUrl};
use serde_json::Value;

use crate::{family, generic, ops, read, style};

/// An event made readable: what happened (outcome, icon, colour, title), to what (name,
/// route), the details worth a glance (facts, error, warnings) and where to look (link).
/// Text here is plain and unescaped; each renderer escapes it for its own markup.
#[derive(Debug, Clone, PartialEq)]
pub struct Notice {
    pub outcome: Outcome,
    pub icon: &'static str,
    /// 0xRRGGBB.
    pub colour: u32,
    /// `Transfer complete`, without the icon (see [`Notice::headline`]).
    pub title: String,
    /// The job, transfer, snapshot or repository the event is about.
    pub name: Option<String>,
    pub route: Option<Route>,
    /// A sentence from the publisher (`data.message` of a custom event).
    pub description: Option<String>,
    /// In reading order: the most telling first, labels last.
    pub facts: Vec<Fact>,
    pub error: Option<ErrorText>,
    pub warnings: Vec<String>,
    pub time: DateTime<Utc>,
    /// An http(s) URL from `data.url` or `data.link`.
    pub link: Option<String>,
    pub tenant: String,
    pub event_type: String,
    pub event_id: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fact {
    pub label: String,
    pub value: String,
}

/// Where data went: `dropbox:/files → s3:/archive`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    pub source: Option<String>,
    pub destination: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorText {
    pub code: Option<String>,
    pub message: Option<String>,
    pub details: Option<String>,
}

/// What a family's data contributes; the event's envelope supplies the rest.
#[derive(Debug, Default)]
pub(crate) struct Layout {
    /// A title of the layout's own instead of the one read from the type (Herald's events).
    pub title: Option<String>,
    /// How the event looks when that differs from its type's outcome (Herald's events).
    pub outcome: Option<Outcome>,
    pub name: Option<String>,
    pub route: Option<Route>,
    pub description: Option<String>,
    pub facts: Vec<Fact>,
    pub warnings: Vec<String>,
}

impl Notice {
    /// Reads a CloudEvents JSON document. Never fails: whatever is missing or malformed is
    /// left out, so even an odd event still notifies someone.
    pub fn from_event(event: &Value) -> Notice {
        let event_type = event
            .get("type")
            .and_then(Value::as_str)
            .and_then(read::clean)
            .unwrap_or_default();
        let outcome = EventType::parse(&event_type).map_or(Outcome::Info, |t| t.outcome());
        let data = event.get("data").unwrap_or(&Value::Null);
        let layout = match event_type.split('.').next().unwrap_or_default() {
            "transfer" => family::transfer(data, outcome),
            "backup" => family::backup(data, outcome),
            "snapshot" => family::snapshot(data),
            "restore" => family::restore(data),
            "gc" => family::gc(data),
            "verify" => family::verify(data),
            "herald" => ops::layout(&event_type, data, read::time(event.get("time")))
                .unwrap_or_else(|| generic::layout(data)),
            _ => generic::layout(data),
        };
        let outcome = layout.outcome.unwrap_or(outcome);
        // An event without a readable time is not worth dropping; the ends of the work it
        // reports come closest, and the epoch marks a publisher's bug plainly.
        let time = read::time(event.get("time"))
            .or_else(|| read::time(data.get("ended_at")))
            .or_else(|| read::time(data.get("started_at")))
            .unwrap_or(DateTime::UNIX_EPOCH);
        Notice {
            outcome,
            icon: style::icon(outcome),
            colour: style::colour(outcome),
            title: layout.title.unwrap_or_else(|| style::title(&event_type)),
            // Names and routes are shown in titles and single lines.
            name: layout.name.map(read::one_line),
            route: layout.route.map(|route| Route {
                source: route.source.map(read::one_line),
                destination: route.destination.map(read::one_line),
            }),
            description: ops::with_fallback_note(event, layout.description),
            facts: layout.facts,
            error: ErrorText::from_data(data),
            warnings: layout.warnings,
            time,
            link: link(data),
            tenant: read::text(event.get("tenant")).unwrap_or_default(),
            event_type,
            event_id: read::text(event.get("id")).unwrap_or_default(),
        }
    }

    /// One line of plain text: `❌ Transfer failed: nightly-backup`. Slack's fallback text,
    /// Teams' summary, and a fine email subject.
    pub fn headline(&self) -> String {
        match &self.name {
            Some(name) => format!("{} {}: {name}", self.icon, self.title),
            None => format!("{} {}", self.icon, self.title),
        }
    }

    pub fn is_failure(&self) -> bool {
        self.outcome == Outcome::Failure
    }
}

impl Route {
    pub(crate) fn new(source: Option<String>, destination: Option<String>) -> Option<Route> {
        (source.is_some() || destination.is_some()).then_some(Route {
            source,
            destination,
        })
    }
}

/// `a → b`, `from a`, `to b`.
impl fmt::Display for Route {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.source, &self.destination) {
            (Some(source), Some(destination)) => write!(f, "{source} → {destination}"),
            (Some(source), None) => write!(f, "from {source}"),
            (None, Some(destination)) => write!(f, "to {destination}"),
            (None, None) => Ok(()),
        }
    }
}

impl ErrorText {
    /// `data.error` as `{code, message, details}` or a plain string; Herald's own
    /// `herald.delivery.failed` says `last_error`.
    fn from_data(data: &Value) -> Option<ErrorText> {
        let error = data.get("error").or_else(|| data.get("last_error"))?;
        let found = match error {
            Value::Object(fields) => ErrorText {
                code: read::text(fields.get("code")),
                message: read::text(fields.get("message")),
                details: read::text(fields.get("details")).or_else(|| {
                    match fields.get("details") {
                        Some(nested @ (Value::Object(_) | Value::Array(_))) => {
                            read::clean(&nested.to_string())
                        }
                        _ => None,
                    }
                }),
            },
            scalar => ErrorText {
                code: None,
                message: read::text(Some(scalar)),
                details: None,
            },
        };
        (found.code.is_some() || found.message.is_some() || found.details.is_some())
            .then_some(found)
    }

    /// `Access denied (ACCESS_DENIED)`: the message, with the code when there is one.
    pub fn summary(&self) -> String {
        match (&self.message, &self.code) {
            (Some(message), Some(code)) => format!("{message} ({code})"),
            (Some(message), None) => message.clone(),
            (None, Some(code)) => code.clone(),
            (None, None) => "No message".to_owned(),
        }
    }
}

/// The most a link may be: long enough for any real dashboard URL, short enough for every
/// platform's URL fields.
const MAX_LINK: usize = 2000;

fn link(data: &Value) -> Option<String> {
    ["url", "link"]
        .iter()
        .filter_map(|key| data.get(*key)?.as_str())
        .filter_map(|text| WebhookUrl::parse(text.trim()).ok())
        .map(|url| url.as_str().to_owned())
        .find(|url| url.len() <= MAX_LINK)
}

#[cfg(test)]
mod tests;
