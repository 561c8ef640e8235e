//! `/v1/tokens`: the admin's tenant tokens. The token is returned once, at creation; lists
//! show its id, tenant, name and whether it is read-only.

use std::collections::{BTreeMap, HashMap};

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use bytes::Bytes;
use chrono::{DateTime, Utc};
use herald_domain::{FieldErrors, Tenant, TokenId};
use herald_store::TokenRecord;
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

use crate::json::{PageRequest, object_body, page};
use crate::openapi::{TokenRequest, examples};
use crate::{ApiError, AppState, Caller};

/// A tenant token as lists show it: never the token itself.
#[derive(Serialize, ToSchema)]
pub struct Token {
    #[schema(pattern = "^tok_[0-9A-HJKMNP-TV-Z]{26}$")]
    pub id: String,
    pub tenant: String,
    pub name: String,
    /// A read-only token gets 403 on every method but GET.
    pub read_only: bool,
    pub created_at: DateTime<Utc>,
}

/// A token just made, with the token itself: shown this once, only its hash is kept.
#[derive(Serialize, ToSchema)]
pub struct CreatedToken {
    #[serde(flatten)]
    pub record: Token,
    /// The bearer token: `hrd_` and 43 base64url characters.
    #[schema(pattern = "^hrd_[A-Za-z0-9_-]{43}$")]
    pub token: String,
}

page!(
    /// Every tenant token, in one page (`next_cursor` is always null).
    TokenPage,
    Token
);

/// Create a tenant token
///
/// Admin only. The token is in the answer this once; only its SHA-256 is stored.
#[utoipa::path(
    post,
    path = "/v1/tokens",
    operation_id = "createToken",
    tag = "tokens",
    request_body(content = TokenRequest, example = json!({"tenant": "acme", "name": "ci", "read_only": true})),
    responses(
        (status = 201, description = "Created; the token is shown this once", body = CreatedToken,
            example = json!(examples::created_token())),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 422, response = crate::openapi::Invalid),
    )
)]
pub async fn create(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    body: Bytes,
) -> Result<Response, ApiError> {
    caller.require_admin()?;
    let NewToken {
        tenant,
        name,
        read_only,
    } = NewToken::from_body(&body)?;
    let (token, record) = state.store.create_token(&tenant, &name, read_only).await?;
    tracing::info!(token_id = %record.id, tenant = %record.tenant, read_only, "Token created.");
    let body = CreatedToken {
        record: shown(&record),
        token,
    };
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

/// A create-token body, read: every wrong field named in one 422.
pub(crate) struct NewToken {
    tenant: Tenant,
    name: String,
    read_only: bool,
}

impl NewToken {
    pub(crate) fn from_body(body: &[u8]) -> Result<Self, ApiError> {
        let request = object_body(body)?;
        let mut errors = FieldErrors::default();
        for key in request.as_object().into_iter().flat_map(|o| o.keys()) {
            if !["tenant", "name", "read_only"].contains(&key.as_str()) {
                errors.add(
                    key.clone(),
                    "is not a token field (tenant, name, read_only)",
                );
            }
        }
        let tenant = match request.get("tenant").and_then(Value::as_str) {
            Some(text) => Tenant::parse(text)
                .map_err(|e| errors.add("tenant", e.to_string()))
                .ok(),
            None => {
                errors.add("tenant", "is required");
                None
            }
        };
        let name = match request.get("name").and_then(Value::as_str) {
            Some(name) if !name.trim().is_empty() && name.chars().count() <= 200 => Some(name),
            _ => {
                errors.add("name", "is required: 1 to 200 characters");
                None
            }
        };
        let read_only = match request.get("read_only") {
            None => false,
            Some(Value::Bool(read_only)) => *read_only,
            Some(_) => {
                errors.add("read_only", "must be true or false");
                false
            }
        };
        match (tenant, name) {
            (Some(tenant), Some(name)) if errors.is_empty() => Ok(Self {
                tenant,
                name: name.to_owned(),
                read_only,
            }),
            _ => Err(errors.into()),
        }
    }
}

/// Every tenant token
///
/// Admin only.
#[utoipa::path(
    get,
    path = "/v1/tokens",
    operation_id = "listTokens",
    tag = "tokens",
    params(crate::openapi::params::TokenListQuery),
    responses(
        (status = 200, description = "Tenant tokens, oldest first", body = TokenPage,
            example = json!({"items": [examples::token()], "next_cursor": null})),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 422, response = crate::openapi::Invalid),
    )
)]
pub async fn list(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    caller.require_admin()?;
    let mut errors = BTreeMap::new();
    let tenant = crate::json::tenant_param(&params, &mut errors);
    let page = PageRequest::<TokenId>::parse(&params, &mut errors);
    crate::json::documented_only::<crate::openapi::params::TokenListQuery>(&params, &mut errors);
    if !errors.is_empty() {
        return Err(ApiError::Invalid(errors));
    }
    let tokens = state
        .store
        .list_tokens(tenant.as_ref(), page.cursor, page.fetch())
        .await?;
    Ok(page.respond::<TokenPage, _>(tokens, |t| t.id.to_string(), shown))
}

/// Revoke a tenant token
///
/// Admin only. The token fails at its next request, on every API replica.
#[utoipa::path(
    delete,
    path = "/v1/tokens/{id}",
    operation_id = "deleteToken",
    tag = "tokens",
    params(("id" = String, Path, description = "The token's `tok_…` id (not the token)")),
    responses(
        (status = 204, description = "Revoked"),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
pub async fn delete(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    caller.require_admin()?;
    let id: TokenId = id.parse().map_err(|_| ApiError::NotFound("token"))?;
    if state.store.delete_token(id).await? {
        tracing::info!(token_id = %id, "Token revoked.");
        Ok(StatusCode::NO_CONTENT.into_response())
    } else {
        Err(ApiError::NotFound("token"))
    }
}

fn shown(record: &TokenRecord) -> Token {
    Token {
        id: record.id.to_string(),
        tenant: record.tenant.as_str().to_owned(),
        name: record.name.clone(),
        read_only: record.read_only,
        created_at: record.created_at,
    }
}
