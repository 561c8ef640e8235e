//! Subscriptions: the spec is sealed whole; a masked copy serves listing and display.

use chrono::{DateTime, Utc};
use herald_domain::{Channel, SubscriptionId, SubscriptionSpec, Tenant};
use sqlx::Row as _;
use uuid::Uuid;

use crate::{Store, StoreError};

/// A subscription with its secrets, for routing and sending.
#[derive(Debug, Clone)]
pub struct Subscription {
    pub id: SubscriptionId,
    pub spec: SubscriptionSpec,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A subscription as it may be shown: every secret masked.
#[derive(Debug, Clone)]
pub struct SubscriptionView {
    pub id: SubscriptionId,
    pub masked: serde_json::Value,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A tenant's enabled subscriptions: those that could be opened, and why the others could not.
#[derive(Debug, Default)]
pub struct EnabledSubscriptions {
    pub readable: Vec<Subscription>,
    pub unreadable: Vec<(SubscriptionId, String)>,
}

/// What `herald_subscription_info` shows of a subscription: no spec, no secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubscriptionSummary {
    pub id: SubscriptionId,
    pub tenant: String,
    pub name: String,
    pub channel: String,
    pub enabled: bool,
}

#[derive(Debug, Default, Clone)]
pub struct SubscriptionListFilter {
    pub tenant: Option<Tenant>,
    pub channel: Option<Channel>,
    pub enabled: Option<bool>,
}

impl Store {
    /// Stores a new subscription; `disabled_reason` is kept when it is created disabled.
    pub async fn create_subscription(
        &self,
        spec: &SubscriptionSpec,
        disabled_reason: &str,
    ) -> Result<Subscription, StoreError> {
        let id = SubscriptionId::new();
        let sealed = self.seal_spec(spec)?;
        let mut tx = self.pool.begin().await?;
        claim_name(&mut tx, spec, None).await?;
        let row = sqlx::query(
            "INSERT INTO subscriptions (id, tenant, name, channel, enabled, spec_masked, spec_sealed,
                 disabled_reason)
             VALUES ($1, $2, $3, $4, $5, $6, $7, CASE WHEN $5 THEN NULL ELSE $8 END)
             RETURNING created_at, updated_at",
        )
        .bind(id.as_uuid())
        .bind(spec.tenant.as_str())
        .bind(&spec.name)
        .bind(spec.channel().as_str())
        .bind(spec.enabled)
        .bind(spec.to_masked_json())
        .bind(sealed)
        .bind(crate::storable::text(disabled_reason))
        .fetch_one(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(Subscription {
            id,
            spec: spec.clone(),
            created_at: row.try_get("created_at")?,
            updated_at: row.try_get("updated_at")?,
        })
    }

    /// Replaces the spec; `None` when the subscription does not exist. `disabled_reason` is
    /// kept when this update switches it off; the reason goes when it is switched on again.
    pub async fn update_subscription(
        &self,
        id: SubscriptionId,
        spec: &SubscriptionSpec,
        disabled_reason: &str,
    ) -> Result<Option<Subscription>, StoreError> {
        let sealed = self.seal_spec(spec)?;
        let mut tx = self.pool.begin().await?;
        claim_name(&mut tx, spec, Some(id)).await?;
        let row = sqlx::query(
            "UPDATE subscriptions
             SET tenant = $2, name = $3, channel = $4, enabled = $5, spec_masked = $6,
                 spec_sealed = $7, updated_at = now(),
                 -- `enabled` on the right is the value before this update.
                 disabled_reason = CASE WHEN $5 THEN NULL
                                        WHEN enabled THEN $8
                                        ELSE disabled_reason END
             WHERE id = $1
             RETURNING created_at, updated_at",
        )
        .bind(id.as_uuid())
        .bind(spec.tenant.as_str())
        .bind(&spec.name)
        .bind(spec.channel().as_str())
        .bind(spec.enabled)
        .bind(spec.to_masked_json())
        .bind(sealed)
        .bind(crate::storable::text(disabled_reason))
        .fetch_optional(&mut *tx)
        .await?;
        tx.commit().await?;
        row.map(|row| {
            Ok(Subscription {
                id,
                spec: spec.clone(),
                created_at: row.try_get("created_at")?,
                updated_at: row.try_get("updated_at")?,
            })
        })
        .transpose()
    }

    /// Switches a subscription off (its receiver said the target is gone), keeping `reason`.
    /// Returns whether it was on.
    pub async fn disable_subscription(
        &self,
        id: SubscriptionId,
        reason: &str,
    ) -> Result<bool, StoreError> {
        let Some(mut subscription) = self.subscription(id).await? else {
            return Ok(false);
        };
        if !subscription.spec.enabled {
            return Ok(false);
        }
        subscription.spec.enabled = false;
        Ok(self
            .update_subscription(id, &subscription.spec, reason)
            .await?
            .is_some())
    }

