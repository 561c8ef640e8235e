//! `herald subscriptions|events|deliveries|tokens …`: thin views of the API's resources.

use std::process::ExitCode;

use clap::Subcommand;
use serde_json::{Value, json};

use super::client::Client;
use super::error::CliError;
use super::table::{self, Column, Output};

const SUBSCRIPTION_COLUMNS: &[Column] = &[
    ("ID", "id"),
    ("TENANT", "tenant"),
    ("NAME", "name"),
    ("CHANNEL", "channel"),
    ("ENABLED", "enabled"),
    ("EVENT TYPES", "event_types"),
    ("CONDITION", "condition"),
];
const DELIVERY_COLUMNS: &[Column] = &[
    ("ID", "id"),
    ("STATUS", "status"),
    ("TENANT", "tenant"),
    ("EVENT TYPE", "event_type"),
    ("SUBSCRIPTION", "subscription_id"),
    ("CHANNEL", "channel"),
    ("ATTEMPTS", "attempt_count"),
    ("CREATED", "created_at"),
];
const EVENT_COLUMNS: &[Column] = &[
    ("ID", "id"),
    ("TENANT", "tenant"),
    ("TYPE", "type"),
    ("SOURCE", "source"),
    ("TIME", "time"),
];
const TOKEN_COLUMNS: &[Column] = &[
    ("ID", "id"),
    ("TENANT", "tenant"),
    ("NAME", "name"),
    ("READ ONLY", "read_only"),
    ("CREATED", "created_at"),
];

#[derive(Subcommand)]
pub enum SubscriptionsCommand {
    /// List subscriptions (every page).
    List {
        #[arg(long)]
        tenant: Option<String>,
        #[arg(long)]
        channel: Option<String>,
        #[arg(long)]
        enabled: Option<bool>,
    },
    /// Show one subscription (secrets masked).
    Get { id: String },
    /// Send a test message through it now.
    Test { id: String },
    /// Show what a delivery of a sample or a stored event would send, without sending it.
    Preview {
        id: String,
        #[arg(long, conflicts_with = "event", required_unless_present = "event")]
        sample: Option<String>,
        #[arg(long)]
        event: Option<String>,
    },
}

#[derive(Subcommand)]
pub enum EventsCommand {
    /// List events.
    List {
        #[arg(long)]
        tenant: Option<String>,
        #[arg(long = "type")]
        event_type: Option<String>,
        /// A duration before now (12h, 30m, 2d) or an RFC 3339 time.
        #[arg(long)]
        since: Option<String>,
    },
    /// Show one event and its deliveries.
    Get {
        id: String,
        #[arg(long)]
        tenant: Option<String>,
    },
    /// Deliver an event again to its subscriptions.
    Replay { id: String },
}

#[derive(Subcommand)]
pub enum DeliveriesCommand {
    /// List deliveries.
    List {
        #[arg(long)]
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
    },
    /// Show one delivery with every attempt.
    Get { id: String },
    /// Retry one delivery, or (`--failed --since 12h`) every failed one.
    Retry {
        #[arg(required_unless_present = "failed", conflicts_with = "failed")]
        id: Option<String>,
        #[arg(long, requires = "since")]
        failed: bool,
        #[arg(long)]
        since: Option<String>,
        /// With --failed: count what would be retried, retry nothing.
        #[arg(long, requires = "failed")]
        dry_run: bool,
    },
}

#[derive(Subcommand)]
pub enum TokensCommand {
    /// Create a token; its secret is shown only this once.
    Create {
        #[arg(long)]
        tenant: String,
        #[arg(long)]
        name: String,
        #[arg(long)]
        read_only: bool,
    },
    /// List tokens.
    List,
    /// Revoke a token.
    Revoke { id: String },
}

