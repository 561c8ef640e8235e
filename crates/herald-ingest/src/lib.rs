//! The ingest target: reads `{P}_EVENTS`, and Herald's own operational events from `{P}_OPS`,
//! keeps bad events in `{P}_REJECTED`, stores good ones, fans them out to one delivery job per
//! matching subscription, and acks only after all of that is durable.

mod batch;
mod metrics;
mod origin;
mod store;

use std::time::Duration;

use herald_bus::{BatchSource, Bus, BusError, ConsumerSettings};
use herald_domain::EventLimits;
use herald_store::{PoisonPolicy, Store, StoreError, StoreHealth, SubscriptionCache};
use prometheus_client::registry::Registry;
use tokio_util::sync::CancellationToken;

pub use batch::BatchReport;
pub use metrics::IngestMetrics;

pub const CONSUMER_NAME: &str = "ingest";
/// The durable consumer that reads Herald's operational events back as events of their tenant.
pub const OPS_CONSUMER_NAME: &str = "ingest-ops";

#[derive(Debug, Clone)]
pub struct IngestConfig {
    /// Most messages stored and fanned out in one transaction.
    pub batch_size: usize,
    /// How long NATS waits for an ack before redelivering to another replica.
    pub ack_wait: Duration,
    /// Most unacked messages across all replicas.
    pub max_ack_pending: i64,
    /// Batches in progress at once in this process: while one waits on Postgres, another
    /// waits on NATS. Events of one tenant may therefore be stored out of publish order.
    pub workers: usize,
    pub limits: EventLimits,
    /// When an event that keeps failing is rejected rather than tried again.
    pub poison: PoisonPolicy,
}

impl Default for IngestConfig {
    fn default() -> Self {
        Self {
            batch_size: 256,
            ack_wait: Duration::from_secs(30),
            max_ack_pending: 20_000,
            workers: 4,
            limits: EventLimits::default(),
            poison: PoisonPolicy::default(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Bus(#[from] BusError),
}

pub struct Ingest {
    store: Store,
    bus: Bus,
    config: IngestConfig,
    cache: SubscriptionCache,
    metrics: IngestMetrics,
    /// Shared by the workers: whether the database lately stored anything for anyone.
    health: StoreHealth,
}

impl Ingest {
    pub fn new(store: Store, bus: Bus, config: IngestConfig, registry: &mut Registry) -> Self {
        Self {
            store,
            bus,
            config,
            cache: SubscriptionCache::default(),
            metrics: IngestMetrics::register(registry),
            health: StoreHealth::default(),
        }
    }

    /// Consumes until `shutdown`, each worker finishing the batch in hand first. Workers and
    /// replicas all share the one durable consumer of each stream. Operational events are few
    /// (one per failed delivery or switched-off subscription), so one worker reads them.
    pub async fn run(self, shutdown: CancellationToken) -> Result<(), IngestError> {
        tracing::info!(stream = %self.bus.names().events_stream(), workers = self.config.workers, "Ingest started.");
        let names = self.bus.names();
        let events = (
            names.events_stream(),
            names.events_wildcard(),
            CONSUMER_NAME,
        );
        let ops = (names.ops_stream(), names.ops_wildcard(), OPS_CONSUMER_NAME);
        let mut workers = tokio::task::JoinSet::new();
        let sources = std::iter::repeat_n(events, self.config.workers.max(1)).chain([ops]);
        for (stream, filter, durable_name) in sources {
            let worker = Ingest {
                store: self.store.clone(),
                bus: self.bus.clone(),
                config: self.config.clone(),
                cache: SubscriptionCache::default(),
                metrics: self.metrics.clone(),
                health: self.health.clone(),
            };
            let source = BatchSource::new(
                self.bus.clone(),
                stream,
                filter,
                ConsumerSettings {
                    durable_name: durable_name.to_owned(),
                    ack_wait: self.config.ack_wait,
                    max_ack_pending: self.config.max_ack_pending,
                },
                self.config.batch_size,
            );
            workers.spawn(worker.consume(source, shutdown.clone()));
        }
        while workers.join_next().await.is_some() {}
        tracing::info!("Ingest stopped.");
        Ok(())
    }

    async fn consume(mut self, mut source: BatchSource, shutdown: CancellationToken) {
        loop {
            let batch = tokio::select! {
                () = shutdown.cancelled() => break,
                batch = source.next_batch() => batch,
            };
            self.process_batch(batch).await;
        }
        let handed_back = source.hand_back_buffered().await;
        if handed_back > 0 {
            tracing::info!(events = handed_back, "Handed unread events back to NATS.");
        }
    }
}
