//! `herald events|deliveries …`: what Herald received and what it sent, and the two ways to
//! send again (replay an event, retry a delivery).

use std::process::ExitCode;

use clap::Subcommand;
use serde_json::{Value, json};

use super::client::Client;
use super::error::CliError;
use super::resources::{ListLimit, list, parse_since, push, show};
use super::table::{self, Column, Output};

const DELIVERY_COLUMNS: &[Column] = &[
    ("ID", "id"),
    ("STATUS", "status"),
    ("EVENT TYPE", "event_type"),
    ("SUBSCRIPTION", "subscription_id"),
    ("CHANNEL", "channel"),
    ("ATTEMPTS", "attempt_count"),
    ("CREATED", "created_at"),
    // Why it went without an attempt, or without one of its own (suppressed, grouped, failed).
    ("REASON", "failure_reason"),
];
const EVENT_COLUMNS: &[Column] = &[
    ("ID", "id"),
    ("TENANT", "tenant"),
    ("TYPE", "type"),
    ("OUTCOME", "outcome"),
    ("EVENT ID", "event_id"),
    ("RECEIVED", "received_at"),
];
const ATTEMPT_COLUMNS: &[Column] = &[
    ("NUMBER", "number"),
    ("STARTED", "started_at"),
    ("DURATION MS", "duration_ms"),
    ("STATUS CODE", "status_code"),
    ("ERROR", "error"),
];
const REPLAYED_COLUMNS: &[Column] = &[("DELIVERY", "id"), ("SUBSCRIPTION", "subscription_id")];

#[derive(Subcommand)]
pub enum EventsCommand {
    /// List events, newest first.
    List {
        #[arg(long)]
        tenant: Option<String>,
        #[arg(long = "type")]
        event_type: Option<String>,
        /// A duration before now (12h, 30m, 2d) or an RFC 3339 time.
        #[arg(long)]
        since: Option<String>,
        #[command(flatten)]
        limit: ListLimit,
    },
    /// Show one event (Herald's evt_… id or the publisher's id) and its deliveries.
    Get {
        id: String,
        #[arg(long)]
        tenant: Option<String>,
    },
    /// Deliver an event again to every subscription it matches now, or to one.
    Replay {
        id: String,
        /// Only to this subscription (sub_…), whatever its filters say.
        #[arg(long = "subscription")]
        subscription_id: Option<String>,
    },
}

#[derive(Subcommand)]
pub enum DeliveriesCommand {
    /// List deliveries, newest first.
    List {
        #[arg(long, value_parser = ["pending", "retrying", "delivered", "failed", "held", "grouped", "suppressed"])]
        status: Option<String>,
        #[arg(long = "subscription")]
        subscription_id: Option<String>,
        #[arg(long = "type")]
        event_type: Option<String>,
        #[arg(long)]
        tenant: Option<String>,
        /// A duration before now (12h, 30m, 2d) or an RFC 3339 time.
        #[arg(long)]
        since: Option<String>,
        #[command(flatten)]
        limit: ListLimit,
    },
    /// Show one delivery with every attempt.
    Get { id: String },
    /// Retry one failed delivery, or (`--failed --since 12h`) every failed one since then.
    Retry {
        #[arg(required_unless_present = "failed", conflicts_with = "failed")]
        id: Option<String>,
        #[arg(long, requires = "since")]
        failed: bool,
        /// With --failed: a duration before now (12h, 30m, 2d) or an RFC 3339 time.
        #[arg(long, requires = "failed")]
        since: Option<String>,
        /// With --failed: count what would be retried, retry nothing.
        #[arg(long, requires = "failed")]
        dry_run: bool,
    },
}

