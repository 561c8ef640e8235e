//! The management API (CONTRACT §4), bound first and served later so tests can use port 0.

mod auth;
mod bulk_retry;
mod console;
mod deliveries;
mod digests;
mod error;
mod event_list;
mod events;
mod fallback;
mod health;
mod json;
mod limits;
mod me;
mod metrics;
pub mod openapi;
mod preview;
mod preview_group;
mod preview_notice;
#[cfg(test)]
mod prop_tests;
mod publish;
mod replay;
mod rotate;
mod serve;
mod subscription_health;
mod subscriptions;
mod target_check;
mod tenants;
mod test_send;
mod tokens;
mod trace_url;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::routing::{get, post};
use herald_bus::Bus;
use herald_store::Store;
use prometheus_client::registry::Registry;
use secrecy::SecretString;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

pub use auth::Caller;
pub use error::ApiError;
pub use health::{healthz, metrics_response, readiness};
pub use limits::{REQUEST_TIMEOUT, RateLimiter};
pub use metrics::ApiMetrics;
pub use openapi::openapi_json;
pub use serve::{HEADER_READ_TIMEOUT, MAX_HEAD_BYTES, MAX_HEADERS, serve};
pub use trace_url::{TraceUrlError, TraceUrlTemplate};

#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub bus: Bus,
    pub admin_token: SecretString,
    pub channels: Arc<herald_channels::Channels>,
    pub registry: Arc<Registry>,
    /// The zone of digests that name none (`HERALD_TIMEZONE`).
    pub default_timezone: chrono_tz::Tz,
    /// What HTTP ingest accepts, as NATS ingest does.
    pub event_limits: herald_domain::EventLimits,
    /// How long a rotated-out signing secret keeps signing beside the new one.
    pub rotation_overlap: std::time::Duration,
    /// Requests per second per token.
    pub rate_limiter: RateLimiter,
    pub metrics: ApiMetrics,
    /// Links each attempt to its trace (`HERALD_TRACE_URL_TEMPLATE`); none when unset.
    pub trace_url_template: Option<TraceUrlTemplate>,
}

pub struct Api {
    listener: TcpListener,
    router: Router,
    metrics: ApiMetrics,
    store: Store,
}

impl Api {
    pub async fn bind(addr: SocketAddr, state: AppState) -> std::io::Result<Self> {
        let listener = TcpListener::bind(addr).await?;
        Ok(Self {
            listener,
            metrics: state.metrics.clone(),
            store: state.store.clone(),
            router: router(state),
        })
    }

    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    pub async fn run(self, shutdown: CancellationToken) -> std::io::Result<()> {
        tracing::info!(addr = %self.local_addr()?, "API listening.");
        let info = tokio::spawn(self.metrics.refresh_info(self.store, shutdown.clone()));
        let served = serve(self.listener, self.router, shutdown).await;
        info.abort();
        served
    }
}

pub fn router(state: AppState) -> Router {
    let v1 = Router::new()
        .route(
            "/subscriptions",
            get(subscriptions::list).post(subscriptions::create),
        )
        .route(
            "/subscriptions/{id}",
            get(subscriptions::get)
                .patch(subscriptions::patch)
                .delete(subscriptions::delete),
        )
        .route("/subscriptions/{id}/test", post(test_send::send))
        .route("/subscriptions/{id}/preview", post(preview::preview))
        .route("/subscriptions/{id}/rotate-secret", post(rotate::rotate))
        .route("/events", get(event_list::list).post(publish::publish))
        .route("/events/{id}", get(events::get))
        .route("/events/{id}/replay", post(replay::replay))
        .route("/deliveries", get(deliveries::list))
        .route("/deliveries/retry", post(bulk_retry::retry))
        .route("/deliveries/{id}", get(deliveries::get))
        .route("/deliveries/{id}/retry", post(deliveries::retry))
        .route("/rejections", get(events::rejections))
        .route("/tokens", get(tokens::list).post(tokens::create))
        .route("/tokens/{id}", axum::routing::delete(tokens::delete))
        .route("/digests/{id}/preview", get(digests::preview))
        .route("/digests/{id}/send", post(digests::send))
        .route("/me", get(me::me))
        .route("/tenants", get(tenants::list))
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            auth::authenticate,
        ));
    Router::new()
        .nest("/v1", v1)
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/metrics", get(health::metrics))
        .route("/openapi.json", get(openapi::document))
        // The console's static files: no token (the page asks for one), not part of /v1.
        .route("/", get(console::index))
        .route("/console/{*path}", get(console::file))
        .route_layer(axum::middleware::from_fn(metrics::mark_route))
        .fallback(|| async { ApiError::NotFound("route") })
        .layer(axum::middleware::map_response(limits::json_errors))
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            limits::REQUEST_TIMEOUT,
        ))
        .layer(axum::extract::DefaultBodyLimit::max(limits::MAX_BODY_BYTES))
        .layer(tower_http::trace::TraceLayer::new_for_http())
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            metrics::track,
        ))
        .with_state(state)
}
