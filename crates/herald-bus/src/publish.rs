//! Pipelined publishing: many messages in flight, their acknowledgements awaited in order, so a
//! batch costs about one round trip instead of one per message.

use std::collections::VecDeque;

use async_nats::HeaderMap;
use async_nats::jetstream::context::PublishAckFuture;
use async_nats::jetstream::message::PublishMessage;
use bytes::Bytes;
use tokio::sync::OwnedSemaphorePermit;

use crate::{Bus, BusError};

/// Most publishes of one call awaiting their ack at once.
const MAX_UNACKED: usize = 1024;
/// Most publishes awaiting their ack in the whole process. async-nats makes a publish wait
/// once 5,000 are unacknowledged on a context, and an unawaited ack keeps its place: tasks
/// that each hold their own acks while waiting for a place wait for each other forever (eight
/// ingest workers did). Staying below, and awaiting one's own acks before waiting for a
/// place, cannot deadlock.
pub(crate) const PROCESS_UNACKED: usize = 4_096;

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
    let mut pending: VecDeque<(String, PublishAckFuture, OwnedSemaphorePermit)> =
        VecDeque::with_capacity(messages.len().min(MAX_UNACKED));
    for message in messages {
        if pending.len() >= MAX_UNACKED
            && let Some((subject, ack, _slot)) = pending.pop_front()
        {
            confirm(subject, ack).await?;
        }
        let slot = loop {
            if let Ok(slot) = bus.publish_slots().clone().try_acquire_owned() {
                break slot;
            }
            // No place free: free one of our own first, so no task waits while holding them.
            match pending.pop_front() {
                Some((subject, ack, _slot)) => confirm(subject, ack).await?,
                None => {
                    break bus
                        .publish_slots()
                        .clone()
                        .acquire_owned()
                        .await
                        .map_err(|_| BusError::Publish {
                            subject: message.subject.clone(),
                            reason: "the connection is shutting down".into(),
                        })?;
                }
            }
        };
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
        pending.push_back((message.subject, ack, slot));
    }
    for (subject, ack, _slot) in pending {
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