pub async fn events(
    client: &Client,
    output: Output,
    command: EventsCommand,
) -> Result<ExitCode, CliError> {
    match command {
        EventsCommand::List {
            tenant,
            event_type,
            since,
            limit,
        } => {
            let mut query = Vec::new();
            push(&mut query, "tenant", tenant);
            push(&mut query, "type", event_type);
            push(
                &mut query,
                "since",
                since.as_deref().map(parse_since).transpose()?,
            );
            list(
                client,
                output,
                "/events",
                &query,
                EVENT_COLUMNS,
                limit.max(),
            )
            .await
        }
        EventsCommand::Get { id, tenant } => {
            let mut query = Vec::new();
            push(&mut query, "tenant", tenant);
            let event = client.get(&format!("/events/{id}"), &query).await?;
            with_list(output, &event, "deliveries", DELIVERY_COLUMNS)
        }
        EventsCommand::Replay {
            id,
            subscription_id,
        } => {
            let body = match subscription_id {
                Some(subscription) => json!({ "subscription_id": subscription }),
                None => json!({}),
            };
            let answer = client.post(&format!("/events/{id}/replay"), &body).await?;
            if output == Output::Json {
                return show(output, &answer);
            }
            let deliveries = answer["deliveries"]
                .as_array()
                .map_or(&[][..], Vec::as_slice);
            if deliveries.is_empty() {
                println!("replayed {id}: no enabled subscription matches it now; nothing was sent");
            } else {
                println!("replayed {id}: {} new deliveries", deliveries.len());
                table::rows(deliveries, REPLAYED_COLUMNS);
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

pub async fn deliveries(
    client: &Client,
    output: Output,
    command: DeliveriesCommand,
) -> Result<ExitCode, CliError> {
    match command {
        DeliveriesCommand::List {
            status,
            subscription_id,
            event_type,
            tenant,
            since,
            limit,
        } => {
            let mut query = Vec::new();
            push(&mut query, "status", status);
            push(&mut query, "subscription_id", subscription_id);
            push(&mut query, "event_type", event_type);
            push(&mut query, "tenant", tenant);
            push(
                &mut query,
                "since",
                since.as_deref().map(parse_since).transpose()?,
            );
            list(
                client,
                output,
                "/deliveries",
                &query,
                DELIVERY_COLUMNS,
                limit.max(),
            )
            .await
        }
        DeliveriesCommand::Get { id } => {
            let delivery = client.get(&format!("/deliveries/{id}"), &[]).await?;
            with_list(output, &delivery, "attempts", ATTEMPT_COLUMNS)
        }
        DeliveriesCommand::Retry { id: Some(id), .. } => {
            let answer = client
                .post(&format!("/deliveries/{id}/retry"), &json!({}))
                .await?;
            if output == Output::Json {
                return show(output, &answer);
            }
            println!("{id} queued again ({})", table_text(&answer["status"]));
            Ok(ExitCode::SUCCESS)
        }
        DeliveriesCommand::Retry {
            id: None,
            since,
            dry_run,
            ..
        } => {
            let since = since.as_deref().map(parse_since).transpose()?;
            let body = json!({ "status": "failed", "since": since, "dry_run": dry_run });
            let answer = client.post("/deliveries/retry", &body).await?;
            if output == Output::Json {
                return show(output, &answer);
            }
            let count = answer["count"].as_u64().unwrap_or(0);
            let more = answer["more"].as_bool().unwrap_or(false);
            if dry_run {
                let more = if more {
                    " (and more beyond one call)"
                } else {
                    ""
                };
                println!(
                    "dry run: {count} failed deliveries would be retried{more}; nothing was changed"
                );
            } else {
                let more = if more {
                    "; more are left: run it again"
                } else {
                    ""
                };
                println!("retried {count} failed deliveries{more}");
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// An object whose `field` is a list: its other fields as a record, the list as a table.
fn with_list(
    output: Output,
    value: &Value,
    field: &str,
    columns: &[Column],
) -> Result<ExitCode, CliError> {
    if output == Output::Json {
        return show(output, value);
    }
    table::record_without(value, &[field]);
    println!();
    match value[field].as_array() {
        Some(items) if !items.is_empty() => table::rows(items, columns),
        _ => println!("no {field}"),
    }
    Ok(ExitCode::SUCCESS)
}

fn table_text(value: &Value) -> String {
    value.as_str().unwrap_or("-").to_owned()
}
