//! `/v1/me`: who the token is, so a client (the console) shows what the caller may do
//! without trying and failing.

use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde::Serialize;
use utoipa::ToSchema;

use crate::{ApiError, Caller};

/// The caller as the API sees it.
#[derive(Debug, Serialize, ToSchema)]
pub struct Me {
    /// The admin token (`HERALD_ADMIN_TOKEN`): every tenant, tokens included.
    pub admin: bool,
    /// A tenant token's tenant; null for the admin.
    #[schema(required = true, pattern = "^[a-z0-9_-]{1,64}$")]
    pub tenant: Option<String>,
    /// A tenant token that may only read (every method but GET is a 403); false for the admin.
    pub read_only: bool,
}

/// Who the token is
///
/// Any valid token: the admin, or a tenant token with its tenant and whether it is read-only.
#[utoipa::path(
    get,
    path = "/v1/me",
    operation_id = "getMe",
    tag = "tokens",
    responses(
        (status = 200, description = "The caller", body = Me, examples(
            ("admin" = (summary = "The admin token",
                value = json!({"admin": true, "tenant": null, "read_only": false}))),
            ("tenant" = (summary = "A tenant token",
                value = json!({"admin": false, "tenant": "acme", "read_only": true}))),
        )),
    )
)]
pub async fn me(Extension(caller): Extension<Caller>) -> Result<Response, ApiError> {
    let me = match &caller {
        Caller::Admin => Me {
            admin: true,
            tenant: None,
            read_only: false,
        },
        Caller::Tenant {
            tenant, read_only, ..
        } => Me {
            admin: false,
            tenant: Some(tenant.as_str().to_owned()),
            read_only: *read_only,
        },
    };
    Ok(Json(me).into_response())
}
