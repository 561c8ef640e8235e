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

/// Eight ingest workers fanning out at once: together they want more acks outstanding than
/// async-nats allows on one context, and none of them may end up waiting for the others.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_large_publishes_at_once_all_complete() {
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
    let batches = (0..8).map(|worker| {
        let bus = bus.clone();
        let messages: Vec<Outgoing> = (0..3_150)
            .map(|i| Outgoing {
                subject: bus.names().delivery_subject("webhook"),
                msg_id: format!("job-{worker}-{i}"),
                headers: HeaderMap::new(),
                payload: Bytes::from_static(b"job"),
            })
            .collect();
        tokio::spawn(async move { publish_all(&bus, messages).await })
    });
    let published =
        tokio::time::timeout(Duration::from_secs(60), futures::future::join_all(batches)).await;
    for stream in [
        bus.names().events_stream(),
        bus.names().deliveries_stream(),
        bus.names().rejected_stream(),
        bus.names().ops_stream(),
    ] {
        let _ = bus.jetstream().delete_stream(stream).await;
    }
    let results = published.expect("the publishes hung");
    assert!(
        results.iter().all(|r| matches!(r, Ok(Ok(())))),
        "{results:?}"
    );
}

fn uuid_like() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("{:x}{:x}", nanos, std::process::id())
}
