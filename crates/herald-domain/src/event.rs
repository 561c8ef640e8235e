//! The validated event and what ingest needs to build one.

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{Map, Value};

use crate::{EventType, Outcome, Tenant};

/// An event Herald accepted: attributes checked, data checked for known types.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    pub tenant: Tenant,
    /// The publisher's CloudEvents id, 1..=128 characters.
    pub id: String,
    pub source: String,
    pub event_type: EventType,
    pub time: DateTime<Utc>,
    pub subject: Option<String>,
    /// An object, or `Null` when a custom event carried no data.
    pub data: Value,
    /// Every other attribute the publisher set (CloudEvents extensions such as `traceparent`
    /// or `partitionkey`, and `dataschema`), kept as sent.
    pub extensions: Map<String, Value>,
}

impl Event {
    /// Canonical CloudEvents 1.0 structured JSON, the body of a default webhook delivery.
    /// `data` is left out when the event had none, as CloudEvents allows.
    pub fn to_cloudevent(&self) -> Value {
        let mut out = Map::new();
        out.insert("specversion".into(), "1.0".into());
        out.insert("id".into(), self.id.clone().into());
        out.insert("source".into(), self.source.clone().into());
        out.insert("type".into(), self.event_type.as_str().into());
        out.insert(
            "time".into(),
            self.time
                .to_rfc3339_opts(SecondsFormat::AutoSi, true)
                .into(),
        );
        if let Some(subject) = &self.subject {
            out.insert("subject".into(), subject.clone().into());
        }
        out.insert("datacontenttype".into(), "application/json".into());
        out.insert("tenant".into(), self.tenant.as_str().into());
        for (name, value) in &self.extensions {
            out.insert(name.clone(), value.clone());
        }
        if !self.data.is_null() {
            out.insert("data".into(), self.data.clone());
        }
        Value::Object(out)
    }

    pub fn outcome(&self) -> Outcome {
        self.event_type.outcome()
    }

    /// `data.labels[key]`, when it is a string.
    pub fn label(&self, key: &str) -> Option<&str> {
        self.data.get("labels")?.get(key)?.as_str()
    }

    /// `data[field]`, when it is a string (e.g. `source`, `destination`).
    pub fn data_str(&self, field: &str) -> Option<&str> {
        self.data.get(field)?.as_str()
    }
}

/// Limits applied before anything else is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EventLimits {
    pub max_bytes: usize,
}

impl Default for EventLimits {
    fn default() -> Self {
        EventLimits {
            max_bytes: 1024 * 1024,
        }
    }
}

/// One message as it arrived on `{prefix}.events.{tenant}.{type}`.
#[derive(Debug, Clone, Copy)]
pub struct Incoming<'a> {
    pub subject_tenant: &'a str,
    pub subject_type: &'a str,
    pub content_type: Option<&'a str>,
    pub body: &'a [u8],
    /// Used as the event time when the publisher sent none.
    pub received_at: DateTime<Utc>,
}

#[cfg(test)]
mod tests;
