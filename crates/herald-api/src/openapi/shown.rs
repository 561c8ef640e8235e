//! A subscription as the API answers it: every default filled in, and every secret masked
//! (header values and credentials `****`, the signing secret `whsec_****`, a chat webhook's
//! token and a URL's query values and password). This is `SubscriptionSpec::to_masked_json`
//! with the id and times Herald adds.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Number;
use utoipa::ToSchema;

use super::noise::{GroupShown, Notify, QuietHoursShown};
use super::shared::{
    Condition, DiscordChannel, EmailChannel, SlackChannel, TeamsChannel, WebhookChannel,
};
use super::strings::{DurationText, EventTypePattern, FieldPath, Template, Tenant, Timezone};
use super::targets::{TeamsFormat, WebhookAuth};
use crate::subscription_health::SubscriptionHealth;

/// A subscription, secrets masked: the shape of `target` follows `channel`.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(untagged)]
#[schema(discriminator(property_name = "channel", mapping(
    ("webhook" = "#/components/schemas/WebhookSubscription"),
    ("slack" = "#/components/schemas/SlackSubscription"),
    ("discord" = "#/components/schemas/DiscordSubscription"),
    ("teams" = "#/components/schemas/TeamsSubscription"),
    ("email" = "#/components/schemas/EmailSubscription"),
)))]
pub enum SubscriptionShown {
    Webhook(WebhookSubscription),
    Slack(SlackSubscription),
    Discord(DiscordSubscription),
    Teams(TeamsSubscription),
    Email(EmailSubscription),
}

/// Declares one channel's answer shape: the fields every subscription has, then the
/// channel's own (`extra`).
macro_rules! subscription_shown {
    (
        $(#[$doc:meta])* $name:ident, $channel:ident, $target:ident,
        extra { $($extra:tt)* }
    ) => {
        $(#[$doc])*
        #[derive(Debug, Serialize, Deserialize, ToSchema)]
        #[serde(deny_unknown_fields)]
        pub struct $name {
            #[schema(pattern = "^sub_[0-9A-HJKMNP-TV-Z]{26}$")]
            pub id: String,
            pub tenant: Tenant,
            pub name: String,
            pub enabled: bool,
            pub event_types: Vec<EventTypePattern>,
            pub condition: Condition,
            pub filter: FilterShown,
            #[schema(inline)]
            pub channel: $channel,
            pub target: $target,
            pub retry: RetryShown,
            /// Left out when there is no limit.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            #[schema(nullable = false, minimum = 1, maximum = 4294967295_u64, format = Int64)]
            pub rate_limit_per_second: Option<u32>,
            pub notify: Notify,
            /// With `notify: transitions`, when one was given.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            #[schema(nullable = false)]
            pub group_key: Option<FieldPath>,
            /// With `notify: transitions` (default filled in); left out otherwise.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            #[schema(nullable = false)]
            pub repeat_interval: Option<DurationText>,
            #[serde(default, skip_serializing_if = "Option::is_none")]
            #[schema(nullable = false)]
            pub group: Option<GroupShown>,
            #[serde(default, skip_serializing_if = "Option::is_none")]
            #[schema(nullable = false)]
            pub quiet_hours: Option<QuietHoursShown>,
            #[serde(default, skip_serializing_if = "Option::is_none")]
            #[schema(nullable = false, pattern = "^sub_[0-9A-HJKMNP-TV-Z]{26}$")]
            pub fallback_subscription_id: Option<String>,
            /// Read-only: how it is doing. Refused in a request, as `id` is.
            pub health: SubscriptionHealth,
            #[schema(value_type = String, format = DateTime)]
            pub created_at: String,
            #[schema(value_type = String, format = DateTime)]
            pub updated_at: String,
            $($extra)*
        }
    };
}

subscription_shown!(
    /// A webhook subscription, secrets masked.
    WebhookSubscription,
    WebhookChannel,
    WebhookTargetShown,
    extra {
        /// Only in the answer to its creation: the signing secret in full, this once.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[schema(nullable = false, pattern = "^whsec_[A-Za-z0-9+/]{32,88}={0,2}$")]
        pub secret: Option<String>,
    }
);
subscription_shown!(
    /// A Slack subscription, its webhook's token masked.
    SlackSubscription,
    SlackChannel,
    SlackTargetShown,
    extra {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[schema(nullable = false)]
        pub digest: Option<DigestShown>,
    }
);
subscription_shown!(
    /// A Discord subscription, its webhook's token masked.
    DiscordSubscription,
    DiscordChannel,
    DiscordTargetShown,
    extra {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[schema(nullable = false)]
        pub digest: Option<DigestShown>,
    }
);
subscription_shown!(
    /// A Microsoft Teams subscription, its webhook's token masked.
    TeamsSubscription,
    TeamsChannel,
    TeamsTargetShown,
    extra {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[schema(nullable = false)]
        pub digest: Option<DigestShown>,
    }
);
subscription_shown!(
    /// An email subscription.
    EmailSubscription,
    EmailChannel,
    EmailTargetShown,
    extra {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[schema(nullable = false)]
        pub digest: Option<DigestShown>,
    }
);

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FilterShown {
    pub labels: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub source_prefix: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub destination_prefix: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RetryShown {
    pub max_attempts: u32,
    /// Whole seconds as integers, fractions only where there are some.
    #[schema(value_type = Vec<f64>)]
    pub delays_seconds: Vec<Number>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DigestShown {
    pub hour: u8,
    pub skip_empty: bool,
    /// Left out when the digest follows `HERALD_TIMEZONE`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub timezone: Option<Timezone>,
}

/// A webhook target, secrets masked.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WebhookTargetShown {
    /// The URL with query values and any password as `****`.
    pub url: String,
    pub method: HttpMethod,
    pub content_type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub template: Option<Template>,
    /// Every value `****`.
    pub headers: BTreeMap<String, String>,
    /// Passwords, tokens and key values `****`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub auth: Option<WebhookAuth>,
    pub timeout_ms: u32,
    /// Always `whsec_****`.
    pub secret: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub previous_secret: Option<PreviousSecretShown>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "UPPERCASE")]
pub enum HttpMethod {
    Post,
    Put,
    Patch,
}

/// The secret before the last rotation, which signs beside the new one until `expires_at`.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PreviousSecretShown {
    /// Always `whsec_****`.
    pub secret: String,
    #[schema(value_type = String, format = DateTime)]
    pub expires_at: String,
}

/// A Slack target, the webhook's token masked (`https://hooks.slack.com/services/T0…/****`).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SlackTargetShown {
    pub webhook_url: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub username: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub icon_emoji: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub mention_on_failure: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub template: Option<Template>,
}

/// A Discord target, the webhook's token masked.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DiscordTargetShown {
    pub webhook_url: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub username: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub avatar_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub mention_on_failure: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub template: Option<Template>,
}

/// A Teams target, the webhook's token masked.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TeamsTargetShown {
    pub webhook_url: String,
    pub format: TeamsFormat,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub template: Option<Template>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EmailTargetShown {
    pub to: Vec<String>,
    pub cc: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub subject_template: Option<Template>,
}
