//! `herald subscriptions|tokens …`: thin views of the API's resources, and the list and
//! show helpers every resource command uses.

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
pub enum TokensCommand {
    /// Create a token; its secret is shown only this once.
    Create {
        /// The one tenant the token sees and changes.
        #[arg(long)]
        tenant: String,
        /// What the token is for (a CI job, a team), shown in lists.
        #[arg(long)]
        name: String,
        /// The token may read but not change anything (403 on every change).
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
                None,
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
        TokensCommand::List => list(client, output, "/tokens", &[], TOKEN_COLUMNS, None).await,
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

pub(super) fn push(
    query: &mut Vec<(&'static str, String)>,
    key: &'static str,
    value: Option<String>,
) {
    if let Some(value) = value {
        query.push((key, value));
    }
}

pub(super) fn parse_since(text: &str) -> Result<String, CliError> {
    table::since(text).map_err(|e| CliError::Usage(format!("--since: {e}")))
}

/// The pages of a list up to `max` items (all with `None`); `-o json` prints them in the
/// API's list shape, as one page whose `next_cursor` continues where it stopped.
pub(super) async fn list(
    client: &Client,
    output: Output,
    path: &str,
    query: &[(&str, String)],
    columns: &[Column],
    max: Option<usize>,
) -> Result<ExitCode, CliError> {
    let (items, next_cursor) = client.list_up_to(path, query, max).await?;
    match output {
        Output::Json => table::json(&json!({ "items": items, "next_cursor": next_cursor })),
        Output::Table if items.is_empty() => eprintln!("nothing matches"),
        Output::Table => {
            table::rows(&items, columns);
            if next_cursor.is_some() {
                eprintln!(
                    "showing the newest {}; --limit N or --all for more",
                    items.len()
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `--limit N` and `--all` of a list of events or deliveries, which may hold millions.
#[derive(clap::Args, Debug, Clone, Copy)]
pub struct ListLimit {
    /// Most items to show, newest first.
    #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u32).range(1..))]
    limit: u32,
    /// Every item, however many.
    #[arg(long, conflicts_with = "limit")]
    all: bool,
}

impl ListLimit {
    pub(super) fn max(self) -> Option<usize> {
        (!self.all).then_some(self.limit as usize)
    }
}

pub(super) fn show(output: Output, value: &Value) -> Result<ExitCode, CliError> {
    match output {
        Output::Json => table::json(value),
        Output::Table => table::record(value),
    }
    Ok(ExitCode::SUCCESS)
}
