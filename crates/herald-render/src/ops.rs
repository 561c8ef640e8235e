//! Herald's own operational events as a person wants to read them: which subscription, on
//! which channel, what happened to it and why. `herald.delivery.failed` reads "Webhook
//! delivery failed for good: ops hook", `herald.subscription.disabled` "Slack subscription
//! disabled: alerts", `herald.subscription.recovered` "Webhook subscription recovered: ops
//! hook". Their look follows what they mean to the reader (a switched-off subscription is
//! bad news, a recovery good news), whatever outcome their type's last word gives routing.

use chrono::{DateTime, Utc};
use herald_domain::Outcome;
use serde_json::Value;

use crate::human;
use crate::notice::{Fact, Layout};
use crate::read;

/// The layout of an operational event; `None` for other `herald.…` types (the generic
/// layout reads those).
pub(crate) fn layout(
    event_type: &str,
    data: &Value,
    time: Option<DateTime<Utc>>,
) -> Option<Layout> {
    let channel = read::text(data.get("channel"));
    let noun = channel
        .as_deref()
        .map_or_else(String::new, |c| format!("{} ", channel_label(c)));
    let mut facts = Facts::default();
    let (title, outcome, description) = match event_type {
        "herald.delivery.failed" => {
            facts.add("Event type", read::text(data.get("event_type")));
            facts.add("Attempts", read::count(data.get("attempts")));
            // `HTTP 503: …` as the error says the status already.
            let error = read::text(data.get("last_error")).unwrap_or_default();
            let answer =
                answer(data, channel.as_deref()).filter(|a| !error.starts_with(a.as_str()));
            facts.add("Last answer", answer);
            facts.add("Delivery", read::text(data.get("delivery_id")));
            facts.add("Event", read::text(data.get("event_id")));
            let title = format!("{noun}delivery failed for good");
            (title, Outcome::Failure, None)
        }
        "herald.subscription.disabled" => {
            facts.add("Last answer", answer(data, channel.as_deref()));
            facts.add("While delivering", read::text(data.get("event_type")));
            facts.add("Delivery", read::text(data.get("delivery_id")));
            let title = format!("{noun}subscription disabled");
            (title, Outcome::Failure, reason(data))
        }
        "herald.subscription.recovered" => {
            let since = read::time(data.get("failing_since"));
            facts.add(
                "Failed deliveries",
                read::count(data.get("failed_deliveries")),
            );
            facts.add(
                "Failing since",
                since.map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string()),
            );
            facts.add(
                "Down for",
                since
                    .zip(time)
                    .and_then(|(since, now)| down_for(since, now)),
            );
            facts.add("Last failure", read::text(data.get("last_failure")));
            let title = format!("{noun}subscription recovered");
            (title, Outcome::Success, reason(data))
        }
        _ => return None,
    };
    facts.add("Subscription", read::text(data.get("subscription_id")));
    Some(Layout {
        title: Some(capitalised(&title)),
        outcome: Some(outcome),
        name: read::text(data.get("subscription_name"))
            .or_else(|| read::text(data.get("subscription_id"))),
        description,
        facts: facts.0,
        ..Layout::default()
    })
}

/// The description of an event sent to a fallback subscription: why it came here first
/// ("Sent here because Slack 'ops' failed: HTTP 500 after 5 attempts."), then the event's
/// own. The reason travels as the `heraldfallbackreason` extension attribute, which
/// herald-store adds to a fallback delivery's event.
pub(crate) fn with_fallback_note(event: &Value, description: Option<String>) -> Option<String> {
    let Some(reason) = read::text(event.get("heraldfallbackreason")) else {
        return description;
    };
    let reason = reason.trim_end_matches('.');
    let note = format!("Sent here because {reason}.");
    Some(match description {
        Some(own) => format!("{note}\n\n{own}"),
        None => note,
    })
}

/// `webhook` → `Webhook`, `teams` → `Teams`: the channel as its users call it.
fn channel_label(channel: &str) -> String {
    match channel {
        "webhook" => "Webhook".to_owned(),
        "slack" => "Slack".to_owned(),
        "discord" => "Discord".to_owned(),
        "teams" => "Teams".to_owned(),
        "email" => "Email".to_owned(),
        other => human::label(other),
    }
}

/// The receiver's last status: an HTTP status, or an SMTP reply code for email.
fn answer(data: &Value, channel: Option<&str>) -> Option<String> {
    let status = read::count(data.get("last_status_code"))?;
    let protocol = if channel == Some("email") {
        "SMTP"
    } else {
        "HTTP"
    };
    Some(format!("{protocol} {status}"))
}

