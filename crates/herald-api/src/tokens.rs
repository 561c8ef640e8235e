//! `/v1/tokens`: the admin's tenant tokens. The token is returned once, at creation; lists
//! show its id, tenant, name and whether it is read-only.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use bytes::Bytes;
use herald_domain::{FieldErrors, Tenant, TokenId};
use herald_store::TokenRecord;
use serde_json::{Value, json};

use crate::json::object_body;
use crate::{ApiError, AppState, Caller};

pub async fn create(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    body: Bytes,
) -> Result<Response, ApiError> {
    caller.require_admin()?;
    let request = object_body(&body)?;
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
    let (Some(tenant), Some(name)) = (tenant, name) else {
        return Err(errors.into());
    };
    if !errors.is_empty() {
        return Err(errors.into());
    }
    let (token, record) = state.store.create_token(&tenant, name, read_only).await?;
    tracing::info!(token_id = %record.id, tenant = %record.tenant, read_only, "Token created.");
    let mut body = shown(&record);
    body["token"] = json!(token);
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

pub async fn list(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
) -> Result<Response, ApiError> {
    caller.require_admin()?;
    let tokens = state.store.list_tokens(None).await?;
    let items: Vec<Value> = tokens.iter().map(shown).collect();
    Ok(Json(json!({"items": items, "next_cursor": null})).into_response())
}

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

fn shown(record: &TokenRecord) -> Value {
    json!({
        "id": record.id.to_string(),
        "tenant": record.tenant.as_str(),
        "name": record.name,
        "read_only": record.read_only,
        "created_at": record.created_at,
    })
}
