//! NATS JetStream as Herald uses it. Everything here works on nats-server 2.9: plain (non-strict)
//! create calls, one filter subject per consumer, no `+TERM` reasons.

mod batches;
mod lag;
mod names;
mod ops;
mod publish;
mod topology;

pub use async_nats::jetstream::{self, AckKind, Message};
pub use async_nats::{HeaderMap, HeaderValue};
pub use batches::BatchSource;
pub use lag::ConsumerLag;
pub use names::{EventSubject, Names, PrefixError, SubjectPrefix};
pub use ops::{
    DELIVERY_FAILED, HERALD_SOURCE, MisplacedType, OpsEvent, SUBSCRIPTION_DISABLED,
    SUBSCRIPTION_RECOVERED, check_ops_type, check_published_type, is_ops_type,
};
pub use publish::{Outgoing, publish_all};
pub use topology::{ConsumerSettings, StreamSettings};

/// Header carrying the reason an event was rejected.
pub const REJECTION_HEADER: &str = "Herald-Rejection";
/// Header JetStream uses to drop duplicate publishes.
pub const MSG_ID_HEADER: &str = "Nats-Msg-Id";

#[derive(Debug, thiserror::Error)]
pub enum BusError {
    #[error("cannot connect to NATS at {url}: {reason}")]
    Connect { url: String, reason: String },
    #[error("JetStream {what} failed: {reason}")]
    JetStream { what: &'static str, reason: String },
    #[error("publishing to {subject} failed: {reason}")]
    Publish { subject: String, reason: String },
    /// The streams cannot have the replica count asked for (`HERALD_STREAM_REPLICAS`).
    #[error("JetStream cannot keep {replicas} replicas of each stream: {reason}")]
    Replicas { replicas: usize, reason: String },
}

impl BusError {
    fn js(what: &'static str, error: impl std::fmt::Display) -> Self {
        BusError::JetStream {
            what,
            reason: error.to_string(),
        }
    }
}

/// Losing NATS stalls every target; operators should see it, and see it end.
fn log_connection_event(event: async_nats::Event) {
    match event {
        async_nats::Event::Disconnected => {
            tracing::warn!("Lost the connection to NATS; reconnecting.")
        }
        async_nats::Event::Connected => tracing::info!("Connected to NATS."),
        async_nats::Event::LameDuckMode => tracing::warn!("NATS server entered lame duck mode."),
        async_nats::Event::SlowConsumer(sid) => {
            tracing::warn!(sid, "NATS reports a slow consumer.")
        }
        async_nats::Event::ServerError(error) => tracing::warn!(%error, "NATS server error."),
        // One per failed reconnect attempt: the disconnect above already said what matters.
        async_nats::Event::ClientError(error) => tracing::debug!(%error, "NATS client error."),
        async_nats::Event::Draining | async_nats::Event::Closed => {}
    }
}

/// `HERALD_NATS_URL` may name every server of a cluster, comma-separated, so that Herald can
/// start, and reconnect, while any one of them is down (the client takes one URL per entry).
fn server_urls(url: &str) -> Vec<&str> {
    url.split(',')
        .map(str::trim)
        .filter(|part| !part.is_empty())
        .collect()
}

/// A connection to NATS with Herald's subject names.
#[derive(Clone)]
pub struct Bus {
    client: async_nats::Client,
    jetstream: jetstream::Context,
    names: Names,
    /// Publishes awaiting their ack, across every task of the process (see `publish_all`).
    publish_slots: std::sync::Arc<tokio::sync::Semaphore>,
}

impl Bus {
    pub async fn connect(url: &str, prefix: SubjectPrefix, name: &str) -> Result<Self, BusError> {
        let client = async_nats::ConnectOptions::new()
            .name(name)
            .retry_on_initial_connect()
            .connection_timeout(std::time::Duration::from_secs(5))
            .event_callback(|event| async move { log_connection_event(event) })
            .connect(server_urls(url).as_slice())
            .await
            .map_err(|e| BusError::Connect {
                url: url.to_owned(),
                reason: e.to_string(),
            })?;
        // Fail the start, not the first publish, when the server is not there.
        tokio::time::timeout(std::time::Duration::from_secs(10), client.flush())
            .await
            .map_err(|_| BusError::Connect {
                url: url.to_owned(),
                reason: "no answer within 10 s".into(),
            })?
            .map_err(|e| BusError::Connect {
                url: url.to_owned(),
                reason: e.to_string(),
            })?;
        let jetstream = jetstream::new(client.clone());
        Ok(Self {
            client,
            jetstream,
            names: Names::new(prefix),
            publish_slots: std::sync::Arc::new(tokio::sync::Semaphore::new(
                publish::PROCESS_UNACKED,
            )),
        })
    }

    pub fn names(&self) -> &Names {
        &self.names
    }

    pub(crate) fn publish_slots(&self) -> &std::sync::Arc<tokio::sync::Semaphore> {
        &self.publish_slots
    }

    pub fn jetstream(&self) -> &jetstream::Context {
        &self.jetstream
    }

    pub fn client(&self) -> &async_nats::Client {
        &self.client
    }

    /// Readiness: JetStream answers and Herald's events stream is there. (Account info would
    /// be the obvious probe, but async-nats 0.51 cannot parse nats-server 2.9's reply to it.)
    pub async fn ping(&self) -> Result<(), BusError> {
        self.jetstream
            .get_stream(self.names.events_stream())
            .await
            .map(|_| ())
            .map_err(|e| BusError::js("stream lookup", e))
    }
}

#[cfg(test)]
mod tests {
    use super::server_urls;

    #[test]
    fn a_nats_url_may_list_every_server_of_a_cluster() {
        assert_eq!(
            server_urls("nats://127.0.0.1:4222"),
            ["nats://127.0.0.1:4222"]
        );
        assert_eq!(
            server_urls("nats://a:4222, nats://b:4222,,nats://c:4222 "),
            ["nats://a:4222", "nats://b:4222", "nats://c:4222"]
        );
    }
}
