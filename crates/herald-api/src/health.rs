//! Liveness, readiness and metrics: open, no token.

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

use crate::AppState;

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
    let postgres = state.store.ping().await.map_err(|e| e.to_string());
    let nats = state.bus.ping().await.map_err(|e| e.to_string());
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
    let mut text = String::new();
    match prometheus_client::encoding::text::encode(&mut text, &state.registry) {
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
