//! Records finished attempts in batches — one transaction for many attempts and their status
//! changes — and only then acks, naks with the retry delay, or terms each job.

use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};

use herald_bus::{AckKind, Bus, publish_all};
use herald_domain::DeliveryStatus;
use herald_store::{AttemptRecord, Store};
use serde_json::json;
use tokio::sync::mpsc;

use crate::attempt::{Decision, Finished};
use crate::fallback;
use crate::handover::hand_over;
use crate::metrics::{
    AttemptLabels, DispatchMetrics, FinishedLabels, SubscriptionAttemptLabels, SubscriptionLabels,
};
use crate::ops;

/// Most attempts written in one statement.
const MAX_BATCH: usize = 512;
/// A batch this big is written without waiting for more.
const FULL_ENOUGH: usize = 64;
/// How long a smaller batch waits for more attempts to finish.
const LINGER: Duration = Duration::from_millis(3);
/// How long a batch that could not be recorded waits before NATS hands its jobs out again.
const UNRECORDED_RETRY: Duration = Duration::from_secs(1);

pub struct Recorder {
    pub store: Store,
    pub bus: Bus,
    pub metrics: DispatchMetrics,
}

impl Recorder {
    /// Runs until every sender is gone and everything received is recorded.
    pub async fn run(self, mut finished: mpsc::Receiver<Finished>) {
        while let Some(first) = finished.recv().await {
            let mut batch = vec![first];
            // A statement costs about as much for one attempt as for dozens: under load, wait a
            // moment for more rather than record each alone.
            let deadline = tokio::time::Instant::now() + LINGER;
            while batch.len() < MAX_BATCH {
                match finished.try_recv() {
                    Ok(more) => batch.push(more),
                    Err(_) if batch.len() >= FULL_ENOUGH => break,
                    Err(_) => match tokio::time::timeout_at(deadline, finished.recv()).await {
                        Ok(Some(more)) => batch.push(more),
                        Ok(None) | Err(_) => break,
                    },
                }
            }
            self.record(batch).await;
        }
    }

    async fn record(&self, batch: Vec<Finished>) {
        // Before the failures are recorded: see `fallback` for why this order.
        let fallbacks = fallback::write(&self.store, &batch).await;
        let records: Vec<AttemptRecord> = batch.iter().map(attempt_record).collect();
        let recorded = self.write_all(records).await;
        let mut kept = Vec::with_capacity(batch.len());
        for (finished, recorded) in batch.into_iter().zip(recorded) {
            if recorded {
                kept.push(finished);
            } else {
                self.metrics.record_failures.inc();
                let _ = finished
                    .message
                    .ack_with(AckKind::Nak(Some(UNRECORDED_RETRY)))
                    .await;
            }
        }
        let batch = kept;
        let mut ops_events = Vec::new();
        for finished in &batch {
            let outcome = match &finished.decision {
                Decision::Delivered => {
                    let _ = finished.message.ack().await;
                    "delivered"
                }
                Decision::Retry(delay) => {
                    let _ = finished.message.ack_with(AckKind::Nak(Some(*delay))).await;
                    "retry"
                }
                Decision::Failed { disable } => {
                    if let Some(reason) = disable
                        && self.disable(finished, reason).await
                    {
                        self.metrics.disabled.inc("gone");
                        ops_events.push(ops::subscription_disabled(finished, reason));
                    }
                    tracing::warn!(
                        delivery_id = %finished.delivery_id,
                        subscription_id = %finished.subscription.id,
                        attempts = finished.attempt,
                        status = finished.report.status,
                        error = finished.report.error.as_ref().map(|e| e.message.as_str()),
                        "Delivery failed."
                    );
                    ops_events.extend(ops::delivery_failed(finished));
                    "failed"
                }
            };
            self.count(finished, outcome);
        }
        ops_events.extend(ops::failing_and_recovered(&self.store, &batch).await);
        if !ops_events.is_empty() {
            let names = self.bus.names();
            let outgoing = ops_events
                .into_iter()
                .map(|e| e.into_outgoing(names))
                .collect();
            if let Err(error) = publish_all(&self.bus, outgoing).await {
                tracing::warn!(%error, "Cannot publish operational events.");
            }
        }
        if let Err(error) = hand_over(&self.store, &self.bus, &fallbacks).await {
            tracing::warn!(%error, "Cannot publish fallback jobs yet; the sweep will.");
        }
        // Terms go last: a failed job leaves NATS only once its operational event is out.
        for finished in batch
            .iter()
            .filter(|f| matches!(f.decision, Decision::Failed { .. }))
        {
            let _ = finished.message.ack_with(AckKind::Term).await;
        }
    }

