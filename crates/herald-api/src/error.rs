//! API errors as CONTRACT §4 shapes them: `{"error": {"code", "message", "fields"}}`.

use std::collections::BTreeMap;

use axum::Json;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use herald_domain::FieldErrors;
use serde::Serialize;
use utoipa::ToSchema;

/// Every error answer of the API, whoever makes it: a handler, the token check, or a limit.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// What went wrong, for programs: `malformed` (400), `bad_request` (400, a request axum
    /// refused), `unauthorized` (401), `forbidden` (403), `not_found` (404),
    /// `method_not_allowed` (405), `timeout` (408), `conflict` (409), `too_large` (413),
    /// `invalid` (422, with `fields`), an ingest rejection code such as `missing_attribute` or
    /// `bad_type` (422, `POST /v1/events` only), `rate_limited` (429), `internal` (500),
    /// `unavailable` (503).
    #[schema(examples("invalid", "not_found", "rate_limited"))]
    pub code: String,
    /// What went wrong, for people.
    pub message: String,
    /// Every bad field, by its path in the request (`target.url`, `event_types[1]`), with what
    /// is wrong with it. Only on `invalid` (422) and on a `conflict` (409) over a taken value.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub fields: Option<BTreeMap<String, String>>,
}

impl ErrorBody {
    pub fn new(code: &str, message: String, fields: Option<BTreeMap<String, String>>) -> Self {
        Self {
            error: ErrorDetail {
                code: code.to_owned(),
                message,
                fields,
            },
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{0}")]
    Malformed(String),
    #[error("a valid bearer token is required")]
    Unauthorized,
    #[error("{0}")]
    Forbidden(&'static str),
    #[error("too many requests for this token; try again in {} s", .0.as_secs().max(1))]
    TooManyRequests(std::time::Duration),
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("{0}")]
    Conflict(String),
    #[error("the request has invalid values")]
    Invalid(BTreeMap<String, String>),
    /// An event refused for the reason NATS ingest would give (`code` as in `Herald-Rejection-Code`).
    #[error("{message}")]
    Rejected { code: &'static str, message: String },
    #[error("{0}")]
    Unavailable(String),
    #[error("internal error")]
    Internal(herald_store::StoreError),
    /// A value another object already has: 409 naming the field.
    #[error("{field} {message}")]
    Taken {
        field: &'static str,
        message: String,
    },
    #[error("NATS is not reachable")]
    Bus(#[from] herald_bus::BusError),
}

impl ApiError {
    pub fn field(name: &str, message: impl Into<String>) -> Self {
        ApiError::Invalid(BTreeMap::from([(name.to_owned(), message.into())]))
    }
}

impl From<herald_store::StoreError> for ApiError {
    fn from(error: herald_store::StoreError) -> Self {
        match error {
            herald_store::StoreError::NameTaken(other) => ApiError::Taken {
                field: "name",
                message: format!("is taken by {other} in this tenant"),
            },
            error => ApiError::Internal(error),
        }
    }
}

/// A publisher's `herald.…` type: refused as NATS ingest refuses it.
impl From<herald_bus::MisplacedType> for ApiError {
    fn from(misplaced: herald_bus::MisplacedType) -> Self {
        ApiError::Rejected {
            code: misplaced.code(),
            message: misplaced.to_string(),
        }
    }
}

impl From<FieldErrors> for ApiError {
    fn from(errors: FieldErrors) -> Self {
        ApiError::Invalid(errors.0)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code) = match &self {
            ApiError::Malformed(_) => (StatusCode::BAD_REQUEST, "malformed"),
            ApiError::Unauthorized => (StatusCode::UNAUTHORIZED, "unauthorized"),
            ApiError::Forbidden(_) => (StatusCode::FORBIDDEN, "forbidden"),
            ApiError::TooManyRequests(_) => (StatusCode::TOO_MANY_REQUESTS, "rate_limited"),
            ApiError::NotFound(_) => (StatusCode::NOT_FOUND, "not_found"),
            ApiError::Conflict(_) => (StatusCode::CONFLICT, "conflict"),
            ApiError::Taken { .. } => (StatusCode::CONFLICT, "conflict"),
            ApiError::Invalid(_) => (StatusCode::UNPROCESSABLE_ENTITY, "invalid"),
            ApiError::Rejected { code, .. } => (StatusCode::UNPROCESSABLE_ENTITY, *code),
            ApiError::Unavailable(_) => (StatusCode::SERVICE_UNAVAILABLE, "unavailable"),
            ApiError::Bus(error) => {
                tracing::error!(%error, "Request failed.");
                (StatusCode::SERVICE_UNAVAILABLE, "unavailable")
            }
            ApiError::Internal(error) => {
                tracing::error!(error = %error, source = ?std::error::Error::source(error), "Request failed.");
                (StatusCode::INTERNAL_SERVER_ERROR, "internal")
            }
        };
        let fields = match &self {
            ApiError::Invalid(fields) => Some(fields.clone()),
            ApiError::Taken { field, message } => {
                Some(BTreeMap::from([((*field).to_owned(), message.clone())]))
            }
            _ => None,
        };
        let body = ErrorBody::new(code, self.to_string(), fields);
        let mut response = (status, Json(body)).into_response();
        if let ApiError::TooManyRequests(wait) = &self {
            let seconds = wait.as_secs_f64().ceil().max(1.0) as u64;
            if let Ok(value) = header::HeaderValue::from_str(&seconds.to_string()) {
                response.headers_mut().insert(header::RETRY_AFTER, value);
            }
        }
        if matches!(self, ApiError::Unauthorized) {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                header::HeaderValue::from_static("Bearer"),
            );
        }
        response
    }
}
