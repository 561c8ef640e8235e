//! Publishing against the real NATS server.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use herald_bus::publish_all;

mod support;

#[tokio::test]
async fn a_publish_of_more_messages_than_nats_lets_wait_for_acks_completes() {
    let bus = support::connect().await;

    // async-nats lets 5,000 publishes wait for their ack; one fan-out can be larger.
    let messages = support::jobs(&bus, "job", 7_500);
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
    support::delete_streams(&bus).await;
    assert!(published.is_ok(), "publish_all hung");
    published.unwrap().unwrap();
    assert_eq!(stored, 7_500);
}

/// Eight ingest workers fanning out at once: together they want more acks outstanding than
/// async-nats allows on one context, and none of them may end up waiting for the others.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_large_publishes_at_once_all_complete() {
    let bus = support::connect().await;
    let batches = (0..8).map(|worker| {
        let bus = bus.clone();
        let messages = support::jobs(&bus, &format!("job-{worker}"), 3_150);
        tokio::spawn(async move { publish_all(&bus, messages).await })
    });
    let published =
        tokio::time::timeout(Duration::from_secs(60), futures::future::join_all(batches)).await;
    support::delete_streams(&bus).await;
    let results = published.expect("the publishes hung");
    assert!(
        results.iter().all(|r| matches!(r, Ok(Ok(())))),
        "{results:?}"
    );
}
