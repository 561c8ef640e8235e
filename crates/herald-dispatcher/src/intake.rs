//! Turns a batch of job messages into running attempts: loads their deliveries in one query,
//! settles the ones that need no attempt, holds or drops the ones a subscription's group or
//! quiet hours keep back (`hold`), and starts the rest within the concurrency bounds.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use chrono::Utc;
use herald_bus::{AckKind, BatchSource, Bus, Message};
use herald_channels::pace_keys;
use herald_domain::{Channel, DeliveryId, DeliveryStatus, Tenant};
use herald_proto::v1::DeliveryJob;
use herald_store::{Failure, JobState, PoisonPolicy, Store, StoreHealth, SubscriptionCache};
use prost::Message as _;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use crate::attempt::Ready;
use crate::fallback;
use crate::hold;
use crate::metrics::{DispatchMetrics, FinishedLabels};
use crate::pacer::{Pacer, Reservation};
use crate::start::Starter;

/// How soon a batch whose deliveries could not be loaded is offered again.
const LOAD_RETRY: Duration = Duration::from_secs(2);

pub struct Intake {
    pub store: Store,
    /// Publishes the jobs of fallback deliveries written here.
    pub bus: Bus,
    pub cache: SubscriptionCache,
    pub starter: Starter,
    /// Turns per destination, shared by the intakes: no platform gets more than its pace.
    pub pacer: Pacer,
    pub metrics: DispatchMetrics,
    pub tasks: JoinSet<()>,
    pub poison: PoisonPolicy,
    /// Shared by the intakes: whether the database lately answered anyone.
    pub health: StoreHealth,
}

struct Job {
    message: Message,
    delivery_id: DeliveryId,
    tenant: Tenant,
    channel: &'static str,
}

impl Intake {
    /// Takes batches until `shutdown`, then lets its attempts finish for up to `grace` before
    /// `hard_stop` hands the rest back to NATS.
    pub async fn run(
        mut self,
        mut source: BatchSource,
        shutdown: CancellationToken,
        grace: Duration,
        hard_stop: CancellationToken,
    ) {
        loop {
            let batch = tokio::select! {
                () = shutdown.cancelled() => break,
                batch = source.next_batch() => batch,
            };
            self.take(batch).await;
        }
        let handed_back = source.hand_back_buffered().await;
        if handed_back > 0 {
            tracing::info!(jobs = handed_back, "Handed unread jobs back to NATS.");
        }
        let mut tasks = std::mem::take(&mut self.tasks);
        let drained =
            tokio::time::timeout(grace, async { while tasks.join_next().await.is_some() {} }).await;
        if drained.is_err() {
            hard_stop.cancel();
            while tasks.join_next().await.is_some() {}
        }
    }

    async fn take(&mut self, messages: Vec<Message>) {
        let received = Instant::now();
        while self.tasks.try_join_next().is_some() {}
        let jobs: Vec<Job> = messages.into_iter().filter_map(decode).collect();
        if jobs.is_empty() {
            return;
        }
        let Some((mut states, jobs)) = self.load_or_settle(jobs).await else {
            return;
        };
        let mut disabled = Vec::new();
        let (mut held, mut suppressed) = (Vec::new(), Vec::new());
        let now = Utc::now();
        for job in jobs {
            let Some(state) = states.remove(&job.delivery_id) else {
                tracing::warn!(delivery_id = %job.delivery_id, "Job for an unknown delivery, dropping it.");
                let _ = job.message.ack_with(AckKind::Term).await;
                continue;
            };
            if state.status.needs_no_attempt() {
                // A redelivered job (crash, server restart): the work is already done, or the
                // delivery is held and the releaser, not this job, sends it.
                self.metrics.skipped.inc();
                let _ = job.message.ack().await;
                continue;
            }
            let Some(subscription) = self.cache.enabled(&job.tenant, state.subscription_id) else {
                let reason = match self.cache.unreadable(state.subscription_id) {
                    Some(error) => format!("its subscription cannot be read: {error}"),
                    None => {
                        "its subscription was deleted or disabled before it was sent".to_owned()
                    }
                };
                tracing::info!(delivery_id = %job.delivery_id, %reason, "Delivery failed without an attempt.");
                self.metrics.skipped.inc();
                disabled.push((job, reason));
                continue;
            };
            if state.status == DeliveryStatus::Pending {
                match hold::at_intake(
                    &subscription.spec,
                    &job.tenant,
                    state.cloudevent.value(),
                    now,
                ) {
                    hold::Intake::Attempt => {}
                    hold::Intake::Hold(key) => {
                        held.push((job, key));
                        continue;
                    }
                    hold::Intake::Suppress(reason) => {
                        suppressed.push((job, reason.to_owned()));
                        continue;
                    }
                }
            }
            let keys = pace_keys(subscription.id, &subscription.spec);
            let ready = Ready {
                message: job.message,
                delivery_id: job.delivery_id,
                event_id: state.event_id,
                tenant: state.tenant,
                subscription,
                event: state.cloudevent,
                attempt: u32::try_from(state.attempt_count).unwrap_or(0) + 1,
                attempts_base: u32::try_from(state.attempts_base).unwrap_or(0),
                received,
                notice: state.notice,
            };
            let max_wait = self.starter.context.ack_wait / 3;
            match self.pacer.reserve(&keys, Instant::now(), max_wait) {
                Reservation::Now => {
                    // The overall bound is waited for (it is what slows intake under load); a
                    // target's own bound is not: its extra jobs wait without a slot, or go
                    // back to NATS.
                    let Ok(permit) = self.starter.slots.clone().acquire_owned().await else {
                        return;
                    };
                    self.tasks.spawn(self.starter.clone().admit(ready, permit));
                }
                Reservation::Wait(wait) => {
                    self.metrics.paced.inc();
                    self.tasks
                        .spawn(self.starter.clone().after_turn(ready, wait));
                }
                Reservation::Later(wait) => {
                    self.metrics.paced.inc();
                    let _ = ready.message.ack_with(AckKind::Nak(Some(wait))).await;
                }
            }
        }
        let disabled = self.send_to_fallbacks(disabled).await;
        self.settle_orphans(disabled).await;
        self.settle_holds(held, suppressed).await;
    }

