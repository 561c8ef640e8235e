//! `herald`: serve targets, migrate, publish events, check configuration; and the operator
//! commands (`apply`, `subscriptions`, …), clients of the API.

mod cli;
mod rekey;

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use clap::{Parser, Subcommand};
use herald::config::Config;
use herald::publish::publish_event;
use herald::samples::{SAMPLE_TYPES, sample_event};
use herald::{App, Targets};
use herald_bus::Bus;
use herald_store::Store;

/// glibc's allocator took about a seventh of Herald's CPU under load (docs/performance.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
use herald_telemetry::TelemetryConfig;
use secrecy::ExposeSecret as _;
use tokio_util::sync::CancellationToken;

/// Exit code for a configuration error (sysexits EX_USAGE), before anything is bound.
const EXIT_CONFIG: u8 = 64;

#[derive(Parser)]
#[command(
    name = "herald",
    version,
    about = "Notifications for backup and file-transfer systems"
)]
struct Cli {
    /// TOML configuration file; HERALD_* environment variables override it.
    #[arg(long, global = true, env = "HERALD_CONFIG")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run Herald's targets (ingest, dispatcher, digest, api) in this process.
    Serve {
        /// Comma-separated targets, or `all`.
        #[arg(long, default_value = "all", value_parser = Targets::parse)]
        target: Targets,
    },
    /// Apply database migrations and exit.
    Migrate,
    /// Re-seal every stored secret under HERALD_ENCRYPTION_KEY, in batches, while Herald serves.
    Rekey {
        /// Subscriptions per batch (one short transaction each).
        #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u32).range(1..=10_000))]
        batch_size: u32,
    },
    /// Publish a sample event, or a CloudEvents JSON file, to NATS.
    Publish {
        /// Event type of a sample to publish (e.g. transfer.failed).
        #[arg(long, conflicts_with = "file")]
        sample: Option<String>,
        /// A CloudEvents JSON file to publish as it is.
        #[arg(long)]
        file: Option<PathBuf>,
        /// Tenant the event belongs to (the file's `tenant` attribute when absent, else `default`).
        #[arg(long)]
        tenant: Option<String>,
        /// How many events to publish (each sample gets its own id).
        #[arg(long, default_value_t = 1)]
        count: u32,
    },
    /// Configuration commands.
    Config {
        #[command(subcommand)]
        command: ConfigCommand,
    },
    #[command(flatten)]
    Operator(cli::Operator),
}

