//! A subscription's `fallback_subscription_id`, checked against the store at create and
//! PATCH: the domain can only tell that it is an id.

use herald_domain::{FieldErrors, SubscriptionId, SubscriptionSpec, Tenant};
use serde_json::Value;

use crate::{ApiError, AppState, Caller};

const FIELD: &str = "fallback_subscription_id";

/// Checks `document` (the request, or the merged PATCH) as a whole: the parser's errors and
/// the fallback's together, so that one 422 names every wrong field. `own` is the id of the
/// subscription being changed.
pub(crate) async fn checked_spec(
    state: &AppState,
    caller: &Caller,
    document: &Value,
    own: Option<SubscriptionId>,
) -> Result<SubscriptionSpec, ApiError> {
    let spec = match SubscriptionSpec::from_json(document) {
        Ok(spec) => spec,
        Err(mut errors) => {
            // The store is asked only about a tenant the caller may write for, so a 422
            // cannot tell a tenant token which ids another tenant has.
            let tenant = document["tenant"]
                .as_str()
                .and_then(|t| Tenant::parse(t).ok());
            let fallback = document[FIELD].as_str().and_then(|id| id.parse().ok());
            if let (Some(tenant), Some(fallback)) = (tenant, fallback)
                && caller.may_write_for(&tenant).is_ok()
            {
                add_problem(state, &tenant, fallback, own, &mut errors).await?;
            }
            return Err(errors.into());
        }
    };
    caller.may_write_for(&spec.tenant)?;
    let mut errors = FieldErrors::default();
    crate::target_check::add_problem(state, &spec, &mut errors);
    if let Some(fallback) = spec.fallback_subscription_id {
        add_problem(state, &spec.tenant, fallback, own, &mut errors).await?;
    }
    if !errors.is_empty() {
        return Err(errors.into());
    }
    Ok(spec)
}

async fn add_problem(
    state: &AppState,
    tenant: &Tenant,
    fallback: SubscriptionId,
    own: Option<SubscriptionId>,
    errors: &mut FieldErrors,
) -> Result<(), ApiError> {
    if let Some(problem) = problem(state, tenant, fallback, own).await? {
        errors.add(FIELD, problem);
    }
    Ok(())
}

/// What is wrong with `fallback` as a fallback of a subscription of `tenant`, if anything.
async fn problem(
    state: &AppState,
    tenant: &Tenant,
    fallback: SubscriptionId,
    own: Option<SubscriptionId>,
) -> Result<Option<String>, ApiError> {
    if own == Some(fallback) {
        return Ok(Some("cannot be the subscription itself".into()));
    }
    let found = state.store.subscription(fallback).await?;
    // Another tenant's subscription is answered exactly as a missing one.
    let Some(found) = found.filter(|s| &s.spec.tenant == tenant) else {
        return Ok(Some(format!(
            "names no subscription of tenant {tenant}: {fallback}"
        )));
    };
    if found.spec.digest.is_some() {
        return Ok(Some(
            "is a digest: it sends a daily summary, not single events".into(),
        ));
    }
    Ok(None)
}