    pub async fn delete_subscription(&self, id: SubscriptionId) -> Result<bool, StoreError> {
        let done = sqlx::query("DELETE FROM subscriptions WHERE id = $1")
            .bind(id.as_uuid())
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn subscription(
        &self,
        id: SubscriptionId,
    ) -> Result<Option<Subscription>, StoreError> {
        let row = sqlx::query(
            "SELECT id, spec_sealed, created_at, updated_at FROM subscriptions WHERE id = $1",
        )
        .bind(id.as_uuid())
        .fetch_optional(&self.pool)
        .await?;
        row.map(|row| self.open_subscription(&row)).transpose()
    }

    /// Enabled subscriptions of one tenant, secrets opened: what routing needs. One that
    /// cannot be opened (a changed encryption key, a damaged row) is listed apart with the
    /// reason, so it costs its own deliveries, not every event of the tenant.
    pub async fn enabled_subscriptions(
        &self,
        tenant: &Tenant,
    ) -> Result<EnabledSubscriptions, StoreError> {
        let rows = sqlx::query(
            "SELECT id, spec_sealed, created_at, updated_at FROM subscriptions
             WHERE tenant = $1 AND enabled ORDER BY id",
        )
        .bind(tenant.as_str())
        .fetch_all(&self.pool)
        .await?;
        let mut enabled = EnabledSubscriptions::default();
        for row in &rows {
            match self.open_subscription(row) {
                Ok(subscription) => enabled.readable.push(subscription),
                Err(error) => {
                    let id = SubscriptionId::from_uuid(row.try_get::<Uuid, _>("id")?);
                    tracing::error!(subscription_id = %id, %error, "Subscription cannot be read; it gets no deliveries until it is fixed or replaced.");
                    enabled.unreadable.push((id, error.to_string()));
                }
            }
        }
        Ok(enabled)
    }

    /// Changes with every insert, update or delete of any subscription.
    pub async fn subscriptions_version(&self) -> Result<i64, StoreError> {
        let version = sqlx::query_scalar("SELECT version FROM subscriptions_version")
            .fetch_one(&self.pool)
            .await?;
        Ok(version)
    }

    /// Every subscription's plain columns, in one query (nothing is decrypted).
    pub async fn subscription_summaries(&self) -> Result<Vec<SubscriptionSummary>, StoreError> {
        let rows = sqlx::query("SELECT id, tenant, name, channel, enabled FROM subscriptions")
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|row| {
                Ok(SubscriptionSummary {
                    id: SubscriptionId::from_uuid(row.try_get::<Uuid, _>("id")?),
                    tenant: row.try_get("tenant")?,
                    name: row.try_get("name")?,
                    channel: row.try_get("channel")?,
                    enabled: row.try_get("enabled")?,
                })
            })
            .collect()
    }

    /// One page in id order, starting after `after`.
    pub async fn list_subscriptions(
        &self,
        filter: &SubscriptionListFilter,
        after: Option<SubscriptionId>,
        limit: u32,
    ) -> Result<Vec<SubscriptionView>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, spec_masked, created_at, updated_at FROM subscriptions
             WHERE ($1::text IS NULL OR tenant = $1)
               AND ($2::text IS NULL OR channel = $2)
               AND ($3::boolean IS NULL OR enabled = $3)
               AND ($4::uuid IS NULL OR id > $4)
             ORDER BY id
             LIMIT $5",
        )
        .bind(filter.tenant.as_ref().map(Tenant::as_str))
        .bind(filter.channel.map(|c| c.as_str()))
        .bind(filter.enabled)
        .bind(after.map(|id| id.as_uuid()))
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(SubscriptionView {
                    id: SubscriptionId::from_uuid(row.try_get::<Uuid, _>("id")?),
                    masked: row.try_get("spec_masked")?,
                    created_at: row.try_get("created_at")?,
                    updated_at: row.try_get("updated_at")?,
                })
            })
            .collect()
    }

    fn seal_spec(&self, spec: &SubscriptionSpec) -> Result<Vec<u8>, StoreError> {
        let plain = serde_json::to_vec(&spec.to_json()).map_err(|e| {
            StoreError::Corrupt(format!("subscription spec does not serialize: {e}"))
        })?;
        Ok(self.cipher.seal(&plain)?)
    }

    pub(crate) fn open_subscription(
        &self,
        row: &sqlx::postgres::PgRow,
    ) -> Result<Subscription, StoreError> {
        let id = SubscriptionId::from_uuid(row.try_get::<Uuid, _>("id")?);
        let sealed: Vec<u8> = row.try_get("spec_sealed")?;
        let plain = self.cipher.open(&sealed)?;
        let json: serde_json::Value = serde_json::from_slice(&plain)
            .map_err(|e| StoreError::Corrupt(format!("subscription {id}: {e}")))?;
        let spec = SubscriptionSpec::from_stored_json(&json)
            .map_err(|e| StoreError::Corrupt(format!("subscription {id}: {e}")))?;
        Ok(Subscription {
            id,
            spec,
            created_at: row.try_get("created_at")?,
            updated_at: row.try_get("updated_at")?,
        })
    }
}

/// A tenant's subscription names are unique (`herald apply` finds subscriptions by them). An
/// advisory lock on the (tenant, name) pair, held to the end of the transaction, makes the
/// check and the write one step for concurrent requests; a unique index cannot be added to a
/// database that may already hold duplicates (names live in the sealed spec too).
async fn claim_name(
    tx: &mut sqlx::PgConnection,
    spec: &SubscriptionSpec,
    except: Option<SubscriptionId>,
) -> Result<(), StoreError> {
    sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended($1 || chr(31) || $2, 0))")
        .bind(spec.tenant.as_str())
        .bind(&spec.name)
        .execute(&mut *tx)
        .await?;
    let taken: Option<Uuid> = sqlx::query_scalar(
        "SELECT id FROM subscriptions WHERE tenant = $1 AND name = $2 AND ($3::uuid IS NULL OR id <> $3)
         LIMIT 1",
    )
    .bind(spec.tenant.as_str())
    .bind(&spec.name)
    .bind(except.map(|id| id.as_uuid()))
    .fetch_optional(&mut *tx)
    .await?;
    match taken {
        Some(other) => Err(StoreError::NameTaken(SubscriptionId::from_uuid(other))),
        None => Ok(()),
    }
}
