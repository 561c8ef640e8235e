//! One message for many events (issue 12): a subscription's burst of one group, or what quiet
//! hours held back. The dispatcher's releaser writes it as a `herald.group` event whose data is
//! a [`GroupReport`]; a webhook receives that event as it is, and the chat and mail channels
//! render it here: "❌ 12 transfers from s3:/archive failed in 30 s: nightly-a, nightly-b,
//! nightly-c, … and 9 more", then one line per member.

mod words;

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use herald_domain::{JobNotice, Outcome};
use serde::{Deserialize, Serialize};

use crate::notice::{Fact, Notice};
use crate::{read, style};

pub(crate) use words::MemberLine;

/// The type of the grouped message's event.
pub const GROUP_EVENT_TYPE: &str = "herald.group";

/// The data of a `herald.group` event. Its text comes from the members' events, so it is
/// publisher text: the renderers clean, bound and escape it like any event's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupReport {
    pub subscription_id: String,
    pub subscription_name: String,
    pub reason: GroupReason,
    /// The group's values, in the order of the subscription's `group.by` (none for quiet
    /// hours): `[{"path": "type", "value": "transfer.failed"}, …]`.
    #[serde(default)]
    pub group: Vec<GroupValue>,
    /// The quiet stretch that held them back (`reason: quiet_hours`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quiet_hours: Option<QuietSpan>,
    /// Every member, listed or not.
    pub count: u64,
    /// Members by event type and by outcome (`failure`, `success`, …), all of them counted.
    pub types: BTreeMap<String, u64>,
    pub outcomes: BTreeMap<String, u64>,
    /// The time of the first and the last member's event.
    pub first_time: DateTime<Utc>,
    pub last_time: DateTime<Utc>,
    /// The members, oldest event first, at most [`GroupReport::MAX_MEMBERS`].
    pub members: Vec<GroupMember>,
    /// Members not listed, past the first [`GroupReport::MAX_MEMBERS`].
    #[serde(default)]
    pub members_omitted: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GroupReason {
    /// The subscription's `group`: a burst of one group.
    Group,
    /// The subscription's `quiet_hours` with `during: hold`.
    QuietHours,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupValue {
    pub path: String,
    /// `""` when the event had no value there.
    pub value: String,
}

/// The quiet window that held the members: local times in its zone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuietSpan {
    pub timezone: Tz,
    /// `22:00`.
    pub from: String,
    /// `07:00`.
    pub to: String,
}

/// One member event, as the message lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupMember {
    /// The publisher's id of the event.
    pub id: String,
    /// Herald's id of the event (`evt_…`).
    pub event_id: String,
    /// The member's own delivery (`dlv_…`), now `grouped`.
    pub delivery_id: String,
    #[serde(rename = "type")]
    pub event_type: String,
    pub outcome: Outcome,
    pub time: DateTime<Utc>,
    /// The job, transfer or repository it is about.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub destination: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<MemberError>,
    /// What a `notify: transitions` subscription said of this member (`failing`,
    /// `recovered`, …) when quiet hours held it, so its line still says it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notice: Option<JobNotice>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberError {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// Member lines a chat message lists; the mail lists more.
const CHAT_MEMBERS: usize = 20;

impl GroupReport {
    /// Members one `herald.group` event lists; `count` and `members_omitted` say the rest.
    pub const MAX_MEMBERS: usize = 500;

    /// The label of the group's values: `transfer.failed · s3:/archive`, a missing value as
    /// `(no data.source)`; `None` for quiet hours.
    pub fn label(&self) -> Option<String> {
        (!self.group.is_empty()).then(|| {
            self.group
                .iter()
                .map(|v| match read::clean(&v.value) {
                    Some(value) => read::one_line(value),
                    None => format!("(no {})", v.path),
                })
                .collect::<Vec<_>>()
                .join(" · ")
        })
    }

    /// What the group looks like: its worst outcome (a failure among successes is what the
    /// reader must see).
    pub fn outcome(&self) -> Outcome {
        let has = |o: Outcome| self.outcomes.get(o.as_str()).is_some_and(|n| *n > 0);
        [
            Outcome::Failure,
            Outcome::Warning,
            Outcome::Success,
            Outcome::Started,
        ]
        .into_iter()
        .find(|o| has(*o))
        .unwrap_or(Outcome::Info)
    }

    /// `12 transfers from s3:/archive failed in 30 s`, or `While quiet hours ran
    /// (22:00–07:00): 7 events — 5 failed, 2 succeeded`.
    pub fn title(&self) -> String {
        words::title(self)
    }

    /// `nightly-a, nightly-b, nightly-c, … and 9 more`: the first names and how many members
    /// they leave out; `None` when no member has a name.
    pub fn names(&self) -> Option<String> {
        words::names(self)
    }

    /// Where the member lines' times are read: the quiet hours' zone, else UTC.
    pub(crate) fn zone(&self) -> Option<Tz> {
        self.quiet_hours.as_ref().map(|q| q.timezone)
    }

    /// One line per listed member, at most `max`, and how many members that leaves out.
    pub(crate) fn member_lines(&self, max: usize) -> (Vec<MemberLine>, u64) {
        let lines: Vec<MemberLine> = self
            .members
            .iter()
            .take(max)
            .map(|m| MemberLine::new(self, m))
            .collect();
        let more = self.count.saturating_sub(lines.len() as u64);
        (lines, more)
    }

    /// The facts beside the list: how many, which group, when.
    pub(crate) fn facts(&self) -> Vec<Fact> {
        let mut facts = vec![Fact {
            label: "Events".to_owned(),
            value: self.count.to_string(),
        }];
        let mut add = |label: &str, value: Option<String>| {
            if let Some(value) = value {
                facts.push(Fact {
                    label: label.to_owned(),
                    value,
                });
            }
        };
        add("Group", self.label());
        add(
            "Quiet hours",
            self.quiet_hours.as_ref().map(words::quiet_span),
        );
        add("Outcomes", words::mixed_outcomes(self));
        add("First", Some(words::stamp(self.first_time, self.zone())));
        add("Last", Some(words::stamp(self.last_time, self.zone())));
        add(
            "Subscription",
            read::clean(&self.subscription_name).map(read::one_line),
        );
        facts
    }
}

/// The group as a [`Notice`], which every chat platform renders within its limits: the title
/// and names as its headline, the member lines as its description, the counts as facts.
pub fn group_notice(report: &GroupReport, event: &serde_json::Value) -> Notice {
    let outcome = report.outcome();
    let (lines, more) = report.member_lines(CHAT_MEMBERS);
    let mut description: Vec<String> = lines.iter().map(|l| format!("• {}", l.text())).collect();
    if more > 0 {
        description.push(format!("…and {more} more"));
    }
    Notice {
        outcome,
        icon: style::icon(outcome),
        colour: style::colour(outcome),
        title: report.title(),
        name: report.names(),
        route: None,
        description: (!description.is_empty()).then(|| description.join("\n")),
        facts: report.facts(),
        error: None,
        warnings: Vec::new(),
        time: read::time(event.get("time")).unwrap_or(report.last_time),
        link: None,
        tenant: read::text(event.get("tenant")).unwrap_or_default(),
        event_type: GROUP_EVENT_TYPE.to_owned(),
        event_id: read::text(event.get("id")).unwrap_or_default(),
    }
}

#[cfg(test)]
mod tests;
