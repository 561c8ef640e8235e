//! Herald's operational events (`herald.delivery.failed`, `herald.subscription.disabled`,
//! `herald.subscription.recovered`): CloudEvents of the tenant they concern, on
//! `{prefix}.ops.{tenant}`, so owners can be told on another channel. Ingest reads them back
//! from `{P}_OPS` and routes them like any event of the tenant. Their ids are derived from
//! what they report, so publishing one twice (a redelivered job, a retried batch) is dropped by
//! JetStream's dedupe and stored once.

use std::fmt;

use bytes::Bytes;
use serde_json::{Value, json};

use crate::{HeaderMap, Names, Outgoing};

pub const DELIVERY_FAILED: &str = "herald.delivery.failed";
pub const SUBSCRIPTION_DISABLED: &str = "herald.subscription.disabled";
pub const SUBSCRIPTION_RECOVERED: &str = "herald.subscription.recovered";

/// The `source` of every event Herald makes itself.
pub const HERALD_SOURCE: &str = "herald";

/// Types starting with this are Herald's own; publishers may not send them.
const RESERVED_PREFIX: &str = "herald.";

/// Whether `event_type` is an operational event: a delivery of one never reports on itself
/// (see `docs/behaviour.md`, "Herald's own events").
pub fn is_ops_type(event_type: &str) -> bool {
    event_type.starts_with("herald.delivery.") || event_type.starts_with("herald.subscription.")
}

/// Why an event's type does not belong where it was published.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MisplacedType {
    /// A publisher sent one of Herald's own types (`herald.…`) on the events subjects: it
    /// could pass for an operational event and tell owners of failures that never happened.
    Reserved { event_type: String },
    /// Something other than Herald's own events on `{prefix}.ops.{tenant}`.
    NotOperational { event_type: String, source: String },
}

impl MisplacedType {
    /// The rejection code, stable like every other (`Herald-Rejection-Code`, metrics, API).
    pub fn code(&self) -> &'static str {
        match self {
            MisplacedType::Reserved { .. } => "reserved_type",
            MisplacedType::NotOperational { .. } => "not_operational",
        }
    }
}

impl fmt::Display for MisplacedType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MisplacedType::Reserved { event_type } => write!(
                f,
                "the type {event_type:?} is reserved: types starting with \"herald.\" are Herald's own events"
            ),
            MisplacedType::NotOperational { event_type, source } => write!(
                f,
                "only Herald's own events (type herald.…, source \"herald\") are read from the ops subjects, not {event_type:?} from {source:?}"
            ),
        }
    }
}

/// What a publisher may send on the events subjects (and `POST /v1/events`): anything but
/// Herald's own types.
pub fn check_published_type(event_type: &str) -> Result<(), MisplacedType> {
    if event_type.starts_with(RESERVED_PREFIX) {
        return Err(MisplacedType::Reserved {
            event_type: event_type.to_owned(),
        });
    }
    Ok(())
}

/// What ingest takes from `{prefix}.ops.{tenant}`: Herald's own types from Herald only.
pub fn check_ops_type(event_type: &str, source: &str) -> Result<(), MisplacedType> {
    if event_type.starts_with(RESERVED_PREFIX) && source == HERALD_SOURCE {
        return Ok(());
    }
    Err(MisplacedType::NotOperational {
        event_type: event_type.to_owned(),
        source: source.to_owned(),
    })
}

/// One operational event, ready to publish.
#[derive(Debug, Clone)]
pub struct OpsEvent {
    pub id: String,
    pub tenant: String,
    pub event_type: &'static str,
    pub data: Value,
}

impl OpsEvent {
    /// A delivery whose attempts ran out, or that cannot succeed.
    pub fn delivery_failed(tenant: &str, delivery_id: &str, attempt: u32, data: Value) -> Self {
        Self {
            id: format!("{delivery_id}:failed:{attempt}"),
            tenant: tenant.to_owned(),
            event_type: DELIVERY_FAILED,
            data,
        }
    }

