//! Herald's telemetry: the global `tracing` subscriber (an `EnvFilter`, JSON or pretty
//! logs, and an OpenTelemetry layer), OTLP/gRPC span export, and W3C trace-context
//! propagation over NATS headers ([`propagation`]).
//!
//! Every span gets a real OpenTelemetry trace id, with or without an exporter, so a trace
//! started by a publisher continues through ingest, fan-out and every delivery attempt.
#![forbid(unsafe_code)]

pub mod propagation;

use std::fmt;
use std::str::FromStr;
use std::sync::{Mutex, MutexGuard, PoisonError};

use opentelemetry::trace::TracerProvider as _;
use opentelemetry_otlp::WithExportConfig as _;
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::propagation::TraceContextPropagator;
use opentelemetry_sdk::trace::SdkTracerProvider;
use tracing_subscriber::EnvFilter;
use tracing_subscriber::Layer as _;
use tracing_subscriber::layer::SubscriberExt as _;
use tracing_subscriber::util::SubscriberInitExt as _;

/// The filter used when `RUST_LOG` is unset or empty: our own logs at INFO, the chatty
/// libraries underneath at WARN.
pub const DEFAULT_FILTER: &str = "info,sqlx=warn,async_nats=warn,hyper=warn,h2=warn,tower=warn,opentelemetry=warn,opentelemetry_sdk=warn";

/// How log lines are written to stdout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LogFormat {
    /// One JSON object per line, for log collectors.
    #[default]
    Json,
    /// Human-readable, one line per event, for a terminal.
    Pretty,
}

impl FromStr for LogFormat {
    type Err = TelemetryError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "json" => Ok(Self::Json),
            "pretty" => Ok(Self::Pretty),
            _ => Err(TelemetryError::UnknownLogFormat(s.to_owned())),
        }
    }
}

impl fmt::Display for LogFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Json => "json",
            Self::Pretty => "pretty",
        })
    }
}

/// What [`init`] needs to know.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TelemetryConfig {
    /// `service.name` of the exported spans; `OTEL_SERVICE_NAME` overrides it when set.
    pub service_name: String,
    pub log_format: LogFormat,
    /// OTLP/gRPC endpoint (e.g. `http://otel-collector:4317`); spans are exported only when set.
    pub otlp_endpoint: Option<String>,
}

/// Why telemetry could not be installed. Each variant is a configuration problem the
/// operator can fix.
#[derive(Debug, thiserror::Error)]
pub enum TelemetryError {
    #[error("unknown log format {0:?}: expected \"json\" or \"pretty\"")]
    UnknownLogFormat(String),
    #[error("RUST_LOG is not a valid filter: {0}")]
    InvalidFilter(#[from] tracing_subscriber::filter::ParseError),
    #[error("the OTLP exporter needs a Tokio runtime: call telemetry::init from within one")]
    NoRuntime,
    #[error("could not build the OTLP span exporter for {endpoint}: {source}")]
    Exporter {
        endpoint: String,
        #[source]
        source: opentelemetry_otlp::ExporterBuildError,
    },
}

/// Keeps the tracer provider alive; flushes and shuts it down when dropped or on
/// [`TelemetryGuard::shutdown`].
///
/// Guards are counted: when several apps run in one process (as in tests), the provider
/// is flushed and shut down when the last guard of the first installation goes. A guard
/// returned once the installation has ended does nothing.
#[must_use = "dropping the guard flushes and shuts down span export"]
pub struct TelemetryGuard {
    active: bool,
}

impl fmt::Debug for TelemetryGuard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TelemetryGuard")
            .field("active", &self.active)
            .finish()
    }
}

impl TelemetryGuard {
    /// Flushes pending spans and shuts the provider down (when this is the last live guard).
    pub fn shutdown(mut self) {
        self.release();
    }

    fn release(&mut self) {
        if !std::mem::replace(&mut self.active, false) {
            return;
        }
        let provider = {
            let mut state = lock_state();
            state.live_guards = state.live_guards.saturating_sub(1);
            if state.live_guards > 0 {
                return;
            }
            state.exporting_provider.take()
        };
        if let Some(provider) = provider {
            shutdown_provider(&provider);
        }
    }
}

impl Drop for TelemetryGuard {
    fn drop(&mut self) {
        self.release();
    }
}

/// What the process has installed. The subscriber itself can be installed only once.
struct State {
    installed: bool,
    /// The provider that has an exporter to flush; `None` when spans are not exported
    /// (a provider without exporter is never shut down, so trace ids keep working).
    exporting_provider: Option<SdkTracerProvider>,
    /// Live active guards; the last one to go shuts the exporting provider down.
    live_guards: usize,
}

static STATE: Mutex<State> = Mutex::new(State {
    installed: false,
    exporting_provider: None,
    live_guards: 0,
});

