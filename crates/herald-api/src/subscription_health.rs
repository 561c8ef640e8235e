//! The read-only `health` of every subscription the API answers with: whether it is active,
//! failing or switched off (and why), and how its deliveries ended in the last 24 hours. Read
//! in one query for a whole page (`Store::subscription_standings`).

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use herald_domain::SubscriptionId;
use herald_store::{Standing, SubscriptionStanding};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{ApiError, AppState};

/// The reason kept when an operator switches a subscription off through the API.
pub const DISABLED_THROUGH_API: &str = "disabled through the API";

/// How a subscription is doing. Shown by Herald, never set: a request that names it is refused
/// like one that names `id`, and `herald apply` leaves it out of its comparison.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SubscriptionHealth {
    pub state: HealthState,
    /// `failing`: when its first delivery failed for good since its last delivered one.
    #[schema(required = true)]
    pub failing_since: Option<DateTime<Utc>>,
    /// The error of its latest delivery that failed for good since its last delivered one.
    #[schema(required = true)]
    pub last_error: Option<String>,
    /// `disabled`: why ("disabled through the API", or what the receiver said when Herald
    /// switched it off, such as "Slack answered 404 no_service"); null otherwise, and for a
    /// subscription switched off before Herald kept reasons.
    #[schema(required = true)]
    pub disabled_reason: Option<String>,
    /// Its deliveries that ended delivered in the last 24 hours.
    #[schema(minimum = 0)]
    pub delivered_24h: i64,
    /// Its deliveries that ended failed (for good) in the last 24 hours.
    #[schema(minimum = 0)]
    pub failed_24h: i64,
    /// delivered / (delivered + failed) over the last 24 hours; null when none ended.
    #[schema(required = true, minimum = 0, maximum = 1)]
    pub success_rate_24h: Option<f64>,
}

/// `disabled` wins over `failing`: a subscription switched off gets no deliveries at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum HealthState {
    Active,
    Failing,
    Disabled,
}

impl From<&SubscriptionStanding> for SubscriptionHealth {
    fn from(standing: &SubscriptionStanding) -> Self {
        let ended = standing.delivered_24h + standing.failed_24h;
        Self {
            state: match standing.standing {
                Standing::Active => HealthState::Active,
                Standing::Failing => HealthState::Failing,
                Standing::Disabled => HealthState::Disabled,
            },
            failing_since: standing.failing_since,
            last_error: standing.last_error.clone(),
            disabled_reason: standing.disabled_reason.clone(),
            delivered_24h: standing.delivered_24h,
            failed_24h: standing.failed_24h,
            success_rate_24h: (ended > 0).then(|| standing.delivered_24h as f64 / ended as f64),
        }
    }
}

impl SubscriptionHealth {
    /// A subscription whose row went between the page and this read: as a new one.
    fn unknown(enabled: bool) -> Self {
        Self {
            state: if enabled {
                HealthState::Active
            } else {
                HealthState::Disabled
            },
            failing_since: None,
            last_error: None,
            disabled_reason: None,
            delivered_24h: 0,
            failed_24h: 0,
            success_rate_24h: None,
        }
    }
}

/// The health of each of `ids`, read at once.
pub async fn health_of(
    state: &AppState,
    ids: &[SubscriptionId],
) -> Result<HashMap<SubscriptionId, SubscriptionHealth>, ApiError> {
    let standings = state.store.subscription_standings(ids).await?;
    Ok(standings
        .iter()
        .map(|(id, standing)| (*id, SubscriptionHealth::from(standing)))
        .collect())
}

/// The health `found` holds for `id`, or one made from `enabled` when it holds none.
pub fn pick(
    found: &HashMap<SubscriptionId, SubscriptionHealth>,
    id: SubscriptionId,
    enabled: bool,
) -> SubscriptionHealth {
    found
        .get(&id)
        .cloned()
        .unwrap_or_else(|| SubscriptionHealth::unknown(enabled))
}

#[cfg(test)]
mod tests;
