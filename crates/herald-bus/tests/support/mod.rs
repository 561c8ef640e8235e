//! What the tests against the real NATS server share: a bus on a prefix of its own, delivery
//! jobs to publish, and the streams removed afterwards.

use bytes::Bytes;
use herald_bus::{Bus, HeaderMap, Outgoing, StreamSettings, SubjectPrefix};

/// A bus on a fresh subject prefix, its streams created.
pub async fn connect() -> Bus {
    let url =
        std::env::var("HERALD_TEST_NATS_URL").unwrap_or_else(|_| "nats://127.0.0.1:4222".into());
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let prefix = format!("t{nanos:x}{:x}", std::process::id());
    let bus = Bus::connect(
        &url,
        SubjectPrefix::parse(&prefix).unwrap(),
        "herald-bus-test",
    )
    .await
    .unwrap();
    bus.ensure_streams(&StreamSettings::default())
        .await
        .unwrap();
    bus
}

/// `count` webhook jobs with ids `{name}-0`, `{name}-1`, ….
pub fn jobs(bus: &Bus, name: &str, count: usize) -> Vec<Outgoing> {
    (0..count)
        .map(|i| Outgoing {
            subject: bus.names().delivery_subject("webhook"),
            msg_id: format!("{name}-{i}"),
            headers: HeaderMap::new(),
            payload: Bytes::from_static(b"job"),
        })
        .collect()
}

pub async fn delete_streams(bus: &Bus) {
    let names = bus.names();
    for stream in [
        names.events_stream(),
        names.deliveries_stream(),
        names.rejected_stream(),
        names.ops_stream(),
    ] {
        let _ = bus.jetstream().delete_stream(stream).await;
    }
}
