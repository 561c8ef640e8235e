//! W3C trace context (`traceparent` / `tracestate`) carried in NATS message headers.
//!
//! Extraction and injection go through the global text-map propagator, which
//! [`crate::init`] sets to W3C TraceContext.

use async_nats::HeaderMap;
use async_nats::header::{HeaderName, HeaderValue};
use opentelemetry::Context;
use opentelemetry::propagation::{Extractor, Injector};
use opentelemetry::trace::TraceContextExt as _;
use tracing_opentelemetry::OpenTelemetrySpanExt as _;

/// Reads `traceparent`/`tracestate` from NATS headers into an OpenTelemetry [`Context`]
/// (via the global propagator). Without headers, or without a valid `traceparent`, the
/// context carries no remote span.
pub fn extract(headers: Option<&HeaderMap>) -> Context {
    let Some(headers) = headers else {
        return Context::new();
    };
    opentelemetry::global::get_text_map_propagator(|propagator| {
        propagator.extract(&HeaderExtractor(headers))
    })
}

/// Makes `span`'s parent the remote context found in the headers (no-op when absent).
///
/// Call it right after creating the span, before entering it: once the span has started
/// its parent can no longer change.
pub fn set_parent(span: &tracing::Span, headers: Option<&HeaderMap>) {
    let cx = extract(headers);
    if !cx.span().span_context().is_valid() {
        return;
    }
    if let Err(error) = span.set_parent(cx) {
        tracing::debug!(%error, "Could not set the remote parent of a span.");
    }
}

/// Writes `traceparent` (and `tracestate`, when non-empty) of `span` into NATS headers.
/// Writes nothing when the span has no valid OpenTelemetry context.
pub fn inject(span: &tracing::Span, headers: &mut HeaderMap) {
    let cx = span.context();
    if !cx.span().span_context().is_valid() {
        return;
    }
    opentelemetry::global::get_text_map_propagator(|propagator| {
        propagator.inject_context(&cx, &mut HeaderInjector(headers));
    });
}

/// The W3C `traceparent` of a span (`00-{trace id}-{span id}-{flags}`), if it has a valid
/// OpenTelemetry context.
pub fn traceparent(span: &tracing::Span) -> Option<String> {
    let cx = span.context();
    let sc = cx.span().span_context().clone();
    sc.is_valid().then(|| {
        format!(
            "00-{}-{}-{:02x}",
            sc.trace_id(),
            sc.span_id(),
            sc.trace_flags().to_u8()
        )
    })
}

/// The trace id of a span as 32 lowercase hex characters, if it has a valid context.
pub fn trace_id(span: &tracing::Span) -> Option<String> {
    let cx = span.context();
    let sc = cx.span().span_context().clone();
    sc.is_valid().then(|| sc.trace_id().to_string())
}

/// NATS header names are case-sensitive; W3C asks for case-insensitive lookups, so an
/// exact match is tried first and then any spelling.
struct HeaderExtractor<'a>(&'a HeaderMap);

impl Extractor for HeaderExtractor<'_> {
    fn get(&self, key: &str) -> Option<&str> {
        if let Ok(name) = key.parse::<HeaderName>()
            && let Some(value) = self.0.get(name)
        {
            return Some(value.as_str());
        }
        self.0
            .iter()
            .find(|(name, _)| AsRef::<str>::as_ref(name).eq_ignore_ascii_case(key))
            .and_then(|(_, values)| values.first())
            .map(HeaderValue::as_str)
    }

    fn keys(&self) -> Vec<&str> {
        self.0
            .iter()
            .map(|(name, _)| AsRef::<str>::as_ref(name))
            .collect()
    }
}

struct HeaderInjector<'a>(&'a mut HeaderMap);

impl Injector for HeaderInjector<'_> {
    fn set(&mut self, key: &str, value: String) {
        // Parse instead of `insert(&str, String)`, which panics on invalid input.
        if let (Ok(name), Ok(value)) = (key.parse::<HeaderName>(), value.parse::<HeaderValue>()) {
            self.0.insert(name, value);
        }
    }
}
