//! What the dispatcher counts, for /metrics.

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct OutcomeLabel {
    pub outcome: &'static str,
}

#[derive(Clone)]
pub struct DispatchMetrics {
    pub attempts: Family<OutcomeLabel, Counter>,
    pub saturated: Counter,
    pub waited: Counter,
    pub paced: Counter,
    pub skipped: Counter,
    pub in_flight: Gauge,
    pub attempt_seconds: Histogram,
    pub record_failures: Counter,
}

impl DispatchMetrics {
    pub fn register(registry: &mut Registry) -> Self {
        let metrics = Self {
            attempts: Family::default(),
            saturated: Counter::default(),
            waited: Counter::default(),
            paced: Counter::default(),
            skipped: Counter::default(),
            in_flight: Gauge::default(),
            attempt_seconds: Histogram::new(exponential_buckets(0.001, 2.0, 17)),
            record_failures: Counter::default(),
        };
        let registry = registry.sub_registry_with_prefix("herald_dispatch");
        registry.register(
            "attempts",
            "Delivery attempts by outcome (delivered, retry, failed)",
            metrics.attempts.clone(),
        );
        registry.register(
            "paced",
            "Jobs that waited for their destination's turn (platform pace or the subscription's rate limit); not attempts",
            metrics.paced.clone(),
        );
        registry.register(
            "saturated",
            "Jobs handed back because their target already had its share of slots",
            metrics.saturated.clone(),
        );
        registry.register(
            "waited",
            "Jobs that waited in memory for a slot of their target",
            metrics.waited.clone(),
        );
        registry.register(
            "skipped",
            "Jobs acked without an attempt (already delivered, failed, or subscription gone)",
            metrics.skipped.clone(),
        );
        registry.register(
            "in_flight",
            "Attempts running now",
            metrics.in_flight.clone(),
        );
        registry.register(
            "attempt_duration_seconds",
            "Time from request to answer",
            metrics.attempt_seconds.clone(),
        );
        registry.register(
            "record_failures",
            "Batches of attempts that could not be recorded (their jobs are redelivered)",
            metrics.record_failures.clone(),
        );
        metrics
    }
}
