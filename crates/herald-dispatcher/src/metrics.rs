//! What the dispatcher counts, for /metrics (docs/metrics.md lists every name; dashboards and
//! alerts are written against them).

use std::sync::atomic::AtomicU64;

use herald_domain::Channel;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::exemplar::HistogramWithExemplars;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::exponential_buckets;
use prometheus_client::registry::Registry;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct AttemptLabels {
    pub channel: &'static str,
    pub outcome: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ChannelLabel {
    pub channel: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct FinishedLabels {
    pub channel: &'static str,
    pub status: &'static str,
}

/// The exemplar of an attempt's duration: its trace, so a latency panel links to it.
#[derive(Clone, Debug, Default, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct TraceLabel {
    pub trace_id: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct SubscriptionAttemptLabels {
    pub tenant: String,
    pub subscription_id: String,
    pub channel: &'static str,
    pub outcome: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct SubscriptionLabels {
    pub tenant: String,
    pub subscription_id: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ReleasedLabel {
    pub kind: &'static str,
}

/// The kinds of `herald_held_released_total`.
pub const RELEASED_KINDS: [&str; 4] = ["notice", "quiet", "group", "grouped"];

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ReasonLabel {
    pub reason: &'static str,
}

type DurationFamily = Family<
    ChannelLabel,
    HistogramWithExemplars<TraceLabel>,
    fn() -> HistogramWithExemplars<TraceLabel>,
>;

fn attempt_histogram() -> HistogramWithExemplars<TraceLabel> {
    HistogramWithExemplars::new(exponential_buckets(0.001, 2.0, 17))
}

/// `herald_subscriptions_disabled_total{reason}`: the dispatcher (a receiver said the target
/// is gone) and the API (an operator) both count here, so a process running both registers
/// it once and hands the one handle to each.
#[derive(Clone, Default)]
pub struct DisabledCounter(Family<ReasonLabel, Counter>);

impl DisabledCounter {
    pub fn register(registry: &mut Registry) -> Self {
        let counter = Self::default();
        for reason in ["gone", "api"] {
            let _ = counter.0.get_or_create(&ReasonLabel { reason });
        }
        registry.register(
            "herald_subscriptions_disabled",
            "Subscriptions switched off, by reason (gone: the receiver said the target is gone; api: an operator)",
            counter.0.clone(),
        );
        counter
    }

    pub fn inc(&self, reason: &'static str) {
        self.0.get_or_create(&ReasonLabel { reason }).inc();
    }
}

/// One series per subscription: off with `HERALD_METRICS_PER_SUBSCRIPTION=false` where there
/// are too many subscriptions for Prometheus.
#[derive(Clone, Default)]
pub struct SubscriptionMetrics {
    pub attempts: Family<SubscriptionAttemptLabels, Counter>,
    pub attempt_seconds: Family<SubscriptionLabels, Counter<f64, AtomicU64>>,
    pub consecutive_failures: Family<SubscriptionLabels, Gauge>,
}

#[derive(Clone)]
pub struct DispatchMetrics {
    pub attempts: Family<AttemptLabels, Counter>,
    pub saturated: Counter,
    pub waited: Counter,
    pub paced: Counter,
    pub skipped: Counter,
    pub in_flight: Gauge,
    pub attempt_seconds: DurationFamily,
    pub record_failures: Counter,
    pub finished: Family<FinishedLabels, Counter>,
    pub outbox_republished: Counter,
    /// What the releaser made of held deliveries (see [`RELEASED_KINDS`]).
    pub released: Family<ReleasedLabel, Counter>,
    pub per_subscription: Option<SubscriptionMetrics>,
    pub disabled: DisabledCounter,
}

impl DispatchMetrics {
    /// Registers the dispatcher's metrics; `disabled` is registered by the caller (see
    /// [`DisabledCounter`]).
    pub fn register(
        registry: &mut Registry,
        per_subscription: bool,
        disabled: DisabledCounter,
    ) -> Self {
        let metrics = Self {
            attempts: Family::default(),
            saturated: Counter::default(),
            waited: Counter::default(),
            paced: Counter::default(),
            skipped: Counter::default(),
            in_flight: Gauge::default(),
            attempt_seconds: Family::new_with_constructor(attempt_histogram),
            record_failures: Counter::default(),
            finished: Family::default(),
            outbox_republished: Counter::default(),
            released: Family::default(),
            per_subscription: per_subscription.then(SubscriptionMetrics::default),
            disabled,
        };
        // Every series from the start at 0: a rate over a counter that appears with its first
        // increment misses that increment, and panels would show nothing instead of 0.
        for channel in Channel::ALL.map(Channel::as_str) {
            let _ = metrics
                .attempt_seconds
                .get_or_create(&ChannelLabel { channel });
            for outcome in ["delivered", "retry", "failed"] {
                let _ = metrics
                    .attempts
                    .get_or_create(&AttemptLabels { channel, outcome });
            }
            for status in ["delivered", "failed"] {
                let _ = metrics
                    .finished
                    .get_or_create(&FinishedLabels { channel, status });
            }
        }
        registry.register(
            "herald_deliveries_finished",
            "Deliveries that reached a final state (delivered or failed), by channel",
            metrics.finished.clone(),
        );
        for kind in RELEASED_KINDS {
            let _ = metrics.released.get_or_create(&ReleasedLabel { kind });
        }
        registry.register(
            "herald_held_released",
            "What the releaser made of held deliveries: notice (a transitions delivery sent), quiet (one a transitions subscription stayed quiet on), group (a grouped message sent), grouped (a delivery carried in one)",
            metrics.released.clone(),
        );
        registry.register(
            "herald_outbox_republished",
            "Jobs the outbox sweep published again (their writer died or lost NATS)",
            metrics.outbox_republished.clone(),
        );
        if let Some(subscriptions) = &metrics.per_subscription {
            register_per_subscription(registry, subscriptions);
        }
        let registry = registry.sub_registry_with_prefix("herald_dispatch");
        registry.register(
            "attempts",
            "Delivery attempts by channel and outcome (delivered, retry, failed)",
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
            "Time from request to answer, by channel; exemplars carry the attempt's trace_id",
            metrics.attempt_seconds.clone(),
        );
        registry.register(
            "record_failures",
            "Attempts that could not be recorded (their jobs run again)",
            metrics.record_failures.clone(),
        );
        metrics
    }
}

fn register_per_subscription(registry: &mut Registry, subscriptions: &SubscriptionMetrics) {
    let registry = registry.sub_registry_with_prefix("herald_subscription");
    registry.register(
        "attempts",
        "Delivery attempts per subscription, by channel and outcome",
        subscriptions.attempts.clone(),
    );
    registry.register(
        "attempt_duration_seconds",
        "Seconds spent in attempts per subscription (divide by the attempts' rate for the mean)",
        subscriptions.attempt_seconds.clone(),
    );
    registry.register(
        "consecutive_failures",
        "Failed deliveries in a row per subscription, as this process saw them (0 after a delivered one)",
        subscriptions.consecutive_failures.clone(),
    );
}
