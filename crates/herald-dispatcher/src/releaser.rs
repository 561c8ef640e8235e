//! The releaser: every second, every dispatcher replica looks at what is held (issue 12),
//! settles each job of a `transitions` subscription whose events have waited long enough
//! (`herald_store::Settle`), and sends each group that is due as one `herald.group` delivery.
//! A release is one transaction (members marked grouped, the group's event, its delivery and job in the outbox), claimed
//! with the group's row locked SKIP LOCKED, then handed over like a digest's job; so replicas
//! never both send a group, and a kill -9 anywhere loses none and sends none twice: before
//! the commit nothing happened, after it the outbox sweep publishes a job the hand-over missed.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use chrono::{DateTime, TimeDelta, Utc};
use herald_bus::Bus;
use herald_domain::{DeliveryId, EventId, GroupSpec, Notify, Tenant};
use herald_render::QuietSpan;
use herald_store::{
    GroupRelease, HeldGroup, Settle, Store, StoreError, Subscription, SubscriptionCache, held_job,
};
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use tokio_util::sync::CancellationToken;

use crate::metrics::ReleasedLabel;

use crate::group_event::{self, compose};
use crate::hold::{self, QUIET_KEY, Release};

/// How often the releaser looks: a group's `wait` is at least a second.
const RELEASE_EVERY: Duration = Duration::from_secs(1);

/// How often old send times are dropped.
const FORGET_EVERY: Duration = Duration::from_secs(3600);

/// What the releaser works with.
pub(crate) struct Releaser {
    pub store: Store,
    pub bus: Bus,
    /// How long a job's events wait before they are decided on.
    pub settle: Duration,
    pub released: Family<ReleasedLabel, Counter>,
}

impl Releaser {
    fn count(&self, kind: &'static str, by: usize) {
        self.released
            .get_or_create(&ReleasedLabel { kind })
            .inc_by(u64::try_from(by).unwrap_or(u64::MAX));
    }
}

/// Settles due jobs and releases due groups until `shutdown`.
pub(crate) async fn run(releaser: Releaser, shutdown: CancellationToken) {
    let store = &releaser.store;
    let mut cache = SubscriptionCache::default();
    let mut forgotten = Instant::now();
    loop {
        tokio::select! {
            () = shutdown.cancelled() => return,
            () = tokio::time::sleep(RELEASE_EVERY) => {}
        }
        if let Err(error) = release_due(&releaser, &mut cache, Utc::now()).await {
            tracing::warn!(%error, "Cannot release held deliveries yet.");
        }
        if forgotten.elapsed() >= FORGET_EVERY {
            forgotten = Instant::now();
            // After the longest interval a send time delays nothing.
            if let Err(error) = store.forget_group_sends(GroupSpec::MAX_INTERVAL).await {
                tracing::warn!(%error, "Cannot drop old group send times.");
            }
        }
    }
}

/// Settles every job and sends every held group that is due at `now`; ends the held
/// deliveries of subscriptions that are gone or disabled.
async fn release_due(
    releaser: &Releaser,
    cache: &mut SubscriptionCache,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let store = &releaser.store;
    let groups = store.held_groups().await?;
    if groups.is_empty() {
        return Ok(());
    }
    cache.observe(store.subscriptions_version().await?);
    let tenants: BTreeSet<Tenant> = groups
        .iter()
        .filter_map(|g| Tenant::parse(&g.tenant).ok())
        .collect();
    cache
        .load(store, &tenants.iter().collect::<Vec<_>>())
        .await?;
    for held in &groups {
        let subscription = Tenant::parse(&held.tenant)
            .ok()
            .and_then(|tenant| cache.enabled(&tenant, held.subscription_id));
        let Some(subscription) = subscription else {
            let reason = match cache.unreadable(held.subscription_id) {
                Some(error) => format!("its subscription cannot be read: {error}"),
                None => "its subscription was deleted or disabled before it was sent".to_owned(),
            };
            let failed = store.fail_held(held.subscription_id, &reason).await?;
            tracing::info!(subscription_id = %held.subscription_id, failed, %reason, "Held deliveries failed without an attempt.");
            continue;
        };
        if held_job(&held.hold_key).is_some() {
            let settle = TimeDelta::from_std(releaser.settle).unwrap_or(TimeDelta::MAX);
            if held.first_held + settle <= now {
                settle_job(releaser, &subscription, held).await?;
            }
            continue;
        }
        if let Release::Now { wait, interval } = hold::release(&subscription.spec, held, now) {
            send(releaser, &subscription, held, (wait, interval), now).await?;
        }
    }
    Ok(())
}

