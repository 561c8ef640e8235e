//! A publisher's trace continues through ingest and every delivery attempt, out to the receiver
//! and into an OTLP collector; SIGTERM drains the work in hand and flushes the spans.

use std::time::Duration;

use async_nats::HeaderMap;
use opentelemetry_proto::tonic::common::v1::any_value::Value as AnyValue;
use opentelemetry_proto::tonic::trace::v1::Span;

use crate::support::otlp::start_collector;
use crate::support::{
    Receiver, Reply, eventually, serve_binary, spawn_targets, subscribe_receiver,
};

fn attribute(span: &Span, key: &str) -> Option<String> {
    let value = span
        .attributes
        .iter()
        .find(|kv| kv.key == key)?
        .value
        .as_ref()?
        .value
        .as_ref()?;
    Some(match value {
        AnyValue::StringValue(s) => s.clone(),
        AnyValue::IntValue(i) => i.to_string(),
        other => format!("{other:?}"),
    })
}

#[tokio::test]
async fn the_publishers_trace_reaches_every_attempt_the_receiver_and_the_collector() {
    let (endpoint, collector) = start_collector().await;
    let app = spawn_targets("api", |_| {}).await;
    let receiver = Receiver::start(Reply::status(200)).await;
    receiver.script([Reply::status(500)]);
    subscribe_receiver(&app, &receiver.url, crate::support::fast_retry(3, 1.0)).await;

    let herald = serve_binary(
        &app,
        "ingest,dispatcher",
        &[("OTEL_EXPORTER_OTLP_ENDPOINT", &endpoint)],
    );

    let trace_id = "4bf92f3577b34da6a3ce929d0e0e4736";
    let event =
        herald::samples::sample_event("transfer.failed", "acme", "traced", chrono::Utc::now());
    let mut headers = HeaderMap::new();
    headers.insert(
        "traceparent",
        format!("00-{trace_id}-00f067aa0ba902b7-01").as_str(),
    );
    app.nats
        .publish_raw(
            "acme",
            "transfer.failed",
            headers,
            event.to_string().into_bytes(),
        )
        .await;

    let requests = receiver.wait_for(2, Duration::from_secs(20)).await;
    for request in &requests {
        let traceparent = request.header("traceparent").expect("traceparent sent on");
        assert_eq!(
            traceparent.split('-').nth(1),
            Some(trace_id),
            "{traceparent}"
        );
    }
    app.delivery_when("traced", "delivered", Duration::from_secs(10))
        .await;

    // SIGTERM: the process drains and flushes its spans before it exits.
    let status = herald.terminate().await;
    assert!(status.success(), "herald exited with {status}");

    let spans = eventually(Duration::from_secs(10), "the spans", || async {
        let spans = collector.spans();
        (spans
            .iter()
            .filter(|s| s.name == "herald.delivery.attempt")
            .count()
            >= 2)
            .then_some(spans)
    })
    .await;
    let ours: Vec<&Span> = spans
        .iter()
        .filter(|s| hex::encode(&s.trace_id) == trace_id)
        .collect();
    let attempts: Vec<&&Span> = ours
        .iter()
        .filter(|s| s.name == "herald.delivery.attempt")
        .collect();
    assert_eq!(attempts.len(), 2, "one span per attempt");
    let mut numbered: Vec<(String, String)> = attempts
        .iter()
        .map(|s| {
            (
                attribute(s, "herald.attempt").unwrap(),
                attribute(s, "http.response.status_code").unwrap(),
            )
        })
        .collect();
    numbered.sort();
    assert_eq!(
        numbered,
        [
            ("1".to_owned(), "500".to_owned()),
            ("2".to_owned(), "200".to_owned())
        ]
    );
    let ingest = ours
        .iter()
        .find(|s| s.name == "herald.ingest")
        .expect("the ingest span");
    assert_eq!(hex::encode(&ingest.parent_span_id), "00f067aa0ba902b7");
    assert!(
        attempts.iter().all(|a| a.parent_span_id == ingest.span_id),
        "attempts are children of ingest"
    );
    assert_eq!(
        attribute(ingest, "messaging.system").as_deref(),
        Some("nats")
    );
    assert_eq!(
        attribute(attempts[0], "http.request.method").as_deref(),
        Some("POST")
    );
}
