//! Herald's operational events (`herald.delivery.failed`, `herald.subscription.disabled`):
//! CloudEvents of the tenant they concern, on `{prefix}.ops.{tenant}`, so owners can be told
//! on another channel. Their ids are derived from what they report, so publishing one twice
//! (a redelivered job, a retried batch) is dropped by JetStream's dedupe.

use bytes::Bytes;
use serde_json::{Value, json};

use crate::{HeaderMap, Names, Outgoing};

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
            event_type: "herald.delivery.failed",
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
            event_type: "herald.subscription.disabled",
            data: json!({
                "subscription_id": subscription_id,
                "subscription_name": name,
                "reason": reason,
            }),
        }
    }

    pub fn into_outgoing(self, names: &Names) -> Outgoing {
        let event = json!({
            "specversion": "1.0",
            "id": self.id,
            "source": "herald",
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
