//! The generic webhook: the event as CloudEvents JSON, XML or a template's output, signed the
//! Standard Webhooks way, with the subscription's method, auth and headers.

use std::time::Duration;

use bytes::Bytes;
use futures::future::BoxFuture;
use herald_domain::{
    Target, TemplateContext, TemplateSubscription, WebhookAuth, WebhookTarget, render_template,
};
use http::header::{AUTHORIZATION, CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue};

use crate::http::{HttpClient, HttpOutcome, OutgoingRequest, TransportError, basic_auth};
use crate::signing::{github_signature, standard_webhooks_signature};
use crate::{AttemptReport, Channel, Delivery, Verdict, classify_status, to_xml};

pub struct WebhookChannel {
    http: HttpClient,
}

impl WebhookChannel {
    pub fn new(http: HttpClient) -> Self {
        Self { http }
    }
}

impl Channel for WebhookChannel {
    fn deliver<'a>(&'a self, delivery: &'a Delivery<'a>) -> BoxFuture<'a, AttemptReport> {
        Box::pin(async move {
            let Target::Webhook(target) = &delivery.subscription.target else {
                return failed_before_sending(delivery, "channel", "not a webhook subscription");
            };
            let request = match render(target, delivery) {
                Ok(request) => request,
                Err(error) => return failed_before_sending(delivery, error.class, &error.message),
            };
            let outcome = self.http.send(request).await;
            let verdict = match (&outcome.status, &outcome.error) {
                (_, Some(error)) if error.class == "private_address" => {
                    Verdict::Permanent { disable: false }
                }
                (Some(status), None) => classify_status(*status, outcome.retry_after),
                _ => Verdict::Retry { after: None },
            };
            AttemptReport {
                verdict,
                method: target.method.as_str().to_owned(),
                url: target.url.masked(),
                outcome,
            }
        })
    }
}

/// Builds the request of one attempt.
pub fn render(
    target: &WebhookTarget,
    delivery: &Delivery<'_>,
) -> Result<OutgoingRequest, TransportError> {
    let (body, content_type) = body(target, delivery)?;
    let timestamp = delivery.now.timestamp();
    let mut headers = HeaderMap::new();
    let mut put = |name: &str, value: &str| -> Result<(), TransportError> {
        let name = HeaderName::from_bytes(name.as_bytes()).map_err(|e| header_error(name, e))?;
        let value = HeaderValue::from_str(value).map_err(|e| header_error(name.as_str(), e))?;
        headers.insert(name, value);
        Ok(())
    };
    for (name, value) in &target.headers {
        put(name, value)?;
    }
    put(CONTENT_TYPE.as_str(), &content_type)?;
    put("webhook-id", delivery.delivery_id)?;
    put("webhook-timestamp", &timestamp.to_string())?;
    put(
        "webhook-signature",
        &standard_webhooks_signature(
            target.secret.key_bytes(),
            delivery.delivery_id,
            timestamp,
            &body,
        ),
    )?;
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
    match &target.auth {
        Some(WebhookAuth::Basic { username, password }) => {
            put(AUTHORIZATION.as_str(), &basic_auth(username, password))?
        }
        Some(WebhookAuth::Bearer { token }) => {
            put(AUTHORIZATION.as_str(), &format!("Bearer {token}"))?
        }
        Some(WebhookAuth::ApiKey { header, value }) => put(header, value)?,
        None => {}
    }
    let method = http::Method::from_bytes(target.method.as_str().as_bytes()).map_err(|_| {
        TransportError {
            class: "request",
            message: "bad method".into(),
        }
    })?;
    Ok(OutgoingRequest {
        method,
        url: target.url.as_url().clone(),
        headers,
        body,
        timeout: Duration::from_millis(u64::from(target.timeout_ms)),
    })
}

fn body(
    target: &WebhookTarget,
    delivery: &Delivery<'_>,
) -> Result<(Bytes, String), TransportError> {
    if let Some(template) = &target.template {
        let rendered = render_template(template, &template_context(delivery)).map_err(|error| {
            // Checked against samples when saved, so this is data the samples did not have,
            // or a subscription saved before templates were test-rendered.
            tracing::warn!(
                subscription_id = %delivery.subscription_id,
                delivery_id = delivery.delivery_id,
                %error,
                "Template failed to render; the delivery fails."
            );
            TransportError {
                class: "template",
                message: format!("template failed: {error}"),
            }
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

fn template_context(delivery: &Delivery<'_>) -> TemplateContext {
    let subscription_id = delivery.subscription_id.to_string();
    let subscription = TemplateSubscription {
        id: &subscription_id,
        name: &delivery.subscription.name,
        tenant: delivery.subscription.tenant.as_str(),
    };
    TemplateContext::new(
        delivery.event.value(),
        delivery.delivery_id,
        delivery.attempt,
        subscription,
    )
}

fn header_error(name: &str, error: impl std::fmt::Display) -> TransportError {
    TransportError {
        class: "request",
        message: format!("header {name}: {error}"),
    }
}

/// A request that cannot be built will not build next time either: permanent.
fn failed_before_sending(
    delivery: &Delivery<'_>,
    class: &'static str,
    message: &str,
) -> AttemptReport {
    let url = match &delivery.subscription.target {
        Target::Webhook(target) => target.url.masked(),
        _ => String::new(),
    };
    AttemptReport {
        verdict: Verdict::Permanent { disable: false },
        method: "POST".into(),
        url,
        outcome: HttpOutcome {
            started_at: delivery.now,
            duration: Duration::ZERO,
            status: None,
            headers: Vec::new(),
            body: None,
            retry_after: None,
            error: Some(TransportError {
                class,
                message: message.to_owned(),
            }),
        },
    }
}

#[cfg(test)]
mod tests;
