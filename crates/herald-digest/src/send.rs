//! A digest handed to the dispatcher: its `herald.digest` event (the report as data) and its
//! delivery written with its job in the outbox, then the job handed to the dispatcher.

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use herald_bus::Bus;
use herald_domain::{DeliveryId, DigestSchedule, EventId};
use herald_render::DigestReport;
use herald_store::{DigestEvent, Store, Subscription};
use serde_json::json;

use crate::{DigestError, build_report};

pub(crate) struct Ids {
    pub ce_id: String,
    pub event_id: EventId,
    pub delivery_id: DeliveryId,
}

/// Sends `day`'s digest of `subscription` now, outside its schedule (the API's "send now"):
/// a delivery of its own, recorded like the scheduled one.
pub async fn send_digest(
    store: &Store,
    bus: &Bus,
    subscription: &Subscription,
    tz: Tz,
    day: NaiveDate,
    now: DateTime<Utc>,
) -> Result<DeliveryId, DigestError> {
    let report = build_report(store, subscription.spec.tenant.as_str(), tz, day).await?;
    let ids = Ids {
        ce_id: format!(
            "{}:sent:{}",
            herald_store::digest_ce_id(subscription.id, day),
            now.timestamp_millis()
        ),
        event_id: EventId::new(),
        delivery_id: DeliveryId::new(),
    };
    publish(store, bus, subscription, &report, ids, now).await
}

pub(crate) async fn publish(
    store: &Store,
    bus: &Bus,
    subscription: &Subscription,
    report: &DigestReport,
    ids: Ids,
    now: DateTime<Utc>,
) -> Result<DeliveryId, DigestError> {
    let tenant = subscription.spec.tenant.as_str();
    let data = serde_json::to_value(report).map_err(|e| DigestError::Report(e.to_string()))?;
    let cloudevent = json!({
        "specversion": "1.0",
        "id": ids.ce_id,
        "source": "herald",
        "type": DigestSchedule::EVENT_TYPE,
        "time": now,
        "subject": format!("digests/{}", report.date),
        "tenant": tenant,
        "datacontenttype": "application/json",
        "data": data,
    });
    let event = DigestEvent {
        tenant: tenant.to_owned(),
        ce_id: ids.ce_id,
        channel: subscription.spec.channel().as_str().to_owned(),
        cloudevent,
        time: now,
    };
    let queued = store
        .record_digest(ids.event_id, ids.delivery_id, subscription.id, &event)
        .await?;
    herald_dispatcher::hand_over(store, bus, std::slice::from_ref(&queued)).await?;
    Ok(queued.job.delivery_id)
}
