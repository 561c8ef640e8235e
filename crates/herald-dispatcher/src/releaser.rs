//! The releaser: every second, every dispatcher replica looks at what is held (issue 12) and
//! sends each group that is due as one `herald.group` delivery. A release is one transaction
//! (members marked grouped, the group's event, its delivery and job in the outbox), claimed
//! with the group's row locked SKIP LOCKED, then handed over like a digest's job; so replicas
//! never both send a group, and a kill -9 anywhere loses none and sends none twice: before
//! the commit nothing happened, after it the outbox sweep publishes a job the hand-over missed.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use herald_bus::Bus;
use herald_domain::{DeliveryId, EventId, GroupSpec, Tenant};
use herald_render::QuietSpan;
use herald_store::{GroupRelease, HeldGroup, Store, StoreError, Subscription, SubscriptionCache};
use tokio_util::sync::CancellationToken;

use crate::group_event::{self, compose};
use crate::hold::{self, QUIET_KEY, Release};

/// How often the releaser looks: a group's `wait` is at least a second.
const RELEASE_EVERY: Duration = Duration::from_secs(1);

/// How often old send times are dropped.
const FORGET_EVERY: Duration = Duration::from_secs(3600);

/// Releases due groups until `shutdown`.
pub(crate) async fn run(store: Store, bus: Bus, shutdown: CancellationToken) {
    let mut cache = SubscriptionCache::default();
    let mut forgotten = Instant::now();
    loop {
        tokio::select! {
            () = shutdown.cancelled() => return,
            () = tokio::time::sleep(RELEASE_EVERY) => {}
        }
        if let Err(error) = release_due(&store, &bus, &mut cache, Utc::now()).await {
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

/// Sends every held group that is due at `now`; ends the held deliveries of subscriptions
/// that are gone or disabled.
async fn release_due(
    store: &Store,
    bus: &Bus,
    cache: &mut SubscriptionCache,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
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
        if let Release::Now { wait, interval } = hold::release(&subscription.spec, held, now) {
            send(store, bus, &subscription, held, (wait, interval), now).await?;
        }
    }
    Ok(())
}

/// Sends one due group; nothing when another replica has it or it is no longer due.
async fn send(
    store: &Store,
    bus: &Bus,
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
    let job = store
        .release_group(&release, |held| {
            members = held.len();
            compose(&words, held)
        })
        .await?;
    let Some(job) = job else {
        return Ok(());
    };
    tracing::info!(subscription_id = %subscription.id, hold_key = %held.hold_key, members, %delivery_id, "Held deliveries sent as one message.");
    // Recorded with its job in the outbox: when this publish fails, the sweep sends it.
    if let Err(error) = crate::hand_over(store, bus, std::slice::from_ref(&job)).await {
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
