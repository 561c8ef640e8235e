//! NATS as a publisher and an inspector would see it, with this test's own prefix and streams.

use async_nats::HeaderMap;
use async_nats::jetstream::{self, message::StreamMessage};
use herald_bus::Names;
use herald_proto::v1::DeliveryJob;
use prost::Message as _;
use serde_json::Value;

pub fn unique_prefix() -> String {
    format!("t{}", &uuid::Uuid::now_v7().simple().to_string()[20..])
}

pub struct TestNats {
    pub js: jetstream::Context,
    pub names: Names,
}

impl TestNats {
    pub async fn connect(names: Names) -> Self {
        let client = async_nats::connect(super::nats_url())
            .await
            .expect("NATS (make test starts it)");
        let js = jetstream::new(client);
        Self { js, names }
    }

    /// Publishes raw bytes on the events subject of `tenant` and `event_type`.
    pub async fn publish_raw(
        &self,
        tenant: &str,
        event_type: &str,
        headers: HeaderMap,
        body: Vec<u8>,
    ) {
        let subject = self.names.event_subject(tenant, event_type);
        self.js
            .publish_with_headers(subject, headers, body.into())
            .await
            .expect("publish")
            .await
            .expect("stored by JetStream");
    }

    /// Publishes a CloudEvents JSON event on its tenant and type, with `Nats-Msg-Id` = `msg_id`.
    pub async fn publish_event(&self, event: &Value, msg_id: &str) {
        let tenant = event["tenant"].as_str().unwrap_or("default");
        let event_type = event["type"].as_str().expect("type");
        let mut headers = HeaderMap::new();
        headers.insert("Nats-Msg-Id", msg_id);
        self.publish_raw(tenant, event_type, headers, event.to_string().into_bytes())
            .await;
    }

    async fn messages(&self, stream: &str) -> Vec<StreamMessage> {
        let stream = self.js.get_stream(stream).await.expect("stream exists");
        let state = stream.get_info().await.expect("stream info").state;
        let mut messages = Vec::new();
        if state.messages == 0 {
            return messages;
        }
        for sequence in state.first_sequence..=state.last_sequence {
            if let Ok(message) = stream.get_raw_message(sequence).await {
                messages.push(message);
            }
        }
        messages
    }

    /// Every delivery job waiting in `{P}_DELIVERIES`, with its headers.
    pub async fn jobs(&self) -> Vec<(DeliveryJob, HeaderMap)> {
        self.messages(&self.names.deliveries_stream())
            .await
            .into_iter()
            .map(|m| {
                (
                    DeliveryJob::decode(m.payload).expect("a DeliveryJob"),
                    m.headers,
                )
            })
            .collect()
    }

    /// Every operational event in `{P}_OPS`, as JSON.
    pub async fn ops_events(&self) -> Vec<Value> {
        self.messages(&self.names.ops_stream())
            .await
            .into_iter()
            .map(|m| serde_json::from_slice(&m.payload).expect("JSON ops event"))
            .collect()
    }

    /// Messages still in `{P}_DELIVERIES`, and the dispatcher's unacked ones.
    pub async fn deliveries_left(&self) -> (u64, usize) {
        let stream = self
            .js
            .get_stream(self.names.deliveries_stream())
            .await
            .expect("stream");
        let messages = stream.get_info().await.expect("stream info").state.messages;
        let consumer: jetstream::consumer::PullConsumer = stream
            .get_consumer(herald_dispatcher::CONSUMER_NAME)
            .await
            .expect("dispatcher consumer");
        let info = consumer.get_info().await.expect("consumer info");
        (messages, info.num_ack_pending + info.num_pending as usize)
    }

    /// Every message kept in `{P}_REJECTED`.
    pub async fn rejected(&self) -> Vec<StreamMessage> {
        self.messages(&self.names.rejected_stream()).await
    }
}

impl Drop for TestNats {
    fn drop(&mut self) {
        let streams = [
            self.names.events_stream(),
            self.names.deliveries_stream(),
            self.names.rejected_stream(),
            self.names.ops_stream(),
        ];
        let url = super::nats_url();
        // The test's runtime may be shutting down; delete the streams from a runtime of our own.
        let _ = std::thread::spawn(move || {
            let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return;
            };
            runtime.block_on(async move {
                if let Ok(client) = async_nats::connect(url).await {
                    let js = jetstream::new(client);
                    for stream in streams {
                        let _ = js.delete_stream(stream).await;
                    }
                }
            });
        })
        .join();
    }
}
