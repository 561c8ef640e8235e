//! What a subscription's noise controls (issue 12) make of a delivery at intake, and when what
//! they held is due: the decisions alone, with the clock passed in, so they are tested on any
//! instant (daylight saving changes included).

use std::time::Duration;

use chrono::{DateTime, Datelike, NaiveTime, TimeDelta, Utc};
use herald_domain::{
    DigestSchedule, Event, EventType, GroupSpec, Outcome, QuietDuring, QuietHours,
    SubscriptionSpec, Tenant,
};
use herald_render::GROUP_EVENT_TYPE;
use herald_store::HeldGroup;
use serde_json::{Map, Value};

/// The hold key of deliveries waiting for quiet hours to end. A group's key is a JSON array
/// (`["transfer.failed"]`), so it can never be this.
pub(crate) const QUIET_KEY: &str = "quiet";

/// Why a delivery dropped by quiet hours was not sent.
pub(crate) const DROPPED: &str = "quiet hours: left to the digest";

/// What intake does with a pending delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Intake {
    Attempt,
    /// Held under this key until the releaser sends it in a group.
    Hold(String),
    /// Ended without an attempt, for this reason.
    Suppress(&'static str),
}

/// Quiet hours first: inside a window (the delivery's moment is `now`, when it would go
/// out), an outcome not in `except` is held under [`QUIET_KEY`] or dropped. Otherwise a
/// subscription with `group` holds it under its group's key. Herald's grouped messages and
/// digests are never held again: they are what holding produced.
pub(crate) fn at_intake(
    spec: &SubscriptionSpec,
    tenant: &Tenant,
    event: &Value,
    now: DateTime<Utc>,
) -> Intake {
    let event_type = event
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if event_type == GROUP_EVENT_TYPE || event_type == DigestSchedule::EVENT_TYPE {
        return Intake::Attempt;
    }
    if let Some(quiet) = &spec.quiet_hours {
        let outcome = EventType::parse(event_type).map_or(Outcome::Info, |t| t.outcome());
        if quiet.is_quiet(now) && !quiet.breaks_through(outcome) {
            return match quiet.during {
                QuietDuring::Hold => Intake::Hold(QUIET_KEY.to_owned()),
                QuietDuring::Drop => Intake::Suppress(DROPPED),
            };
        }
    }
    match (&spec.group, event_of(tenant, event)) {
        (Some(group), Some(event)) => Intake::Hold(group.key(&event)),
        _ => Intake::Attempt,
    }
}

/// Whether a held group goes now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Release {
    /// Due: the store checks `wait` and `interval` again under the group's lock.
    Now {
        wait: Duration,
        interval: Duration,
    },
    NotYet,
}

/// A quiet group goes once its window has ended (or the subscription no longer has quiet
/// hours); a group once its first member has waited `wait` and its last message is
/// `interval` old (at once when the subscription no longer groups).
pub(crate) fn release(spec: &SubscriptionSpec, held: &HeldGroup, now: DateTime<Utc>) -> Release {
    let at_once = Release::Now {
        wait: Duration::ZERO,
        interval: Duration::ZERO,
    };
    if held.hold_key == QUIET_KEY {
        return match &spec.quiet_hours {
            Some(quiet) if quiet.quiet_until(now).is_some() => Release::NotYet,
            _ => at_once,
        };
    }
    let Some(group) = &spec.group else {
        return at_once;
    };
    let waited = held.first_held + delta(group.wait) <= now;
    let spaced = held
        .last_sent_at
        .is_none_or(|last| last + delta(group.interval) <= now);
    if waited && spaced {
        Release::Now {
            wait: group.wait,
            interval: group.interval,
        }
    } else {
        Release::NotYet
    }
}

/// The window of `quiet` that `at` fell in, as its local `from` and `to`, for the released
/// message's words; `None` when no window covers `at` (the quiet hours changed since).
pub(crate) fn window_of(quiet: &QuietHours, at: DateTime<Utc>) -> Option<(NaiveTime, NaiveTime)> {
    let local = at.with_timezone(&quiet.timezone);
    let (day, time) = (local.weekday(), local.time());
    quiet
        .windows
        .iter()
        .find(|w| {
            if w.overnight() {
                (w.starts_on(day) && time >= w.from) || (w.starts_on(day.pred()) && time < w.to)
            } else {
                w.starts_on(day) && w.from <= time && time < w.to
            }
        })
        .map(|w| (w.from, w.to))
}

/// The group's values for people, read back from its key (the JSON array of its `by`
/// values), each beside its path.
pub(crate) fn group_values(group: Option<&GroupSpec>, key: &str) -> Vec<(String, String)> {
    let values: Vec<String> = serde_json::from_str(key).unwrap_or_default();
    // A subscription that stopped grouping had the default `by` when nothing else was said.
    let by = group.map_or_else(GroupSpec::default_by, |g| g.by.clone());
    let paths: Vec<String> = by.iter().map(|p| p.as_str().to_owned()).collect();
    values
        .into_iter()
        .enumerate()
        .map(|(i, value)| {
            let path = paths
                .get(i)
                .cloned()
                .unwrap_or_else(|| format!("#{}", i + 1));
            (path, value)
        })
        .collect()
}

/// The event a group key is read from. Stored events were validated at ingest, so only the
/// attributes a field path can name are taken from the document.
pub(crate) fn event_of(tenant: &Tenant, event: &Value) -> Option<Event> {
    let text = |key: &str| event.get(key).and_then(Value::as_str);
    Some(Event {
        tenant: tenant.clone(),
        id: text("id")?.to_owned(),
        source: text("source").unwrap_or_default().to_owned(),
        event_type: EventType::parse(text("type")?).ok()?,
        time: text("time")
            .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
            .map_or(DateTime::UNIX_EPOCH, |t| t.to_utc()),
        subject: text("subject").map(str::to_owned),
        data: event.get("data").cloned().unwrap_or(Value::Null),
        extensions: Map::new(),
    })
}

fn delta(duration: Duration) -> TimeDelta {
    TimeDelta::from_std(duration).unwrap_or(TimeDelta::MAX)
}

#[cfg(test)]
mod tests;
