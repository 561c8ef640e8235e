//! Liveness, readiness and metrics: open, no token.

use std::time::Duration;

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

use herald_bus::Bus;
use herald_store::Store;
use prometheus_client::registry::Registry;

use crate::AppState;

async fn within<E: std::fmt::Display>(
    limit: Duration,
    check: impl std::future::Future<Output = Result<(), E>>,
) -> Result<(), String> {
    match tokio::time::timeout(limit, check).await {
        Ok(result) => result.map_err(|e| e.to_string()),
        Err(_) => Err(format!("no answer within {} s", limit.as_secs())),
    }
}

/// The process answers.
#[derive(Serialize, ToSchema)]
pub struct Health {
    /// Always `ok`.
    pub status: &'static str,
}

/// Whether each dependency answers: `ok`, or why not.
#[derive(Serialize, ToSchema)]
pub struct Readiness {
    #[schema(examples("ok"))]
    pub postgres: String,
    #[schema(examples("ok", "JetStream stream lookup failed: timed out"))]
    pub nats: String,
}

/// Liveness
#[utoipa::path(
    get,
    path = "/healthz",
    operation_id = "healthz",
    tag = "operations",
    responses((status = 200, description = "The process answers", body = Health,
        example = json!({"status": "ok"})))
)]
pub async fn healthz() -> Response {
    Json(Health { status: "ok" }).into_response()
}

/// Readiness
///
/// Ready when Postgres and NATS (JetStream) both answer.
#[utoipa::path(
    get,
    path = "/readyz",
    operation_id = "readyz",
    tag = "operations",
    responses(
        (status = 200, description = "Postgres and NATS both answer", body = Readiness,
            example = json!({"postgres": "ok", "nats": "ok"})),
        (status = 503, description = "Postgres or NATS does not answer", body = Readiness,
            example = json!({"postgres": "ok", "nats": "JetStream stream lookup failed: timed out"})),
    )
)]
pub async fn readyz(State(state): State<AppState>) -> Response {
    readiness(&state.store, &state.bus).await
}

/// A probe that waits longer than this has failed anyway (Kubernetes gives it one second by
/// default); the pool's own wait for a connection is far longer.
const CHECK_TIMEOUT: Duration = Duration::from_secs(2);

/// 200 when Postgres and NATS both answer, else 503 saying which does not: the API's
/// `/readyz` and every process's admin listener answer with this.
pub async fn readiness(store: &Store, bus: &Bus) -> Response {
    let (postgres, nats) = tokio::join!(
        within(CHECK_TIMEOUT, store.ping()),
        within(CHECK_TIMEOUT, bus.ping())
    );
    let status = if postgres.is_ok() && nats.is_ok() {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    let show = |r: Result<(), String>| r.err().unwrap_or_else(|| "ok".to_owned());
    (
        status,
        Json(Readiness {
            postgres: show(postgres),
            nats: show(nats),
        }),
    )
        .into_response()
}

/// Prometheus metrics
///
/// In the OpenMetrics text format.
#[utoipa::path(
    get,
    path = "/metrics",
    operation_id = "metrics",
    tag = "operations",
    responses(
        (status = 200, description = "Every metric of this process",
            content_type = "application/openmetrics-text; version=1.0.0; charset=utf-8",
            body = String,
            example = json!("# TYPE herald_api_requests counter\n# EOF\n")),
        (status = 500, response = crate::openapi::Internal),
    )
)]
pub async fn metrics(State(state): State<AppState>) -> Response {
    metrics_response(&state.registry)
}

/// Every metric of `registry` as OpenMetrics text (exemplars included).
pub fn metrics_response(registry: &Registry) -> Response {
    let mut text = String::new();
    match prometheus_client::encoding::text::encode(&mut text, registry) {
        Ok(()) => (
            [(
                header::CONTENT_TYPE,
                "application/openmetrics-text; version=1.0.0; charset=utf-8",
            )],
            text,
        )
            .into_response(),
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}
