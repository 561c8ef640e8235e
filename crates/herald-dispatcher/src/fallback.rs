//! `fallback_subscription_id`: a delivery that failed for good (its attempts ran out, its
//! receiver refused it, or switched its subscription off) sends its event to the fallback
//! subscription, once, saying why. The fallback's delivery is written before the failure is
//! recorded, with its job in the outbox, so a crash in between leaves it to the sweep rather
//! than losing it; the cost of that order is a fallback sent for a delivery whose attempt, made
//! again after the crash, goes through after all.

use std::time::Duration;

use herald_bus::Bus;
use herald_domain::{Channel, DeliveryId};
use herald_store::{FallbackRequest, QueuedJob, Store, StoreError};

use crate::attempt::{Decision, Finished};

/// Writes the fallback deliveries of the batch's final failures and returns their jobs. An
/// outage gets a few tries; after that the fallback is lost, and said so at ERROR.
pub(crate) async fn write(store: &Store, batch: &[Finished]) -> Vec<QueuedJob> {
    let requests: Vec<FallbackRequest> = batch.iter().filter_map(request).collect();
    if requests.is_empty() {
        return Vec::new();
    }
    let mut pause = Duration::from_millis(100);
    for _ in 0..3 {
        match store.record_fallbacks(&requests).await {
            Ok(jobs) => {
                for job in &jobs {
                    tracing::info!(delivery_id = %job.job.delivery_id, subscription_id = %job.job.subscription_id, "Event sent to a fallback subscription.");
                }
                return jobs;
            }
            Err(error) if error.is_transient() => {
                tracing::warn!(%error, "Cannot write fallback deliveries yet, trying again.");
                tokio::time::sleep(pause).await;
                pause *= 4;
            }
            Err(error) => {
                tracing::error!(%error, fallbacks = requests.len(), "Cannot write fallback deliveries; their events do not reach the fallbacks.");
                return Vec::new();
            }
        }
    }
    tracing::error!(
        fallbacks = requests.len(),
        "Postgres stayed unreachable; fallback deliveries were not written."
    );
    Vec::new()
}

/// Deliveries failing without an attempt because their subscription is disabled send their
/// event to its fallback too ("or its subscription is disabled"). The fallback is written
/// before the caller records the failure, so an error here leaves both to be tried again; an
/// event reaches a fallback once however often that happens.
pub(crate) async fn for_disabled(
    store: &Store,
    bus: &Bus,
    deliveries: &[DeliveryId],
) -> Result<(), StoreError> {
    let requests = store.disabled_fallbacks(deliveries).await?;
    let jobs = store.record_fallbacks(&requests).await?;
    for job in &jobs {
        tracing::info!(delivery_id = %job.job.delivery_id, subscription_id = %job.job.subscription_id, "Event sent to a fallback subscription.");
    }
    if let Err(error) = crate::hand_over(store, bus, &jobs).await {
        tracing::warn!(%error, "Cannot publish fallback jobs yet; the sweep will.");
    }
    Ok(())
}

fn request(finished: &Finished) -> Option<FallbackRequest> {
    let Decision::Failed { disable } = &finished.decision else {
        return None;
    };
    let spec = &finished.subscription.spec;
    let fallback = spec.fallback_subscription_id?;
    let subject = format!("{} '{}'", channel_label(spec.channel()), spec.name);
    let reason = match disable {
        Some(why) => format!("{subject} was disabled: {why}"),
        None => {
            let attempts = match finished.attempt {
                1 => "1 attempt".to_owned(),
                n => format!("{n} attempts"),
            };
            format!(
                "{subject} failed: {} after {attempts}",
                what_failed(finished)
            )
        }
    };
    Some(FallbackRequest {
        failed: finished.delivery_id,
        fallback,
        reason,
    })
}

/// `HTTP 500`, `SMTP 550`, else the attempt's error (`connection refused`).
fn what_failed(finished: &Finished) -> String {
    let report = &finished.report;
    match (report.status, &report.error) {
        (Some(status), _) if finished.subscription.spec.channel() == Channel::Email => {
            format!("SMTP {status}")
        }
        (Some(status), _) => format!("HTTP {status}"),
        (None, Some(error)) => error.message.clone(),
        (None, None) => "no answer".to_owned(),
    }
}

fn channel_label(channel: Channel) -> &'static str {
    match channel {
        Channel::Webhook => "Webhook",
        Channel::Slack => "Slack",
        Channel::Discord => "Discord",
        Channel::Teams => "Teams",
        Channel::Email => "Email",
    }
}
