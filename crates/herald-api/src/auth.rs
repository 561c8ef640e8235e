//! Bearer-token authentication for every `/v1` route.

use axum::extract::{Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::Response;
use secrecy::ExposeSecret as _;
use subtle::ConstantTimeEq as _;

use crate::{ApiError, AppState};

pub async fn require_admin(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Result<Response, ApiError> {
    let presented = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .ok_or(ApiError::Unauthorized)?;
    let expected = state.admin_token.expose_secret().as_bytes();
    if bool::from(presented.as_bytes().ct_eq(expected)) {
        Ok(next.run(request).await)
    } else {
        Err(ApiError::Unauthorized)
    }
}
