//! A subscription's target, checked at create and PATCH against the policy deliveries are
//! sent under: a host written as a refused address is a 422 now rather than a failed
//! delivery later. A name is not resolved here; it is checked at every connect.

use herald_domain::{FieldErrors, SubscriptionSpec, Target};

use crate::AppState;

/// Adds the target's problem, if its URL's host is an address the policy refuses.
pub(crate) fn add_problem(state: &AppState, spec: &SubscriptionSpec, errors: &mut FieldErrors) {
    let (field, url) = match &spec.target {
        Target::Webhook(t) => ("target.url", &t.url),
        Target::Slack(t) => ("target.webhook_url", &t.webhook_url),
        Target::Discord(t) => ("target.webhook_url", &t.webhook_url),
        Target::Teams(t) => ("target.webhook_url", &t.webhook_url),
        Target::Email(_) => return,
    };
    let policy = state.channels.target_policy();
    if let Err(refusal) = policy.check_url_host(url.as_url()) {
        errors.add(
            field,
            format!("{refusal}: deliveries only go to public addresses"),
        );
    }
}
