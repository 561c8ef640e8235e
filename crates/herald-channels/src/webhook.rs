//! The generic webhook: the event as CloudEvents JSON, XML or a template's output, signed the
//! Standard Webhooks way, with the subscription's method, auth and headers.

use std::time::Duration;

use bytes::Bytes;
use chrono::SecondsFormat;
use futures::future::BoxFuture;
use herald_domain::{WebhookAuth, WebhookTarget, render_template};
use http::header::{AUTHORIZATION, CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue};

use crate::http::{HttpClient, OutgoingRequest, basic_auth};
use crate::signing::{github_signature, standard_webhooks_signature};
use crate::{
    AttemptError, AttemptReport, Delivery, ErrorClass, Sender, Verdict, classify_status, to_xml,
};

pub struct WebhookSender {
    http: HttpClient,
}

impl WebhookSender {
    pub fn new(http: HttpClient) -> Self {
        Self { http }
    }
}

impl Sender for WebhookSender {
    type Target = WebhookTarget;
    type Message = OutgoingRequest;

    fn prepare(
        &self,
        target: &WebhookTarget,
        delivery: &Delivery<'_>,
    ) -> Result<OutgoingRequest, AttemptError> {
        render(target, delivery)
    }

    fn send<'a>(
        &'a self,
        target: &'a WebhookTarget,
        request: OutgoingRequest,
    ) -> BoxFuture<'a, AttemptReport> {
        Box::pin(async move {
            let outcome = self.http.send(request).await;
            let verdict = match (&outcome.status, &outcome.error) {
                (_, Some(error)) if error.class == ErrorClass::PrivateAddress => {
                    Verdict::Permanent { disable: None }
                }
                (Some(status), None) => classify_status(*status, outcome.retry_after),
                _ => Verdict::Retry { after: None },
            };
            outcome.into_report(verdict, target.method.as_str(), target.url.masked(), None)
        })
    }
}

/// Builds the request of one attempt.
pub fn render(
    target: &WebhookTarget,
    delivery: &Delivery<'_>,
) -> Result<OutgoingRequest, AttemptError> {
    let (body, content_type) = body(target, delivery)?;
    let timestamp = delivery.now.timestamp();
    let mut headers = HeaderMap::new();
    // Secrets (auth, and the subscription's own headers, which the API masks too) are marked
    // sensitive: previews show them masked.
    let mut put_as = |name: &str, value: &str, sensitive: bool| -> Result<(), AttemptError> {
        let name = HeaderName::from_bytes(name.as_bytes()).map_err(|e| header_error(name, e))?;
        let mut value = HeaderValue::from_str(value).map_err(|e| header_error(name.as_str(), e))?;
        value.set_sensitive(sensitive);
        headers.insert(name, value);
        Ok(())
    };
    for (name, value) in &target.headers {
        put_as(name, value, true)?;
    }
    match &target.auth {
        Some(WebhookAuth::Basic { username, password }) => put_as(
            AUTHORIZATION.as_str(),
            &basic_auth(username, password),
            true,
        )?,
        Some(WebhookAuth::Bearer { token }) => {
            put_as(AUTHORIZATION.as_str(), &format!("Bearer {token}"), true)?
        }
        Some(WebhookAuth::ApiKey { header, value }) => put_as(header, value, true)?,
        None => {}
    }
    let mut put = |name: &str, value: &str| put_as(name, value, false);
    put(CONTENT_TYPE.as_str(), &content_type)?;
    put("webhook-id", delivery.delivery_id)?;
    put("webhook-timestamp", &timestamp.to_string())?;
    // During a rotation both secrets sign, space-separated, as Standard Webhooks allows.
    let signatures: Vec<String> = target
        .signing_secrets(delivery.now)
        .into_iter()
        .map(|secret| {
            standard_webhooks_signature(secret.key_bytes(), delivery.delivery_id, timestamp, &body)
        })
        .collect();
    put("webhook-signature", &signatures.join(" "))?;
    put(
        "x-herald-signature",
        &github_signature(target.secret.expose(), &body),
    )?;
    put("herald-attempt", &delivery.attempt.to_string())?;
    put(
        "herald-event-type",
        delivery.event.value()["type"].as_str().unwrap_or_default(),
    )?;
    if let Some(traceparent) = delivery.traceparent {
        put("traceparent", traceparent)?;
    }
    // The body stays the event exactly as published (and signed); what a `transitions`
    // subscription adds rides in headers a receiver can read or ignore.
    if let Some(notice) = delivery.notice {
        put("herald-notice", notice.kind.as_str())?;
        put("herald-notice-failures", &notice.failures.to_string())?;
        put(
            "herald-notice-since",
            &notice.since.to_rfc3339_opts(SecondsFormat::Secs, true),
        )?;
        if let Some(seconds) = notice.down_for_seconds {
            put("herald-notice-down-for-seconds", &seconds.to_string())?;
        }
    }
    let method = http::Method::from_bytes(target.method.as_str().as_bytes())
        .map_err(|_| AttemptError::new(ErrorClass::Request, "bad method"))?;
    Ok(OutgoingRequest {
        method,
        url: target.url.as_url().clone(),
        headers,
        body,
        timeout: Duration::from_millis(u64::from(target.timeout_ms)),
    })
}

fn body(target: &WebhookTarget, delivery: &Delivery<'_>) -> Result<(Bytes, String), AttemptError> {
    if let Some(template) = &target.template {
        let rendered =
            render_template(template, &delivery.template_context()).map_err(|error| {
                AttemptError::new(ErrorClass::Template, format!("template failed: {error}"))
            })?;
        return Ok((Bytes::from(rendered), target.content_type.clone()));
    }
    if target.content_type == "application/xml" {
        return Ok((
            Bytes::from(to_xml(delivery.event.value())),
            "application/xml".to_owned(),
        ));
    }
    Ok((
        delivery.event.json().clone(),
        "application/cloudevents+json".to_owned(),
    ))
}

fn header_error(name: &str, error: impl std::fmt::Display) -> AttemptError {
    AttemptError::new(ErrorClass::Request, format!("header {name}: {error}"))
}

#[cfg(test)]
mod tests;
