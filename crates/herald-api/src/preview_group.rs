//! The preview of a grouped message: `{"sample": "transfer.failed", "group_of": 12}` shows the
//! one message a subscription with `group` (or `quiet_hours`) would send for twelve such
//! events, built as the dispatcher's releaser builds it.

use herald_render::GroupReport;
use herald_store::Subscription;
use serde_json::Value;

use crate::ApiError;

/// The `herald.group` event `group_of` copies of `event` make, or the 422 naming `group_of`.
pub(crate) fn grouped(
    subscription: &Subscription,
    event: &Value,
    group_of: &Value,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Value, ApiError> {
    let max = GroupReport::MAX_MEMBERS as u64;
    let count = group_of
        .as_u64()
        .filter(|n| (1..=max).contains(n))
        .ok_or_else(|| {
            ApiError::field(
                "group_of",
                format!("must be a whole number from 1 to {max}: how many events the group holds"),
            )
        })?;
    Ok(herald_dispatcher::preview_group(
        subscription,
        event,
        usize::try_from(count).unwrap_or(1),
        now,
    ))
}
