//! The ingest target: reads `{P}_EVENTS`, keeps bad events in `{P}_REJECTED`, stores good ones,
//! fans them out to one delivery job per matching subscription, and acks only after all of that
//! is durable.

mod batch;
mod metrics;
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
    /// replicas all share the one durable consumer.
    pub async fn run(self, shutdown: CancellationToken) -> Result<(), IngestError> {
        tracing::info!(stream = %self.bus.names().events_stream(), workers = self.config.workers, "Ingest started.");
        let mut workers = tokio::task::JoinSet::new();
        for _ in 0..self.config.workers.max(1) {
            let worker = Ingest {
                store: self.store.clone(),
                bus: self.bus.clone(),
                config: self.config.clone(),
                cache: SubscriptionCache::default(),
                metrics: self.metrics.clone(),
                health: self.health.clone(),
            };
            workers.spawn(worker.consume(shutdown.clone()));
        }
        while workers.join_next().await.is_some() {}
        tracing::info!("Ingest stopped.");
        Ok(())
    }

    async fn consume(mut self, shutdown: CancellationToken) {
        let names = self.bus.names();
        let mut source = BatchSource::new(
            self.bus.clone(),
            names.events_stream(),
            names.events_wildcard(),
            ConsumerSettings {
                durable_name: CONSUMER_NAME.to_owned(),
                ack_wait: self.config.ack_wait,
                max_ack_pending: self.config.max_ack_pending,
            },
            self.config.batch_size,
        );
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
