//! Event types (`transfer.failed`), the families Herald knows, and what a type says about
//! its outcome (CONTRACT §1).

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::DomainError;

/// A valid event type: `^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EventType(String);

/// The families whose data Herald checks against proto/herald/v1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Family {
    Transfer,
    Backup,
    Snapshot,
    Restore,
    Gc,
    Verify,
}

/// What an event says happened, from the last segment of its type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Failure,
    Success,
    Warning,
    Started,
    Info,
}

const KNOWN_TYPES: &[(&str, Family)] = &[
    ("transfer.started", Family::Transfer),
    ("transfer.completed", Family::Transfer),
    ("transfer.failed", Family::Transfer),
    ("backup.started", Family::Backup),
    ("backup.succeeded", Family::Backup),
    ("backup.failed", Family::Backup),
    ("backup.warning", Family::Backup),
    ("snapshot.created", Family::Snapshot),
    ("snapshot.deleted", Family::Snapshot),
    ("restore.started", Family::Restore),
    ("restore.completed", Family::Restore),
    ("restore.failed", Family::Restore),
    ("gc.started", Family::Gc),
    ("gc.completed", Family::Gc),
    ("verify.started", Family::Verify),
    ("verify.completed", Family::Verify),
    ("verify.failed", Family::Verify),
];

fn is_segment(segment: &str) -> bool {
    !segment.is_empty()
        && segment
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

fn is_family_segment(segment: &str) -> bool {
    is_segment(segment) && segment.as_bytes()[0].is_ascii_lowercase()
}

impl EventType {
    pub fn parse(value: &str) -> Result<EventType, DomainError> {
        let mut segments = value.split('.');
        let first_ok = segments.next().is_some_and(is_family_segment);
        let mut rest = segments.peekable();
        let has_rest = rest.peek().is_some();
        if first_ok && has_rest && rest.all(is_segment) {
            Ok(EventType(value.to_owned()))
        } else {
            Err(DomainError::BadEventType(value.to_owned()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The first segment: `transfer` for `transfer.failed`.
    pub fn family(&self) -> &str {
        self.0.split('.').next().unwrap_or(&self.0)
    }

    /// The family, only for the exact types listed in CONTRACT §1: `transfer.exploded` is custom.
    pub fn known_family(&self) -> Option<Family> {
        KNOWN_TYPES
            .iter()
            .find(|(name, _)| *name == self.0)
            .map(|(_, family)| *family)
    }

    pub fn outcome(&self) -> Outcome {
        match self.0.rsplit('.').next().unwrap_or_default() {
            "failed" => Outcome::Failure,
            "completed" | "succeeded" | "created" | "deleted" => Outcome::Success,
            "warning" => Outcome::Warning,
            "started" => Outcome::Started,
            _ => Outcome::Info,
        }
    }
}

impl Family {
    /// The data field every event of this family must carry.
    pub fn required_field(self) -> &'static str {
        match self {
            Family::Transfer => "transfer_id",
            Family::Backup => "job_id",
            Family::Snapshot | Family::Restore | Family::Gc | Family::Verify => "repo_id",
        }
    }

    /// The proto/herald/v1 message that describes this family's data.
    pub fn proto_message(self) -> &'static str {
        match self {
            Family::Transfer => "herald.v1.TransferData",
            Family::Backup => "herald.v1.BackupData",
            Family::Snapshot => "herald.v1.SnapshotData",
            Family::Restore => "herald.v1.RestoreData",
            Family::Gc => "herald.v1.GcData",
            Family::Verify => "herald.v1.VerifyData",
        }
    }
}

impl Outcome {
    pub const ALL: [Outcome; 5] = [
        Outcome::Success,
        Outcome::Failure,
        Outcome::Warning,
        Outcome::Started,
        Outcome::Info,
    ];

    pub fn parse(value: &str) -> Option<Outcome> {
        Outcome::ALL.into_iter().find(|o| o.as_str() == value)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Failure => "failure",
            Outcome::Success => "success",
            Outcome::Warning => "warning",
            Outcome::Started => "started",
            Outcome::Info => "info",
        }
    }
}

impl fmt::Display for EventType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for EventType {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for EventType {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        EventType::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// Which event types a subscription wants: an exact type, `family.*`, or `*`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct EventTypePattern {
    text: String,
    kind: PatternKind,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum PatternKind {
    Any,
    Family,
    Exact,
}

impl EventTypePattern {
    pub fn parse(value: &str) -> Result<EventTypePattern, DomainError> {
        let kind = if value == "*" {
            PatternKind::Any
        } else if value.strip_suffix(".*").is_some_and(is_family_segment) {
            PatternKind::Family
        } else if EventType::parse(value).is_ok() {
            PatternKind::Exact
        } else {
            return Err(DomainError::BadEventTypePattern(value.to_owned()));
        };
        Ok(EventTypePattern {
            text: value.to_owned(),
            kind,
        })
    }

    /// The pattern that matches every event type.
    pub fn any() -> EventTypePattern {
        EventTypePattern {
            text: "*".to_owned(),
            kind: PatternKind::Any,
        }
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    pub fn matches(&self, event_type: &EventType) -> bool {
        match self.kind {
            PatternKind::Any => true,
            PatternKind::Family => self.text.strip_suffix(".*") == Some(event_type.family()),
            PatternKind::Exact => self.text == event_type.as_str(),
        }
    }
}

impl fmt::Display for EventTypePattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl Serialize for EventTypePattern {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.text)
    }
}

impl<'de> Deserialize<'de> for EventTypePattern {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        EventTypePattern::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests;
