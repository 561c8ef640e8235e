//! How far a durable consumer is behind, as JetStream itself counts it: two cheap requests to
//! the server, never a scan of anything.

use std::time::{Duration, SystemTime};

use async_nats::jetstream::context::ConsumerInfoErrorKind;

use crate::{Bus, BusError};

/// A consumer's backlog at one moment.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ConsumerLag {
    /// Messages of the stream the consumer has not been handed yet.
    pub pending: u64,
    /// Messages handed out and not acked yet (in work, or waiting for a retry's delay).
    pub ack_pending: u64,
    /// Messages handed out more than once and not acked yet.
    pub redelivered: u64,
    /// Every message up to this stream sequence is acked.
    pub ack_floor: u64,
}

impl ConsumerLag {
    pub fn is_empty(&self) -> bool {
        self.pending == 0 && self.ack_pending == 0
    }
}

impl Bus {
    /// The consumer's backlog; `None` while the consumer does not exist (its target creates it
    /// when it starts reading).
    pub async fn consumer_lag(
        &self,
        stream: &str,
        consumer: &str,
    ) -> Result<Option<ConsumerLag>, BusError> {
        let stream = self
            .jetstream()
            .get_stream_no_info(stream)
            .await
            .map_err(|e| BusError::js("stream lookup", e))?;
        match stream.consumer_info(consumer).await {
            Ok(info) => Ok(Some(ConsumerLag {
                pending: info.num_pending,
                ack_pending: info.num_ack_pending as u64,
                redelivered: info.num_redelivered as u64,
                ack_floor: info.ack_floor.stream_sequence,
            })),
            Err(error) if matches!(error.kind(), ConsumerInfoErrorKind::NotFound) => Ok(None),
            Err(error) => Err(BusError::js("consumer info", error)),
        }
    }

    /// When the oldest message the consumer has not acked was stored: the first message of
    /// `subject` after the ack floor. `None` when nothing is left to ack.
    pub async fn oldest_unacked(
        &self,
        stream: &str,
        subject: &str,
        lag: &ConsumerLag,
    ) -> Result<Option<SystemTime>, BusError> {
        if lag.is_empty() {
            return Ok(None);
        }
        let stream = self
            .jetstream()
            .get_stream_no_info(stream)
            .await
            .map_err(|e| BusError::js("stream lookup", e))?;
        let message = stream
            .raw_message_builder()
            .sequence(lag.ack_floor + 1)
            .next_by_subject(subject.to_owned())
            .send()
            .await;
        match message {
            Ok(message) => {
                let nanos = u64::try_from(message.time.unix_timestamp_nanos()).unwrap_or(0);
                Ok(Some(SystemTime::UNIX_EPOCH + Duration::from_nanos(nanos)))
            }
            // Acked between the two requests: nothing older is left.
            Err(error)
                if matches!(
                    error.kind(),
                    async_nats::jetstream::stream::LastRawMessageErrorKind::NoMessageFound
                ) =>
            {
                Ok(None)
            }
            Err(error) => Err(BusError::js("message get", error)),
        }
    }
}
