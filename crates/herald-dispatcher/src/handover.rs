//! Jobs handed to the dispatcher by what writes deliveries outside ingest (the API's replays
//! and retries, digests): published, then cleared from the store's outbox; and the sweep
//! that publishes again whatever a crash or a NATS outage left there.

use std::time::Duration;

use bytes::Bytes;
use herald_bus::{Bus, BusError, HeaderMap, Outgoing, publish_all};
use herald_proto::v1::DeliveryJob;
use herald_store::{QueuedJob, Store};
use prometheus_client::metrics::counter::Counter;
use prost::Message as _;
use tokio_util::sync::CancellationToken;

/// How long a job may sit in the outbox before the sweep publishes it again: far longer than
/// a publish takes, so it only catches jobs whose writer died or lost NATS.
pub const STRANDED_AFTER: Duration = Duration::from_secs(60);

/// How often the sweep looks.
const SWEEP_EVERY: Duration = Duration::from_secs(5);

/// Most jobs one sweep publishes.
const SWEEP_BATCH: u32 = 1_000;

/// Publishes `jobs` on `{prefix}.deliveries.{channel}`, waiting for every ack, then clears
/// them from the outbox. Once this fails the jobs stay queued and the sweep sends them.
pub async fn hand_over(store: &Store, bus: &Bus, jobs: &[QueuedJob]) -> Result<(), BusError> {
    if jobs.is_empty() {
        return Ok(());
    }
    let names = bus.names();
    let outgoing = jobs
        .iter()
        .map(|queued| Outgoing {
            subject: names.delivery_subject(&queued.job.channel),
            msg_id: queued.msg_id.clone(),
            headers: HeaderMap::new(),
            payload: Bytes::from(DeliveryJob::from(&queued.job).encode_to_vec()),
        })
        .collect();
    publish_all(bus, outgoing).await?;
    let ids: Vec<_> = jobs.iter().map(|q| q.job.delivery_id).collect();
    // The jobs are in JetStream; a row left behind is published again under the same id,
    // which the stream's duplicate window or the delivery's state makes harmless.
    if let Err(error) = store.jobs_published(&ids).await {
        tracing::warn!(%error, jobs = ids.len(), "Published jobs stay in the outbox.");
    }
    Ok(())
}

/// Publishes stranded outbox jobs until `shutdown`.
pub(crate) async fn sweep(
    store: Store,
    bus: Bus,
    republished: Counter,
    shutdown: CancellationToken,
) {
    loop {
        tokio::select! {
            () = shutdown.cancelled() => return,
            () = tokio::time::sleep(SWEEP_EVERY) => {}
        }
        match store.stranded_jobs(STRANDED_AFTER, SWEEP_BATCH).await {
            Ok(jobs) if jobs.is_empty() => {}
            Ok(jobs) => match hand_over(&store, &bus, &jobs).await {
                Ok(()) => {
                    republished.inc_by(jobs.len() as u64);
                    tracing::info!(jobs = jobs.len(), "Stranded jobs published.");
                }
                Err(error) => {
                    tracing::warn!(%error, jobs = jobs.len(), "Cannot publish stranded jobs yet.");
                }
            },
            Err(error) => tracing::warn!(%error, "Cannot read the job outbox."),
        }
    }
}
