//! Where a new subscription's messages go: the `target` of each channel, as created.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::strings::{EmailAddress, HttpUrl, Template, WebhookSecret};

/// A generic webhook: the event as JSON (default), CloudEvents JSON or XML, or whatever
/// `template` renders, signed per Standard Webhooks.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WebhookTarget {
    pub url: HttpUrl,
    /// `POST` (default), `PUT` or `PATCH`, in any case.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(pattern = "^([Pp][Oo][Ss][Tt]|[Pp][Uu][Tt]|[Pp][Aa][Tt][Cc][Hh])$")]
    pub method: Option<String>,
    /// Default `application/json`. Herald renders `application/json`,
    /// `application/cloudevents+json` and `application/xml` itself; any other media type needs
    /// a `template`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(pattern = "^[ -~]*[!-~][ -~]*$")]
    pub content_type: Option<String>,
    /// The body, rendered per event.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template: Option<Template>,
    /// Extra headers, values of visible ASCII. `Host`, `Content-Length`, `Content-Type`,
    /// `webhook-id`, `webhook-timestamp`, `webhook-signature` and `Herald-*` are Herald's own.
    /// Values are masked in every answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub headers: Option<BTreeMap<String, String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth: Option<WebhookAuth>,
    /// Default 10000.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(minimum = 100, maximum = 120000)]
    pub timeout_ms: Option<u32>,
    /// The signing secret; Herald makes one when left out. Shown once, in the 201 answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret: Option<WebhookSecret>,
    /// The secret before the last rotation, signing beside `secret` until `expires_at`. Set by
    /// `rotate-secret`; given here, it is kept as given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_secret: Option<PreviousSecret>,
}

/// How the webhook request authenticates itself to the receiver. Credentials are of
/// non-empty visible ASCII and masked in every answer.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum WebhookAuth {
    /// `Authorization: Basic`; the username has no `:`.
    Basic { username: String, password: String },
    /// `Authorization: Bearer`.
    Bearer { token: String },
    /// A header of the receiver's choosing (not one of Herald's own).
    ApiKey { header: String, value: String },
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PreviousSecret {
    pub secret: WebhookSecret,
    #[schema(value_type = String, format = DateTime)]
    pub expires_at: String,
}

/// A Slack incoming webhook. Without `template`, Herald's own message for the event type.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SlackTarget {
    pub webhook_url: HttpUrl,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// E.g. `:satellite:`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub icon_emoji: Option<String>,
    /// Put before failure messages, e.g. `<!here>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mention_on_failure: Option<String>,
    /// The whole JSON payload, for a layout of your own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template: Option<Template>,
}

/// A Discord channel webhook. Without `template`, Herald's own embed for the event type.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DiscordTarget {
    pub webhook_url: HttpUrl,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub avatar_url: Option<HttpUrl>,
    /// Put before failure messages, e.g. `<@&role-id>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mention_on_failure: Option<String>,
    /// The whole JSON payload, for a layout of your own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template: Option<Template>,
}

/// A Microsoft Teams webhook.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TeamsTarget {
    pub webhook_url: HttpUrl,
    /// Default `adaptive_card`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<TeamsFormat>,
    /// The whole JSON payload, for a layout of your own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template: Option<Template>,
}

/// `adaptive_card` for Workflows webhooks, `message_card` for legacy Office 365 connectors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TeamsFormat {
    AdaptiveCard,
    MessageCard,
}

/// Mail through Herald's SMTP relay.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EmailTarget {
    #[schema(min_items = 1)]
    pub to: Vec<EmailAddress>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cc: Option<Vec<EmailAddress>>,
    /// The subject; Herald's own for the event type when left out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject_template: Option<Template>,
}
