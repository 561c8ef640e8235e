//! Channels: each renders a delivery into a message, sends it and classifies the answer.
//! Adding a channel is one new module implementing [`Sender`], and its arm in [`Channels`].

mod chat;
mod classify;
mod discord;
mod email;
mod guard;
mod http;
mod pace;
mod report;
mod signing;
mod slack;
mod teams;
mod webhook;
mod xml;

use chrono::{DateTime, Utc};
use futures::future::BoxFuture;
use herald_domain::{
    EventDocument, JobNotice, SubscriptionId, SubscriptionSpec, Target, TemplateContext,
    TemplateSubscription,
};

use chat::ChatSender;
use discord::Discord;
use email::EmailSender;
use slack::Slack;
use teams::Teams;

pub use classify::classify_status;
pub use email::{MailDraft, SmtpSecurity, SmtpSettings, SmtpSetupError};
pub use guard::{Cidr, CidrError, Refusal, TargetPolicy};
pub use http::{HttpClient, HttpOptions, HttpOutcome, OutgoingRequest};
pub use lettre::message::Mailbox;
pub use pace::{Pace, PaceKey, pace_keys};
pub use report::{AttemptError, AttemptReport, ErrorClass, PaceHint, Verdict};
pub use signing::{github_signature, standard_webhooks_signature};
pub use webhook::WebhookSender;
pub use xml::to_xml;

/// The largest response body excerpt kept with an attempt.
pub const RESPONSE_EXCERPT_BYTES: usize = 4096;

/// One attempt to deliver one event to one subscription.
pub struct Delivery<'a> {
    /// Stays the same across retries: receivers deduplicate by it (`webhook-id`).
    pub delivery_id: &'a str,
    /// 1-based.
    pub attempt: u32,
    /// The event as CloudEvents structured JSON.
    pub event: &'a EventDocument,
    pub subscription_id: SubscriptionId,
    pub subscription: &'a SubscriptionSpec,
    /// W3C traceparent of the attempt's span, sent on to the receiver.
    pub traceparent: Option<&'a str>,
    pub now: DateTime<Utc>,
    /// What a `notify: transitions` delivery says beyond its event (failing, still failing,
    /// recovered): each channel shows it.
    pub notice: Option<&'a JobNotice>,
}

impl Delivery<'_> {
    /// What a subscription's template sees for this delivery (CONTRACT §2).
    pub(crate) fn template_context(&self) -> TemplateContext {
        let subscription_id = self.subscription_id.to_string();
        TemplateContext::new(
            self.event.value(),
            self.delivery_id,
            self.attempt,
            TemplateSubscription {
                id: &subscription_id,
                name: &self.subscription.name,
                tenant: self.subscription.tenant.as_str(),
            },
        )
        .with_notice(self.notice)
    }
}

/// A message ready to go out: what a preview shows and an attempt sends.
#[derive(Debug, Clone)]
pub enum Prepared {
    Http(Box<OutgoingRequest>),
    Mail(Box<MailDraft>),
}

impl From<OutgoingRequest> for Prepared {
    fn from(request: OutgoingRequest) -> Self {
        Prepared::Http(Box::new(request))
    }
}

impl From<MailDraft> for Prepared {
    fn from(mail: MailDraft) -> Self {
        Prepared::Mail(Box::new(mail))
    }
}

/// One channel: renders a delivery for its target, sends it and classifies the answer.
/// Adding a channel is one module implementing this, and one arm in [`Channels`].
pub trait Sender: Send + Sync {
    type Target;
    /// What it sends: an HTTP request, a mail.
    type Message: Into<Prepared>;

    /// The exact message this delivery would send, nothing sent. An error here is permanent:
    /// the same delivery renders the same way next time.
    fn prepare(
        &self,
        target: &Self::Target,
        delivery: &Delivery<'_>,
    ) -> Result<Self::Message, AttemptError>;

    /// Sends what `prepare` made and says what the answer means.
    fn send<'a>(
        &'a self,
        target: &'a Self::Target,
        message: Self::Message,
    ) -> BoxFuture<'a, AttemptReport>;
}

/// The channels: one sender per `herald_domain::Channel`, matched exhaustively, so a channel
/// without its module does not compile.
pub struct Channels {
    /// What the HTTP channels may reach; the API checks new targets against it.
    targets: TargetPolicy,
    webhook: WebhookSender,
    slack: ChatSender<Slack>,
    discord: ChatSender<Discord>,
    teams: ChatSender<Teams>,
    email: EmailSender,
}

impl Channels {
    /// `smtp` is `None` when no relay is configured: email deliveries then fail saying so.
    pub fn new(http: HttpClient, smtp: Option<&SmtpSettings>) -> Result<Self, SmtpSetupError> {
        Ok(Self {
            targets: http.target_policy().clone(),
            webhook: WebhookSender::new(http.clone()),
            slack: ChatSender::new(http.clone()),
            discord: ChatSender::new(http.clone()),
            teams: ChatSender::new(http),
            email: EmailSender::new(smtp)?,
        })
    }

    /// The policy every HTTP delivery's connection is checked against.
    pub fn target_policy(&self) -> &TargetPolicy {
        &self.targets
    }

    /// The exact message `delivery` would send (for previews); nothing is sent.
    pub fn prepare(&self, delivery: &Delivery<'_>) -> Result<Prepared, AttemptError> {
        match &delivery.subscription.target {
            Target::Webhook(target) => self.webhook.prepare(target, delivery).map(Into::into),
            Target::Slack(target) => self.slack.prepare(target, delivery).map(Into::into),
            Target::Discord(target) => self.discord.prepare(target, delivery).map(Into::into),
            Target::Teams(target) => self.teams.prepare(target, delivery).map(Into::into),
            Target::Email(target) => self.email.prepare(target, delivery).map(Into::into),
        }
    }

    /// Makes one attempt: prepares, sends, classifies.
    pub async fn deliver(&self, delivery: &Delivery<'_>) -> AttemptReport {
        match &delivery.subscription.target {
            Target::Webhook(target) => attempt(&self.webhook, target, delivery).await,
            Target::Slack(target) => attempt(&self.slack, target, delivery).await,
            Target::Discord(target) => attempt(&self.discord, target, delivery).await,
            Target::Teams(target) => attempt(&self.teams, target, delivery).await,
            Target::Email(target) => attempt(&self.email, target, delivery).await,
        }
    }
}

/// Prepare and send; a message that cannot be prepared fails at once, unsent.
async fn attempt<S: Sender>(
    sender: &S,
    target: &S::Target,
    delivery: &Delivery<'_>,
) -> AttemptReport {
    match sender.prepare(target, delivery) {
        Ok(prepared) => sender.send(target, prepared).await,
        Err(error) => {
            if error.class == ErrorClass::Template {
                // Checked against samples when saved, so this is data the samples did not
                // have, or a subscription saved before templates were test-rendered.
                tracing::warn!(
                    subscription_id = %delivery.subscription_id,
                    delivery_id = delivery.delivery_id,
                    error = %error.message,
                    "Template failed to render; the delivery fails."
                );
            }
            AttemptReport::not_sent(
                delivery.subscription.target.destination(),
                None,
                delivery.now,
                Verdict::Permanent { disable: None },
                error,
            )
        }
    }
}
