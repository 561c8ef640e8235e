use chrono::Utc;
use herald_domain::{EventDocument, SubscriptionId, SubscriptionSpec, Target};
use serde_json::{Value, json};

use super::*;
use crate::HttpOptions;

const CONTRACT_EXAMPLE: &str =
    "{{ type }} {{ data.name }}{% if data.error %}: {{ data.error.message }}{% endif %}";

/// Read as stored, so a template the API would refuse can still reach the channel.
fn subscription(template: &str) -> SubscriptionSpec {
    SubscriptionSpec::from_stored_json(&json!({
        "tenant": "acme",
        "name": "ops alerts",
        "channel": "webhook",
        "target": {
            "url": "https://hooks.example.com/herald",
            "content_type": "text/plain",
            "template": template,
        },
    }))
    .unwrap()
}

fn webhook(spec: &SubscriptionSpec) -> &WebhookTarget {
    match &spec.target {
        Target::Webhook(target) => target,
        other => panic!("not a webhook: {other:?}"),
    }
}

fn transfer(event_type: &str, data: Value) -> EventDocument {
    EventDocument::new(json!({
        "specversion": "1.0",
        "id": "e-1",
        "source": "cloudklone://prod",
        "type": event_type,
        "time": "2026-03-01T09:30:00Z",
        "tenant": "acme",
        "data": data,
    }))
}

fn delivery<'a>(
    spec: &'a SubscriptionSpec,
    subscription_id: SubscriptionId,
    event: &'a EventDocument,
) -> Delivery<'a> {
    Delivery {
        delivery_id: "dlv_01JQ0000000000000000000000",
        attempt: 2,
        event,
        subscription_id,
        subscription: spec,
        traceparent: None,
        now: Utc::now(),
        notice: None,
    }
}

fn body_for(spec: &SubscriptionSpec, event: &EventDocument) -> OutgoingRequest {
    render(webhook(spec), &delivery(spec, SubscriptionId::new(), event)).unwrap()
}

#[test]
fn the_contract_template_renders_failures_and_successes() {
    let spec = subscription(CONTRACT_EXAMPLE);
    let failed = transfer(
        "transfer.failed",
        json!({"transfer_id": "t-1", "name": "sync-website",
               "error": {"code": "TIMEOUT", "message": "Network timeout"}}),
    );
    let request = body_for(&spec, &failed);
    assert_eq!(
        request.body,
        Bytes::from("transfer.failed sync-website: Network timeout")
    );
    assert_eq!(request.headers[CONTENT_TYPE], "text/plain");
    let completed = transfer(
        "transfer.completed",
        json!({"transfer_id": "t-1", "name": "sync-website"}),
    );
    assert_eq!(
        body_for(&spec, &completed).body,
        Bytes::from("transfer.completed sync-website")
    );
}

#[test]
fn the_template_sees_its_delivery_and_subscription() {
    let spec = subscription(
        "{{ event.type }} {{ delivery_id }} #{{ attempt }} {{ subscription.id }} {{ subscription.name }}/{{ subscription.tenant }}",
    );
    let id = SubscriptionId::new();
    let event = transfer("transfer.started", json!({"transfer_id": "t-1"}));
    let request = render(webhook(&spec), &delivery(&spec, id, &event)).unwrap();
    assert_eq!(
        request.body,
        Bytes::from(format!(
            "transfer.started dlv_01JQ0000000000000000000000 #2 {id} ops alerts/acme"
        ))
    );
}

#[tokio::test]
async fn a_template_that_fails_at_send_time_fails_the_delivery_at_once() {
    let spec = subscription("ok\n{{ data.name | nosuchfilter }}");
    let event = transfer(
        "transfer.failed",
        json!({"transfer_id": "t-1", "name": "n"}),
    );
    let channels =
        crate::Channels::new(HttpClient::new(HttpOptions::default()).unwrap(), None).unwrap();
    let report = channels
        .deliver(&delivery(&spec, SubscriptionId::new(), &event))
        .await;
    assert_eq!(report.verdict, Verdict::Permanent { disable: None });
    assert_eq!(report.status, None, "nothing was sent");
    let error = report.error.unwrap();
    assert_eq!(error.class, crate::ErrorClass::Template);
    assert!(
        error.message.starts_with("template failed: unknown filter")
            && error.message.contains("nosuchfilter")
            && error.message.ends_with("(line 2)"),
        "{}",
        error.message
    );
}

#[test]
fn a_transitions_notice_rides_in_headers_and_the_template_sees_it() {
    let spec = subscription("{{ notice.kind }} after {{ notice.failures }}");
    let event = transfer("transfer.completed", json!({"transfer_id": "t-1"}));
    let notice = herald_domain::JobNotice {
        kind: herald_domain::JobNoticeKind::Recovered,
        failures: 5,
        since: "2026-03-01T03:20:00Z".parse().unwrap(),
        down_for_seconds: Some(22_200),
    };
    let mut delivery = delivery(&spec, SubscriptionId::new(), &event);
    delivery.notice = Some(&notice);
    let request = render(webhook(&spec), &delivery).unwrap();
    assert_eq!(request.body, Bytes::from("recovered after 5"));
    assert_eq!(request.headers["herald-notice"], "recovered");
    assert_eq!(request.headers["herald-notice-failures"], "5");
    assert_eq!(
        request.headers["herald-notice-since"],
        "2026-03-01T03:20:00Z"
    );
    assert_eq!(request.headers["herald-notice-down-for-seconds"], "22200");
    let plain = body_for(&spec, &event);
    assert!(plain.headers.get("herald-notice").is_none());
    assert_eq!(plain.body, Bytes::from(" after "));
}