fn lock_state() -> MutexGuard<'static, State> {
    // The state stays consistent across a panic: every update is a single assignment.
    STATE.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Installs the global tracing subscriber once: an `EnvFilter` from `RUST_LOG` (default
/// [`DEFAULT_FILTER`]), a fmt layer (JSON or pretty) and a tracing-opentelemetry layer over
/// an [`SdkTracerProvider`] that always exists (so spans get real, propagatable trace ids)
/// and exports by OTLP/gRPC (batched) only when `otlp_endpoint` is set. Sets the global
/// text-map propagator to W3C TraceContext.
///
/// Calling it again in the same process is not an error: the later call returns a guard
/// that only keeps the first installation alive. If another global subscriber was set by
/// someone else, nothing is installed and the guard does nothing.
pub fn init(cfg: &TelemetryConfig) -> Result<TelemetryGuard, TelemetryError> {
    let mut state = lock_state();
    if state.installed {
        let alive = state.exporting_provider.is_some() || state.live_guards > 0;
        if alive {
            state.live_guards += 1;
        }
        return Ok(TelemetryGuard { active: alive });
    }

    let filter = env_filter()?;
    let provider = tracer_provider(cfg)?;
    let exporting = cfg.otlp_endpoint.is_some();
    let tracer = provider.tracer(env!("CARGO_PKG_NAME"));
    // RUST_LOG decides what is logged, not what is traced: were it to filter spans, a quiet
    // log level would disable them and cut every trace (no traceparent sent on, nothing
    // exported). Spans at INFO and above always exist.
    let otel_layer = tracing_opentelemetry::layer()
        .with_tracer(tracer)
        .with_filter(tracing_subscriber::filter::LevelFilter::INFO);

    let fmt_layer = match cfg.log_format {
        LogFormat::Json => tracing_subscriber::fmt::layer()
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .with_span_list(false)
            .with_filter(filter)
            .boxed(),
        LogFormat::Pretty => tracing_subscriber::fmt::layer()
            .compact()
            .with_filter(filter)
            .boxed(),
    };

    let installed = tracing_subscriber::registry()
        .with(fmt_layer)
        .with(otel_layer)
        .try_init();
    state.installed = true;
    if installed.is_err() {
        // Someone else owns the global subscriber; ours would never see a span.
        if exporting {
            shutdown_provider(&provider);
        }
        return Ok(TelemetryGuard { active: false });
    }

    opentelemetry::global::set_text_map_propagator(TraceContextPropagator::new());
    opentelemetry::global::set_tracer_provider(provider.clone());
    if exporting {
        state.exporting_provider = Some(provider);
    }
    state.live_guards = 1;
    Ok(TelemetryGuard { active: true })
}

fn env_filter() -> Result<EnvFilter, TelemetryError> {
    let directives = std::env::var("RUST_LOG")
        .ok()
        .filter(|s| !s.trim().is_empty())
        .unwrap_or_else(|| DEFAULT_FILTER.to_owned());
    Ok(EnvFilter::try_new(directives)?)
}

fn service_name(cfg: &TelemetryConfig) -> String {
    std::env::var("OTEL_SERVICE_NAME")
        .ok()
        .filter(|s| !s.trim().is_empty())
        .unwrap_or_else(|| cfg.service_name.clone())
}

fn tracer_provider(cfg: &TelemetryConfig) -> Result<SdkTracerProvider, TelemetryError> {
    let resource = Resource::builder()
        .with_service_name(service_name(cfg))
        .build();
    let builder = SdkTracerProvider::builder().with_resource(resource);
    let Some(endpoint) = &cfg.otlp_endpoint else {
        return Ok(builder.build());
    };
    // tonic spawns its connection tasks on the current Tokio runtime.
    if tokio::runtime::Handle::try_current().is_err() {
        return Err(TelemetryError::NoRuntime);
    }
    let exporter = opentelemetry_otlp::SpanExporter::builder()
        .with_tonic()
        .with_endpoint(endpoint.clone())
        .build()
        .map_err(|source| TelemetryError::Exporter {
            endpoint: endpoint.clone(),
            source,
        })?;
    Ok(builder.with_batch_exporter(exporter).build())
}

/// Flushes and shuts down. The batch processor's thread waits for tonic, whose I/O runs on
/// the Tokio runtime: on a multi-threaded runtime, step off the worker while waiting.
fn shutdown_provider(provider: &SdkTracerProvider) {
    let run = || {
        if let Err(error) = provider.force_flush() {
            eprintln!("herald-telemetry: flushing spans failed: {error}");
        }
        if let Err(error) = provider.shutdown() {
            eprintln!("herald-telemetry: shutting down the tracer provider failed: {error}");
        }
    };
    match tokio::runtime::Handle::try_current().map(|h| h.runtime_flavor()) {
        Ok(tokio::runtime::RuntimeFlavor::MultiThread) => tokio::task::block_in_place(run),
        _ => run(),
    }
}

#[cfg(test)]
mod tests;
