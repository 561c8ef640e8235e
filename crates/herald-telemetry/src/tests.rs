#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::OnceLock;

use async_nats::HeaderMap;

use super::*;

const REMOTE_TRACE_ID: &str = "4bf92f3577b34da6a3ce929d0e0e4736";
const REMOTE_SPAN_ID: &str = "00f067aa0ba902b7";
const REMOTE_TRACEPARENT: &str = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

/// Installs telemetry once for the whole test binary and keeps its guard alive.
fn telemetry() {
    static GUARD: OnceLock<TelemetryGuard> = OnceLock::new();
    GUARD.get_or_init(|| {
        init(&TelemetryConfig {
            service_name: "herald-telemetry-test".into(),
            log_format: LogFormat::Pretty,
            otlp_endpoint: None,
        })
        .expect("telemetry installs")
    });
}

fn parts(traceparent: &str) -> Vec<&str> {
    traceparent.split('-').collect()
}

#[tokio::test]
async fn remote_parent_from_headers_is_continued_and_injected() {
    telemetry();
    let mut incoming = HeaderMap::new();
    incoming.insert("traceparent", REMOTE_TRACEPARENT);

    let span = tracing::info_span!("herald.test.consume");
    propagation::set_parent(&span, Some(&incoming));

    assert_eq!(
        propagation::trace_id(&span).as_deref(),
        Some(REMOTE_TRACE_ID)
    );

    let mut outgoing = HeaderMap::new();
    propagation::inject(&span, &mut outgoing);
    let written = outgoing.get("traceparent").expect("traceparent written");
    let written = parts(written.as_str());
    assert_eq!(written.len(), 4);
    assert_eq!(written[0], "00");
    assert_eq!(written[1], REMOTE_TRACE_ID);
    assert_eq!(written[2].len(), 16);
    assert_ne!(
        written[2], REMOTE_SPAN_ID,
        "the span id is the local span's"
    );
    assert_eq!(written[3], "01");

    let own = propagation::traceparent(&span).expect("span has a valid context");
    assert_eq!(own, outgoing.get("traceparent").unwrap().as_str());
}

#[tokio::test]
async fn no_headers_start_a_fresh_trace() {
    telemetry();
    let span = tracing::info_span!("herald.test.fresh");
    propagation::set_parent(&span, None);

    let trace_id = propagation::trace_id(&span).expect("span has a trace id");
    assert_eq!(trace_id.len(), 32);
    assert!(trace_id.chars().all(|c| c.is_ascii_hexdigit()));
    assert_ne!(trace_id, REMOTE_TRACE_ID);
    assert_ne!(trace_id, "0".repeat(32));

    let other = tracing::info_span!("herald.test.fresh");
    assert_ne!(propagation::trace_id(&other), Some(trace_id));
}

#[tokio::test]
async fn headers_without_traceparent_start_a_fresh_trace() {
    telemetry();
    let mut incoming = HeaderMap::new();
    incoming.insert("Nats-Msg-Id", "evt-1");
    let cx = propagation::extract(Some(&incoming));
    assert!(
        !opentelemetry::trace::TraceContextExt::span(&cx)
            .span_context()
            .is_valid()
    );

    let span = tracing::info_span!("herald.test.no_traceparent");
    propagation::set_parent(&span, Some(&incoming));
    let trace_id = propagation::trace_id(&span).expect("span has a trace id");
    assert_ne!(trace_id, REMOTE_TRACE_ID);
}

#[tokio::test]
async fn header_names_are_matched_case_insensitively() {
    telemetry();
    let mut incoming = HeaderMap::new();
    incoming.insert("Traceparent", REMOTE_TRACEPARENT);

    let span = tracing::info_span!("herald.test.case");
    propagation::set_parent(&span, Some(&incoming));
    assert_eq!(
        propagation::trace_id(&span).as_deref(),
        Some(REMOTE_TRACE_ID)
    );
}

#[tokio::test]
async fn a_second_init_is_not_an_error() {
    telemetry();
    let again = init(&TelemetryConfig {
        service_name: "again".into(),
        log_format: LogFormat::Json,
        otlp_endpoint: None,
    })
    .expect("second init is fine");
    again.shutdown();

    // Trace ids still work after the extra guard is gone.
    let span = tracing::info_span!("herald.test.after_second_init");
    assert!(propagation::trace_id(&span).is_some());
}

#[test]
fn log_format_parses() {
    assert_eq!("json".parse::<LogFormat>().unwrap(), LogFormat::Json);
    assert_eq!("Pretty".parse::<LogFormat>().unwrap(), LogFormat::Pretty);
    assert!(matches!(
        "yaml".parse::<LogFormat>(),
        Err(TelemetryError::UnknownLogFormat(_))
    ));
    assert_eq!(LogFormat::Pretty.to_string(), "pretty");
}
