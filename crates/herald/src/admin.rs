//! The admin listener every process serves, whatever its targets (`HERALD_ADMIN_ADDR`):
//! `/healthz`, `/readyz` and `/metrics`, so each Deployment can be probed and scraped. The
//! answers are the API's own (herald-api), on a port of their own and without a token.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use herald_bus::Bus;
use herald_store::Store;
use prometheus_client::registry::Registry;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

pub mod lag;

#[derive(Clone)]
struct AdminState {
    store: Store,
    bus: Bus,
    registry: Arc<Registry>,
}

pub struct Admin {
    listener: TcpListener,
    router: Router,
}

impl Admin {
    /// Serves on `listener`, bound before anything else so a taken port fails the start at once.
    pub fn new(listener: TcpListener, store: Store, bus: Bus, registry: Arc<Registry>) -> Self {
        let router = Router::new()
            .route("/healthz", get(herald_api::healthz))
            .route("/readyz", get(readyz))
            .route("/metrics", get(metrics))
            .fallback(|| async { StatusCode::NOT_FOUND })
            .with_state(AdminState {
                store,
                bus,
                registry,
            });
        Self { listener, router }
    }

    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    pub async fn run(self, shutdown: CancellationToken) -> std::io::Result<()> {
        tracing::info!(addr = %self.local_addr()?, "Admin listener (health, readiness, metrics) listening.");
        // The API's accept loop, so a probe port has the same connection limits.
        herald_api::serve(self.listener, self.router, shutdown).await
    }
}

async fn readyz(State(state): State<AdminState>) -> Response {
    herald_api::readiness(&state.store, &state.bus).await
}

async fn metrics(State(state): State<AdminState>) -> Response {
    herald_api::metrics_response(&state.registry)
}
