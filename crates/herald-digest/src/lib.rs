//! The digest target: at each digest subscription's hour in its zone, one summary of the local
//! day before, claimed once in Postgres however many replicas run, and sent as a delivery of a
//! `herald.digest` event, so it is retried, recorded and traced like every other.
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

mod report;
pub mod schedule;
mod send;

use std::time::Duration;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use herald_bus::Bus;
use herald_store::{Store, StoreError, Subscription};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::registry::Registry;
use tokio_util::sync::CancellationToken;

pub use report::build_report;
pub use send::send_digest;

#[derive(Debug, thiserror::Error)]
pub enum DigestError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Bus(#[from] herald_bus::BusError),
    #[error("the digest report does not serialize: {0}")]
    Report(String),
}

#[derive(Debug, Clone)]
pub struct DigestConfig {
    /// The zone of digests that name none (`HERALD_TIMEZONE`).
    pub default_timezone: Tz,
    /// How often the schedules are looked at.
    pub every: Duration,
}

impl Default for DigestConfig {
    fn default() -> Self {
        Self {
            default_timezone: Tz::UTC,
            every: Duration::from_secs(30),
        }
    }
}

/// What one pass did, for tests and logs.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Pass {
    pub sent: usize,
    pub skipped_empty: usize,
}

/// How long a claim may stay unpublished before another pass finishes it: its replica died.
const UNFINISHED_AFTER: chrono::TimeDelta = chrono::TimeDelta::seconds(60);

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ChannelLabel {
    channel: &'static str,
}

pub struct Digester {
    store: Store,
    bus: Bus,
    config: DigestConfig,
    sent: Family<ChannelLabel, Counter>,
}

impl Digester {
    pub fn new(store: Store, bus: Bus, config: DigestConfig) -> Self {
        Self {
            store,
            bus,
            config,
            sent: Family::default(),
        }
    }

    /// Counts the digests this process sends in `registry` (`herald_digests_sent_total`).
    pub fn register_metrics(self, registry: &mut Registry) -> Self {
        // At 0 from the start, for every channel a digest can go to (not webhooks).
        for channel in herald_domain::Channel::ALL {
            if channel != herald_domain::Channel::Webhook {
                let _ = self.sent.get_or_create(&ChannelLabel {
                    channel: channel.as_str(),
                });
            }
        }
        registry.register(
            "herald_digests_sent",
            "Scheduled digests handed to the dispatcher, by channel (empty days skipped are not counted)",
            self.sent.clone(),
        );
        self
    }

    /// A pass at start (a day missed while Herald was down is caught up if less than a day
    /// late), then one every `every` until `shutdown`.
    pub async fn run(self, shutdown: CancellationToken) {
        tracing::info!(every_secs = self.config.every.as_secs(), "Digest started.");
        loop {
            if let Err(error) = self.pass(Utc::now()).await {
                tracing::warn!(%error, "Digest pass failed; the next one tries again.");
            }
            tokio::select! {
                () = shutdown.cancelled() => break,
                () = tokio::time::sleep(self.config.every) => {}
            }
        }
        tracing::info!("Digest stopped.");
    }

    /// Sends every digest that fell due by `now` and is not claimed yet, and finishes those
    /// whose replica died between claim and publish.
    pub async fn pass(&self, now: DateTime<Utc>) -> Result<Pass, DigestError> {
        let mut pass = Pass::default();
        for subscription in self.store.digest_subscriptions().await? {
            let Some(schedule) = subscription.spec.digest else {
                continue;
            };
            let tz = schedule.timezone.unwrap_or(self.config.default_timezone);
            let (day, due) = schedule::latest_due(schedule.hour, tz, now);
            // A subscription made after its hour starts with the next day's digest.
            if due < subscription.created_at {
                continue;
            }
            if let Some(claim) = self.store.claim_digest(subscription.id, day).await? {
                self.finish(&subscription, claim, tz, now, &mut pass)
                    .await?;
            }
        }
        for claim in self
            .store
            .unfinished_digests(now - UNFINISHED_AFTER)
            .await?
        {
            if let Some(subscription) = self.store.subscription(claim.subscription_id).await? {
                let tz = subscription
                    .spec
                    .digest
                    .and_then(|d| d.timezone)
                    .unwrap_or(self.config.default_timezone);
                self.finish(&subscription, claim, tz, now, &mut pass)
                    .await?;
            }
        }
        Ok(pass)
    }

    async fn finish(
        &self,
        subscription: &Subscription,
        claim: herald_store::DigestClaim,
        tz: Tz,
        now: DateTime<Utc>,
        pass: &mut Pass,
    ) -> Result<(), DigestError> {
        let report = build_report(
            &self.store,
            subscription.spec.tenant.as_str(),
            tz,
            claim.day,
        )
        .await?;
        let skip_empty = subscription.spec.digest.is_some_and(|d| d.skip_empty);
        if skip_empty && report::is_empty(&report) {
            tracing::info!(subscription_id = %subscription.id, day = %claim.day, "No events that day; no digest (skip_empty).");
            pass.skipped_empty += 1;
        } else {
            let ce_id = herald_store::digest_ce_id(subscription.id, claim.day);
            send::publish(
                &self.store,
                &self.bus,
                subscription,
                &report,
                send::Ids {
                    ce_id,
                    event_id: claim.event_id,
                    delivery_id: claim.delivery_id,
                },
                now,
            )
            .await?;
            tracing::info!(subscription_id = %subscription.id, day = %claim.day, "Digest sent to the dispatcher.");
            self.sent
                .get_or_create(&ChannelLabel {
                    channel: subscription.spec.channel().as_str(),
                })
                .inc();
            pass.sent += 1;
        }
        self.store
            .digest_finished(subscription.id, claim.day)
            .await?;
        Ok(())
    }
}
