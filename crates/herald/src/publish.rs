//! `herald publish`: put a sample event, or one from a file, on the events stream.

use bytes::Bytes;
use herald_bus::{Bus, HeaderMap, Outgoing, publish_all};
use rand::RngCore as _;
use serde_json::Value;

#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    #[error("the event has no string `{0}`")]
    Missing(&'static str),
    #[error(transparent)]
    Bus(#[from] herald_bus::BusError),
}

/// What was published, for the command to print.
#[derive(Debug)]
pub struct Published {
    pub subject: String,
    pub id: String,
    pub trace_id: String,
}

/// Publishes `event` for `tenant` with `Nats-Msg-Id` = its id and a fresh W3C trace, so the
/// event can be followed through ingest and every delivery.
pub async fn publish_event(
    bus: &Bus,
    tenant: &str,
    event: &Value,
) -> Result<Published, PublishError> {
    let id = event
        .get("id")
        .and_then(Value::as_str)
        .ok_or(PublishError::Missing("id"))?;
    let event_type = event
        .get("type")
        .and_then(Value::as_str)
        .ok_or(PublishError::Missing("type"))?;
    let subject = bus.names().event_subject(tenant, event_type);
    let mut trace = [0u8; 16];
    let mut span = [0u8; 8];
    rand::rng().fill_bytes(&mut trace);
    rand::rng().fill_bytes(&mut span);
    let trace_id = hex(&trace);
    let mut headers = HeaderMap::new();
    headers.insert("Content-Type", "application/cloudevents+json");
    headers.insert(
        "traceparent",
        format!("00-{trace_id}-{}-01", hex(&span)).as_str(),
    );
    let payload = Bytes::from(event.to_string());
    publish_all(
        bus,
        vec![Outgoing {
            subject: subject.clone(),
            msg_id: id.to_owned(),
            headers,
            payload,
        }],
    )
    .await?;
    Ok(Published {
        subject,
        id: id.to_owned(),
        trace_id,
    })
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
