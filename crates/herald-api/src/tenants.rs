//! `/v1/tenants`: the tenants Herald knows of, for the admin's console to pick one from.

use std::collections::{BTreeMap, HashMap};

use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde::Serialize;
use utoipa::ToSchema;

use crate::json::{Page as _, page};
use crate::{ApiError, AppState, Caller};

/// A tenant: named by at least one subscription or token.
#[derive(Debug, Serialize, ToSchema)]
pub struct TenantShown {
    #[schema(pattern = "^[a-z0-9_-]{1,64}$")]
    pub tenant: String,
    /// Its subscriptions, enabled or not (0 when it has only tokens).
    #[schema(minimum = 0)]
    pub subscriptions: i64,
}

page!(
    /// Every tenant, sorted by name, in one page (`next_cursor` is always null).
    TenantPage,
    TenantShown
);

/// Every tenant
///
/// Admin only. The tenants named by a subscription or a token, sorted by name, each with its
/// number of subscriptions; all in one page (`next_cursor` is always null). A tenant is not
/// an object of its own: it exists while something names it.
#[utoipa::path(
    get,
    path = "/v1/tenants",
    operation_id = "listTenants",
    tag = "tokens",
    responses(
        (status = 200, description = "Every tenant, sorted by name", body = TenantPage,
            example = json!({"items": [{"tenant": "acme", "subscriptions": 3},
                {"tenant": "globex", "subscriptions": 0}], "next_cursor": null})),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 422, response = crate::openapi::Invalid),
    )
)]
pub async fn list(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    caller.require_admin_or("only the admin token lists tenants")?;
    // A typo'd parameter is refused, as on every list, rather than silently ignored.
    let errors: BTreeMap<String, String> = params
        .keys()
        .map(|key| {
            (
                key.clone(),
                "is not a parameter of this route (it takes none)".into(),
            )
        })
        .collect();
    if !errors.is_empty() {
        return Err(ApiError::Invalid(errors));
    }
    let items = state
        .store
        .tenants()
        .await?
        .into_iter()
        .map(|t| TenantShown {
            tenant: t.tenant,
            subscriptions: t.subscriptions,
        })
        .collect();
    Ok(Json(TenantPage::new(items, None)).into_response())
}
