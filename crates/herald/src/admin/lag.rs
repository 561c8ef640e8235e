//! Consumer lag read from JetStream every few seconds by each process running ingest or the
//! dispatcher: what its consumer has left, and how old the oldest job not yet done is.

use std::sync::atomic::AtomicU64;
use std::time::{Duration, SystemTime};

use herald_bus::{Bus, ConsumerLag};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;
use tokio_util::sync::CancellationToken;

use crate::targets::{Target, Targets};

/// How often JetStream is asked: two small requests per consumer each time.
const EVERY: Duration = Duration::from_secs(5);

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ConsumerLabels {
    stream: String,
    consumer: &'static str,
}

struct Watched {
    labels: ConsumerLabels,
    /// The stream's subjects, when the age of the oldest unacked message is wanted.
    oldest_of: Option<String>,
}

pub struct LagWatch {
    bus: Bus,
    watched: Vec<Watched>,
    pending: Family<ConsumerLabels, Gauge>,
    ack_pending: Family<ConsumerLabels, Gauge>,
    redelivered: Family<ConsumerLabels, Gauge>,
    oldest_age: Gauge<f64, AtomicU64>,
}

impl LagWatch {
    /// The consumers of this process's targets, their gauges registered at 0; `None` when it
    /// runs neither ingest nor the dispatcher.
    pub fn register(bus: &Bus, targets: &Targets, registry: &mut Registry) -> Option<Self> {
        let names = bus.names();
        let mut watched = Vec::new();
        if targets.has(Target::Ingest) {
            watched.push(Watched {
                labels: ConsumerLabels {
                    stream: names.events_stream(),
                    consumer: herald_ingest::CONSUMER_NAME,
                },
                oldest_of: None,
            });
        }
        let dispatching = targets.has(Target::Dispatcher);
        if dispatching {
            watched.push(Watched {
                labels: ConsumerLabels {
                    stream: names.deliveries_stream(),
                    consumer: herald_dispatcher::CONSUMER_NAME,
                },
                oldest_of: Some(names.deliveries_wildcard()),
            });
        }
        if watched.is_empty() {
            return None;
        }
        let watch = Self {
            bus: bus.clone(),
            watched,
            pending: Family::default(),
            ack_pending: Family::default(),
            redelivered: Family::default(),
            oldest_age: Gauge::default(),
        };
        for consumer in &watch.watched {
            watch.show(&consumer.labels, &ConsumerLag::default());
        }
        let jetstream = registry.sub_registry_with_prefix("herald_jetstream_consumer");
        jetstream.register(
            "pending_messages",
            "Messages of the stream the consumer has not been handed yet (JetStream num_pending)",
            watch.pending.clone(),
        );
        jetstream.register(
            "ack_pending_messages",
            "Messages handed out and not acked yet: in work or waiting for a retry (num_ack_pending)",
            watch.ack_pending.clone(),
        );
        jetstream.register(
            "redelivered_messages",
            "Messages handed out more than once and not acked yet (num_redelivered)",
            watch.redelivered.clone(),
        );
        if dispatching {
            registry.register(
                "herald_deliveries_oldest_pending_age_seconds",
                "Age of the oldest job the dispatcher's consumer has not acked yet (0 when none)",
                watch.oldest_age.clone(),
            );
        }
        Some(watch)
    }

    /// Reads at once, then every [`EVERY`], until `shutdown`.
    pub async fn run(self, shutdown: CancellationToken) {
        loop {
            for consumer in &self.watched {
                self.read(consumer).await;
            }
            tokio::select! {
                () = shutdown.cancelled() => return,
                () = tokio::time::sleep(EVERY) => {}
            }
        }
    }

    async fn read(&self, consumer: &Watched) {
        let labels = &consumer.labels;
        // Until its target creates the consumer there is nothing it holds.
        let lag = match self.bus.consumer_lag(&labels.stream, labels.consumer).await {
            Ok(lag) => lag.unwrap_or_default(),
            Err(error) => {
                // NATS being away is logged where the connection is; the gauges keep their
                // last value rather than pretend the backlog is gone.
                tracing::debug!(%error, consumer = labels.consumer, "Cannot read consumer lag.");
                return;
            }
        };
        self.show(labels, &lag);
        let Some(subject) = &consumer.oldest_of else {
            return;
        };
        match self.bus.oldest_unacked(&labels.stream, subject, &lag).await {
            Ok(oldest) => {
                let age = oldest
                    .and_then(|at| SystemTime::now().duration_since(at).ok())
                    .unwrap_or_default();
                self.oldest_age.set(age.as_secs_f64());
            }
            Err(error) => tracing::debug!(%error, "Cannot read the oldest pending job."),
        }
    }

    fn show(&self, labels: &ConsumerLabels, lag: &ConsumerLag) {
        let gauge = |value: u64| i64::try_from(value).unwrap_or(i64::MAX);
        self.pending.get_or_create(labels).set(gauge(lag.pending));
        self.ack_pending
            .get_or_create(labels)
            .set(gauge(lag.ack_pending));
        self.redelivered
            .get_or_create(labels)
            .set(gauge(lag.redelivered));
    }
}
