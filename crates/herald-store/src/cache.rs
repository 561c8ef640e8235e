//! Enabled subscriptions per tenant, kept in memory between batches.
//!
//! A trigger bumps `subscriptions_version` on every change. The statement that records an
//! ingest batch, and the one that loads a dispatcher batch, read that version too, so every
//! replica drops its cache as soon as it is stale: a change committed before a batch's
//! statement runs is always seen, without a round trip of its own.

use std::collections::HashMap;
use std::sync::Arc;

use herald_domain::{Channel, Event, SubscriptionId, SubscriptionSpec, Tenant};

use crate::{Store, StoreError, Subscription};

#[derive(Default)]
pub struct SubscriptionCache {
    version: Option<i64>,
    by_tenant: HashMap<Tenant, Vec<Arc<Subscription>>>,
    /// Enabled subscriptions that could not be opened, with the reason.
    unreadable: HashMap<SubscriptionId, String>,
}

impl SubscriptionCache {
    /// Makes sure the subscriptions of every tenant in `tenants` are loaded, and returns the
    /// version they were loaded at (or after: a change racing the load is caught by the next
    /// version check).
    pub async fn load(&mut self, store: &Store, tenants: &[&Tenant]) -> Result<i64, StoreError> {
        let version = match self.version {
            Some(version) => version,
            None => {
                let version = store.subscriptions_version().await?;
                self.version = Some(version);
                version
            }
        };
        for &tenant in tenants {
            if !self.by_tenant.contains_key(tenant) {
                let enabled = store.enabled_subscriptions(tenant).await?;
                self.unreadable.extend(enabled.unreadable);
                self.by_tenant.insert(
                    tenant.clone(),
                    enabled.readable.into_iter().map(Arc::new).collect(),
                );
            }
        }
        Ok(version)
    }

    /// Takes note of the current version: a different one empties the cache.
    pub fn observe(&mut self, version: i64) {
        if self.version != Some(version) {
            self.by_tenant.clear();
            self.unreadable.clear();
            self.version = Some(version);
        }
    }

    /// The subscriptions an event goes to. Digest subscriptions collect events for their daily
    /// summary instead of getting one delivery each.
    pub fn route(&self, event: &Event) -> Vec<(SubscriptionId, Channel)> {
        self.by_tenant
            .get(&event.tenant)
            .map(|subscriptions| {
                subscriptions
                    .iter()
                    .filter(|s| s.spec.digest.is_none() && wants(&s.spec, event))
                    .map(|s| (s.id, s.spec.channel()))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Why an enabled subscription could not be opened, if that is why `enabled` has none.
    pub fn unreadable(&self, id: SubscriptionId) -> Option<&str> {
        self.unreadable.get(&id).map(String::as_str)
    }

    /// An enabled subscription of `tenant`; `None` when it was deleted or disabled.
    pub fn enabled(&self, tenant: &Tenant, id: SubscriptionId) -> Option<Arc<Subscription>> {
        self.by_tenant
            .get(tenant)?
            .iter()
            .find(|s| s.id == id)
            .cloned()
    }
}

/// Herald's own events (`herald.…`, e.g. `herald.subscription.disabled`) go only to
/// subscriptions that name them, by their exact type or `herald.*`: a `*` subscription made
/// for a tenant's job events does not start receiving Herald's reports on its neighbours, nor
/// on itself.
fn wants(spec: &SubscriptionSpec, event: &Event) -> bool {
    spec.matches(event)
        && (!event.event_type.as_str().starts_with("herald.")
            || spec
                .event_types
                .iter()
                .any(|p| p.as_str() != "*" && p.matches(&event.event_type)))
}
