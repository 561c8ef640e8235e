//! Email: one multipart (text + HTML) mail per event through the configured SMTP relay, with
//! lettre's pooled client over rustls. The server's reply code is the attempt's status and its
//! reply text the answer; 4xx and dropped connections are retried, 5xx is final.

use std::sync::{Arc, PoisonError, RwLock};
use std::time::{Duration, Instant};

use chrono::Utc;
use futures::future::BoxFuture;
use herald_domain::{EmailTarget, render_template};
use herald_render::{Notice, digest_mail, event_mail, group_mail, mail_subject};
use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::transport::smtp::{self, PoolConfig};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::chat::{digest_report, group_report};
use crate::http::with_causes;
use crate::{AttemptError, AttemptReport, Delivery, ErrorClass, Sender, Verdict};

/// How the connection to the relay is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpSecurity {
    /// Plain text: only for a relay on the same host or network.
    None,
    /// STARTTLS, required: a server that does not offer it is refused, never used in plain text.
    StartTls,
    /// TLS from the first byte (SMTPS, usually port 465).
    Tls,
}

/// The relay every mail goes through (`HERALD_SMTP_*`).
#[derive(Clone)]
pub struct SmtpSettings {
    pub host: String,
    pub port: u16,
    pub security: SmtpSecurity,
    pub credentials: Option<(String, String)>,
    pub from: Mailbox,
    /// For each step of the conversation (connect, greeting, every command).
    pub timeout: Duration,
}

// The password stays out of Debug output, which can end up in logs.
impl std::fmt::Debug for SmtpSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpSettings")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("security", &self.security)
            .field("username", &self.credentials.as_ref().map(|(u, _)| u))
            .field("from", &self.from.to_string())
            .field("timeout", &self.timeout)
            .finish()
    }
}

#[derive(Debug, thiserror::Error)]
#[error("cannot set up SMTP to {host}: {reason}")]
pub struct SmtpSetupError {
    host: String,
    reason: String,
}

/// A mail ready to go: what a preview shows and an attempt sends.
#[derive(Debug, Clone)]
pub struct MailDraft {
    pub from: String,
    pub to: Vec<String>,
    pub cc: Vec<String>,
    pub subject: String,
    pub text: String,
    pub html: String,
}

struct Relay {
    /// Replaced after a timeout: a send abandoned mid-conversation leaves its pooled
    /// connection out of step with the server, and lettre would hand it out again.
    transport: RwLock<Arc<AsyncSmtpTransport<Tokio1Executor>>>,
    settings: SmtpSettings,
    from: Mailbox,
    destination: String,
    /// The whole conversation's bound: lettre's own timeout does not cover every wait (the
    /// server's answer to the end of DATA among them).
    limit: Duration,
}

pub struct EmailSender {
    /// `None` when no relay is configured: every delivery fails saying so.
    relay: Option<Relay>,
}

impl EmailSender {
    pub fn new(settings: Option<&SmtpSettings>) -> Result<Self, SmtpSetupError> {
        let relay = settings.map(relay).transpose()?;
        Ok(Self { relay })
    }
}

fn relay(settings: &SmtpSettings) -> Result<Relay, SmtpSetupError> {
    Ok(Relay {
        transport: RwLock::new(Arc::new(transport(settings)?)),
        settings: settings.clone(),
        from: settings.from.clone(),
        destination: format!("smtp://{}:{}", settings.host, settings.port),
        limit: settings.timeout * 2,
    })
}

fn transport(
    settings: &SmtpSettings,
) -> Result<AsyncSmtpTransport<Tokio1Executor>, SmtpSetupError> {
    let setup_error = |reason: String| SmtpSetupError {
        host: settings.host.clone(),
        reason,
    };
    let tls = || TlsParameters::new(settings.host.clone()).map_err(|e| setup_error(e.to_string()));
    let tls = match settings.security {
        SmtpSecurity::None => Tls::None,
        SmtpSecurity::StartTls => Tls::Required(tls()?),
        SmtpSecurity::Tls => Tls::Wrapper(tls()?),
    };
    let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&settings.host)
        .port(settings.port)
        .tls(tls)
        .timeout(Some(settings.timeout))
        .pool_config(PoolConfig::new().max_size(8));
    if let Some((username, password)) = &settings.credentials {
        builder = builder.credentials(Credentials::new(username.clone(), password.clone()));
    }
    Ok(builder.build())
}

impl Sender for EmailSender {
    type Target = EmailTarget;
    type Message = MailDraft;

    fn prepare(
        &self,
        target: &EmailTarget,
        delivery: &Delivery<'_>,
    ) -> Result<MailDraft, AttemptError> {
        let (mail, subject_template) = match (digest_report(delivery)?, group_report(delivery)?) {
            (Some(report), _) => (digest_mail(&report), None),
            (None, Some(report)) => (group_mail(&report, delivery.event.value()), None),
            (None, None) => (
                event_mail(
                    &Notice::from_event(delivery.event.value()).with_job_notice(delivery.notice),
                ),
                target.subject_template.as_deref(),
            ),
        };
        let subject = match subject_template {
            Some(template) => render_subject(template, delivery)?,
            None => mail.subject,
        };
        let from = self
            .relay
            .as_ref()
            .map(|r| r.from.to_string())
            .unwrap_or_default();
        Ok(MailDraft {
            from,
            to: target.to.iter().map(|a| a.as_str().to_owned()).collect(),
            cc: target.cc.iter().map(|a| a.as_str().to_owned()).collect(),
            // Publisher text can never become a header: one line, bounded.
            subject: mail_subject(&subject),
            text: mail.text,
            html: mail.html,
        })
    }

