//! End-to-end tests: the real targets against the real NATS and Postgres.

// Test code: a failed expectation is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod admin;
mod api;
mod api_more;
mod chat;
mod cli;
mod crash;
mod dashboards;
mod digest;
mod digest_queries;
mod dispatch;
mod email;
mod fallback;
mod groups;
mod http_ingest;
mod ingest;
mod limits;
mod noise_options;
mod openapi;
mod operator_cli;
mod operator_cli_apply;
mod operator_cli_events;
mod ops_events;
mod outbox;
mod pagination;
mod poison;
mod quiet_hours;
mod rejections;
mod resilience;
mod rotation;
mod routing;
mod secrets;
mod support;
mod templates;
mod tokens;
mod tracing;
mod transitions;
mod upgrade;
mod webhook_options;