pub async fn subscriptions(
    client: &Client,
    output: Output,
    command: SubscriptionsCommand,
) -> Result<ExitCode, CliError> {
    match command {
        SubscriptionsCommand::List {
            tenant,
            channel,
            enabled,
        } => {
            let mut query = Vec::new();
            push(&mut query, "tenant", tenant);
            push(&mut query, "channel", channel);
            push(&mut query, "enabled", enabled.map(|e| e.to_string()));
            list(
                client,
                output,
                "/subscriptions",
                &query,
                SUBSCRIPTION_COLUMNS,
            )
            .await
        }
        SubscriptionsCommand::Get { id } => show(
            output,
            &client.get(&format!("/subscriptions/{id}"), &[]).await?,
        ),
        SubscriptionsCommand::Test { id } => {
            let body = json!({});
            show(
                output,
                &client
                    .post(&format!("/subscriptions/{id}/test"), &body)
                    .await?,
            )
        }
        SubscriptionsCommand::Preview { id, sample, event } => {
            let body = match (sample, event) {
                (_, Some(event)) => json!({ "event_id": event }),
                (sample, None) => json!({ "sample": sample }),
            };
            let path = format!("/subscriptions/{id}/preview");
            show(output, &client.post(&path, &body).await?)
        }
    }
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
        } => {
            let mut query = Vec::new();
            push(&mut query, "tenant", tenant);
            push(&mut query, "type", event_type);
            push(
                &mut query,
                "since",
                since.as_deref().map(parse_since).transpose()?,
            );
            list(client, output, "/events", &query, EVENT_COLUMNS).await
        }
        EventsCommand::Get { id, tenant } => {
            let mut query = Vec::new();
            push(&mut query, "tenant", tenant);
            show(output, &client.get(&format!("/events/{id}"), &query).await?)
        }
        EventsCommand::Replay { id } => show(
            output,
            &client
                .post(&format!("/events/{id}/replay"), &json!({}))
                .await?,
        ),
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
            list(client, output, "/deliveries", &query, DELIVERY_COLUMNS).await
        }
        DeliveriesCommand::Get { id } => show(
            output,
            &client.get(&format!("/deliveries/{id}"), &[]).await?,
        ),
        DeliveriesCommand::Retry {
            id,
            failed,
            since,
            dry_run,
        } => {
            let answer = match (id, failed) {
                (Some(id), _) => {
                    client
                        .post(&format!("/deliveries/{id}/retry"), &json!({}))
                        .await?
                }
                (None, _) => {
                    let since = since.as_deref().map(parse_since).transpose()?;
                    let body = json!({ "status": "failed", "since": since, "dry_run": dry_run });
                    client.post("/deliveries/retry", &body).await?
                }
            };
            show(output, &answer)
        }
    }
}

pub async fn tokens(
    client: &Client,
    output: Output,
    command: TokensCommand,
) -> Result<ExitCode, CliError> {
    match command {
        TokensCommand::Create {
            tenant,
            name,
            read_only,
        } => {
            let body = json!({ "tenant": tenant, "name": name, "read_only": read_only });
            show(output, &client.post("/tokens", &body).await?)
        }
        TokensCommand::List => list(client, output, "/tokens", &[], TOKEN_COLUMNS).await,
        TokensCommand::Revoke { id } => {
            client.delete(&format!("/tokens/{id}")).await?;
            if output == Output::Json {
                table::json(&json!({ "id": id, "revoked": true }));
            } else {
                println!("revoked {id}");
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn push(query: &mut Vec<(&'static str, String)>, key: &'static str, value: Option<String>) {
    if let Some(value) = value {
        query.push((key, value));
    }
}

fn parse_since(text: &str) -> Result<String, CliError> {
    table::since(text).map_err(|e| CliError::Usage(format!("--since: {e}")))
}

/// Every page of a list; `-o json` prints them in the API's list shape, as one page.
async fn list(
    client: &Client,
    output: Output,
    path: &str,
    query: &[(&str, String)],
    columns: &[Column],
) -> Result<ExitCode, CliError> {
    let items = client.list_all(path, query).await?;
    match output {
        Output::Json => table::json(&json!({ "items": items, "next_cursor": Value::Null })),
        Output::Table => table::rows(&items, columns),
    }
    Ok(ExitCode::SUCCESS)
}

fn show(output: Output, value: &Value) -> Result<ExitCode, CliError> {
    match output {
        Output::Json => table::json(value),
        Output::Table => table::record(value),
    }
    Ok(ExitCode::SUCCESS)
}
