//! A subscription as it is created (`POST /v1/subscriptions`), one shape per channel: the
//! document `SubscriptionSpec::from_json` reads, every constraint it applies stated here.
//! Optional fields take `null` as left out.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Number;
use utoipa::ToSchema;

use super::noise::{GroupRequest, Notify, QuietHoursRequest};
use super::shared::{
    Condition, DiscordChannel, EmailChannel, SlackChannel, TeamsChannel, WebhookChannel,
};
use super::strings::{DurationText, EventTypePattern, FieldPath, Tenant, Timezone};
use super::targets::{DiscordTarget, EmailTarget, SlackTarget, TeamsTarget, WebhookTarget};

/// A new subscription: the shape of `target` follows `channel`. Unknown fields anywhere, and an
/// `id`, are refused by name. A digest takes neither `notify: transitions`, `group` nor
/// `quiet_hours`; `group` and `notify: transitions` do not go together.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(untagged)]
#[schema(discriminator(property_name = "channel", mapping(
    ("webhook" = "#/components/schemas/WebhookSubscriptionRequest"),
    ("slack" = "#/components/schemas/SlackSubscriptionRequest"),
    ("discord" = "#/components/schemas/DiscordSubscriptionRequest"),
    ("teams" = "#/components/schemas/TeamsSubscriptionRequest"),
    ("email" = "#/components/schemas/EmailSubscriptionRequest"),
)))]
pub enum SubscriptionRequest {
    Webhook(WebhookSubscriptionRequest),
    Slack(SlackSubscriptionRequest),
    Discord(DiscordSubscriptionRequest),
    Teams(TeamsSubscriptionRequest),
    Email(EmailSubscriptionRequest),
}

/// Declares one channel's request shape: the fields every subscription has, its `channel`
/// and `target`, and `digest` where the channel can send one.
macro_rules! subscription_request {
    ($(#[$doc:meta])* $name:ident, $channel:ident, $target:ident $(, digest = $digest:ident)?) => {
        $(#[$doc])*
        #[derive(Debug, Serialize, Deserialize, ToSchema)]
        #[serde(deny_unknown_fields)]
        pub struct $name {
            pub tenant: Tenant,
            /// Unique within the tenant (a taken name is a 409); 1 to 200 characters, not
            /// only spaces.
            #[schema(min_length = 1, max_length = 200)]
            pub name: String,
            /// Default `true`; a disabled subscription receives nothing.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub enabled: Option<bool>,
            /// The event types it receives, at least one; default `["*"]`.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            #[schema(min_items = 1)]
            pub event_types: Option<Vec<EventTypePattern>>,
            /// Default `always`.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub condition: Option<Condition>,
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub filter: Option<FilterRequest>,
            #[schema(inline)]
            pub channel: $channel,
            pub target: $target,
            /// Default: 8 attempts, waiting 5, 30, 120, 600, 1800, 3600 and 7200 s.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub retry: Option<RetryRequest>,
            /// Deliveries a second this subscription sends at most; no limit when left out.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            #[schema(minimum = 1, maximum = 4294967295_u64, format = Int64)]
            pub rate_limit_per_second: Option<u32>,
            /// Default `every_event`.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub notify: Option<Notify>,
            /// With `notify: transitions` only: what names a job, instead of its family's
            /// default (`data.schedule.id`).
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub group_key: Option<FieldPath>,
            /// With `notify: transitions` only: how often a job that keeps failing is
            /// recalled, from `1m` to `30d`; default `4h`.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub repeat_interval: Option<DurationText>,
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub group: Option<GroupRequest>,
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub quiet_hours: Option<QuietHoursRequest>,
            /// When a delivery fails for good, or this subscription is disabled, the event goes
            /// once to this subscription, with the reason. Another subscription of the same
            /// tenant, not this one and not a digest: checked when saved, a 422 otherwise.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            #[schema(pattern = "^sub_[0-9A-HJKMNP-TV-Za-hjkmnp-tv-z]{26}$")]
            pub fallback_subscription_id: Option<String>,
            $(
                /// One summary a day instead of a message per event.
                #[serde(default, skip_serializing_if = "Option::is_none")]
                pub digest: Option<$digest>,
            )?
        }
    };
}

subscription_request!(
    /// A webhook subscription: a signed HTTP request per event. It cannot have a `digest`.
    WebhookSubscriptionRequest,
    WebhookChannel,
    WebhookTarget
);
subscription_request!(
    /// A Slack subscription (an incoming webhook).
    SlackSubscriptionRequest,
    SlackChannel,
    SlackTarget,
    digest = DigestRequest
);
subscription_request!(
    /// A Discord subscription (a channel webhook).
    DiscordSubscriptionRequest,
    DiscordChannel,
    DiscordTarget,
    digest = DigestRequest
);
subscription_request!(
    /// A Microsoft Teams subscription (a Workflows or connector webhook).
    TeamsSubscriptionRequest,
    TeamsChannel,
    TeamsTarget,
    digest = DigestRequest
);
subscription_request!(
    /// An email subscription (through Herald's SMTP relay).
    EmailSubscriptionRequest,
    EmailChannel,
    EmailTarget,
    digest = DigestRequest
);

/// Narrows the matched events further: every part given must hold.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FilterRequest {
    /// Each label must be on the event (`data.labels`) with exactly this value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub labels: Option<BTreeMap<String, String>>,
    /// `data.source` must start with it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_prefix: Option<String>,
    /// `data.destination` must start with it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub destination_prefix: Option<String>,
}

/// How often and how long to wait between attempts of one delivery. Past the end of
/// `delays_seconds` the last delay repeats; each wait moves by up to ±20 %.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RetryRequest {
    /// Default 8.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(minimum = 1, maximum = 100)]
    pub max_attempts: Option<u32>,
    /// Seconds to wait after each failed attempt, each above 0 and at most 604800 (7 days).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Vec<f64>>, min_items = 1)]
    pub delays_seconds: Option<Vec<Number>>,
}

/// Once a day at `hour` local to `timezone`, a summary of the day before; the subscription
/// then gets no message per event.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DigestRequest {
    /// Default 8.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(minimum = 0, maximum = 23)]
    pub hour: Option<u8>,
    /// Default: Herald's `HERALD_TIMEZONE`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timezone: Option<Timezone>,
    /// Send nothing for a day without events; default `false`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skip_empty: Option<bool>,
}
