//! Herald's domain: validated events, subscriptions and their targets, prefixed ids.
//! Pure code: no I/O, no async, so every rule here is tested without a broker or database.
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

mod data_check;
mod delivery_status;
mod document;
mod email;
mod error;
mod event;
mod event_type;
mod field_errors;
pub mod human;
mod ids;
mod ingest;
pub mod noise;
mod nul;
mod protobuf;
mod rejection;
mod retry;
pub mod samples;
mod secret;
mod subscription;
mod target;
mod template;
mod tenant;
mod to_json;
mod transitions;
mod validate;
mod webhook_url;

pub use delivery_status::DeliveryStatus;
pub use document::EventDocument;
pub use email::EmailAddress;
pub use error::DomainError;
pub use event::{Event, EventLimits, Incoming};
pub use event_type::{EventType, EventTypePattern, Family, Outcome};
pub use field_errors::FieldErrors;
pub use ids::{DeliveryId, EventId, RejectionId, SubscriptionId, TokenId};
pub use ingest::parse_event;
pub use noise::{FieldPath, GroupSpec, Notify, QuietDuring, QuietHours, QuietWindow};
pub use nul::{contains_nul, replace_nul, replace_nul_in};
pub use rejection::{Rejection, RejectionReason};
pub use retry::RetryPolicy;
pub use secret::WebhookSecret;
pub use subscription::{Channel, Condition, DigestSchedule, Filter, SubscriptionSpec};
pub use target::{
    DiscordTarget, EmailTarget, HttpMethod, PreviousSecret, SlackTarget, Target, TeamsFormat,
    TeamsTarget, WebhookAuth, WebhookTarget,
};
pub use template::{
    TemplateContext, TemplateError, TemplateSubscription, check_template, render_template,
};
pub use tenant::Tenant;
pub use transitions::{JobNotice, JobNoticeKind, JobTrack, Quiet, Step};
pub use validate::SUBSCRIPTION_FIELDS;
pub use webhook_url::WebhookUrl;
