//! Reading a consumer in batches against the real NATS server.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use herald_bus::{BatchSource, ConsumerSettings, publish_all};

mod support;

const MESSAGES: usize = 60;

/// A process that stops taking batches must not keep what its message stream fetched ahead:
/// otherwise those messages reach nobody until AckWait (30 s here) runs out.
#[tokio::test]
async fn a_source_that_stops_hands_back_what_it_fetched_ahead() {
    let bus = support::connect().await;
    let names = bus.names().clone();
    publish_all(&bus, support::jobs(&bus, "job", MESSAGES))
        .await
        .unwrap();
    let source = |max_batch| {
        BatchSource::new(
            bus.clone(),
            names.deliveries_stream(),
            names.deliveries_wildcard(),
            ConsumerSettings {
                durable_name: "stopping".into(),
                ack_wait: Duration::from_secs(30),
                max_ack_pending: 1_000,
            },
            max_batch,
        )
    };

    let mut first = source(10);
    let taken = first.next_batch().await;
    for message in &taken {
        message.ack().await.unwrap();
    }
    // Let its stream fetch ahead, as it does while a batch is being worked on.
    tokio::time::sleep(Duration::from_millis(500)).await;
    first.hand_back_buffered().await;

    let mut second = source(100);
    let mut received = 0;
    let deadline = Instant::now() + Duration::from_secs(5);
    while received < MESSAGES - taken.len() {
        let left = deadline.saturating_duration_since(Instant::now());
        let Ok(batch) = tokio::time::timeout(left, second.next_batch()).await else {
            break;
        };
        for message in &batch {
            message.ack().await.unwrap();
        }
        received += batch.len();
    }
    support::delete_streams(&bus).await;
    assert_eq!(
        received,
        MESSAGES - taken.len(),
        "the rest arrived at once, not after AckWait"
    );
}