    /// Sends the events of deliveries failing because their subscription is disabled to its
    /// fallback ([`fallback::for_disabled`]); when the store refuses, the jobs come back and
    /// both are tried again. Returns the jobs left to fail.
    async fn send_to_fallbacks(&self, disabled: Vec<(Job, String)>) -> Vec<(Job, String)> {
        let ids: Vec<DeliveryId> = disabled.iter().map(|(job, _)| job.delivery_id).collect();
        if let Err(error) = fallback::for_disabled(&self.store, &self.bus, &ids).await {
            tracing::warn!(%error, "Cannot write fallback deliveries; the jobs will come back.");
            for (job, _) in &disabled {
                let _ = job.message.ack_with(AckKind::Nak(Some(LOAD_RETRY))).await;
            }
            return Vec::new();
        }
        disabled
    }

    /// Holds deliveries for the releaser (their group, or the end of quiet hours) and ends the
    /// ones quiet hours drop; their jobs are done either way. When the store refuses, the jobs
    /// come back and are decided again.
    async fn settle_holds(&self, held: Vec<(Job, String)>, suppressed: Vec<(Job, String)>) {
        if !held.is_empty() {
            let holds: Vec<(DeliveryId, String)> = held
                .iter()
                .map(|(job, key)| (job.delivery_id, key.clone()))
                .collect();
            let kind = match self.store.hold_deliveries(&holds).await {
                Ok(()) => {
                    self.metrics.skipped.inc_by(held.len() as u64);
                    AckKind::Ack
                }
                Err(error) => {
                    tracing::warn!(%error, "Cannot hold deliveries; their jobs will come back.");
                    AckKind::Nak(Some(LOAD_RETRY))
                }
            };
            for (job, _) in held {
                let _ = job.message.ack_with(kind).await;
            }
        }
        if suppressed.is_empty() {
            return;
        }
        let ends: Vec<(DeliveryId, String)> = suppressed
            .iter()
            .map(|(job, reason)| (job.delivery_id, reason.clone()))
            .collect();
        let kind = match self.store.suppress_deliveries(&ends).await {
            Ok(()) => {
                // Not `finished`: its failure ratio is about deliveries that were tried.
                self.metrics.skipped.inc_by(suppressed.len() as u64);
                AckKind::Ack
            }
            Err(error) => {
                tracing::warn!(%error, "Cannot end deliveries quiet hours drop; their jobs will come back.");
                AckKind::Nak(Some(LOAD_RETRY))
            }
        };
        for (job, _) in suppressed {
            let _ = job.message.ack_with(kind).await;
        }
    }