    /// Records the batch and says which attempts went in. When the database refuses the batch
    /// itself (not an outage), each attempt is recorded alone, and one it refuses alone is
    /// kept without the receiver's answer and with the reason instead: an attempt that cannot
    /// be recorded would otherwise be made again and again.
    async fn write_all(&self, mut records: Vec<AttemptRecord>) -> Vec<bool> {
        let error = match self.write(&records).await {
            Ok(()) => return vec![true; records.len()],
            Err(error) => error,
        };
        if error.is_transient() {
            tracing::error!(%error, attempts = records.len(), "Cannot record attempts; their jobs will run again.");
            return vec![false; records.len()];
        }
        tracing::warn!(%error, attempts = records.len(), "The database refused a batch of attempts; recording them one by one.");
        let mut recorded = Vec::with_capacity(records.len());
        for record in &mut records {
            let alone = std::slice::from_mut(record);
            let went_in = match self.store.record_attempts(alone).await {
                Ok(()) => true,
                Err(error) if error.is_transient() => false,
                Err(error) => {
                    tracing::warn!(%error, delivery_id = %alone[0].delivery_id, "Attempt refused by the database; recording it without the receiver's answer.");
                    alone[0].response_headers = None;
                    alone[0].response_body = None;
                    alone[0].error = Some(format!(
                        "the attempt was made, but its record was refused and is kept without the receiver's answer: {error}"
                    ));
                    self.store.record_attempts(alone).await.is_ok()
                }
            };
            recorded.push(went_in);
        }
        recorded
    }

    /// A short outage of Postgres should not cost the attempts: try a few times.
    async fn write(&self, records: &[AttemptRecord]) -> Result<(), herald_store::StoreError> {
        let mut pause = Duration::from_millis(100);
        for _ in 0..3 {
            match self.store.record_attempts(records).await {
                Err(error) if error.is_transient() => {
                    tracing::warn!(%error, "Recording attempts failed, trying again.");
                    tokio::time::sleep(pause).await;
                    pause *= 4;
                }
                other => return other,
            }
        }
        self.store.record_attempts(records).await
    }

    fn count(&self, finished: &Finished, outcome: &'static str) {
        let channel = finished.subscription.spec.channel().as_str();
        self.metrics
            .attempts
            .get_or_create(&AttemptLabels { channel, outcome })
            .inc();
        if outcome != "retry" {
            self.metrics
                .finished
                .get_or_create(&FinishedLabels {
                    channel,
                    status: outcome,
                })
                .inc();
        }
        let Some(per_subscription) = &self.metrics.per_subscription else {
            return;
        };
        let subscription = SubscriptionLabels {
            tenant: finished.tenant.clone(),
            subscription_id: finished.subscription.id.to_string(),
        };
        per_subscription
            .attempts
            .get_or_create(&SubscriptionAttemptLabels {
                tenant: subscription.tenant.clone(),
                subscription_id: subscription.subscription_id.clone(),
                channel,
                outcome,
            })
            .inc();
        per_subscription
            .attempt_seconds
            .get_or_create(&subscription)
            .inc_by(finished.report.duration.as_secs_f64());
        let failures = per_subscription
            .consecutive_failures
            .get_or_create(&subscription);
        match outcome {
            "delivered" => {
                failures.set(0);
            }
            "failed" => {
                failures.inc();
            }
            _ => {}
        }
    }

    /// Switches the subscription off; true when this call did (it was on).
    async fn disable(&self, finished: &Finished, reason: &str) -> bool {
        match self
            .store
            .disable_subscription(finished.subscription.id, reason)
            .await
        {
            Ok(true) => {
                tracing::warn!(
                    subscription_id = %finished.subscription.id,
                    %reason,
                    "Subscription disabled."
                );
                true
            }
            Ok(false) => false,
            Err(error) => {
                tracing::error!(%error, subscription_id = %finished.subscription.id, "Cannot disable subscription.");
                false
            }
        }
    }
}

fn attempt_record(finished: &Finished) -> AttemptRecord {
    let report = &finished.report;
    AttemptRecord {
        delivery_id: finished.delivery_id,
        number: i32::try_from(finished.attempt).unwrap_or(i32::MAX),
        started_at: report.started_at,
        duration_ms: i32::try_from(report.duration.as_millis()).unwrap_or(i32::MAX),
        destination: report.destination.clone(),
        method: report.method,
        status_code: report.status.map(i32::from),
        response_headers: (!report.headers.is_empty()).then(|| json!(report.headers)),
        response_body: report.response.clone(),
        error_class: report.error.as_ref().map(|e| e.class.as_str()),
        error: report.error.as_ref().map(|e| e.message.clone()),
        trace_id: finished.trace_id.clone(),
        span_id: finished.span_id.clone(),
        new_status: match finished.decision {
            Decision::Delivered => DeliveryStatus::Delivered,
            Decision::Retry(_) => DeliveryStatus::Retrying,
            Decision::Failed { .. } => DeliveryStatus::Failed,
        },
        next_attempt_at: next_attempt_at(&finished.decision, Utc::now()),
    }
}

/// When a retry is due: the NAK that follows the recording right away starts JetStream's
/// delay, so counting it from now is off by one batch's write at most (docs/adr/0004).
fn next_attempt_at(decision: &Decision, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    match decision {
        Decision::Retry(delay) => TimeDelta::from_std(*delay).ok().map(|delay| now + delay),
        Decision::Delivered | Decision::Failed { .. } => None,
    }
}

#[cfg(test)]
mod tests;
