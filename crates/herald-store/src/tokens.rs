//! Tenant tokens of the API: `hrd_` and 43 characters of base64url (256 random bits), shown
//! once; only their SHA-256 is stored and looked up, so a token found in the database is
//! useless and a deleted one stops working at the next request.

use base64::Engine as _;
use chrono::{DateTime, Utc};
use herald_domain::{Tenant, TokenId};
use rand::RngCore as _;
use sha2::{Digest as _, Sha256};
use sqlx::Row as _;

use crate::{Store, StoreError};

/// What secret scanners look for.
pub const TOKEN_PREFIX: &str = "hrd_";

/// A token as listed: never the token itself.
#[derive(Debug, Clone)]
pub struct TokenRecord {
    pub id: TokenId,
    pub tenant: Tenant,
    pub name: String,
    pub read_only: bool,
    pub created_at: DateTime<Utc>,
}

fn hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

impl Store {
    /// Makes a token and returns it with its record; the token is never readable again.
    pub async fn create_token(
        &self,
        tenant: &Tenant,
        name: &str,
        read_only: bool,
    ) -> Result<(String, TokenRecord), StoreError> {
        let mut secret = [0u8; 32];
        rand::rng().fill_bytes(&mut secret);
        let token = format!(
            "{TOKEN_PREFIX}{}",
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(secret)
        );
        let id = TokenId::new();
        let row = sqlx::query(
            "INSERT INTO api_tokens (id, tenant, name, read_only, token_hash)
             VALUES ($1, $2, $3, $4, $5) RETURNING created_at",
        )
        .bind(id.as_uuid())
        .bind(tenant.as_str())
        .bind(name)
        .bind(read_only)
        .bind(hash(&token))
        .fetch_one(&self.pool)
        .await?;
        let record = TokenRecord {
            id,
            tenant: tenant.clone(),
            name: name.to_owned(),
            read_only,
            created_at: row.try_get("created_at")?,
        };
        Ok((token, record))
    }

    /// The token's record when `token` is a live one.
    pub async fn find_token(&self, token: &str) -> Result<Option<TokenRecord>, StoreError> {
        if !token.starts_with(TOKEN_PREFIX) {
            return Ok(None);
        }
        let row = sqlx::query(
            "SELECT id, tenant, name, read_only, created_at FROM api_tokens WHERE token_hash = $1",
        )
        .bind(hash(token))
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(token_record).transpose()
    }

    /// Oldest first, continuing after `after`; `tenant` narrows the list.
    pub async fn list_tokens(
        &self,
        tenant: Option<&Tenant>,
        after: Option<TokenId>,
        limit: u32,
    ) -> Result<Vec<TokenRecord>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, tenant, name, read_only, created_at FROM api_tokens
             WHERE ($1::text IS NULL OR tenant = $1) AND ($2::uuid IS NULL OR id > $2)
             ORDER BY id LIMIT $3",
        )
        .bind(tenant.map(Tenant::as_str))
        .bind(after.map(|id| id.as_uuid()))
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(token_record).collect()
    }

    /// Revokes a token; false when there was none.
    pub async fn delete_token(&self, id: TokenId) -> Result<bool, StoreError> {
        let done = sqlx::query("DELETE FROM api_tokens WHERE id = $1")
            .bind(id.as_uuid())
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() == 1)
    }
}

fn token_record(row: &sqlx::postgres::PgRow) -> Result<TokenRecord, StoreError> {
    let tenant: String = row.try_get("tenant")?;
    Ok(TokenRecord {
        id: TokenId::from_uuid(row.try_get("id")?),
        tenant: Tenant::parse(&tenant)
            .map_err(|e| StoreError::Corrupt(format!("token tenant: {e}")))?,
        name: row.try_get("name")?,
        read_only: row.try_get("read_only")?,
        created_at: row.try_get("created_at")?,
    })
}
