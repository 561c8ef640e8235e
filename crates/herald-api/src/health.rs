//! Liveness, readiness and metrics: open, no token.

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::AppState;

pub async fn healthz() -> Response {
    Json(json!({ "status": "ok" })).into_response()
}

/// Ready when Postgres and NATS (JetStream) both answer.
pub async fn readyz(State(state): State<AppState>) -> Response {
    let postgres = state.store.ping().await.map_err(|e| e.to_string());
    let nats = state.bus.ping().await.map_err(|e| e.to_string());
    let status = if postgres.is_ok() && nats.is_ok() {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    let show = |r: &Result<(), String>| match r {
        Ok(()) => json!("ok"),
        Err(e) => json!(e),
    };
    (
        status,
        Json(json!({ "postgres": show(&postgres), "nats": show(&nats) })),
    )
        .into_response()
}

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
