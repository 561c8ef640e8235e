//! A pull consumer read in batches that survives what the server and the network do to it.
//!
//! Pull consumers can stall after reconnects or report missed heartbeats (nats.rs #860,
//! nats-server #5839); any such error drops the message stream and builds a fresh one.

use std::time::Duration;

use async_nats::jetstream::consumer::PullConsumer;
use async_nats::jetstream::consumer::pull::Stream as MessageStream;
use async_nats::jetstream::{AckKind, Message};
use futures::FutureExt as _;
use futures::StreamExt as _;
use futures::stream::ReadyChunks;

use crate::{Bus, ConsumerSettings};

const HEARTBEAT: Duration = Duration::from_secs(5);
/// After this long without a message, ask the server whether messages are waiting: if they
/// are, the stream has stalled and is rebuilt.
const IDLE_CHECK: Duration = Duration::from_secs(20);
const REBUILD_PAUSE: Duration = Duration::from_millis(500);

/// Reads a durable consumer in batches. It creates the consumer itself, and again after an error,
/// so a consumer deleted by an operator comes back.
pub struct BatchSource {
    bus: Bus,
    stream_name: String,
    filter_subject: String,
    settings: ConsumerSettings,
    max_batch: usize,
    consumer: Option<PullConsumer>,
    stream: Option<ReadyChunks<MessageStream>>,
}

impl BatchSource {
    pub fn new(
        bus: Bus,
        stream_name: String,
        filter_subject: String,
        settings: ConsumerSettings,
        max_batch: usize,
    ) -> Self {
        Self {
            bus,
            stream_name,
            filter_subject,
            settings,
            max_batch: max_batch.max(1),
            consumer: None,
            stream: None,
        }
    }

    /// The next batch: whatever has arrived, at least one message, at most `max_batch`. Waits
    /// until there is one; recoverable stream errors are logged and the stream rebuilt.
    pub async fn next_batch(&mut self) -> Vec<Message> {
        loop {
            let stream = match self.stream.as_mut() {
                Some(stream) => stream,
                None => match self.open().await {
                    Some(stream) => self.stream.insert(stream),
                    None => {
                        tokio::time::sleep(REBUILD_PAUSE).await;
                        continue;
                    }
                },
            };
            let next = match tokio::time::timeout(IDLE_CHECK, stream.next()).await {
                Ok(next) => next,
                Err(_) => {
                    self.check_stalled().await;
                    continue;
                }
            };
            match next {
                Some(items) => {
                    let mut batch = Vec::with_capacity(items.len());
                    let mut broken = false;
                    for item in items {
                        match item {
                            Ok(message) => batch.push(message),
                            Err(error) => {
                                tracing::warn!(%error, "Message stream failed, rebuilding it.");
                                broken = true;
                            }
                        }
                    }
                    if broken {
                        self.stream = None;
                        self.consumer = None;
                    }
                    if !batch.is_empty() {
                        return batch;
                    }
                    if broken {
                        tokio::time::sleep(REBUILD_PAUSE).await;
                    }
                }
                None => {
                    tracing::warn!("Message stream ended, rebuilding it.");
                    self.stream = None;
                }
            }
        }
    }

    /// For a process that stops taking batches: stops pulling at once (the message stream
    /// would otherwise keep fetching while the process winds down) and hands every message
    /// already received but not taken back to NATS (a plain NAK), so another replica, or this
    /// one restarted, gets them now instead of after AckWait. Returns how many it handed back.
    pub async fn hand_back_buffered(mut self) -> usize {
        let Some(mut stream) = self.stream.take() else {
            return 0;
        };
        let mut handed_back = 0;
        while let Some(Some(items)) = stream.next().now_or_never() {
            for message in items.into_iter().flatten() {
                let _ = message.ack_with(AckKind::Nak(None)).await;
                handed_back += 1;
            }
        }
        handed_back
    }

    async fn check_stalled(&mut self) {
        let Some(consumer) = self.consumer.as_mut() else {
            return;
        };
        match consumer.info().await {
            Ok(info) if info.num_pending > 0 => {
                tracing::warn!(
                    pending = info.num_pending,
                    "Messages are waiting but none arrived; rebuilding the message stream."
                );
                self.stream = None;
            }
            Ok(_) => {}
            Err(error) => {
                tracing::warn!(%error, "Consumer info failed; rebuilding the consumer.");
                self.stream = None;
                self.consumer = None;
            }
        }
    }

    async fn open(&mut self) -> Option<ReadyChunks<MessageStream>> {
        let consumer = match self.consumer.as_ref() {
            Some(consumer) => consumer,
            None => {
                let created = self
                    .bus
                    .pull_consumer(&self.stream_name, &self.filter_subject, &self.settings)
                    .await;
                match created {
                    Ok(consumer) => self.consumer.insert(consumer),
                    Err(error) => {
                        tracing::warn!(%error, "Cannot create the consumer, will try again.");
                        return None;
                    }
                }
            }
        };
        let result = consumer
            .stream()
            .max_messages_per_batch(self.max_batch)
            .heartbeat(HEARTBEAT)
            .messages()
            .await;
        match result {
            Ok(stream) => Some(stream.ready_chunks(self.max_batch)),
            Err(error) => {
                tracing::warn!(%error, "Cannot open the message stream, will try again.");
                None
            }
        }
    }
}
