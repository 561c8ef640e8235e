//! A publisher's trace continues through ingest and every delivery attempt, out to the receiver
//! and into an OTLP collector; SIGTERM drains the work in hand and flushes the spans.

use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_nats::HeaderMap;
use opentelemetry_proto::tonic::collector::trace::v1::trace_service_server::{
    TraceService, TraceServiceServer,
};
use opentelemetry_proto::tonic::collector::trace::v1::{
    ExportTraceServiceRequest, ExportTraceServiceResponse,
};
use opentelemetry_proto::tonic::common::v1::any_value::Value as AnyValue;
use opentelemetry_proto::tonic::trace::v1::Span;

use crate::support::{
    ADMIN_TOKEN, ENCRYPTION_KEY, Receiver, Reply, eventually, nats_url, spawn_targets,
    subscribe_receiver,
};

#[derive(Clone, Default)]
struct Collector {
    spans: Arc<Mutex<Vec<Span>>>,
}

#[tonic::async_trait]
impl TraceService for Collector {
    async fn export(
        &self,
        request: tonic::Request<ExportTraceServiceRequest>,
    ) -> Result<tonic::Response<ExportTraceServiceResponse>, tonic::Status> {
        let mut spans = self.spans.lock().unwrap();
        for resource in request.into_inner().resource_spans {
            for scope in resource.scope_spans {
                spans.extend(scope.spans);
            }
        }
        Ok(tonic::Response::new(ExportTraceServiceResponse::default()))
    }
}

async fn start_collector() -> (String, Collector) {
    let collector = Collector::default();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    let service = TraceServiceServer::new(collector.clone());
    tokio::spawn(async move {
        tonic::transport::Server::builder()
            .add_service(service)
            .serve_with_incoming(tokio_stream::wrappers::TcpListenerStream::new(listener))
            .await
    });
    (endpoint, collector)
}

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

    let mut herald = Command::new(env!("CARGO_BIN_EXE_herald"))
        .args(["serve", "--target", "ingest,dispatcher"])
        .env("HERALD_NATS_URL", nats_url())
        .env("HERALD_DATABASE_URL", &app.database.url)
        .env("HERALD_SUBJECT_PREFIX", app.nats.names.prefix())
        .env("HERALD_ENCRYPTION_KEY", ENCRYPTION_KEY)
        .env("HERALD_ADMIN_TOKEN", ADMIN_TOKEN)
        .env("HERALD_ALLOW_PRIVATE_TARGETS", "true")
        .env("OTEL_EXPORTER_OTLP_ENDPOINT", &endpoint)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();

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
    let pid = herald.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success()
    );
    let status = tokio::task::spawn_blocking(move || herald.wait())
        .await
        .unwrap()
        .unwrap();
    assert!(status.success(), "herald exited with {status}");

    let spans = eventually(Duration::from_secs(10), "the spans", || async {
        let spans = collector.spans.lock().unwrap().clone();
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
