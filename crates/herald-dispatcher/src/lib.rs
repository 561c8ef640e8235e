//! The dispatcher target: reads `{P}_DELIVERIES`, attempts each job through its channel with
//! bounded concurrency overall and per target, records every attempt, and retries through
//! JetStream (nak with Herald's own delay), so a retry survives any restart.

mod attempt;
mod fallback;
mod group_event;
mod group_preview;
mod handover;
mod hold;
mod intake;
mod limiter;
mod metrics;
mod ops;
mod pacer;
mod recorder;
mod releaser;
mod start;

use std::sync::Arc;
use std::time::Duration;

use herald_bus::{BatchSource, Bus, ConsumerSettings};
use herald_channels::Channels;
use herald_store::{PoisonPolicy, Store, StoreHealth};
use tokio::sync::{Semaphore, mpsc};
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

pub use group_preview::preview_group;
pub use handover::{STRANDED_AFTER, hand_over};
pub use metrics::{DisabledCounter, DispatchMetrics};

use attempt::AttemptContext;
use limiter::TargetLimiter;
use pacer::Pacer;
use recorder::Recorder;
use start::Starter;

pub const CONSUMER_NAME: &str = "dispatcher";

/// Loops taking batches from the consumer at once: while one loads its deliveries from
/// Postgres, another starts attempts.
const INTAKES: usize = 2;

/// Recorders writing attempts at once: while one waits on its transaction, others fill theirs.
const RECORDERS: usize = 4;

#[derive(Debug, Clone)]
pub struct DispatcherConfig {
    /// Most attempts running at once in this process.
    pub concurrency: usize,
    /// Most attempts running at once against one target (host and port).
    pub per_target: usize,
    /// How soon a job whose target is saturated is offered again.
    pub saturated_delay: Duration,
    pub ack_wait: Duration,
    pub max_ack_pending: i64,
    pub batch_size: usize,
    /// How long shutdown waits for attempts in flight before handing them back to NATS.
    pub shutdown_grace: Duration,
    /// When a job that keeps failing before its attempt ends as a failed delivery.
    pub poison: PoisonPolicy,
    /// How long the events of a job wait before its `transitions` subscriptions decide on
    /// them, so those arriving together in any order are decided in the order they happened.
    pub transitions_settle: Duration,
}

impl Default for DispatcherConfig {
    fn default() -> Self {
        Self {
            concurrency: 256,
            per_target: 32,
            saturated_delay: Duration::from_secs(1),
            ack_wait: Duration::from_secs(30),
            max_ack_pending: 20_000,
            batch_size: 256,
            shutdown_grace: Duration::from_secs(20),
            poison: PoisonPolicy::default(),
            transitions_settle: Duration::from_secs(5),
        }
    }
}

pub struct Dispatcher {
    store: Store,
    bus: Bus,
    channels: Arc<Channels>,
    config: DispatcherConfig,
    metrics: DispatchMetrics,
}

impl Dispatcher {
    pub fn new(
        store: Store,
        bus: Bus,
        channels: Arc<Channels>,
        config: DispatcherConfig,
        metrics: DispatchMetrics,
    ) -> Self {
        Self {
            store,
            bus,
            channels,
            config,
            metrics,
        }
    }

    /// Consumes until `shutdown`; then stops pulling, lets attempts in flight finish (or hands
    /// them back after the grace period) and records what finished.
    pub async fn run(self, shutdown: CancellationToken) {
        let names = self.bus.names();
        let mut recorders = JoinSet::new();
        let mut finished = Vec::with_capacity(RECORDERS);
        for _ in 0..RECORDERS {
            let (tx, rx) = mpsc::channel(self.config.concurrency);
            let recorder = Recorder {
                store: self.store.clone(),
                bus: self.bus.clone(),
                metrics: self.metrics.clone(),
            };
            recorders.spawn(recorder.run(rx));
            finished.push(tx);
        }
        let hard_stop = CancellationToken::new();
        let pacer = Pacer::default();
        let context = Arc::new(AttemptContext {
            pacer: pacer.clone(),
            channels: self.channels.clone(),
            finished,
            ack_wait: self.config.ack_wait,
            hard_stop: hard_stop.clone(),
        });
        let slots = Arc::new(Semaphore::new(self.config.concurrency));
        let limiter = TargetLimiter::new(self.config.per_target);
        let health = StoreHealth::default();
        let mut intakes = JoinSet::new();
        for _ in 0..INTAKES {
            let source = BatchSource::new(
                self.bus.clone(),
                names.deliveries_stream(),
                names.deliveries_wildcard(),
                ConsumerSettings {
                    durable_name: CONSUMER_NAME.to_owned(),
                    ack_wait: self.config.ack_wait,
                    max_ack_pending: self.config.max_ack_pending,
                },
                self.config.batch_size,
            );
            let intake = intake::Intake {
                store: self.store.clone(),
                bus: self.bus.clone(),
                cache: herald_store::SubscriptionCache::default(),
                starter: Starter {
                    slots: slots.clone(),
                    limiter: limiter.clone(),
                    context: context.clone(),
                    metrics: self.metrics.clone(),
                    saturated_delay: self.config.saturated_delay,
                },
                pacer: pacer.clone(),
                metrics: self.metrics.clone(),
                tasks: JoinSet::new(),
                poison: self.config.poison,
                health: health.clone(),
            };
            intakes.spawn(intake.run(
                source,
                shutdown.clone(),
                self.config.shutdown_grace,
                hard_stop.clone(),
            ));
        }
        // The recorders stop once every sender is gone: the intakes hold the rest.
        drop(context);
        let sweeper = tokio::spawn(handover::sweep(
            self.store.clone(),
            self.bus.clone(),
            self.metrics.outbox_republished.clone(),
            shutdown.clone(),
        ));
        // Beside the sweep: what groups and quiet hours held goes out as one message each.
        let releaser = tokio::spawn(releaser::run(
            releaser::Releaser {
                store: self.store.clone(),
                bus: self.bus.clone(),
                settle: self.config.transitions_settle,
                released: self.metrics.released.clone(),
            },
            shutdown.clone(),
        ));
        tracing::info!(stream = %names.deliveries_stream(), "Dispatcher started.");
        shutdown.cancelled().await;
        tracing::info!("Dispatcher stopping: finishing attempts in flight.");
        while intakes.join_next().await.is_some() {}
        while recorders.join_next().await.is_some() {}
        if let Err(error) = sweeper.await {
            tracing::warn!(%error, "The outbox sweep ended abnormally.");
        }
        if let Err(error) = releaser.await {
            tracing::warn!(%error, "The releaser ended abnormally.");
        }
        tracing::info!("Dispatcher stopped.");
    }
}