/// The reason, as a sentence: `disabled through the API` → `Disabled through the API.`
fn reason(data: &Value) -> Option<String> {
    let reason = read::text(data.get("reason"))?;
    let sentence = capitalised(&reason);
    Some(if sentence.ends_with(['.', '!', '?']) {
        sentence
    } else {
        format!("{sentence}.")
    })
}

fn down_for(since: DateTime<Utc>, now: DateTime<Utc>) -> Option<String> {
    let seconds = (now - since).num_milliseconds() as f64 / 1000.0;
    (seconds >= 0.0).then(|| human::duration(seconds))
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[derive(Default)]
struct Facts(Vec<Fact>);

impl Facts {
    fn add(&mut self, label: &str, value: Option<String>) {
        if let Some(value) = value {
            self.0.push(Fact {
                label: label.to_owned(),
                value,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::Notice;

    fn notice(event_type: &str, data: serde_json::Value) -> Notice {
        Notice::from_event(&json!({
            "specversion": "1.0", "id": "x", "source": "herald", "type": event_type,
            "time": "2026-03-01T09:30:00Z", "tenant": "acme", "data": data,
        }))
    }

    fn fact<'a>(notice: &'a Notice, label: &str) -> Option<&'a str> {
        notice
            .facts
            .iter()
            .find(|f| f.label == label)
            .map(|f| f.value.as_str())
    }

    #[test]
    fn a_failed_delivery_names_the_subscription_its_channel_and_what_went_wrong() {
        let notice = notice(
            "herald.delivery.failed",
            json!({
                "subscription_id": "sub_1", "subscription_name": "ops hook", "channel": "webhook",
                "event_type": "transfer.failed", "attempts": 8, "last_status_code": 503,
                "last_error": "HTTP 503: upstream down", "delivery_id": "dlv_1",
            }),
        );
        assert_eq!(
            notice.headline(),
            "❌ Webhook delivery failed for good: ops hook"
        );
        assert_eq!(fact(&notice, "Attempts"), Some("8"));
        assert_eq!(fact(&notice, "Last answer"), None, "the error says it");
        assert_eq!(fact(&notice, "Event type"), Some("transfer.failed"));
        assert_eq!(fact(&notice, "Subscription"), Some("sub_1"));
        assert_eq!(
            notice.error.as_ref().and_then(|e| e.message.as_deref()),
            Some("HTTP 503: upstream down")
        );
    }

    #[test]
    fn a_disabled_subscription_reads_as_bad_news_with_its_reason() {
        let notice = notice(
            "herald.subscription.disabled",
            json!({"subscription_id": "sub_1", "subscription_name": "alerts", "channel": "slack",
                   "reason": "the receiver answered 410 Gone", "last_status_code": 410}),
        );
        assert_eq!(notice.headline(), "❌ Slack subscription disabled: alerts");
        assert!(notice.is_failure());
        assert_eq!(
            notice.description.as_deref(),
            Some("The receiver answered 410 Gone.")
        );
        assert_eq!(fact(&notice, "Last answer"), Some("HTTP 410"));
    }

    #[test]
    fn a_recovery_says_how_long_it_was_down() {
        let notice = notice(
            "herald.subscription.recovered",
            json!({"subscription_id": "sub_1", "subscription_name": "mail", "channel": "email",
                   "reason": "delivered again after 3 deliveries failed for good",
                   "failed_deliveries": 3, "failing_since": "2026-03-01T07:20:00Z",
                   "last_failure": "SMTP 451: try later"}),
        );
        assert_eq!(notice.headline(), "✅ Email subscription recovered: mail");
        assert_eq!(fact(&notice, "Failed deliveries"), Some("3"));
        assert_eq!(fact(&notice, "Down for"), Some("2 h 10 min"));
        assert_eq!(fact(&notice, "Last failure"), Some("SMTP 451: try later"));
        assert!(notice.error.is_none(), "a recovery is no error");
    }

    #[test]
    fn a_fallback_delivery_says_why_it_came_here() {
        let mut event = crate::fixtures::sample("transfer.failed");
        event["heraldfallbackreason"] = json!("Slack 'ops' failed: HTTP 500 after 5 attempts");
        let notice = Notice::from_event(&event);
        assert_eq!(
            notice.description.as_deref(),
            Some("Sent here because Slack 'ops' failed: HTTP 500 after 5 attempts.")
        );
        assert_eq!(notice.headline(), "❌ Transfer failed: nightly-backup");
    }

    #[test]
    fn without_a_channel_the_title_still_reads() {
        let notice = notice(
            "herald.delivery.failed",
            json!({"subscription_id": "sub_1"}),
        );
        assert_eq!(notice.headline(), "❌ Delivery failed for good: sub_1");
    }
}
