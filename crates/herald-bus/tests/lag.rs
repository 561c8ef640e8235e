//! Consumer lag and stream replicas against the real NATS server.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, SystemTime};

use futures::StreamExt as _;
use herald_bus::{BusError, ConsumerLag, ConsumerSettings, StreamSettings, publish_all};

mod support;

#[tokio::test]
async fn lag_counts_what_the_consumer_holds_and_dates_the_oldest_unacked_message() {
    let bus = support::connect().await;
    let names = bus.names();
    let (stream, subject) = (names.deliveries_stream(), names.deliveries_wildcard());
    let missing = bus.consumer_lag(&stream, "lagtest").await.unwrap();
    publish_all(&bus, support::jobs(&bus, "lag", 3))
        .await
        .unwrap();
    let settings = ConsumerSettings {
        durable_name: "lagtest".into(),
        ack_wait: Duration::from_secs(30),
        max_ack_pending: 100,
    };
    let consumer = bus
        .pull_consumer(&stream, &subject, &settings)
        .await
        .unwrap();
    let waiting = bus.consumer_lag(&stream, "lagtest").await.unwrap().unwrap();
    let oldest = bus
        .oldest_unacked(&stream, &subject, &waiting)
        .await
        .unwrap();

    let mut batch = consumer.fetch().max_messages(2).messages().await.unwrap();
    let first = batch.next().await.unwrap().unwrap();
    let _second = batch.next().await.unwrap().unwrap();
    first.double_ack().await.unwrap();
    let held = bus.consumer_lag(&stream, "lagtest").await.unwrap().unwrap();

    let mut rest = consumer
        .fetch()
        .max_messages(2)
        .expires(Duration::from_secs(1))
        .messages()
        .await
        .unwrap();
    while let Some(Ok(message)) = rest.next().await {
        message.double_ack().await.unwrap();
    }
    // The second one, handed out and never acked, is all the consumer still holds.
    let still = bus.consumer_lag(&stream, "lagtest").await.unwrap().unwrap();
    let none_left = bus.oldest_unacked(&stream, &subject, &still).await.unwrap();
    support::delete_streams(&bus).await;

    assert_eq!(missing, None, "no consumer yet");
    assert_eq!((waiting.pending, waiting.ack_pending), (3, 0));
    let age = SystemTime::now().duration_since(oldest.unwrap()).unwrap();
    assert!(age < Duration::from_secs(60), "{age:?}");
    assert_eq!((held.pending, held.ack_pending), (1, 1), "{held:?}");
    assert_eq!((still.pending, still.ack_pending), (0, 1), "{still:?}");
    assert!(none_left.is_some(), "the unacked one is still there");
    assert_eq!(
        bus.oldest_unacked(&stream, &subject, &ConsumerLag::default())
            .await
            .unwrap(),
        None
    );
}

#[tokio::test]
async fn more_than_one_replica_on_a_single_server_is_refused_before_any_stream_changes() {
    let bus = support::connect().await;
    let refused = bus
        .ensure_streams(&StreamSettings {
            replicas: 3,
            ..StreamSettings::default()
        })
        .await;
    let replicas = bus
        .jetstream()
        .get_stream(bus.names().deliveries_stream())
        .await
        .unwrap()
        .cached_info()
        .config
        .num_replicas;
    support::delete_streams(&bus).await;
    assert!(
        matches!(refused, Err(BusError::Replicas { replicas: 3, .. })),
        "{refused:?}"
    );
    assert_eq!(replicas, 1);
}
