//! Wires the chosen targets over one store, one NATS connection and one metrics registry,
//! served on the admin listener (and by the API, when this process runs it).

use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Context as _;
use herald_api::{Api, ApiMetrics, AppState};
use herald_bus::{Bus, BusError, StreamSettings};
use herald_channels::{Channels, HttpClient, HttpOptions};
use herald_digest::{DigestConfig, Digester};
use herald_dispatcher::{DisabledCounter, DispatchMetrics, Dispatcher, DispatcherConfig};
use herald_ingest::{Ingest, IngestConfig};
use herald_store::{PoisonPolicy, Store};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;
use secrecy::ExposeSecret as _;
use tokio::net::TcpListener;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use crate::admin::Admin;
use crate::admin::lag::LagWatch;
use crate::config::Config;
use crate::retention::Retention;
use crate::targets::{Target, Targets};

pub struct App {
    api: Option<Api>,
    ingest: Option<Ingest>,
    dispatcher: Option<Dispatcher>,
    digest: Option<Digester>,
    retention: Option<Retention>,
    admin: Admin,
    lag: Option<LagWatch>,
    store: Store,
    bus: Bus,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct VersionLabel {
    version: &'static str,
}

/// `herald_build_info{version}`: 1, in every process.
fn register_build_info(registry: &mut Registry) {
    let info = Family::<VersionLabel, Gauge>::default();
    info.get_or_create(&VersionLabel {
        version: env!("CARGO_PKG_VERSION"),
    })
    .set(1);
    registry.register("herald_build_info", "1, labelled with the version", info);
}

impl App {
    /// Connects, migrates, creates the streams and binds the API and admin ports; nothing runs
    /// yet.
    pub async fn build(config: &Config, targets: &Targets) -> anyhow::Result<Self> {
        let key = config.require_encryption_key()?;
        let admin_listener = TcpListener::bind(config.admin_addr)
            .await
            .with_context(|| {
                format!("cannot listen on {} (HERALD_ADMIN_ADDR)", config.admin_addr)
            })?;
        Store::create_database_if_missing(config.database_url.expose_secret())
            .await
            .context("cannot create the database (HERALD_DATABASE_URL)")?;
        let store = Store::connect(
            config.database_url.expose_secret(),
            config.database_max_connections,
            key,
        )
        .await
        .context("cannot connect to Postgres (HERALD_DATABASE_URL)")?
        .with_old_keys(&config.encryption_keys);
        store
            .migrate_at_start()
            .await
            .context("database migration failed")?;
        let bus = Bus::connect(&config.nats_url, config.subject_prefix.clone(), "herald")
            .await
            .context("cannot connect to NATS (HERALD_NATS_URL)")?;
        let streams = StreamSettings {
            replicas: config.stream_replicas,
            ..StreamSettings::default()
        };
        bus.ensure_streams(&streams)
            .await
            .map_err(|error| match error {
                BusError::Replicas { .. } => anyhow::anyhow!("HERALD_STREAM_REPLICAS: {error}"),
                other => anyhow::Error::new(other).context("cannot create the JetStream streams"),
            })?;

        let mut registry = Registry::default();
        register_build_info(&mut registry);
        let disabled = if targets.has(Target::Dispatcher) || targets.has(Target::Api) {
            DisabledCounter::register(&mut registry)
        } else {
            DisabledCounter::default()
        };
        let ingest = targets.has(Target::Ingest).then(|| {
            let ingest_config = IngestConfig {
                batch_size: config.ingest_batch_size,
                ack_wait: config.ingest_ack_wait,
                workers: config.ingest_workers,
                limits: config.event_limits,
                poison: PoisonPolicy {
                    max_deliveries: config.max_deliveries,
                },
                ..IngestConfig::default()
            };
            Ingest::new(store.clone(), bus.clone(), ingest_config, &mut registry)
        });
        let http = HttpClient::new(HttpOptions {
            targets: config.targets.clone(),
            max_idle_per_host: config.dispatcher_per_target_concurrency,
        })?;
        let channels = Arc::new(
            Channels::new(http, config.smtp.as_ref())
                .context("cannot set up SMTP (HERALD_SMTP_*)")?,
        );
        let dispatcher = targets.has(Target::Dispatcher).then(|| {
            let dispatcher_config = DispatcherConfig {
                concurrency: config.dispatcher_concurrency,
                per_target: config.dispatcher_per_target_concurrency,
                ack_wait: config.dispatcher_ack_wait,
                transitions_settle: config.transitions_settle,
                poison: PoisonPolicy {
                    max_deliveries: config.max_deliveries,
                },
                ..DispatcherConfig::default()
            };
            let metrics = DispatchMetrics::register(
                &mut registry,
                config.metrics_per_subscription,
                disabled.clone(),
            );
            Dispatcher::new(
                store.clone(),
                bus.clone(),
                channels.clone(),
                dispatcher_config,
                metrics,
            )
        });
        let retention = targets
            .has(Target::Dispatcher)
            .then(|| Retention::register(store.clone(), config.retention_days, &mut registry));
        let default_timezone = config.timezone.unwrap_or(chrono_tz::Tz::UTC);
        let digest = targets.has(Target::Digest).then(|| {
            Digester::new(
                store.clone(),
                bus.clone(),
                DigestConfig {
                    default_timezone,
                    ..DigestConfig::default()
                },
            )
            .register_metrics(&mut registry)
        });
        let lag = LagWatch::register(&bus, targets, &mut registry);
        let api_metrics = targets.has(Target::Api).then(|| {
            ApiMetrics::register(&mut registry, config.metrics_per_subscription, disabled)
        });
        let registry = Arc::new(registry);
        let api = if let Some(metrics) = api_metrics {
            let state = AppState {
                store: store.clone(),
                bus: bus.clone(),
                admin_token: config.require_admin_token()?.clone(),
                channels,
                registry: registry.clone(),
                default_timezone,
                event_limits: config.event_limits,
                rotation_overlap: config.secret_rotation_overlap,
                rate_limiter: herald_api::RateLimiter::new(config.api_rate_per_second),
                metrics,
                trace_url_template: config.trace_url_template.clone(),
            };
            let api = Api::bind(config.api_addr, state).await.with_context(|| {
                format!("cannot listen on {} (HERALD_API_ADDR)", config.api_addr)
            })?;
            Some(api)
        } else {
            None
        };
        let admin = Admin::new(admin_listener, store.clone(), bus.clone(), registry);
        Ok(Self {
            api,
            ingest,
            dispatcher,
            digest,
            retention,
            admin,
            lag,
            store,
            bus,
        })
    }

