//! The options that make a subscription quieter (issue 12): notify on state changes only,
//! group bursts into one message, hold or drop deliveries in quiet hours. Only what they are
//! and what they compute from an event or an instant; the delivery path applies them.

mod quiet;

use std::fmt;
use std::time::Duration;

use serde_json::Value;

use crate::{DomainError, Event};

pub use quiet::{DAY_NAMES, QuietDuring, QuietHours, QuietWindow};

/// Where a value is read from an event: `type`, `source`, `subject`, `tenant`, or a field of
/// its data (`data.schedule.id`). Parsed once when the subscription is read.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FieldPath(String);

/// When a subscription is told about a job.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Notify {
    /// Every matching event is delivered (the default).
    #[default]
    EveryEvent,
    /// Only a job's changes of state: its first failure, a reminder every `repeat_interval`
    /// while it keeps failing, its first success after failures.
    Transitions {
        /// What names the job; `None` for the default of each family (`Notify::job_key`).
        key: Option<FieldPath>,
        repeat_interval: Duration,
    },
}

/// Events with the same values at `by` are sent as one message: the first waits `wait`,
/// later ones of the same group go at most every `interval`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupSpec {
    pub by: Vec<FieldPath>,
    pub wait: Duration,
    pub interval: Duration,
}

impl FieldPath {
    pub const MAX_CHARS: usize = 200;

    pub fn parse(text: &str) -> Result<FieldPath, DomainError> {
        let well_formed = match text {
            "type" | "source" | "subject" | "tenant" => true,
            _ => {
                text.chars().count() <= Self::MAX_CHARS
                    && text
                        .strip_prefix("data.")
                        .is_some_and(|rest| rest.split('.').all(|segment| !segment.is_empty()))
            }
        };
        if well_formed {
            Ok(FieldPath(text.to_owned()))
        } else {
            Err(DomainError::BadFieldPath(text.to_owned()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The value at this path: a string as it is, a number or boolean as its JSON text
    /// (`42`, `true`). `None` when it is missing, null, an object or an array: none of those
    /// names anything. A numeric segment indexes an array (`data.items.0`).
    pub fn value_in(&self, event: &Event) -> Option<String> {
        match self.0.as_str() {
            "type" => return Some(event.event_type.as_str().to_owned()),
            "source" => return Some(event.source.clone()),
            "subject" => return event.subject.clone(),
            "tenant" => return Some(event.tenant.as_str().to_owned()),
            _ => {}
        }
        let rest = self.0.strip_prefix("data.")?;
        let mut value = &event.data;
        for segment in rest.split('.') {
            value = match value {
                Value::Object(map) => map.get(segment)?,
                Value::Array(items) => items.get(segment.parse::<usize>().ok()?)?,
                _ => return None,
            };
        }
        match value {
            Value::String(text) => Some(text.clone()),
            Value::Number(n) => Some(n.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            Value::Null | Value::Object(_) | Value::Array(_) => None,
        }
    }
}

impl fmt::Display for FieldPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Notify {
    pub const DEFAULT_REPEAT_INTERVAL: Duration = Duration::from_secs(4 * 3600);
    pub const MIN_REPEAT_INTERVAL: Duration = Duration::from_secs(60);
    pub const MAX_REPEAT_INTERVAL: Duration = Duration::from_secs(30 * 86_400);

    /// `every_event` or `transitions`, as the API writes it.
    pub fn as_str(&self) -> &'static str {
        match self {
            Notify::EveryEvent => "every_event",
            Notify::Transitions { .. } => "transitions",
        }
    }

    pub fn is_transitions(&self) -> bool {
        matches!(self, Notify::Transitions { .. })
    }

    /// The identity of the job `event` reports, whose state changes are followed: `None` with
    /// `every_event`, and when the event names no job (it is then delivered as with
    /// `every_event`). An empty value names no job either.
    ///
    /// With a `group_key` it is that value alone, so a subscription can make jobs of several
    /// families one. Otherwise it is the family and the family's identity
    /// (`transfer:nightly-a`): `transfer.*` its `data.schedule.id`, else `data.name`, else
    /// `data.transfer_id`; `backup.*` its `data.job_id`; every other type its `data.repo_id`.
    /// The family is part of it so that a `verify` and a `gc` of one repository are two jobs.
    pub fn job_key(&self, event: &Event) -> Option<String> {
        let Notify::Transitions { key, .. } = self else {
            return None;
        };
        if let Some(path) = key {
            return path.value_in(event).filter(|v| !v.is_empty());
        }
        let family = event.event_type.family();
        let candidates: &[&str] = match family {
            "transfer" => &["data.schedule.id", "data.name", "data.transfer_id"],
            "backup" => &["data.job_id"],
            _ => &["data.repo_id"],
        };
        candidates
            .iter()
            .filter_map(|path| FieldPath::parse(path).ok())
            .find_map(|path| path.value_in(event).filter(|v| !v.is_empty()))
            .map(|identity| format!("{family}:{identity}"))
    }
}

impl GroupSpec {
    pub const DEFAULT_WAIT: Duration = Duration::from_secs(30);
    pub const DEFAULT_INTERVAL: Duration = Duration::from_secs(300);
    pub const MIN_WAIT: Duration = Duration::from_secs(1);
    pub const MAX_WAIT: Duration = Duration::from_secs(3600);
    pub const MAX_INTERVAL: Duration = Duration::from_secs(86_400);
    pub const MAX_BY: usize = 5;

    /// `by: ["type"]`, `wait: 30s`, `interval: 5m`.
    pub fn default_by() -> Vec<FieldPath> {
        vec![FieldPath("type".to_owned())]
    }

    /// Which group `event` belongs to: the values at `by` as a JSON array of strings, a
    /// missing value as `""`. JSON so that no value can pass for two (`a,b` + `c` against
    /// `a` + `b,c`), and still readable in the database.
    pub fn key(&self, event: &Event) -> String {
        let values: Vec<String> = self
            .by
            .iter()
            .map(|path| path.value_in(event).unwrap_or_default())
            .collect();
        Value::from(values).to_string()
    }

    /// The group for people: `transfer.failed · s3:/archive`, a missing value as
    /// `(no data.source)`.
    pub fn label(&self, event: &Event) -> String {
        self.by
            .iter()
            .map(|path| {
                path.value_in(event)
                    .unwrap_or_else(|| format!("(no {path})"))
            })
            .collect::<Vec<_>>()
            .join(" · ")
    }
}

#[cfg(test)]
mod tests;
