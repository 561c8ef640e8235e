//! Herald's Postgres storage. Every write the pipeline depends on is idempotent under
//! redelivery: events are unique per (tenant, publisher id), deliveries per (event, subscription),
//! rejections per stream position.

mod attempts;
mod cache;
mod crypto;
mod deliveries;
mod digest_claims;
mod digests;
mod ended;
mod error;
mod events;
mod failures;
mod fallbacks;
mod holds;
mod id_time;
mod lookup;
mod outbox;
mod poison;
mod rejections;
mod rekey;
mod replays;
mod retention;
mod settle;
mod standing;
mod storable;
mod subscriptions;
mod tenants;
mod tokens;
mod transitions;

use std::time::Duration;

use sqlx::PgPool;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

pub use attempts::AttemptView;
pub use cache::SubscriptionCache;
pub use crypto::{EncryptionKey, KeyError, SealError, SecretCipher};
pub use deliveries::{AttemptRecord, DeliveryListFilter, JobState, LoadedJobs};
pub use digest_claims::{DigestClaim, DigestEvent, digest_ce_id};
pub use digests::{
    BUSIEST_JOBS, BusiestRow, DIGEST_FAMILIES, DigestFigures, DigestWindow, FailureRow,
    FamilyFigures, ScheduleRow, WarningRow,
};
pub use error::{FailureKind, StoreError};
pub use events::{FanOut, JobRow, NewEvent};
pub use failures::Recovery;
pub use fallbacks::{FALLBACK_OF_ATTRIBUTE, FALLBACK_REASON_ATTRIBUTE, FallbackRequest};
pub use holds::{GroupDraft, GroupRelease, HeldGroup, HeldMember};
pub use lookup::{DeliveryRecord, EventLookup, EventRecord, EventSummary};
pub use outbox::QueuedJob;
pub use poison::{Failure, PoisonPolicy, REPEATS, StoreHealth};
pub use rejections::{NewRejection, RejectionRecord};
pub use rekey::RekeyBatch;
pub use replays::{EventListFilter, FailedFilter, Replay};
pub use retention::{PruneCursor, PruneStep, Pruned};
pub use settle::{Settle, Settled};
pub use standing::{Standing, SubscriptionStanding};
pub use subscriptions::{
    EnabledSubscriptions, Subscription, SubscriptionListFilter, SubscriptionSummary,
    SubscriptionView,
};
pub use tenants::TenantSummary;
pub use tokens::{TOKEN_PREFIX, TokenRecord};
pub use transitions::{held_job, job_hold_key};

/// The embedded migrations; `ignore_missing` accepts a database a newer release migrated.
fn migrator(ignore_missing: bool) -> sqlx::migrate::Migrator {
    let mut migrator = sqlx::migrate!("./migrations");
    migrator.set_ignore_missing(ignore_missing);
    migrator
}

#[derive(Clone)]
pub struct Store {
    pool: PgPool,
    cipher: SecretCipher,
}

impl Store {
    /// Opens the first connection now, so a wrong URL fails the start instead of the first request.
    pub async fn connect(
        database_url: &str,
        max_connections: u32,
        key: &EncryptionKey,
    ) -> Result<Self, StoreError> {
        // Every statement is planned for its parameters. A prepared statement's cached
        // generic plan is made once, while Herald's tables are still empty, and kept until
        // the next ANALYZE: with autovacuum off or behind, the dispatcher's lookups stayed
        // sequential scans of deliveries and events as they grew (the soak's latency climbed
        // ~10 ms a minute). Planning these statements costs tenths of a millisecond.
        let options: PgConnectOptions = database_url
            .parse::<PgConnectOptions>()?
            .options([("plan_cache_mode", "force_custom_plan")]);
        let pool = PgPoolOptions::new()
            .max_connections(max_connections)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options)
            .await?;
        Ok(Self {
            pool,
            cipher: SecretCipher::new(key),
        })
    }

    /// Creates the database named in the URL when it does not exist yet, so a fresh Postgres
    /// needs no manual step.
    pub async fn create_database_if_missing(database_url: &str) -> Result<(), StoreError> {
        use sqlx::migrate::MigrateDatabase as _;
        if !sqlx::Postgres::database_exists(database_url).await? {
            sqlx::Postgres::create_database(database_url).await?;
            tracing::info!("Database created.");
        }
        Ok(())
    }

    /// `herald migrate`: refuses a database that has migrations this binary does not know,
    /// so an operator never runs an old binary's migrations over a newer schema by mistake.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        migrator(false).run(&self.pool).await?;
        Ok(())
    }

    /// `herald serve`: applies what is missing, but starts on a database a newer release has
    /// migrated further. During a rolling upgrade or a rollback the older pods keep running,
    /// which holds because every migration is additive (docs/operations.md, Upgrades).
    pub async fn migrate_at_start(&self) -> Result<(), StoreError> {
        migrator(true).run(&self.pool).await?;
        Ok(())
    }

    pub async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}