    /// A subscription switched off: by its receiver (410 Gone, a deleted chat webhook) or
    /// through the API. `occasion` makes the id unique per switch-off (e.g. the delivery id
    /// that caused it, or the time of the API call).
    pub fn subscription_disabled(
        tenant: &str,
        subscription_id: &str,
        name: &str,
        reason: &str,
        occasion: &str,
    ) -> Self {
        Self {
            id: format!("{subscription_id}:disabled:{occasion}"),
            tenant: tenant.to_owned(),
            event_type: SUBSCRIPTION_DISABLED,
            data: json!({
                "subscription_id": subscription_id,
                "subscription_name": name,
                "reason": reason,
            }),
        }
    }

    /// A subscription working again: enabled again through the API, or delivering again
    /// after deliveries failed for good. `occasion` makes the id unique per recovery.
    pub fn subscription_recovered(
        tenant: &str,
        subscription_id: &str,
        name: &str,
        reason: &str,
        occasion: &str,
    ) -> Self {
        Self {
            id: format!("{subscription_id}:recovered:{occasion}"),
            tenant: tenant.to_owned(),
            event_type: SUBSCRIPTION_RECOVERED,
            data: json!({
                "subscription_id": subscription_id,
                "subscription_name": name,
                "reason": reason,
            }),
        }
    }

    /// Adds a data field (`channel`, `last_status_code`, …); a null value is left out, so
    /// the event says only what is known.
    pub fn with(mut self, key: &str, value: Value) -> Self {
        if !value.is_null()
            && let Value::Object(data) = &mut self.data
        {
            data.insert(key.to_owned(), value);
        }
        self
    }

    pub fn into_outgoing(self, names: &Names) -> Outgoing {
        let event = json!({
            "specversion": "1.0",
            "id": self.id,
            "source": HERALD_SOURCE,
            "type": self.event_type,
            "time": chrono::Utc::now(),
            "tenant": self.tenant,
            "datacontenttype": "application/json",
            "data": self.data,
        });
        let mut headers = HeaderMap::new();
        headers.insert("Content-Type", "application/cloudevents+json");
        Outgoing {
            subject: names.ops_subject(&self.tenant),
            msg_id: self.id,
            headers,
            payload: Bytes::from(event.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn publishers_cannot_send_herald_types_and_the_ops_subjects_take_nothing_else() {
        assert_eq!(check_published_type("transfer.failed"), Ok(()));
        assert_eq!(check_published_type("heraldry.failed"), Ok(()));
        let forged = check_published_type(DELIVERY_FAILED).unwrap_err();
        assert_eq!(forged.code(), "reserved_type");
        assert!(forged.to_string().contains("reserved"), "{forged}");

        assert_eq!(check_ops_type(SUBSCRIPTION_DISABLED, "herald"), Ok(()));
        let foreign = check_ops_type("transfer.failed", "herald").unwrap_err();
        assert_eq!(foreign.code(), "not_operational");
        assert!(check_ops_type(DELIVERY_FAILED, "cloudklone://prod").is_err());
    }

    #[test]
    fn only_delivery_and_subscription_events_are_operational() {
        assert!(is_ops_type(DELIVERY_FAILED));
        assert!(is_ops_type(SUBSCRIPTION_DISABLED));
        assert!(is_ops_type(SUBSCRIPTION_RECOVERED));
        assert!(!is_ops_type("herald.digest"));
        assert!(!is_ops_type("transfer.failed"));
    }

    #[test]
    fn unknown_values_are_left_out() {
        let event = OpsEvent::subscription_disabled("acme", "sub_1", "ops", "gone", "x")
            .with("channel", json!("slack"))
            .with("last_status_code", Value::Null);
        assert_eq!(event.data["channel"], "slack");
        assert!(event.data.get("last_status_code").is_none());
    }
}
