//! Where a message was published decides what it may be. Publishers' events arrive on
//! `{prefix}.events.{tenant}.{type}` and may be anything but Herald's own `herald.…` types:
//! a forged `herald.delivery.failed` would tell owners of failures that never happened.
//! Herald's operational events arrive on `{prefix}.ops.{tenant}` (CONTRACT §3, where external
//! consumers read them too) and may be nothing else. Both then take the same road: the same
//! validation, storage and fan-out, so an ops event is an event of its tenant like any other.

use chrono::Utc;
use herald_bus::{MisplacedType, Names, check_ops_type, check_published_type};
use herald_domain::{Event, EventLimits, Incoming, Rejection, parse_event};

/// Why a message is not stored: a stable code (`Herald-Rejection-Code`, metrics, the API), a
/// sentence for people, and the publisher's id when it could be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Refusal {
    pub code: &'static str,
    pub reason: String,
    pub event_id: Option<String>,
}

impl From<Rejection> for Refusal {
    fn from(rejection: Rejection) -> Self {
        Self {
            code: rejection.reason.code(),
            reason: rejection.reason.to_string(),
            event_id: rejection.event_id,
        }
    }
}

/// One message as ingest received it.
pub(crate) struct Received<'a> {
    pub subject: &'a str,
    pub content_type: Option<&'a str>,
    pub body: &'a [u8],
}

pub(crate) fn parse(
    names: &Names,
    limits: &EventLimits,
    received: &Received<'_>,
) -> Result<Event, Refusal> {
    if let Some(tenant) = names.parse_ops_subject(received.subject) {
        // The ops subject names no type: the event's own is the one it must have.
        let event_type = body_type(received.body).unwrap_or_default();
        let event = validate(tenant, &event_type, received, limits)?;
        check_ops_type(event.event_type.as_str(), &event.source)
            .map_err(|misplaced| refusal(misplaced, &event))?;
        return Ok(event);
    }
    let (tenant, event_type) = names
        .parse_event_subject(received.subject)
        .map(|s| (s.tenant, s.event_type))
        .unwrap_or(("", ""));
    let event = validate(tenant, event_type, received, limits)?;
    check_published_type(event.event_type.as_str())
        .map_err(|misplaced| refusal(misplaced, &event))?;
    Ok(event)
}

fn validate(
    tenant: &str,
    event_type: &str,
    received: &Received<'_>,
    limits: &EventLimits,
) -> Result<Event, Refusal> {
    let incoming = Incoming {
        subject_tenant: tenant,
        subject_type: event_type,
        content_type: received.content_type,
        body: received.body,
        received_at: Utc::now(),
    };
    parse_event(&incoming, limits).map_err(Refusal::from)
}

fn refusal(misplaced: MisplacedType, event: &Event) -> Refusal {
    Refusal {
        code: misplaced.code(),
        reason: misplaced.to_string(),
        event_id: Some(event.id.clone()),
    }
}

/// The `type` attribute of a JSON body, when it has one.
fn body_type(body: &[u8]) -> Option<String> {
    let json: serde_json::Value = serde_json::from_slice(body).ok()?;
    json.get("type")?.as_str().map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use herald_bus::SubjectPrefix;
    use serde_json::json;

    use super::*;

    fn names() -> Names {
        Names::new(SubjectPrefix::parse("t1").unwrap())
    }

    fn event(event_type: &str, source: &str) -> Vec<u8> {
        json!({
            "specversion": "1.0", "id": "e1", "source": source, "type": event_type,
            "tenant": "acme", "data": {"subscription_id": "sub_1"},
        })
        .to_string()
        .into_bytes()
    }

    fn parse_on(subject: &str, body: &[u8]) -> Result<Event, Refusal> {
        let received = Received {
            subject,
            content_type: None,
            body,
        };
        parse(&names(), &EventLimits::default(), &received)
    }

    #[test]
    fn a_publisher_cannot_send_heralds_own_types() {
        let body = event("herald.delivery.failed", "herald");
        let refused = parse_on("t1.events.acme.herald.delivery.failed", &body).unwrap_err();
        assert_eq!(refused.code, "reserved_type");
        assert_eq!(refused.event_id.as_deref(), Some("e1"));
        assert!(refused.reason.contains("reserved"), "{}", refused.reason);
    }

    #[test]
    fn ops_events_take_their_tenant_from_the_subject_and_their_type_from_the_body() {
        let body = event("herald.subscription.disabled", "herald");
        let event = parse_on("t1.ops.acme", &body).unwrap();
        assert_eq!(event.tenant.as_str(), "acme");
        assert_eq!(event.event_type.as_str(), "herald.subscription.disabled");
    }

    #[test]
    fn the_ops_subjects_take_nothing_but_heralds_own_events() {
        let foreign = parse_on("t1.ops.acme", &event("deploy.finished", "herald")).unwrap_err();
        assert_eq!(foreign.code, "not_operational");
        let forged = parse_on(
            "t1.ops.acme",
            &event("herald.delivery.failed", "cloudklone://x"),
        );
        assert_eq!(forged.unwrap_err().code, "not_operational");
        let other_tenant = parse_on("t1.ops.other", &event("herald.delivery.failed", "herald"));
        assert_eq!(other_tenant.unwrap_err().code, "tenant_mismatch");
        let no_type = parse_on(
            "t1.ops.acme",
            br#"{"specversion":"1.0","id":"x","source":"herald"}"#,
        );
        assert_eq!(no_type.unwrap_err().code, "missing_attribute");
    }
}
