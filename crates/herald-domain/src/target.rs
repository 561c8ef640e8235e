//! Where a subscription's deliveries go, one shape per channel (CONTRACT §2).

use std::collections::BTreeMap;
use std::fmt;

use crate::{EmailAddress, WebhookSecret, WebhookUrl};

#[derive(Debug, Clone, PartialEq)]
pub enum Target {
    Webhook(WebhookTarget),
    Slack(SlackTarget),
    Discord(DiscordTarget),
    Teams(TeamsTarget),
    Email(EmailTarget),
}

#[derive(Clone, PartialEq)]
pub struct WebhookTarget {
    pub url: WebhookUrl,
    pub method: HttpMethod,
    pub content_type: String,
    /// MiniJinja source (see `template`), compiled and test-rendered against sample events
    /// when the subscription is saved.
    pub template: Option<String>,
    pub headers: BTreeMap<String, String>,
    pub auth: Option<WebhookAuth>,
    pub timeout_ms: u32,
    pub secret: WebhookSecret,
    /// The secret before the last rotation, which keeps signing beside the new one until
    /// `expires_at`, so receivers can switch over without missing a delivery.
    pub previous_secret: Option<PreviousSecret>,
}

#[derive(Clone, PartialEq)]
pub struct PreviousSecret {
    pub secret: WebhookSecret,
    pub expires_at: chrono::DateTime<chrono::Utc>,
}

impl WebhookTarget {
    /// The secrets that sign a delivery made at `now`: the current one, then the previous one
    /// while it has not expired.
    pub fn signing_secrets(&self, now: chrono::DateTime<chrono::Utc>) -> Vec<&WebhookSecret> {
        let mut secrets = vec![&self.secret];
        if let Some(previous) = self.previous_secret.as_ref().filter(|p| now < p.expires_at) {
            secrets.push(&previous.secret);
        }
        secrets
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum HttpMethod {
    #[default]
    Post,
    Put,
    Patch,
}

#[derive(Clone, PartialEq, Eq)]
pub enum WebhookAuth {
    Basic { username: String, password: String },
    Bearer { token: String },
    ApiKey { header: String, value: String },
}

#[derive(Debug, Clone, PartialEq)]
pub struct SlackTarget {
    pub webhook_url: WebhookUrl,
    pub username: Option<String>,
    pub icon_emoji: Option<String>,
    /// Prepended to failure messages, e.g. `<!here>`.
    pub mention_on_failure: Option<String>,
    /// MiniJinja producing the whole JSON payload, for teams who want their own layout.
    pub template: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DiscordTarget {
    pub webhook_url: WebhookUrl,
    pub username: Option<String>,
    /// An http(s) URL, checked at validation.
    pub avatar_url: Option<String>,
    /// Prepended to failure messages, e.g. `<@&role>`.
    pub mention_on_failure: Option<String>,
    /// MiniJinja producing the whole JSON payload, for teams who want their own layout.
    pub template: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TeamsTarget {
    pub webhook_url: WebhookUrl,
    pub format: TeamsFormat,
    /// MiniJinja producing the whole JSON payload, for teams who want their own layout.
    pub template: Option<String>,
}

/// `AdaptiveCard` for Workflows webhooks, `MessageCard` for legacy connectors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TeamsFormat {
    #[default]
    AdaptiveCard,
    MessageCard,
}

#[derive(Debug, Clone, PartialEq)]
pub struct EmailTarget {
    pub to: Vec<EmailAddress>,
    pub cc: Vec<EmailAddress>,
    pub subject_template: Option<String>,
}

impl Target {
    /// A chat target's own payload template, if it has one.
    pub fn chat_template(&self) -> Option<&str> {
        match self {
            Target::Slack(t) => t.template.as_deref(),
            Target::Discord(t) => t.template.as_deref(),
            Target::Teams(t) => t.template.as_deref(),
            Target::Webhook(_) | Target::Email(_) => None,
        }
    }

    /// Where deliveries go, as logs, spans, attempt rows and the API may show it: a webhook's
    /// URL without credentials or query values, a chat webhook without its token, an email's
    /// recipients.
    pub fn destination(&self) -> String {
        match self {
            Target::Webhook(webhook) => webhook.url.masked(),
            Target::Slack(SlackTarget { webhook_url, .. })
            | Target::Discord(DiscordTarget { webhook_url, .. })
            | Target::Teams(TeamsTarget { webhook_url, .. }) => webhook_url.masked_token(),
            Target::Email(email) => {
                let to: Vec<&str> = email.to.iter().map(|a| a.as_str()).collect();
                format!("mailto:{}", to.join(","))
            }
        }
    }
}

impl WebhookTarget {
    pub const DEFAULT_CONTENT_TYPE: &'static str = "application/json";
    pub const DEFAULT_TIMEOUT_MS: u32 = 10_000;
    /// Content types Herald can render without a template.
    pub const BUILT_IN_CONTENT_TYPES: [&'static str; 3] = [
        "application/json",
        "application/cloudevents+json",
        "application/xml",
    ];
}

impl HttpMethod {
    pub fn as_str(self) -> &'static str {
        match self {
            HttpMethod::Post => "POST",
            HttpMethod::Put => "PUT",
            HttpMethod::Patch => "PATCH",
        }
    }

    /// Case-insensitive: `post` and `POST` are the same method.
    pub fn parse(value: &str) -> Result<HttpMethod, crate::DomainError> {
        match value.to_ascii_uppercase().as_str() {
            "POST" => Ok(HttpMethod::Post),
            "PUT" => Ok(HttpMethod::Put),
            "PATCH" => Ok(HttpMethod::Patch),
            _ => Err(crate::DomainError::BadMethod(value.to_owned())),
        }
    }
}

impl TeamsFormat {
    pub fn as_str(self) -> &'static str {
        match self {
            TeamsFormat::AdaptiveCard => "adaptive_card",
            TeamsFormat::MessageCard => "message_card",
        }
    }
}

impl WebhookAuth {
    pub fn kind(&self) -> &'static str {
        match self {
            WebhookAuth::Basic { .. } => "basic",
            WebhookAuth::Bearer { .. } => "bearer",
            WebhookAuth::ApiKey { .. } => "api_key",
        }
    }
}

// Credentials and header values stay out of Debug output, which ends up in logs.
impl fmt::Debug for WebhookAuth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WebhookAuth::Basic { username, .. } => f
                .debug_struct("Basic")
                .field("username", username)
                .field("password", &"****")
                .finish(),
            WebhookAuth::Bearer { .. } => f.debug_struct("Bearer").field("token", &"****").finish(),
            WebhookAuth::ApiKey { header, .. } => f
                .debug_struct("ApiKey")
                .field("header", header)
                .field("value", &"****")
                .finish(),
        }
    }
}

impl fmt::Debug for WebhookTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let header_names: Vec<&String> = self.headers.keys().collect();
        f.debug_struct("WebhookTarget")
            .field("url", &self.url)
            .field("method", &self.method)
            .field("content_type", &self.content_type)
            .field("template", &self.template)
            .field("headers", &header_names)
            .field("auth", &self.auth)
            .field("timeout_ms", &self.timeout_ms)
            .field("secret", &self.secret)
            .field(
                "previous_secret_expires_at",
                &self.previous_secret.as_ref().map(|p| p.expires_at),
            )
            .finish()
    }
}
