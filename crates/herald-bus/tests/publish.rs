//! Publishing against the real NATS server.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use bytes::Bytes;
use herald_bus::{Bus, HeaderMap, Outgoing, StreamSettings, SubjectPrefix, publish_all};

#[tokio::test]
async fn a_publish_of_more_messages_than_nats_lets_wait_for_acks_completes() {
    let url =
        std::env::var("HERALD_TEST_NATS_URL").unwrap_or_else(|_| "nats://127.0.0.1:4222".into());
    let prefix = format!("t{}", &uuid_like());
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

    // async-nats lets 5,000 publishes wait for their ack; one fan-out can be larger.
    let messages: Vec<Outgoing> = (0..7_500)
        .map(|i| Outgoing {
            subject: bus.names().delivery_subject("webhook"),
            msg_id: format!("job-{i}"),
            headers: HeaderMap::new(),
            payload: Bytes::from_static(b"job"),
        })
        .collect();
    let published =
        tokio::time::timeout(Duration::from_secs(60), publish_all(&bus, messages)).await;
    let stored = bus
        .jetstream()
        .get_stream(bus.names().deliveries_stream())
        .await
        .unwrap()
        .get_info()
        .await
        .unwrap()
        .state
        .messages;
    for stream in [
        bus.names().events_stream(),
        bus.names().deliveries_stream(),
        bus.names().rejected_stream(),
        bus.names().ops_stream(),
    ] {
        let _ = bus.jetstream().delete_stream(stream).await;
    }
    assert!(published.is_ok(), "publish_all hung");
    published.unwrap().unwrap();
    assert_eq!(stored, 7_500);
}

fn uuid_like() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("{:x}{:x}", nanos, std::process::id())
}
