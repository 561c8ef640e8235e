//! Shapes requests and answers share. The API builds these from domain strings; the lists
//! here are checked against the domain's own in the tests, so neither can gain a value alone.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use super::strings::{EventType, Tenant};

/// Where a subscription's messages go.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Channel {
    Webhook,
    Slack,
    Discord,
    Teams,
    Email,
}

/// What an event says happened, from the last segment of its type: `failure` (`failed`),
/// `success` (`completed`, `succeeded`, `created`, `deleted`), `warning`, `started`, and
/// `info` for any other.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Success,
    Failure,
    Warning,
    Started,
    Info,
}

/// Where a delivery stands: `pending` until its first attempt, `retrying` after an attempt that
/// did not deliver, then `delivered` or `failed` for good. A subscription's `group` or
/// `quiet_hours` may keep it back: `held` until its group's one message goes, then `grouped`
/// (its `failure_reason` names that message's delivery); `suppressed` when quiet hours with
/// `during: drop` left it to the digest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum DeliveryStatus {
    Pending,
    Retrying,
    Delivered,
    Failed,
    Held,
    Grouped,
    Suppressed,
}

/// Which events a subscription wants by outcome: `always` (the default), `on_success` (only
/// `success`), `on_failure` (only `failure`), or a non-empty list of outcomes, kept as given.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(untagged)]
pub enum Condition {
    Keyword(ConditionKeyword),
    Outcomes(Vec<Outcome>),
}

/// A warning or a `started` event matches neither `on_success` nor `on_failure`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ConditionKeyword {
    Always,
    OnSuccess,
    OnFailure,
}

/// A CloudEvents 1.0 event in structured JSON mode, as Herald takes it on NATS and on
/// `POST /v1/events`. Other attributes are CloudEvents extensions, kept with the event
/// (`traceparent` links its deliveries to the publisher's trace).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct CloudEvent {
    /// Always `1.0`.
    #[schema(pattern = "^1\\.0$")]
    pub specversion: String,
    /// The publisher's id, 1 to 128 characters: a second event with the same id is a duplicate.
    #[schema(min_length = 1, max_length = 128)]
    pub id: String,
    #[schema(min_length = 1)]
    pub source: String,
    #[serde(rename = "type")]
    pub event_type: EventType,
    /// When it happened (RFC 3339); when Herald received it if left out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub time: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub datacontenttype: Option<String>,
    /// The tenant (an extension attribute). The admin names it here; a tenant token's events
    /// are its own tenant's, and naming another is a `tenant_mismatch`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenant: Option<Tenant>,
    /// A JSON object. Herald's own families (`transfer`, `backup`, `snapshot`, `restore`, `gc`,
    /// `verify`) must carry the fields of their message in proto/herald/v1; other types any
    /// object, or none. `data_base64` is refused.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub data: Option<Value>,
}

/// A subscription's `channel`, one value per shape of subscription.
macro_rules! channel_const {
    ($name:ident, $variant:ident) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
        #[serde(rename_all = "lowercase")]
        pub enum $name {
            $variant,
        }
    };
}

channel_const!(WebhookChannel, Webhook);
channel_const!(SlackChannel, Slack);
channel_const!(DiscordChannel, Discord);
channel_const!(TeamsChannel, Teams);
channel_const!(EmailChannel, Email);
