//! Pipelined publishing: many messages in flight, their acknowledgements awaited in order, so a
//! batch costs about one round trip instead of one per message.

use std::collections::VecDeque;

use async_nats::HeaderMap;
use async_nats::jetstream::context::PublishAckFuture;
use async_nats::jetstream::message::PublishMessage;
use bytes::Bytes;

use crate::{Bus, BusError};

/// Most publishes awaiting their ack at once. async-nats makes a publish wait once 5,000 are
/// unacknowledged on a context; sending a whole large fan-out before awaiting any ack would
/// wait there forever. Staying well below also leaves room for other tasks on the context.
const MAX_UNACKED: usize = 1024;

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
    let mut pending: VecDeque<(String, PublishAckFuture)> =
        VecDeque::with_capacity(messages.len().min(MAX_UNACKED));
    for message in messages {
        if pending.len() >= MAX_UNACKED
            && let Some((subject, ack)) = pending.pop_front()
        {
            confirm(subject, ack).await?;
        }
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
        pending.push_back((message.subject, ack));
    }
    for (subject, ack) in pending {
        confirm(subject, ack).await?;
    }
    Ok(())
}

async fn confirm(subject: String, ack: PublishAckFuture) -> Result<(), BusError> {
    ack.await.map(|_| ()).map_err(|e| BusError::Publish {
        subject,
        reason: e.to_string(),
    })
}
