//! Enabled subscriptions per tenant, kept in memory between batches.
//!
//! A trigger bumps `subscriptions_version` on every change; one read of it per batch tells every
//! replica whether to drop its cache, so a change committed before a batch starts is always seen.

use std::collections::HashMap;
use std::sync::Arc;

use herald_domain::{Channel, Event, SubscriptionId, Tenant};

use crate::{Store, StoreError, Subscription};

#[derive(Default)]
pub struct SubscriptionCache {
    version: Option<i64>,
    by_tenant: HashMap<Tenant, Vec<Arc<Subscription>>>,
}

impl SubscriptionCache {
    /// Makes sure the subscriptions of every tenant in `tenants` are loaded and current.
    pub async fn prepare<'a>(
        &mut self,
        store: &Store,
        tenants: impl IntoIterator<Item = &'a Tenant>,
    ) -> Result<(), StoreError> {
        let version = store.subscriptions_version().await?;
        if self.version != Some(version) {
            self.by_tenant.clear();
            self.version = Some(version);
        }
        for tenant in tenants {
            if !self.by_tenant.contains_key(tenant) {
                let subscriptions = store.enabled_subscriptions(tenant).await?;
                self.by_tenant.insert(
                    tenant.clone(),
                    subscriptions.into_iter().map(Arc::new).collect(),
                );
            }
        }
        Ok(())
    }

    /// The subscriptions an event goes to. Digest subscriptions collect events for their daily
    /// summary instead of getting one delivery each.
    pub fn route(&self, event: &Event) -> Vec<(SubscriptionId, Channel)> {
        self.by_tenant
            .get(&event.tenant)
            .map(|subscriptions| {
                subscriptions
                    .iter()
                    .filter(|s| s.spec.digest.is_none() && s.spec.matches(event))
                    .map(|s| (s.id, s.spec.channel()))
                    .collect()
            })
            .unwrap_or_default()
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
