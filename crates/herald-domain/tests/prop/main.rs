//! Property-based bad-input suites for the domain's parsers (issue 14): events, templates and
//! subscription documents. Each property asserts an answer, never a panic or a hang.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod events;
mod protobuf;
mod subscriptions;
mod support;
mod templates;
