//! Streams and consumers, created or updated at start so a deploy can change their settings.

use std::time::Duration;

use async_nats::jetstream::consumer::{self, AckPolicy, DeliverPolicy, PullConsumer};
use async_nats::jetstream::stream::{self, RetentionPolicy, StorageType};

use crate::{Bus, BusError};

#[derive(Debug, Clone)]
pub struct StreamSettings {
    /// How long events stay in `{P}_EVENTS` after ingest stored them (Postgres is the record).
    pub events_max_age: Duration,
    /// How long rejected events stay in `{P}_REJECTED` for inspection and replay.
    pub rejected_max_age: Duration,
    /// The publish dedupe window of every stream.
    pub duplicate_window: Duration,
    /// Largest message a stream accepts; ingest rejects larger events itself first.
    pub max_message_bytes: i32,
    /// Copies of every stream (`HERALD_STREAM_REPLICAS`): 1 on a single server, 3 on a cluster.
    /// Changing it on an existing stream scales that stream in place (JetStream allows it).
    pub replicas: usize,
}

impl Default for StreamSettings {
    fn default() -> Self {
        Self {
            events_max_age: Duration::from_secs(7 * 24 * 3600),
            rejected_max_age: Duration::from_secs(30 * 24 * 3600),
            duplicate_window: Duration::from_secs(120),
            max_message_bytes: -1,
            replicas: 1,
        }
    }
}

#[derive(Debug, Clone)]
pub struct ConsumerSettings {
    pub durable_name: String,
    pub ack_wait: Duration,
    pub max_ack_pending: i64,
}

impl Bus {
    /// Creates or updates `{P}_EVENTS`, `{P}_DELIVERIES` (a work queue), `{P}_REJECTED` and
    /// `{P}_OPS` (Herald's own operational events, e.g. `herald.delivery.failed`).
    pub async fn ensure_streams(&self, settings: &StreamSettings) -> Result<(), BusError> {
        self.check_replicas(settings.replicas)?;
        let names = self.names();
        let streams = [
            stream::Config {
                name: names.events_stream(),
                subjects: vec![names.events_wildcard()],
                retention: RetentionPolicy::Limits,
                max_age: settings.events_max_age,
                ..base(settings)
            },
            stream::Config {
                name: names.deliveries_stream(),
                subjects: vec![names.deliveries_wildcard()],
                retention: RetentionPolicy::WorkQueue,
                ..base(settings)
            },
            stream::Config {
                name: names.rejected_stream(),
                subjects: vec![names.rejected_wildcard()],
                retention: RetentionPolicy::Limits,
                max_age: settings.rejected_max_age,
                ..base(settings)
            },
            stream::Config {
                name: names.ops_stream(),
                subjects: vec![names.ops_wildcard()],
                retention: RetentionPolicy::Limits,
                max_age: settings.events_max_age,
                ..base(settings)
            },
        ];
        for config in streams {
            let name = config.name.clone();
            self.jetstream()
                .create_or_update_stream(config)
                .await
                .map_err(|e| stream_error(&name, settings.replicas, e))?;
        }
        Ok(())
    }

    /// nats-server 2.9 refuses to create a replicated stream on a single server, yet accepts
    /// the same change to an existing one and keeps one copy: ask before touching anything.
    fn check_replicas(&self, replicas: usize) -> Result<(), BusError> {
        if replicas > 1 && self.client().server_info().cluster.is_none() {
            return Err(BusError::Replicas {
                replicas,
                reason: "the NATS server is not part of a cluster, so it keeps one copy only"
                    .into(),
            });
        }
        Ok(())
    }

    /// A durable pull consumer on `stream` filtered to `filter_subject`, created or updated.
    pub async fn pull_consumer(
        &self,
        stream: &str,
        filter_subject: &str,
        settings: &ConsumerSettings,
    ) -> Result<PullConsumer, BusError> {
        let stream = self
            .jetstream()
            .get_stream(stream)
            .await
            .map_err(|e| BusError::js("stream lookup", e))?;
        stream
            .create_consumer(consumer::pull::Config {
                durable_name: Some(settings.durable_name.clone()),
                filter_subject: filter_subject.to_owned(),
                ack_policy: AckPolicy::Explicit,
                deliver_policy: DeliverPolicy::All,
                ack_wait: settings.ack_wait,
                max_ack_pending: settings.max_ack_pending,
                ..Default::default()
            })
            .await
            .map_err(|e| BusError::js("consumer create", e))
    }
}

/// A refusal for want of servers names the replica count, so the operator knows what to change.
fn stream_error(
    name: &str,
    replicas: usize,
    error: async_nats::jetstream::context::CreateStreamError,
) -> BusError {
    use async_nats::jetstream::ErrorCode;
    use async_nats::jetstream::context::CreateStreamErrorKind;
    let refused_for_replicas = matches!(
        error.kind(),
        CreateStreamErrorKind::JetStream(ref js) if [
            ErrorCode::STREAM_REPLICAS_NOT_SUPPORTED,
            ErrorCode::INSUFFICIENT_RESOURCES,
            ErrorCode::STREAM_REPLICAS_NOT_UPDATABLE,
        ].contains(&js.error_code())
    );
    if refused_for_replicas && replicas > 1 {
        BusError::Replicas {
            replicas,
            reason: format!("{name}: {error}"),
        }
    } else {
        BusError::JetStream {
            what: "stream create/update",
            reason: format!("{name}: {error}"),
        }
    }
}

fn base(settings: &StreamSettings) -> stream::Config {
    stream::Config {
        storage: StorageType::File,
        num_replicas: settings.replicas,
        duplicate_window: settings.duplicate_window,
        max_message_size: settings.max_message_bytes,
        ..Default::default()
    }
}
