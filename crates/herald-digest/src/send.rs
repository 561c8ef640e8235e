//! A digest handed to the dispatcher: its `herald.digest` event (the report as data) and its
//! delivery written, then its job published, like any delivery.

use bytes::Bytes;
use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use herald_bus::{Bus, HeaderMap, Outgoing, publish_all};
use herald_domain::{DeliveryId, DigestSchedule, EventId};
use herald_proto::v1::DeliveryJob;
use herald_render::DigestReport;
use herald_store::{DigestEvent, Store, Subscription};
use prost::Message as _;
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
    let job = store
        .record_digest(ids.event_id, ids.delivery_id, subscription.id, &event)
        .await?;
    let outgoing = Outgoing {
        subject: bus.names().delivery_subject(&job.channel),
        msg_id: job.delivery_id.to_string(),
        headers: HeaderMap::new(),
        payload: Bytes::from(DeliveryJob::from(&job).encode_to_vec()),
    };
    publish_all(bus, vec![outgoing]).await?;
    Ok(job.delivery_id)
}