#[derive(Subcommand)]
enum ConfigCommand {
    /// Load and validate the configuration, then print it with secrets hidden.
    Check,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // rustls is built without a default crypto provider: install ring before any TLS client
    // (NATS, Postgres, OTLP) is built.
    let _ = rustls::crypto::ring::default_provider().install_default();
    // Operator commands talk to the API only: they need no configuration file or keys.
    let command = match cli.command {
        Command::Operator(operator) => return cli::run(operator),
        command => command,
    };
    let config = match Config::load(cli.config.as_deref()) {
        Ok(config) => config,
        Err(error) => {
            eprintln!("herald: configuration error: {error}");
            return ExitCode::from(EXIT_CONFIG);
        }
    };
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("herald: cannot start the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(command, config)) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("herald: {error:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(command: Command, config: Config) -> anyhow::Result<ExitCode> {
    match command {
        Command::Serve { target } => serve(config, target).await,
        Command::Migrate => {
            let store = connect_store(&config).await?;
            store.migrate().await.context("migration failed")?;
            println!("database migrated");
            Ok(ExitCode::SUCCESS)
        }
        Command::Rekey { batch_size } => {
            rekey::run(connect_store(&config).await?, batch_size).await
        }
        Command::Publish {
            sample,
            file,
            tenant,
            count,
        } => publish(config, sample, file, tenant, count).await,
        Command::Config {
            command: ConfigCommand::Check,
        } => {
            let checks = [
                config.require_encryption_key().map(|_| ()),
                config.require_admin_token().map(|_| ()),
            ];
            for check in checks {
                if let Err(error) = check {
                    eprintln!("herald: configuration error: {error}");
                    return Ok(ExitCode::from(EXIT_CONFIG));
                }
            }
            println!("configuration ok");
            match &config.smtp {
                Some(smtp) => println!(
                    "  smtp            {}:{} ({:?}), from {}",
                    smtp.host, smtp.port, smtp.security, smtp.from
                ),
                None => println!(
                    "  smtp            not configured: email deliveries will fail with \"SMTP is not configured\" (set HERALD_SMTP_HOST and HERALD_SMTP_FROM)"
                ),
            }
            println!("  nats_url        {}", config.nats_url);
            println!("  subject_prefix  {}", config.subject_prefix.as_str());
            println!("  api_addr        {}", config.api_addr);
            println!("  admin_addr      {}", config.admin_addr);
            println!("  stream_replicas {}", config.stream_replicas);
            println!(
                "  database_url    {}",
                redact_url(config.database_url.expose_secret())
            );
            Ok(ExitCode::SUCCESS)
        }
        // Dispatched in main before the configuration is loaded (and its own runtime cannot
        // start inside this one).
        Command::Operator(_) => {
            anyhow::bail!("operator commands run before the configuration is loaded")
        }
    }
}

async fn serve(config: Config, targets: Targets) -> anyhow::Result<ExitCode> {
    let required = [
        config.require_encryption_key().map(|_| ()),
        if targets.has(herald::Target::Api) {
            config.require_admin_token().map(|_| ())
        } else {
            Ok(())
        },
    ];
    for check in required {
        if let Err(error) = check {
            eprintln!("herald: configuration error: {error}");
            return Ok(ExitCode::from(EXIT_CONFIG));
        }
    }
    let telemetry = herald_telemetry::init(&TelemetryConfig {
        service_name: "herald".into(),
        log_format: config.log_format,
        otlp_endpoint: std::env::var("OTEL_EXPORTER_OTLP_ENDPOINT")
            .ok()
            .filter(|v| !v.is_empty()),
    })?;
    let app = App::build(&config, &targets).await?;
    let shutdown = CancellationToken::new();
    tokio::spawn(stop_on_signal(shutdown.clone()));
    let result = app.run(shutdown).await;
    telemetry.shutdown();
    result.map(|()| ExitCode::SUCCESS)
}

async fn stop_on_signal(shutdown: CancellationToken) {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = interrupt => {},
        () = terminate => {},
    }
    tracing::info!("Shutting down: finishing work in hand.");
    shutdown.cancel();
}

/// What `herald publish` sends: a file's event as it is, or a fresh sample each time.
enum Source {
    File(serde_json::Value),
    Sample(String),
}

async fn publish(
    config: Config,
    sample: Option<String>,
    file: Option<PathBuf>,
    tenant: Option<String>,
    count: u32,
) -> anyhow::Result<ExitCode> {
    let source = match &file {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read {}", path.display()))?;
            Source::File(
                serde_json::from_str(&text)
                    .with_context(|| format!("{} is not JSON", path.display()))?,
            )
        }
        None => Source::Sample(sample.unwrap_or_else(|| "transfer.failed".to_owned())),
    };
    let file_tenant = match &source {
        Source::File(event) => event
            .get("tenant")
            .and_then(|t| t.as_str())
            .map(str::to_owned),
        Source::Sample(_) => None,
    };
    let tenant = tenant
        .or(file_tenant)
        .unwrap_or_else(|| "default".to_owned());
    if let Source::Sample(kind) = &source
        && !SAMPLE_TYPES.contains(&kind.as_str())
    {
        eprintln!(
            "herald: no sample for `{kind}`; samples: {}",
            SAMPLE_TYPES.join(", ")
        );
        return Ok(ExitCode::from(EXIT_CONFIG));
    }
    let bus = Bus::connect(
        &config.nats_url,
        config.subject_prefix.clone(),
        "herald-publish",
    )
    .await?;
    for _ in 0..count {
        let event = match &source {
            Source::File(event) => event.clone(),
            Source::Sample(kind) => sample_event(
                kind,
                &tenant,
                &uuid::Uuid::now_v7().to_string(),
                chrono::Utc::now(),
            ),
        };
        let published = publish_event(&bus, &tenant, &event).await?;
        println!(
            "published {} id={} trace_id={}",
            published.subject, published.id, published.trace_id
        );
    }
    Ok(ExitCode::SUCCESS)
}

async fn connect_store(config: &Config) -> anyhow::Result<Store> {
    let key = config.require_encryption_key()?;
    Store::create_database_if_missing(config.database_url.expose_secret())
        .await
        .context("cannot create the database (HERALD_DATABASE_URL)")?;
    let store = Store::connect(config.database_url.expose_secret(), 2, key)
        .await
        .context("cannot connect to Postgres (HERALD_DATABASE_URL)")?;
    Ok(store.with_old_keys(&config.encryption_keys))
}

fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => match url[scheme + 3..at].split_once(':') {
            Some((user, _password)) => format!("{}{user}:****{}", &url[..scheme + 3], &url[at..]),
            None => url.to_owned(),
        },
        _ => url.to_owned(),
    }
}
