//! The chat channels (Slack, Discord, Teams): one JSON message POSTed to an incoming webhook.
//! They share everything but the message and what the platform's answers mean, which each
//! [`Platform`] module says.

use std::marker::PhantomData;
use std::time::Duration;

use bytes::Bytes;
use futures::future::BoxFuture;
use herald_domain::{DigestSchedule, WebhookUrl, render_template};
use herald_render::{DigestReport, GROUP_EVENT_TYPE, GroupReport, Notice, group_notice};
use http::header::{CONTENT_TYPE, HeaderMap, HeaderValue};

use crate::http::{HttpClient, HttpOutcome, OutgoingRequest};
use crate::{AttemptError, AttemptReport, Delivery, ErrorClass, PaceHint, Sender, Verdict};

/// Chat webhooks answer fast; a slow one is down.
const TIMEOUT: Duration = Duration::from_secs(10);

/// What differs between chat platforms.
pub trait Platform: Send + Sync + 'static {
    type Target: Send + Sync;

    fn webhook_url(target: &Self::Target) -> &WebhookUrl;

    /// The subscription's own payload template, if any.
    fn template(target: &Self::Target) -> Option<&str>;

    /// The platform's message for the event.
    fn message(notice: &Notice, target: &Self::Target) -> serde_json::Value;

    /// The platform's compact form of a daily digest.
    fn digest(report: &DigestReport, target: &Self::Target) -> serde_json::Value;

    /// What the platform's answer means.
    fn verdict(outcome: &HttpOutcome) -> Verdict;

    /// The platform's rate-limit word in its answer, if it gives one.
    fn pace_hint(_outcome: &HttpOutcome) -> Option<PaceHint> {
        None
    }
}

pub struct ChatSender<P> {
    http: HttpClient,
    platform: PhantomData<P>,
}

impl<P> ChatSender<P> {
    pub fn new(http: HttpClient) -> Self {
        Self {
            http,
            platform: PhantomData,
        }
    }
}

impl<P: Platform> Sender for ChatSender<P> {
    type Target = P::Target;
    type Message = OutgoingRequest;

    fn prepare(
        &self,
        target: &P::Target,
        delivery: &Delivery<'_>,
    ) -> Result<OutgoingRequest, AttemptError> {
        // A digest and a grouped message are Herald's own messages: a subscription's template
        // is written for single events.
        let body = match (
            digest_report(delivery)?,
            group_report(delivery)?,
            P::template(target),
        ) {
            (Some(report), _, _) => Bytes::from(P::digest(&report, target).to_string()),
            (None, Some(report), _) => {
                let notice = group_notice(&report, delivery.event.value());
                Bytes::from(P::message(&notice, target).to_string())
            }
            (None, None, Some(template)) => templated(template, delivery)?,
            (None, None, None) => {
                let notice =
                    Notice::from_event(delivery.event.value()).with_job_notice(delivery.notice);
                Bytes::from(P::message(&notice, target).to_string())
            }
        };
        let mut headers = HeaderMap::new();
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        Ok(OutgoingRequest {
            method: http::Method::POST,
            url: P::webhook_url(target).as_url().clone(),
            headers,
            body,
            timeout: TIMEOUT,
        })
    }

    fn send<'a>(
        &'a self,
        target: &'a P::Target,
        request: OutgoingRequest,
    ) -> BoxFuture<'a, AttemptReport> {
        Box::pin(async move {
            let outcome = self.http.send(request).await;
            let verdict = match &outcome.error {
                Some(error) if error.class == ErrorClass::PrivateAddress => {
                    Verdict::Permanent { disable: None }
                }
                Some(_) => Verdict::Retry { after: None },
                None => P::verdict(&outcome),
            };
            let hint = P::pace_hint(&outcome);
            let destination = P::webhook_url(target).masked_token();
            outcome.into_report(verdict, "POST", destination, hint)
        })
    }
}

/// The subscription's own payload: its template's output, which must be a JSON object.
fn templated(template: &str, delivery: &Delivery<'_>) -> Result<Bytes, AttemptError> {
    let rendered = render_template(template, &delivery.template_context())
        .map_err(|e| AttemptError::new(ErrorClass::Template, format!("template failed: {e}")))?;
    match serde_json::from_str::<serde_json::Value>(&rendered) {
        Ok(value) if value.is_object() => Ok(Bytes::from(rendered)),
        _ => Err(AttemptError::new(
            ErrorClass::Template,
            "template failed: its output is not a JSON object",
        )),
    }
}

/// The day's report, when the event is a digest (`herald.digest`, its data the report).
pub(crate) fn digest_report(delivery: &Delivery<'_>) -> Result<Option<DigestReport>, AttemptError> {
    let event = delivery.event.value();
    if event["type"] != DigestSchedule::EVENT_TYPE {
        return Ok(None);
    }
    serde_json::from_value(event["data"].clone())
        .map(Some)
        .map_err(|e| AttemptError::new(ErrorClass::Request, format!("unreadable digest: {e}")))
}

/// The members of a grouped message (`herald.group`, its data the group's report).
pub(crate) fn group_report(delivery: &Delivery<'_>) -> Result<Option<GroupReport>, AttemptError> {
    let event = delivery.event.value();
    if event["type"] != GROUP_EVENT_TYPE {
        return Ok(None);
    }
    serde_json::from_value(event["data"].clone())
        .map(Some)
        .map_err(|e| AttemptError::new(ErrorClass::Request, format!("unreadable group: {e}")))
}

/// Seconds as a float (`1.2`), as Discord writes `retry_after`.
pub(crate) fn seconds(value: &serde_json::Value) -> Option<Duration> {
    value
        .as_f64()
        .filter(|s| s.is_finite() && *s >= 0.0)
        .map(|s| Duration::from_secs_f64(s.min(3600.0)))
}

#[cfg(test)]
mod tests;
