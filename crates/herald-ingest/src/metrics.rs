//! What ingest counts, for /metrics.

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ReasonLabel {
    pub reason: String,
}

#[derive(Clone)]
pub struct IngestMetrics {
    pub received: Counter,
    pub stored: Counter,
    pub duplicates: Counter,
    pub rejected: Family<ReasonLabel, Counter>,
    pub deliveries: Counter,
    pub batch_failures: Counter,
    pub batch_seconds: Histogram,
}

impl IngestMetrics {
    pub fn register(registry: &mut Registry) -> Self {
        let metrics = Self {
            received: Counter::default(),
            stored: Counter::default(),
            duplicates: Counter::default(),
            rejected: Family::default(),
            deliveries: Counter::default(),
            batch_failures: Counter::default(),
            batch_seconds: Histogram::new(exponential_buckets(0.001, 2.0, 14)),
        };
        let registry = registry.sub_registry_with_prefix("herald_ingest");
        registry.register(
            "events_received",
            "Event messages read from NATS",
            metrics.received.clone(),
        );
        registry.register(
            "events_stored",
            "Events stored for the first time",
            metrics.stored.clone(),
        );
        registry.register(
            "events_duplicate",
            "Events already stored (redelivery or a re-published id)",
            metrics.duplicates.clone(),
        );
        registry.register(
            "events_rejected",
            "Events rejected, by reason",
            metrics.rejected.clone(),
        );
        registry.register(
            "deliveries_created",
            "Delivery rows created by fan-out",
            metrics.deliveries.clone(),
        );
        registry.register(
            "batch_failures",
            "Batches that failed and were handed back to NATS for redelivery",
            metrics.batch_failures.clone(),
        );
        registry.register(
            "batch_duration_seconds",
            "Time to store, fan out and ack a batch",
            metrics.batch_seconds.clone(),
        );
        metrics
    }
}
