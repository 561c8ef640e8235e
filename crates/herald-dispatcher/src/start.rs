//! Starting a job that is cleared to run: a slot of the process, then a slot of its target
//! (or a wait for one), then its attempt and each attempt that waited for the same target.

use std::sync::Arc;
use std::time::{Duration, Instant};

use herald_bus::AckKind;
use herald_domain::Target;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::attempt::{self, AttemptContext, Ready};
use crate::limiter::{Admission, TargetLimiter, TargetSlot, hand_back_delay};
use crate::metrics::{ChannelLabel, DispatchMetrics, TraceLabel};

/// What every intake shares to start attempts.
#[derive(Clone)]
pub struct Starter {
    /// Bounds attempts in flight; waiting for a slot is what slows intake under load.
    pub slots: Arc<Semaphore>,
    pub limiter: TargetLimiter<Ready>,
    pub context: Arc<AttemptContext>,
    pub metrics: DispatchMetrics,
    pub saturated_delay: Duration,
}

impl Starter {
    /// Runs `ready` on a slot of its target, or leaves it waiting for one, or hands it back
    /// when its target is saturated. `permit` is its slot of the process.
    pub async fn admit(self, ready: Ready, permit: OwnedSemaphorePermit) {
        let key = target_key(&ready.subscription.spec.target);
        match self.limiter.admit(&key, ready) {
            Admission::Run(ready, slot) => {
                let turns = Turns {
                    context: self.context.clone(),
                    metrics: self.metrics.clone(),
                    saturated_delay: self.saturated_delay,
                };
                turns.run(ready, slot).await;
                drop(permit);
            }
            Admission::Waiting => {
                self.metrics.waited.inc();
            }
            Admission::Saturated(ready) => {
                hand_back(ready, self.saturated_delay, &self.metrics).await;
            }
        }
    }

    /// Waits for the job's turn at its destination's pace, holding no slot, then admits it.
    pub async fn after_turn(self, mut ready: Ready, wait: Duration) {
        tokio::select! {
            () = tokio::time::sleep(wait) => {}
            () = self.context.hard_stop.cancelled() => {
                let _ = ready.message.ack_with(AckKind::Nak(None)).await;
                return;
            }
        }
        // The wait counted against AckWait: tell NATS the job is in hand, and start its clock
        // afresh so it is not handed back for having waited.
        let _ = ready.message.ack_with(AckKind::Progress).await;
        ready.received = Instant::now();
        let Ok(permit) = self.slots.clone().acquire_owned().await else {
            return;
        };
        self.admit(ready, permit).await;
    }
}

/// Attempts on one slot of a target: the job it was taken for, then each job of the same target
/// that waited for a slot, until none waits.
pub struct Turns {
    context: Arc<AttemptContext>,
    metrics: DispatchMetrics,
    saturated_delay: Duration,
}

impl Turns {
    async fn run(self, ready: Ready, slot: TargetSlot<Ready>) {
        let mut turn = Some((ready, slot));
        while let Some((ready, slot)) = turn {
            let took = if self.context.hard_stop.is_cancelled() {
                let _ = ready.message.ack_with(AckKind::Nak(None)).await;
                None
            } else if ready.received.elapsed() > self.context.ack_wait / 3 {
                // Waited so long that NATS would soon hand it out again: give it back first.
                hand_back(ready, self.saturated_delay, &self.metrics).await;
                None
            } else {
                let channel = ready.subscription.spec.channel().as_str();
                self.metrics.in_flight.inc();
                let timed = attempt::run(ready, self.context.clone()).await;
                self.metrics.in_flight.dec();
                timed.map(|timed| {
                    self.metrics
                        .attempt_seconds
                        .get_or_create(&ChannelLabel { channel })
                        .observe(
                            timed.took.as_secs_f64(),
                            timed.trace_id.map(|trace_id| TraceLabel { trace_id }),
                            Some(std::time::SystemTime::now()),
                        );
                    timed.took
                })
            };
            let handover = slot.finish(took);
            for evicted in handover.evicted {
                hand_back(evicted, self.saturated_delay, &self.metrics).await;
            }
            turn = handover.next;
        }
    }
}

/// Back to NATS without an attempt, for longer each time (see [`hand_back_delay`]).
pub async fn hand_back(ready: Ready, base: Duration, metrics: &DispatchMetrics) {
    metrics.saturated.inc();
    let delivered = ready.message.info().map(|info| info.delivered).unwrap_or(1);
    let delay = hand_back_delay(base, delivered, rand::random_range(-1.0..=1.0));
    let _ = ready.message.ack_with(AckKind::Nak(Some(delay))).await;
}

/// Which receiver a subscription's attempts count against: scheme, host and port.
fn target_key(target: &Target) -> String {
    let url = match target {
        Target::Webhook(t) => t.url.as_url(),
        Target::Slack(t) => t.webhook_url.as_url(),
        Target::Discord(t) => t.webhook_url.as_url(),
        Target::Teams(t) => t.webhook_url.as_url(),
        Target::Email(_) => return "smtp".to_owned(),
    };
    format!(
        "{}://{}:{}",
        url.scheme(),
        url.host_str().unwrap_or_default(),
        url.port_or_known_default().unwrap_or(0)
    )
}
