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
mod tests {
    use chrono::TimeZone;
    use serde_json::json;

    use super::*;

    fn event(data: Value) -> Event {
        Event {
            tenant: Tenant::parse("acme").unwrap(),
            id: "e-1".into(),
            source: "cloudklone://prod".into(),
            event_type: EventType::parse("transfer.failed").unwrap(),
            time: Utc.with_ymd_and_hms(2026, 11, 22, 2, 30, 0).unwrap(),
            subject: Some("transfers/1".into()),
            data,
        }
    }

    #[test]
    fn cloudevent_carries_every_attribute() {
        let data = json!({"transfer_id": "t-1", "labels": {"env": "prod", "n": 3}});
        let ce = event(data.clone()).to_cloudevent();
        assert_eq!(
            ce,
            json!({
                "specversion": "1.0", "id": "e-1", "source": "cloudklone://prod",
                "type": "transfer.failed", "time": "2026-11-22T02:30:00Z",
                "subject": "transfers/1", "datacontenttype": "application/json",
                "tenant": "acme", "data": data,
            })
        );
        let e = event(data);
        assert_eq!(e.label("env"), Some("prod"));
        assert_eq!(e.label("n"), None);
        assert_eq!(e.label("missing"), None);
    }

    #[test]
    fn cloudevent_without_data_leaves_it_out() {
        let ce = event(Value::Null).to_cloudevent();
        assert!(ce.get("data").is_none());
    }
}