/// Decides on the held events of one job; nothing when another replica has it.
async fn settle_job(
    releaser: &Releaser,
    subscription: &Subscription,
    held: &HeldGroup,
) -> Result<(), StoreError> {
    let repeat_interval = match &subscription.spec.notify {
        Notify::Transitions {
            repeat_interval, ..
        } => Some(*repeat_interval),
        Notify::EveryEvent => None,
    };
    let job = Settle {
        subscription_id: subscription.id,
        hold_key: &held.hold_key,
        settle: releaser.settle,
        repeat_interval,
    };
    let Some(settled) = releaser.store.settle_job(&job).await? else {
        return Ok(());
    };
    releaser.count("notice", settled.jobs.len());
    releaser.count("quiet", settled.suppressed);
    tracing::debug!(subscription_id = %subscription.id, hold_key = %held.hold_key, sent = settled.jobs.len(), suppressed = settled.suppressed, "Job settled.");
    // Queued in the outbox with the deliveries: when this publish fails, the sweep sends them.
    if let Err(error) = crate::hand_over(&releaser.store, &releaser.bus, &settled.jobs).await {
        tracing::warn!(%error, "Notices queued; the outbox sweep will send them.");
    }
    Ok(())
}

/// Sends one due group; nothing when another replica has it or it is no longer due.
async fn send(
    releaser: &Releaser,
    subscription: &Subscription,
    held: &HeldGroup,
    (wait, interval): (Duration, Duration),
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let spec = &subscription.spec;
    let delivery_id = DeliveryId::new();
    let release = GroupRelease {
        subscription_id: subscription.id,
        tenant: spec.tenant.as_str(),
        channel: spec.channel().as_str(),
        hold_key: &held.hold_key,
        wait,
        interval,
        event_id: EventId::new(),
        delivery_id,
    };
    let words = group_event::Release {
        subscription,
        hold_key: &held.hold_key,
        quiet: quiet_span(subscription, held),
        delivery_id,
        now,
    };
    let mut members = 0;
    let job = releaser
        .store
        .release_group(&release, |held| {
            members = held.len();
            compose(&words, held)
        })
        .await?;
    let Some(job) = job else {
        return Ok(());
    };
    releaser.count("group", 1);
    releaser.count("grouped", members);
    tracing::info!(subscription_id = %subscription.id, hold_key = %held.hold_key, members, %delivery_id, "Held deliveries sent as one message.");
    // Recorded with its job in the outbox: when this publish fails, the sweep sends it.
    if let Err(error) =
        crate::hand_over(&releaser.store, &releaser.bus, std::slice::from_ref(&job)).await
    {
        tracing::warn!(%error, %delivery_id, "Grouped message queued; the outbox sweep will send it.");
    }
    Ok(())
}

/// The window that held a quiet group, in the words of its zone (`22:00`–`07:00`).
fn quiet_span(subscription: &Subscription, held: &HeldGroup) -> Option<QuietSpan> {
    if held.hold_key != QUIET_KEY {
        return None;
    }
    let quiet = subscription.spec.quiet_hours.as_ref()?;
    let (from, to) = hold::window_of(quiet, held.first_held)?;
    Some(QuietSpan {
        timezone: quiet.timezone,
        from: from.format("%H:%M").to_string(),
        to: to.format("%H:%M").to_string(),
    })
}
