//! The operator CLI: a client of Herald's API, for people (tables) and scripts (`-o json`,
//! exit codes 0 done, 1 refused by the API, 2 usage or file error, 3 API unreachable).

mod activity;
mod apply;
mod client;
mod diff;
mod error;
mod manifest;
mod resources;
mod table;
mod yaml;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Subcommand};

pub use activity::{DeliveriesCommand, EventsCommand};
use client::Client;
use error::CliError;
pub use resources::{SubscriptionsCommand, TokensCommand};
use table::Output;

/// Where the API is and how to talk to it; on every operator command.
#[derive(Args, Clone)]
pub struct ClientArgs {
    /// Base URL of Herald's API.
    #[arg(
        long,
        global = true,
        env = "HERALD_API_URL",
        default_value = "http://127.0.0.1:8080"
    )]
    api_url: String,
    /// Bearer token for the API.
    #[arg(long, global = true, env = "HERALD_TOKEN", hide_env_values = true)]
    token: Option<String>,
    /// `table` for people, `json` (the API's own JSON) for scripts.
    #[arg(short = 'o', long, global = true, value_enum, default_value = "table")]
    output: Output,
}

#[derive(Subcommand)]
pub enum Operator {
    /// Make the subscriptions of a YAML file's tenants match the file: a field the file leaves
    /// out goes back to its default, except a webhook's signing secret, which is kept.
    Apply {
        /// The file: `subscriptions: [ {tenant, name, …} ]`, fields as in the API.
        #[arg(short = 'f', long)]
        file: PathBuf,
        /// Also delete subscriptions of the file's tenants that the file does not name.
        #[arg(long)]
        prune: bool,
        /// Print what would change, and change nothing.
        #[arg(long)]
        dry_run: bool,
        #[command(flatten)]
        client: ClientArgs,
    },
    /// List, show, test and preview subscriptions.
    Subscriptions {
        #[command(subcommand)]
        command: SubscriptionsCommand,
        #[command(flatten)]
        client: ClientArgs,
    },
    /// List and show events, replay one.
    Events {
        #[command(subcommand)]
        command: EventsCommand,
        #[command(flatten)]
        client: ClientArgs,
    },
    /// List and show deliveries, retry failed ones.
    Deliveries {
        #[command(subcommand)]
        command: DeliveriesCommand,
        #[command(flatten)]
        client: ClientArgs,
    },
    /// Create, list and revoke API tokens.
    Tokens {
        #[command(subcommand)]
        command: TokensCommand,
        #[command(flatten)]
        client: ClientArgs,
    },
}

/// Runs one operator command to its exit code; it needs no configuration file, only the API.
pub fn run(operator: Operator) -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("herald: cannot start the async runtime: {error}");
            return ExitCode::from(error::EXIT_UNREACHABLE);
        }
    };
    match runtime.block_on(dispatch(operator)) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("herald: {error}");
            error.exit_code()
        }
    }
}

async fn dispatch(operator: Operator) -> Result<ExitCode, CliError> {
    match operator {
        Operator::Apply {
            file,
            prune,
            dry_run,
            client,
        } => {
            let options = apply::Options {
                file: &file,
                prune,
                dry_run,
            };
            apply::apply(&connect(&client)?, &options).await
        }
        Operator::Subscriptions { command, client } => {
            resources::subscriptions(&connect(&client)?, client.output, command).await
        }
        Operator::Events { command, client } => {
            activity::events(&connect(&client)?, client.output, command).await
        }
        Operator::Deliveries { command, client } => {
            activity::deliveries(&connect(&client)?, client.output, command).await
        }
        Operator::Tokens { command, client } => {
            resources::tokens(&connect(&client)?, client.output, command).await
        }
    }
}

fn connect(args: &ClientArgs) -> Result<Client, CliError> {
    let token = args.token.as_deref().ok_or_else(|| {
        CliError::Usage("a token is required: --token or HERALD_TOKEN".to_owned())
    })?;
    Client::new(&args.api_url, token)
}
