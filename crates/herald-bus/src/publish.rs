//! Pipelined publishing: send every message, then await every acknowledgement, so a batch costs
//! one round trip instead of one per message.

use async_nats::HeaderMap;
use async_nats::jetstream::context::PublishAckFuture;
use async_nats::jetstream::message::PublishMessage;
use bytes::Bytes;

use crate::{Bus, BusError};

#[derive(Debug, Clone)]
pub struct Outgoing {
    pub subject: String,
    /// Becomes `Nats-Msg-Id`: JetStream drops a repeat within the duplicate window.
    pub msg_id: String,
    pub headers: HeaderMap,
    pub payload: Bytes,
}

/// Publishes all messages and returns once JetStream has stored every one of them.
pub async fn publish_all(bus: &Bus, messages: Vec<Outgoing>) -> Result<(), BusError> {
    let mut pending: Vec<(String, PublishAckFuture)> = Vec::with_capacity(messages.len());
    for message in messages {
        let publish = PublishMessage::build()
            .payload(message.payload)
            .headers(message.headers)
            .message_id(&message.msg_id);
        let ack = bus
            .jetstream()
            .send_publish(message.subject.clone(), publish)
            .await
            .map_err(|e| BusError::Publish {
                subject: message.subject.clone(),
                reason: e.to_string(),
            })?;
        pending.push((message.subject, ack));
    }
    for (subject, ack) in pending {
        ack.await.map_err(|e| BusError::Publish {
            subject,
            reason: e.to_string(),
        })?;
    }
    Ok(())
}
