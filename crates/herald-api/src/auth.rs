//! Bearer tokens for every `/v1` route, and the one value every handler is handed: who calls.
//!
//! The admin token (`HERALD_ADMIN_TOKEN`) sees every tenant; a tenant token (`hrd_…`, made by
//! the admin) sees only its own tenant, and a read-only one changes nothing. Handlers never
//! compare tenants themselves: they ask the [`Caller`], which answers another tenant's object
//! with 404 (never a 403 that would confirm it exists).

use axum::extract::{Request, State};
use axum::http::{Method, header};
use axum::middleware::Next;
use axum::response::Response;
use herald_domain::{Tenant, TokenId};
use secrecy::ExposeSecret as _;
use subtle::ConstantTimeEq as _;

use crate::{ApiError, AppState};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Caller {
    Admin,
    Tenant {
        tenant: Tenant,
        read_only: bool,
        token: TokenId,
    },
}

impl Caller {
    /// The tenant every query of this caller is narrowed to; `None` for the admin.
    pub fn scope(&self) -> Option<&Tenant> {
        match self {
            Caller::Admin => None,
            Caller::Tenant { tenant, .. } => Some(tenant),
        }
    }

    /// Whether the caller may see an object of `tenant`; as if it did not exist when not.
    pub fn sees(&self, tenant: &str, what: &'static str) -> Result<(), ApiError> {
        match self.scope() {
            Some(own) if own.as_str() != tenant => Err(ApiError::NotFound(what)),
            _ => Ok(()),
        }
    }

    /// The tenant a list is narrowed to: the admin's choice (if any), a token's own tenant.
    /// A token naming another tenant lists nothing of it: its own.
    pub fn list_scope(&self, requested: Option<Tenant>) -> Option<Tenant> {
        match self.scope() {
            Some(own) => Some(own.clone()),
            None => requested,
        }
    }

    /// A token may create or change objects of its own tenant only.
    pub fn may_write_for(&self, tenant: &Tenant) -> Result<(), ApiError> {
        match self.scope() {
            Some(own) if own != tenant => Err(ApiError::Forbidden(
                "a tenant token works on its own tenant only",
            )),
            _ => Ok(()),
        }
    }

    /// Token management is the admin's.
    pub fn require_admin(&self) -> Result<(), ApiError> {
        self.require_admin_or("only the admin token manages tokens")
    }

    /// What only the admin may do; a tenant token gets a 403 with `message`.
    pub fn require_admin_or(&self, message: &'static str) -> Result<(), ApiError> {
        match self {
            Caller::Admin => Ok(()),
            Caller::Tenant { .. } => Err(ApiError::Forbidden(message)),
        }
    }
}

pub async fn authenticate(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Result<Response, ApiError> {
    let presented = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .ok_or(ApiError::Unauthorized)?;
    let admin = state.admin_token.expose_secret().as_bytes();
    let caller = if bool::from(presented.as_bytes().ct_eq(admin)) {
        Caller::Admin
    } else {
        // Looked up by its hash on every request: a revoked token fails at once everywhere.
        let token = state
            .store
            .find_token(presented)
            .await?
            .ok_or(ApiError::Unauthorized)?;
        Caller::Tenant {
            tenant: token.tenant,
            read_only: token.read_only,
            token: token.id,
        }
    };
    let key = match &caller {
        Caller::Admin => "admin".to_owned(),
        Caller::Tenant { token, .. } => token.to_string(),
    };
    if let Err(wait) = state.rate_limiter.take(&key, std::time::Instant::now()) {
        return Err(ApiError::TooManyRequests(wait));
    }
    if let Caller::Tenant {
        read_only: true, ..
    } = caller
        && !matches!(*request.method(), Method::GET | Method::HEAD)
    {
        return Err(ApiError::Forbidden("this token is read-only"));
    }
    request.extensions_mut().insert(caller);
    Ok(next.run(request).await)
}
