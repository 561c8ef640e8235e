//! The operational events a recorded batch gives rise to: `herald.delivery.failed` for a
//! delivery that failed for good, `herald.subscription.disabled` for a subscription its
//! receiver switched off, `herald.subscription.recovered` for a failing subscription that
//! delivered again. Ingest reads them back as events of the tenant, so subscriptions can
//! receive them; these rules keep that from feeding itself:
//! - a delivery of an operational event (`herald.delivery.…`, `herald.subscription.…`) never
//!   publishes `herald.delivery.failed`, nor counts towards failing or recovering;
//! - a subscription is switched off once (a disabled one gets nothing, not even its own
//!   `herald.subscription.disabled`), and the event's id is derived from the subscription's
//!   version, so replicas racing to switch it off publish one event.

use std::collections::HashMap;
use std::sync::Arc;

use herald_bus::{OpsEvent, is_ops_type};
use herald_domain::{Channel, SubscriptionId};
use herald_store::{Recovery, Store, Subscription};
use serde_json::{Value, json};

use crate::attempt::{Decision, Finished};

/// `herald.delivery.failed` for a delivery that failed for good; `None` for a delivery of an
/// operational event, whose failure is recorded but reported to no one (no loops).
pub(crate) fn delivery_failed(finished: &Finished) -> Option<OpsEvent> {
    if is_ops_type(&finished.event_type) {
        return None;
    }
    let event = OpsEvent::delivery_failed(
        &finished.tenant,
        &finished.delivery_id.to_string(),
        finished.attempt,
        json!({
            "delivery_id": finished.delivery_id.to_string(),
            "event_id": finished.event_id.to_string(),
            "event_type": finished.event_type,
            "subscription_id": finished.subscription.id.to_string(),
            "subscription_name": finished.subscription.spec.name,
            "channel": finished.subscription.spec.channel().as_str(),
            "attempts": finished.attempt,
            "last_status_code": finished.report.status,
            "last_error": last_error(finished),
        }),
    );
    Some(event)
}

/// `herald.subscription.disabled` for a subscription the receiver's answer switched off.
pub(crate) fn subscription_disabled(finished: &Finished, reason: &str) -> OpsEvent {
    let subscription = &finished.subscription;
    OpsEvent::subscription_disabled(
        &finished.tenant,
        &subscription.id.to_string(),
        &subscription.spec.name,
        reason,
        // The version that was switched off: the same for every replica that saw it on.
        &subscription.updated_at.timestamp_micros().to_string(),
    )
    .with("channel", json!(subscription.spec.channel().as_str()))
    .with("delivery_id", json!(finished.delivery_id.to_string()))
    .with("event_type", json!(finished.event_type))
    .with("last_status_code", json!(finished.report.status))
}

/// Notes the batch's failures and deliveries per subscription, and returns
/// `herald.subscription.recovered` for each failing subscription that delivered again. Best
/// effort: the attempts are recorded already, and a notice lost to an outage is not worth
/// sending them again for.
pub(crate) async fn failing_and_recovered(store: &Store, batch: &[Finished]) -> Vec<OpsEvent> {
    let mut failed = Vec::new();
    // The subscription's last word in this batch decides whether it recovered.
    let mut last: HashMap<SubscriptionId, (bool, &Arc<Subscription>)> = HashMap::new();
    for finished in batch.iter().filter(|f| !is_ops_type(&f.event_type)) {
        let delivered = match finished.decision {
            Decision::Delivered => true,
            Decision::Failed { .. } => {
                failed.push((finished.subscription.id, last_error(finished)));
                false
            }
            Decision::Retry(_) => continue,
        };
        last.insert(
            finished.subscription.id,
            (delivered, &finished.subscription),
        );
    }
    if let Err(error) = store.note_failed_deliveries(&failed).await {
        tracing::warn!(%error, "Cannot note failed deliveries; a recovery may go unannounced.");
    }
    let delivered: Vec<SubscriptionId> = last
        .iter()
        .filter(|(_, (delivered, _))| *delivered)
        .map(|(id, _)| *id)
        .collect();
    let recoveries = match store.note_delivered(&delivered).await {
        Ok(recoveries) => recoveries,
        Err(error) => {
            tracing::warn!(%error, "Cannot note delivered subscriptions; a recovery may go unannounced.");
            return Vec::new();
        }
    };
    let tenant_of: HashMap<SubscriptionId, &str> = batch
        .iter()
        .map(|f| (f.subscription.id, f.tenant.as_str()))
        .collect();
    recoveries
        .into_iter()
        .filter_map(|recovery| {
            let (_, subscription) = last.get(&recovery.subscription_id)?;
            let tenant = tenant_of.get(&recovery.subscription_id)?;
            Some(recovered(tenant, subscription, &recovery))
        })
        .collect()
}

fn recovered(tenant: &str, subscription: &Subscription, recovery: &Recovery) -> OpsEvent {
    tracing::info!(subscription_id = %subscription.id, failed = recovery.failed, "Subscription delivers again.");
    let reason = match recovery.failed {
        1 => "delivered again after 1 delivery failed for good".to_owned(),
        n => format!("delivered again after {n} deliveries failed for good"),
    };
    OpsEvent::subscription_recovered(
        tenant,
        &subscription.id.to_string(),
        &subscription.spec.name,
        &reason,
        &recovery.since.timestamp_micros().to_string(),
    )
    .with("channel", json!(subscription.spec.channel().as_str()))
    .with("failed_deliveries", json!(recovery.failed))
    .with("failing_since", json!(recovery.since))
    // Not `last_error`: a recovery is no error, and readers show `last_error` as one.
    .with(
        "last_failure",
        recovery
            .last_error
            .as_ref()
            .map_or(Value::Null, |e| json!(e)),
    )
}

/// What went wrong, in one line: the attempt's error, else the receiver's answer
/// (`HTTP 500: upstream timed out`, `SMTP 550: mailbox unavailable`).
pub(crate) fn last_error(finished: &Finished) -> Option<String> {
    let report = &finished.report;
    if let Some(error) = &report.error {
        return Some(error.message.clone());
    }
    let status = report.status?;
    let protocol = match finished.subscription.spec.channel() {
        Channel::Email => "SMTP",
        _ => "HTTP",
    };
    let answer = report
        .response
        .as_deref()
        .map(|text| text.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|text| !text.is_empty());
    Some(match answer {
        Some(text) => format!("{protocol} {status}: {}", excerpt(&text, 200)),
        None => format!("{protocol} {status}"),
    })
}

fn excerpt(text: &str, max_chars: usize) -> String {
    match text.char_indices().nth(max_chars) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.to_owned(),
    }
}