    pub fn api_addr(&self) -> Option<SocketAddr> {
        self.api.as_ref().and_then(|api| api.local_addr().ok())
    }

    pub fn admin_addr(&self) -> Option<SocketAddr> {
        self.admin.local_addr().ok()
    }

    /// Runs every target until `shutdown`; a target that fails stops the others.
    pub async fn run(self, shutdown: CancellationToken) -> anyhow::Result<()> {
        let mut tasks = JoinSet::new();
        if let Some(ingest) = self.ingest {
            let token = shutdown.clone();
            tasks.spawn(async move { ingest.run(token).await.context("ingest failed") });
        }
        if let Some(dispatcher) = self.dispatcher {
            let token = shutdown.clone();
            tasks.spawn(async move {
                dispatcher.run(token).await;
                Ok(())
            });
        }
        if let Some(digest) = self.digest {
            let token = shutdown.clone();
            tasks.spawn(async move {
                digest.run(token).await;
                Ok(())
            });
        }
        if let Some(retention) = self.retention {
            let token = shutdown.clone();
            tasks.spawn(async move {
                retention.run(token).await;
                Ok(())
            });
        }
        if let Some(api) = self.api {
            let token = shutdown.clone();
            tasks.spawn(async move { api.run(token).await.context("API failed") });
        }
        if let Some(lag) = self.lag {
            let token = shutdown.clone();
            tasks.spawn(async move {
                lag.run(token).await;
                Ok(())
            });
        }
        let admin = self.admin;
        let token = shutdown.clone();
        tasks.spawn(async move { admin.run(token).await.context("admin listener failed") });
        let mut result = Ok(());
        while let Some(joined) = tasks.join_next().await {
            let outcome = joined.context("a target panicked").and_then(|r| r);
            if let Err(error) = outcome {
                shutdown.cancel();
                if result.is_ok() {
                    result = Err(error);
                }
            }
        }
        // Acks are buffered publishes: without a flush the last ones die with the process and
        // their jobs come back after a restart.
        if let Err(error) = self.bus.client().flush().await {
            tracing::warn!(%error, "Could not flush the last acks to NATS; their messages will be redelivered.");
        }
        self.store.close().await;
        result
    }
}
