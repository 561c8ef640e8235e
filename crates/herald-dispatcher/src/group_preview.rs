//! A grouped message made of copies of one event, for the API's preview (`group_of`): the
//! `herald.group` event the releaser would write if `count` such events had been held, read
//! from the event as the store reads held ones.

use chrono::{DateTime, TimeDelta, Utc};
use herald_domain::{DeliveryId, EventId, Outcome, Tenant};
use herald_render::QuietSpan;
use herald_store::{HeldMember, Subscription};
use serde_json::Value;

use crate::group_event::{Release, compose};
use crate::hold::{self, QUIET_KEY};

/// The members are this far apart, so the preview reads like a burst.
const SPACING: TimeDelta = TimeDelta::seconds(2);

/// The `herald.group` event a group of `count` copies of `event` would become for
/// `subscription`: grouped by its `group`, else held by its quiet hours (their first
/// window), else grouped by type. Each copy's name gets a number (`nightly-backup-2`) so the
/// names read as a burst of several jobs.
pub fn preview_group(
    subscription: &Subscription,
    event: &Value,
    count: usize,
    now: DateTime<Utc>,
) -> Value {
    let spec = &subscription.spec;
    let tenant = &spec.tenant;
    let (hold_key, quiet) = match (&spec.group, &spec.quiet_hours) {
        (None, Some(quiet)) => {
            let span = quiet.windows.first().map(|w| QuietSpan {
                timezone: quiet.timezone,
                from: w.from.format("%H:%M").to_string(),
                to: w.to.format("%H:%M").to_string(),
            });
            (QUIET_KEY.to_owned(), span)
        }
        (group, _) => (key(group.as_ref(), tenant, event), None),
    };
    let first = now - SPACING * i32::try_from(count).unwrap_or(i32::MAX);
    let members: Vec<HeldMember> = (0..count)
        .map(|i| {
            let time = first + SPACING * i32::try_from(i).unwrap_or(i32::MAX);
            member(event, i, time)
        })
        .collect();
    let release = Release {
        subscription,
        hold_key: &hold_key,
        quiet,
        delivery_id: DeliveryId::new(),
        now,
    };
    compose(&release, &members).cloudevent
}

fn key(group: Option<&herald_domain::GroupSpec>, tenant: &Tenant, event: &Value) -> String {
    let by_type = || {
        let event_type = event
            .get("type")
            .and_then(Value::as_str)
            .unwrap_or_default();
        Value::from(vec![event_type]).to_string()
    };
    match (group, hold::event_of(tenant, event)) {
        (Some(group), Some(event)) => group.key(&event),
        _ => by_type(),
    }
}

/// A held member as the store would read it from `event` (see `herald_store::holds`).
fn member(event: &Value, i: usize, time: DateTime<Utc>) -> HeldMember {
    let data = event.get("data").unwrap_or(&Value::Null);
    let text = |value: Option<&Value>| match value? {
        Value::String(s) => Some(s.clone()),
        Value::Null => None,
        other => Some(other.to_string()),
    };
    let name = [
        "name",
        "job_name",
        "snapshot_id",
        "repo_id",
        "transfer_id",
        "job_id",
        "title",
        "subscription_name",
    ]
    .iter()
    .find_map(|key| text(data.get(*key)))
    .or_else(|| text(event.get("subject")))
    .map(|name| {
        if i == 0 {
            name
        } else {
            format!("{name}-{}", i + 1)
        }
    });
    let event_type = text(event.get("type")).unwrap_or_default();
    let outcome =
        herald_domain::EventType::parse(&event_type).map_or(Outcome::Info, |t| t.outcome());
    let error = data.get("error");
    HeldMember {
        delivery_id: DeliveryId::new(),
        event_id: EventId::new(),
        ce_id: format!("{}-{}", text(event.get("id")).unwrap_or_default(), i + 1),
        event_type,
        outcome: outcome.as_str().to_owned(),
        time,
        held_at: time,
        name,
        source: text(data.get("source")),
        destination: text(data.get("destination")),
        error_code: error.and_then(|e| text(e.get("code"))),
        error_message: error
            .and_then(|e| match e {
                Value::String(s) => Some(s.clone()),
                _ => text(e.get("message")),
            })
            .or_else(|| text(data.get("last_error"))),
        notice: None,
    }
}
