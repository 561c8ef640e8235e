//! One attempt of one job: its span, the channel call, `Progress` acks while it runs, and the
//! decision what happens next.

use std::sync::Arc;
use std::time::{Duration, Instant};

use herald_bus::{AckKind, Message};
use herald_channels::{AttemptReport, Channels, Delivery, Verdict, pace_keys};
use herald_domain::{DeliveryId, EventDocument, EventId, JobNotice, RetryPolicy};
use herald_store::Subscription;
use herald_telemetry::propagation;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;
use tracing::{Instrument as _, Span};

use crate::pacer::Pacer;

/// What the recorder does with a finished attempt.
#[derive(Debug, Clone, PartialEq)]
pub enum Decision {
    Delivered,
    Retry(Duration),
    /// Given up; `disable` also switches the subscription off, saying why.
    Failed {
        disable: Option<String>,
    },
}

/// A job cleared to run: its delivery is pending, its subscription enabled, its target has room.
pub struct Ready {
    pub message: Message,
    pub delivery_id: DeliveryId,
    pub event_id: EventId,
    pub tenant: String,
    pub subscription: Arc<Subscription>,
    pub event: Arc<EventDocument>,
    /// 1-based, counted over the delivery's whole life.
    pub attempt: u32,
    /// Attempts made before the last manual retry.
    pub attempts_base: u32,
    /// When the dispatcher took the job from NATS: NATS hands it out again AckWait later.
    pub received: Instant,
    /// What a `notify: transitions` delivery says beyond its event.
    pub notice: Option<JobNotice>,
}

pub struct Finished {
    pub message: Message,
    pub delivery_id: DeliveryId,
    pub event_id: EventId,
    /// The event's type: a delivery of an operational event never reports on itself.
    pub event_type: String,
    pub tenant: String,
    pub subscription: Arc<Subscription>,
    pub attempt: u32,
    pub report: AttemptReport,
    pub decision: Decision,
    pub trace_id: Option<String>,
    pub span_id: Option<String>,
}

pub struct AttemptContext {
    pub channels: Arc<Channels>,
    /// Told when a platform asks for quiet (429, rate-limit headers).
    pub pacer: Pacer,
    /// One queue per recorder; a delivery always goes to the same one.
    pub finished: Vec<mpsc::Sender<Finished>>,
    pub ack_wait: Duration,
    /// Cancelled when shutdown's grace period is over: hand the job back to NATS at once.
    pub hard_stop: CancellationToken,
}

/// How long the receiver took to answer, and the attempt's trace.
pub struct Timed {
    pub took: Duration,
    pub trace_id: Option<String>,
}

/// Makes the attempt and hands it to a recorder; `None` when no request was sent.
pub async fn run(ready: Ready, context: Arc<AttemptContext>) -> Option<Timed> {
    let spec = &ready.subscription.spec;
    let span = tracing::info_span!(
        "herald.delivery.attempt",
        otel.kind = "client",
        herald.delivery_id = %ready.delivery_id,
        herald.subscription_id = %ready.subscription.id,
        herald.event_id = %ready.event_id,
        herald.attempt = ready.attempt,
        herald.channel = spec.channel().as_str(),
        herald.destination = tracing::field::Empty,
        http.request.method = tracing::field::Empty,
        http.response.status_code = tracing::field::Empty,
        error.type = tracing::field::Empty,
        herald.retry_delay_ms = tracing::field::Empty,
    );
    propagation::set_parent(&span, ready.message.headers.as_ref());
    attempt(ready, context).instrument(span).await
}

