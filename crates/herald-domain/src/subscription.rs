//! A subscription routes the events of one tenant to one target (CONTRACT §2).

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::{
    DomainError, Event, EventTypePattern, GroupSpec, Notify, Outcome, QuietHours, RetryPolicy,
    SubscriptionId, Target, Tenant,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Channel {
    Webhook,
    Slack,
    Discord,
    Teams,
    Email,
}

/// Which outcomes a subscription wants: a keyword, or the outcomes listed (in the order given,
/// so the subscription reads back as it was written).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub enum Condition {
    #[default]
    Always,
    OnSuccess,
    OnFailure,
    Outcomes(Vec<Outcome>),
}

/// Narrows the matched events further; every part that is set must hold.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Filter {
    pub labels: BTreeMap<String, String>,
    pub source_prefix: Option<String>,
    pub destination_prefix: Option<String>,
}

/// One summary per day at `hour`, local to `timezone` (Herald's `HERALD_TIMEZONE` when
/// absent), covering the local day before.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DigestSchedule {
    pub hour: u8,
    pub timezone: Option<chrono_tz::Tz>,
    /// Send nothing for a day without events.
    pub skip_empty: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SubscriptionSpec {
    pub tenant: Tenant,
    pub name: String,
    pub enabled: bool,
    pub event_types: Vec<EventTypePattern>,
    pub condition: Condition,
    pub filter: Filter,
    pub target: Target,
    pub retry: RetryPolicy,
    pub rate_limit_per_second: Option<u32>,
    pub digest: Option<DigestSchedule>,
    /// Every event, or only a job's changes of state.
    pub notify: Notify,
    /// Bursts of similar events sent as one message.
    pub group: Option<GroupSpec>,
    pub quiet_hours: Option<QuietHours>,
    /// Another subscription of the tenant (never a digest) that gets the event when a
    /// delivery fails for good or this subscription is disabled.
    pub fallback_subscription_id: Option<SubscriptionId>,
}

impl Channel {
    pub const ALL: [Channel; 5] = [
        Channel::Webhook,
        Channel::Slack,
        Channel::Discord,
        Channel::Teams,
        Channel::Email,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Webhook => "webhook",
            Channel::Slack => "slack",
            Channel::Discord => "discord",
            Channel::Teams => "teams",
            Channel::Email => "email",
        }
    }

    pub fn parse(value: &str) -> Result<Channel, DomainError> {
        Channel::ALL
            .into_iter()
            .find(|c| c.as_str() == value)
            .ok_or_else(|| DomainError::BadChannel(value.to_owned()))
    }
}

impl fmt::Display for Channel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Condition {
    /// `always`, `on_success` or `on_failure`; `None` for a list of outcomes.
    pub fn keyword(&self) -> Option<&'static str> {
        match self {
            Condition::Always => Some("always"),
            Condition::OnSuccess => Some("on_success"),
            Condition::OnFailure => Some("on_failure"),
            Condition::Outcomes(_) => None,
        }
    }

    pub fn parse_keyword(value: &str) -> Option<Condition> {
        [
            Condition::Always,
            Condition::OnSuccess,
            Condition::OnFailure,
        ]
        .into_iter()
        .find(|c| c.keyword() == Some(value))
    }

    /// Only the named outcome counts: a warning is neither a success nor a failure.
    pub fn holds_for(&self, outcome: Outcome) -> bool {
        match self {
            Condition::Always => true,
            Condition::OnSuccess => outcome == Outcome::Success,
            Condition::OnFailure => outcome == Outcome::Failure,
            Condition::Outcomes(outcomes) => outcomes.contains(&outcome),
        }
    }
}

impl Filter {
    pub fn matches(&self, event: &Event) -> bool {
        let prefix_holds = |prefix: &Option<String>, field: &str| match prefix {
            None => true,
            Some(prefix) => event
                .data_str(field)
                .is_some_and(|v| v.starts_with(prefix.as_str())),
        };
        self.labels
            .iter()
            .all(|(key, value)| event.label(key) == Some(value.as_str()))
            && prefix_holds(&self.source_prefix, "source")
            && prefix_holds(&self.destination_prefix, "destination")
    }
}

impl DigestSchedule {
    pub const DEFAULT_HOUR: u8 = 8;
    /// The type of the event a digest is sent as: its data is the day's report.
    pub const EVENT_TYPE: &'static str = "herald.digest";
}

impl Target {
    pub fn channel(&self) -> Channel {
        match self {
            Target::Webhook(_) => Channel::Webhook,
            Target::Slack(_) => Channel::Slack,
            Target::Discord(_) => Channel::Discord,
            Target::Teams(_) => Channel::Teams,
            Target::Email(_) => Channel::Email,
        }
    }
}

impl SubscriptionSpec {
    pub fn channel(&self) -> Channel {
        self.target.channel()
    }

    /// Whether `event` should be delivered to this subscription.
    pub fn matches(&self, event: &Event) -> bool {
        self.enabled
            && self.tenant == event.tenant
            && self
                .event_types
                .iter()
                .any(|p| p.matches(&event.event_type))
            && self.condition.holds_for(event.outcome())
            && self.filter.matches(event)
    }
}

#[cfg(test)]
mod tests;
