//! Herald's chat messages: one event becomes one message a person reads in two seconds, on
//! Slack (Block Kit), Discord (an embed) or Microsoft Teams (an Adaptive Card or a legacy
//! MessageCard). [`Notice`] is the channel-neutral reading of the event; each channel renders
//! it within its platform's limits, with publisher text escaped so it can neither ping
//! anyone nor inject markup. Pure code: no I/O, no async.
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

mod discord;
mod escape;
mod family;
mod generic;
mod human;
mod mentions;
mod notice;
mod read;
mod slack;
mod style;
mod teams;
mod text;

pub use discord::discord_message;
pub use notice::{ErrorText, Fact, Notice, Route};
pub use slack::slack_message;
pub use teams::teams_message;

#[cfg(test)]
mod fixtures;
#[cfg(test)]
mod tests;