    /// Loads the jobs' deliveries. When that fails, the jobs go back to NATS, or, when
    /// [`PoisonPolicy`] says the failure is theirs, are loaded one by one and those that fail
    /// alone end as failed deliveries with the reason. Returns what loaded and its jobs.
    async fn load_or_settle(
        &mut self,
        jobs: Vec<Job>,
    ) -> Option<(HashMap<DeliveryId, JobState>, Vec<Job>)> {
        let error = match self.load(&jobs).await {
            Ok(states) => {
                self.health.succeeded();
                return Some((states, jobs));
            }
            Err(error) => error,
        };
        let failure = Failure::from(&error);
        let worst = jobs
            .iter()
            .map(|j| delivered(&j.message))
            .max()
            .unwrap_or(1);
        if !self
            .poison
            .gives_up(failure.kind, worst, self.health.works())
        {
            tracing::warn!(%error, jobs = jobs.len(), "Cannot load deliveries; the jobs will come back.");
            for job in &jobs {
                let _ = job.message.ack_with(AckKind::Nak(Some(LOAD_RETRY))).await;
            }
            return None;
        }
        tracing::info!(%error, jobs = jobs.len(), "Cannot load a batch of deliveries; loading them one by one to find the ones at fault.");
        let mut states = HashMap::with_capacity(jobs.len());
        let mut loaded = Vec::with_capacity(jobs.len());
        let mut unloadable = Vec::new();
        for job in jobs {
            match self.load(std::slice::from_ref(&job)).await {
                Ok(state) => {
                    self.health.succeeded();
                    states.extend(state);
                    loaded.push(job);
                }
                Err(error) => {
                    let failure = Failure::from(&error);
                    let delivered = delivered(&job.message);
                    if self
                        .poison
                        .gives_up(failure.kind, delivered, self.health.works())
                    {
                        let reason = if self.poison.is_net(failure.kind, delivered) {
                            format!(
                                "the job came {delivered} times and could not be loaded; the last error: {}",
                                failure.message
                            )
                        } else {
                            format!("it could not be loaded: {}", failure.message)
                        };
                        tracing::warn!(delivery_id = %job.delivery_id, %reason, "Delivery failed without an attempt.");
                        unloadable.push((job, reason));
                    } else {
                        let _ = job.message.ack_with(AckKind::Nak(Some(LOAD_RETRY))).await;
                    }
                }
            }
        }
        self.settle_orphans(unloadable).await;
        Some((states, loaded))
    }

    /// The jobs' deliveries, with the subscriptions they need loaded and current.
    async fn load(
        &mut self,
        jobs: &[Job],
    ) -> Result<HashMap<DeliveryId, JobState>, herald_store::StoreError> {
        let ids: Vec<DeliveryId> = jobs.iter().map(|j| j.delivery_id).collect();
        let loaded = self.store.load_jobs(&ids).await?;
        if let Some(version) = loaded.subscriptions_version {
            self.cache.observe(version);
        }
        let tenants: Vec<&Tenant> = jobs.iter().map(|j| &j.tenant).collect();
        self.cache.load(&self.store, &tenants).await?;
        Ok(loaded.jobs)
    }

    /// Marks deliveries failed without an attempt, each with its reason, and ends their jobs.
    async fn settle_orphans(&self, orphaned: Vec<(Job, String)>) {
        if orphaned.is_empty() {
            return;
        }
        let failures: Vec<(DeliveryId, String)> = orphaned
            .iter()
            .map(|(job, reason)| (job.delivery_id, reason.clone()))
            .collect();
        let kind = match self.store.fail_deliveries(&failures).await {
            Ok(()) => {
                for (job, _) in &orphaned {
                    self.metrics
                        .finished
                        .get_or_create(&FinishedLabels {
                            channel: job.channel,
                            status: "failed",
                        })
                        .inc();
                }
                AckKind::Term
            }
            Err(error) => {
                tracing::warn!(%error, "Cannot mark deliveries failed; their jobs will come back.");
                AckKind::Nak(Some(LOAD_RETRY))
            }
        };
        for (job, _) in orphaned {
            let _ = job.message.ack_with(kind).await;
        }
    }
}

/// How often NATS has handed this job out, this time included (hand-backs count too).
fn delivered(message: &Message) -> u64 {
    message
        .info()
        .map(|info| info.delivered.max(1) as u64)
        .unwrap_or(1)
}

fn decode(message: Message) -> Option<Job> {
    let job = match DeliveryJob::decode(message.payload.clone()) {
        Ok(job) => job,
        Err(error) => {
            tracing::error!(%error, subject = %message.subject, "Undecodable delivery job, dropping it.");
            tokio::spawn(async move {
                let _ = message.ack_with(AckKind::Term).await;
            });
            return None;
        }
    };
    match (
        job.delivery_id.parse::<DeliveryId>(),
        Tenant::parse(&job.tenant),
    ) {
        (Ok(delivery_id), Ok(tenant)) => Some(Job {
            message,
            delivery_id,
            tenant,
            channel: Channel::parse(&job.channel)
                .map(Channel::as_str)
                .unwrap_or("unknown"),
        }),
        _ => {
            tracing::error!(delivery_id = %job.delivery_id, "Delivery job with a bad id or tenant, dropping it.");
            tokio::spawn(async move {
                let _ = message.ack_with(AckKind::Term).await;
            });
            None
        }
    }
}