async fn attempt(ready: Ready, context: Arc<AttemptContext>) -> Option<Timed> {
    let span = Span::current();
    let traceparent = propagation::traceparent(&span);
    let delivery_id = ready.delivery_id.to_string();
    let report = {
        let delivery = Delivery {
            delivery_id: &delivery_id,
            attempt: ready.attempt,
            event: &ready.event,
            subscription_id: ready.subscription.id,
            subscription: &ready.subscription.spec,
            traceparent: traceparent.as_deref(),
            now: chrono::Utc::now(),
            notice: ready.notice.as_ref(),
        };
        let send = context.channels.deliver(&delivery);
        tokio::pin!(send);
        // Without progress acks NATS would redeliver a job whose receiver takes longer than
        // AckWait.
        let mut progress = tokio::time::interval(context.ack_wait / 3);
        progress.tick().await;
        loop {
            tokio::select! {
                report = &mut send => break Some(report),
                _ = progress.tick() => {
                    let _ = ready.message.ack_with(AckKind::Progress).await;
                }
                () = context.hard_stop.cancelled() => break None,
            }
        }
    };
    let Some(report) = report else {
        tracing::info!("Shutting down mid-attempt; the job goes back to NATS.");
        let _ = ready.message.ack_with(AckKind::Nak(None)).await;
        return None;
    };
    let took = report.duration;
    let decision = decide(
        &report.verdict,
        ready.attempt.saturating_sub(ready.attempts_base),
        &ready.subscription.spec.retry,
        rand::random_range(-1.0..=1.0),
    );
    span.record("herald.destination", report.destination.as_str());
    if let Some(method) = report.method {
        span.record("http.request.method", method);
    }
    if let Some(status) = report.status {
        span.record("http.response.status_code", status);
    }
    if let Some(error) = &report.error {
        span.record("error.type", error.class.as_str());
    } else if let Some(status) = report.status.filter(|s| *s >= 400) {
        span.record("error.type", status.to_string().as_str());
    }
    if let Decision::Retry(delay) = &decision {
        span.record("herald.retry_delay_ms", delay.as_millis() as u64);
    }
    heed_the_platform(&context.pacer, &ready, &report);
    let trace_id = traceparent_part(traceparent.as_deref(), 1);
    let finished = Finished {
        message: ready.message,
        delivery_id: ready.delivery_id,
        event_id: ready.event_id,
        event_type: ready
            .event
            .value()
            .get("type")
            .and_then(|t| t.as_str())
            .unwrap_or_default()
            .to_owned(),
        tenant: ready.tenant,
        subscription: ready.subscription,
        attempt: ready.attempt,
        report,
        decision,
        // Both are in the traceparent already: `00-{trace id}-{span id}-{flags}`.
        trace_id: trace_id.clone(),
        span_id: traceparent_part(traceparent.as_deref(), 2),
    };
    // The recorders only stop after every attempt task has finished.
    let recorder =
        (finished.delivery_id.as_uuid().as_u128() % context.finished.len().max(1) as u128) as usize;
    if let Some(queue) = context.finished.get(recorder) {
        let _ = queue.send(finished).await;
    }
    Some(Timed { took, trace_id })
}

/// A 429's wait, or rate-limit headers saying no request remains, hold the destination's
/// bucket, so the next jobs for it wait instead of meeting another 429.
fn heed_the_platform(pacer: &Pacer, ready: &Ready, report: &AttemptReport) {
    let quiet_for = match (&report.verdict, report.status, report.pace) {
        (Verdict::Retry { after: Some(after) }, Some(429), _) => Some(*after),
        (_, _, Some(hint)) if hint.remaining == 0 => Some(hint.reset_after),
        _ => None,
    };
    let Some(quiet_for) = quiet_for else {
        return;
    };
    let until = std::time::Instant::now() + quiet_for;
    for key in pace_keys(ready.subscription.id, &ready.subscription.spec) {
        if key.platform {
            pacer.hold(&key.key, until);
        }
    }
}

fn traceparent_part(traceparent: Option<&str>, index: usize) -> Option<String> {
    traceparent?.split('-').nth(index).map(str::to_owned)
}

/// Delivered; retried after the receiver's wish (capped by the policy) or the policy's delay;
/// or failed when trying again cannot help or the attempts are used up.
pub fn decide(
    verdict: &Verdict,
    attempts_used: u32,
    policy: &RetryPolicy,
    jitter: f64,
) -> Decision {
    match verdict {
        Verdict::Delivered => Decision::Delivered,
        Verdict::Permanent { disable } => Decision::Failed {
            disable: disable.clone(),
        },
        Verdict::Retry { .. } if attempts_used >= policy.max_attempts() => {
            Decision::Failed { disable: None }
        }
        Verdict::Retry { after: Some(wish) } => Decision::Retry((*wish).min(policy.max_delay())),
        Verdict::Retry { after: None } => {
            Decision::Retry(policy.delay_before(attempts_used, jitter))
        }
    }
}

#[cfg(test)]
mod tests;