    fn send<'a>(
        &'a self,
        target: &'a EmailTarget,
        draft: MailDraft,
    ) -> BoxFuture<'a, AttemptReport> {
        Box::pin(async move {
            let started_at = Utc::now();
            let Some(relay) = &self.relay else {
                return AttemptReport::not_sent(
                    herald_domain::Target::Email(target.clone()).destination(),
                    None,
                    started_at,
                    Verdict::Permanent { disable: None },
                    AttemptError::new(
                        ErrorClass::NotConfigured,
                        "SMTP is not configured (set HERALD_SMTP_HOST and HERALD_SMTP_FROM)",
                    ),
                );
            };
            let clock = Instant::now();
            let message = match message(relay, &draft) {
                Ok(message) => message,
                Err(error) => {
                    return AttemptReport::not_sent(
                        relay.destination.clone(),
                        None,
                        started_at,
                        Verdict::Permanent { disable: None },
                        error,
                    );
                }
            };
            let mut result = relay.send(message.clone()).await;
            // A pooled connection the server closed while idle fails at once: one more try
            // on a fresh connection is part of this attempt, not another one.
            if let Err(SendFailure::Smtp(error)) = &result
                && is_dropped(error)
            {
                result = relay.send(message).await;
            }
            report(relay, result, started_at, clock.elapsed())
        })
    }
}

enum SendFailure {
    Smtp(smtp::Error),
    TimedOut(Duration),
}

impl Relay {
    async fn send(&self, message: Message) -> Result<smtp::response::Response, SendFailure> {
        let transport = self
            .transport
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        match tokio::time::timeout(self.limit, transport.send(message)).await {
            Ok(result) => result.map_err(SendFailure::Smtp),
            Err(_) => {
                // Built once at start already, so building again cannot fail; if it did, the
                // old pool stays.
                if let Ok(fresh) = self::transport(&self.settings) {
                    *self
                        .transport
                        .write()
                        .unwrap_or_else(PoisonError::into_inner) = Arc::new(fresh);
                }
                Err(SendFailure::TimedOut(self.limit))
            }
        }
    }
}

fn message(relay: &Relay, draft: &MailDraft) -> Result<Message, AttemptError> {
    let mailbox = |address: &str| {
        address
            .parse::<Mailbox>()
            .map_err(|e| AttemptError::new(ErrorClass::Request, format!("address {address}: {e}")))
    };
    let mut builder = Message::builder()
        .from(relay.from.clone())
        .subject(draft.subject.clone());
    for to in &draft.to {
        builder = builder.to(mailbox(to)?);
    }
    for cc in &draft.cc {
        builder = builder.cc(mailbox(cc)?);
    }
    builder
        .multipart(MultiPart::alternative_plain_html(
            draft.text.clone(),
            draft.html.clone(),
        ))
        .map_err(|e| AttemptError::new(ErrorClass::Request, e.to_string()))
}

/// The server's answer as the attempt's record: its reply code as the status and its words
/// as the answer; 4xx and broken connections retried, 5xx final.
fn report(
    relay: &Relay,
    result: Result<smtp::response::Response, SendFailure>,
    started_at: chrono::DateTime<Utc>,
    duration: Duration,
) -> AttemptReport {
    let (verdict, status, response, error) = match result {
        Ok(response) => {
            let text: Vec<&str> = response.message().collect();
            (
                Verdict::Delivered,
                Some(u16::from(response.code())),
                Some(text.join(" ")),
                None,
            )
        }
        Err(SendFailure::TimedOut(limit)) => (
            Verdict::Retry { after: None },
            None,
            None,
            Some(AttemptError::new(
                ErrorClass::Timeout,
                format!(
                    "no answer from the SMTP server within {} s",
                    limit.as_secs()
                ),
            )),
        ),
        Err(SendFailure::Smtp(error)) => {
            let status = error.status().map(u16::from);
            let (verdict, class) = if error.is_permanent() {
                (Verdict::Permanent { disable: None }, ErrorClass::Refused)
            } else if error.is_transient() {
                (Verdict::Retry { after: None }, ErrorClass::Refused)
            } else if error.is_timeout() {
                (Verdict::Retry { after: None }, ErrorClass::Timeout)
            } else if error.is_tls() {
                (Verdict::Retry { after: None }, ErrorClass::Tls)
            } else {
                (Verdict::Retry { after: None }, ErrorClass::Connect)
            };
            let message = with_causes(&error);
            (
                verdict,
                status,
                None,
                Some(AttemptError::new(class, message)),
            )
        }
    };
    AttemptReport {
        verdict,
        destination: relay.destination.clone(),
        method: None,
        started_at,
        duration,
        status,
        headers: Vec::new(),
        response,
        error,
        pace: None,
    }
}

/// A connection that broke before the server answered (not a reply, a timeout or TLS).
fn is_dropped(error: &smtp::Error) -> bool {
    !error.is_permanent() && !error.is_transient() && !error.is_timeout() && !error.is_tls()
}

fn render_subject(template: &str, delivery: &Delivery<'_>) -> Result<String, AttemptError> {
    render_template(template, &delivery.template_context())
        .map_err(|e| AttemptError::new(ErrorClass::Template, format!("template failed: {e}")))
}
