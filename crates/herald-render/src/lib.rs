//! Herald's human messages: one event becomes one message a person reads in two seconds, on
//! Slack (Block Kit), Discord (an embed), Microsoft Teams (an Adaptive Card or a legacy
//! MessageCard) or email (text and HTML). [`Notice`] is the channel-neutral reading of the
//! event; each channel renders it within its platform's limits, with publisher text escaped
//! so it can neither ping anyone nor inject markup. The daily digest ([`DigestReport`]) and
//! a grouped message ([`GroupReport`]) are rendered for the same channels. Pure code: no I/O,
//! no async.
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

mod digest;
mod discord;
mod escape;
mod family;
mod generic;
mod group;
mod human;
mod mail;
mod mentions;
mod notice;
mod ops;
mod read;
mod slack;
mod style;
mod teams;
mod text;
mod transitions;

pub use digest::{
    DayCounts, DigestFailure, DigestLines, DigestReport, DigestWarning, FamilyCounts, JobActivity,
    ScheduleRuns, digest_chat,
};
pub use discord::{discord_digest, discord_message};
pub use group::{
    GROUP_EVENT_TYPE, GroupMember, GroupReason, GroupReport, GroupValue, MemberError, QuietSpan,
    group_notice,
};
pub use mail::{MailContent, digest_mail, event_mail, group_mail, mail_subject};
pub use notice::{ErrorText, Fact, Notice, Route};
pub use slack::{slack_digest, slack_message};
pub use teams::{teams_digest, teams_message};

#[cfg(test)]
mod fixtures;
#[cfg(test)]
mod tests;
