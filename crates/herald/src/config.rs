//! One typed configuration: defaults, then the TOML file, then `HERALD_*` variables.
//! A bad value names its key and stops the start (exit code 64) before anything is bound.

use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

use figment::Figment;
use figment::providers::{Env, Format as _, Serialized, Toml};
use herald_bus::SubjectPrefix;
use herald_channels::{Cidr, SmtpSettings, TargetPolicy};
use herald_domain::EventLimits;
use herald_store::EncryptionKey;
use herald_telemetry::LogFormat;
use secrecy::SecretString;
use serde::{Deserialize, Serialize};

/// A configuration problem, always naming the key as an operator would set it.
#[derive(Debug, thiserror::Error)]
#[error("{key}: {reason}")]
pub struct ConfigError {
    pub key: String,
    pub reason: String,
}

impl ConfigError {
    fn new(key: &str, reason: impl Into<String>) -> Self {
        Self {
            key: env_name(key),
            reason: reason.into(),
        }
    }
}

fn env_name(key: &str) -> String {
    format!("HERALD_{}", key.to_ascii_uppercase())
}

/// Every key as written in the TOML file; `HERALD_` + upper case in the environment.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct RawConfig {
    pub nats_url: String,
    pub database_url: String,
    pub database_max_connections: u32,
    pub subject_prefix: String,
    pub api_addr: String,
    pub admin_addr: String,
    pub stream_replicas: usize,
    pub metrics_per_subscription: bool,
    pub admin_token: Option<String>,
    pub encryption_key: Option<String>,
    pub encryption_keys: String,
    pub smtp_host: Option<String>,
    pub smtp_port: u16,
    pub smtp_security: String,
    pub smtp_username: Option<String>,
    pub smtp_password: Option<String>,
    pub smtp_from: Option<String>,
    pub smtp_timeout_secs: u64,
    pub allow_private_targets: bool,
    /// Comma-separated blocks deliveries may reach although special (`10.1.0.0/16`).
    pub allow_targets: String,
    pub timezone: Option<String>,
    pub log_format: String,
    pub ingest_batch_size: usize,
    pub ingest_ack_wait_secs: u64,
    pub ingest_workers: usize,
    pub max_event_bytes: usize,
    pub dispatcher_concurrency: usize,
    pub dispatcher_per_target_concurrency: usize,
    pub dispatcher_ack_wait_secs: u64,
    pub transitions_settle_secs: u64,
    pub max_deliveries: u64,
    pub secret_rotation_overlap_secs: u64,
    pub api_rate_per_second: u32,
    pub trace_url_template: Option<String>,
    pub retention_days: u32,
}

impl Default for RawConfig {
    fn default() -> Self {
        Self {
            nats_url: "nats://127.0.0.1:4222".into(),
            database_url: "postgres://postgres@127.0.0.1:5432/herald".into(),
            database_max_connections: 10,
            subject_prefix: "herald".into(),
            api_addr: "127.0.0.1:8080".into(),
            admin_addr: "127.0.0.1:8081".into(),
            stream_replicas: 1,
            metrics_per_subscription: true,
            admin_token: None,
            encryption_key: None,
            encryption_keys: String::new(),
            smtp_host: None,
            smtp_port: 587,
            smtp_security: "starttls".into(),
            smtp_username: None,
            smtp_password: None,
            smtp_from: None,
            smtp_timeout_secs: 10,
            allow_private_targets: false,
            allow_targets: String::new(),
            timezone: None,
            log_format: "json".into(),
            ingest_batch_size: 256,
            ingest_ack_wait_secs: 30,
            ingest_workers: 4,
            max_event_bytes: 1024 * 1024,
            dispatcher_concurrency: 256,
            dispatcher_per_target_concurrency: 32,
            dispatcher_ack_wait_secs: 30,
            transitions_settle_secs: 5,
            max_deliveries: 20,
            secret_rotation_overlap_secs: 86_400,
            api_rate_per_second: 50,
            trace_url_template: None,
            retention_days: 30,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Config {
    pub nats_url: String,
    pub database_url: SecretString,
    pub database_max_connections: u32,
    pub subject_prefix: SubjectPrefix,
    pub api_addr: SocketAddr,
    /// `/healthz`, `/readyz` and `/metrics` of every process, whatever its targets.
    pub admin_addr: SocketAddr,
    /// Copies JetStream keeps of each of Herald's streams.
    pub stream_replicas: usize,
    /// One series per subscription in /metrics (`herald_subscription_*`).
    pub metrics_per_subscription: bool,
    pub admin_token: Option<SecretString>,
    pub encryption_key: Option<EncryptionKey>,
    /// Earlier keys, which open secrets sealed before a key rotation and seal nothing.
    pub encryption_keys: Vec<EncryptionKey>,
    /// The relay for email; `None` when `HERALD_SMTP_HOST` is not set.
    pub smtp: Option<SmtpSettings>,
    /// What deliveries may reach: public addresses and `HERALD_ALLOW_TARGETS`, or everything
    /// when `HERALD_ALLOW_PRIVATE_TARGETS` is set.
    pub targets: TargetPolicy,
    pub timezone: Option<chrono_tz::Tz>,
    pub log_format: LogFormat,
    pub ingest_batch_size: usize,
    pub ingest_ack_wait: Duration,
    pub ingest_workers: usize,
    pub event_limits: EventLimits,
    pub dispatcher_concurrency: usize,
    pub dispatcher_per_target_concurrency: usize,
    pub dispatcher_ack_wait: Duration,
    /// How long the events of a job wait before a `transitions` subscription decides on them.
    pub transitions_settle: Duration,
    /// After this many deliveries, an event or job that still fails alone (while the database
    /// works for others) is ended: rejected, or failed, with its last error.
    pub max_deliveries: u64,
    /// How long a rotated-out webhook secret keeps signing beside the new one.
    pub secret_rotation_overlap: Duration,
    /// API requests per second per token (bursts of twice that).
    pub api_rate_per_second: u32,
    /// Where the API links each attempt's trace; none when unset.
    pub trace_url_template: Option<herald_api::TraceUrlTemplate>,
    /// Days finished events, deliveries and rejections are kept; 0 keeps them forever.
    pub retention_days: u32,
}

impl Config {
    /// Defaults, then `file` (when given), then the environment.
    pub fn load(file: Option<&Path>) -> Result<Self, ConfigError> {
        let mut figment = Figment::from(Serialized::defaults(RawConfig::default()));
        if let Some(file) = file {
            if !file.exists() {
                return Err(ConfigError {
                    key: "--config".into(),
                    reason: format!("{} does not exist", file.display()),
                });
            }
            check_file_keys(file)?;
            figment = figment.merge(Toml::file(file));
        }
        Self::from_figment(figment.merge(Env::prefixed("HERALD_")))
    }

    /// Builds the config from any figment; tests hand it a map instead of touching the environment.
    pub fn from_figment(figment: Figment) -> Result<Self, ConfigError> {
        let raw: RawConfig = figment.extract().map_err(|error| {
            let key = error
                .path
                .last()
                .cloned()
                .unwrap_or_else(|| "config".into());
            ConfigError::new(&key, error.kind.to_string())
        })?;
        raw.validate()
    }

    pub fn require_admin_token(&self) -> Result<&SecretString, ConfigError> {
        self.admin_token
            .as_ref()
            .ok_or_else(|| ConfigError::new("admin_token", "required: the API's bearer token"))
    }
}

impl RawConfig {
    fn validate(self) -> Result<Config, ConfigError> {
        let smtp = smtp::settings(&self)?;
        let allowed = Cidr::parse_list(&self.allow_targets)
            .map_err(|e| ConfigError::new("allow_targets", e.to_string()))?;
        let trace_url_template = non_empty(self.trace_url_template)
            .map(|t| herald_api::TraceUrlTemplate::parse(&t))
            .transpose()
            .map_err(|e| ConfigError::new("trace_url_template", e.to_string()))?;
        let subject_prefix = SubjectPrefix::parse(&self.subject_prefix)
            .map_err(|e| ConfigError::new("subject_prefix", e.to_string()))?;
        let api_addr = self
            .api_addr
            .parse()
            .map_err(|_| ConfigError::new("api_addr", "must be an address like 127.0.0.1:8080"))?;
        let admin_addr = self.admin_addr.parse().map_err(|_| {
            ConfigError::new("admin_addr", "must be an address like 127.0.0.1:8081")
        })?;
        if !(1..=5).contains(&self.stream_replicas) {
            return Err(ConfigError::new(
                "stream_replicas",
                "must be from 1 to 5 (3 on a NATS cluster)",
            ));
        }
        let (encryption_key, encryption_keys) =
            keys::parse(self.encryption_key, &self.encryption_keys)?;
        let timezone = non_empty(self.timezone)
            .map(|tz| tz.parse::<chrono_tz::Tz>())
            .transpose()
            .map_err(|_| {
                ConfigError::new("timezone", "must be an IANA time zone like Europe/Berlin")
            })?;
        let log_format = self
            .log_format
            .parse()
            .map_err(|_| ConfigError::new("log_format", "must be json or pretty"))?;
        if !self.nats_url.contains("://") && !self.nats_url.contains(':') {
            return Err(ConfigError::new(
                "nats_url",
                "must be a URL like nats://127.0.0.1:4222",
            ));
        }
        if !self.database_url.starts_with("postgres://")
            && !self.database_url.starts_with("postgresql://")
        {
            return Err(ConfigError::new(
                "database_url",
                "must be a postgres:// URL",
            ));
        }
        if self.database_max_connections == 0 {
            return Err(ConfigError::new(
                "database_max_connections",
                "must be at least 1",
            ));
        }
        if !(1..=10_000).contains(&self.ingest_batch_size) {
            return Err(ConfigError::new(
                "ingest_batch_size",
                "must be from 1 to 10000",
            ));
        }
        if !(1..=64).contains(&self.ingest_workers) {
            return Err(ConfigError::new("ingest_workers", "must be from 1 to 64"));
        }
        if !(1..=3600).contains(&self.ingest_ack_wait_secs) {
            return Err(ConfigError::new(
                "ingest_ack_wait_secs",
                "must be from 1 to 3600 seconds",
            ));
        }
        if !(1024..=8 * 1024 * 1024).contains(&self.max_event_bytes) {
            return Err(ConfigError::new(
                "max_event_bytes",
                "must be from 1024 to 8388608",
            ));
        }
        if !(1..=10_000).contains(&self.dispatcher_concurrency) {
            return Err(ConfigError::new(
                "dispatcher_concurrency",
                "must be from 1 to 10000",
            ));
        }
        if !(1..=self.dispatcher_concurrency).contains(&self.dispatcher_per_target_concurrency) {
            return Err(ConfigError::new(
                "dispatcher_per_target_concurrency",
                "must be from 1 to HERALD_DISPATCHER_CONCURRENCY",
            ));
        }
        if !(3..=3600).contains(&self.dispatcher_ack_wait_secs) {
            return Err(ConfigError::new(
                "dispatcher_ack_wait_secs",
                "must be from 3 to 3600 seconds",
            ));
        }
        if self.transitions_settle_secs > 600 {
            return Err(ConfigError::new(
                "transitions_settle_secs",
                "must be from 0 to 600 seconds",
            ));
        }
        if !(1..=100_000).contains(&self.api_rate_per_second) {
            return Err(ConfigError::new(
                "api_rate_per_second",
                "must be from 1 to 100000",
            ));
        }
        if !(1..=30 * 86_400).contains(&self.secret_rotation_overlap_secs) {
            return Err(ConfigError::new(
                "secret_rotation_overlap_secs",
                "must be from 1 to 2592000 seconds (30 days)",
            ));
        }
        if !(2..=10_000).contains(&self.max_deliveries) {
            return Err(ConfigError::new(
                "max_deliveries",
                "must be from 2 to 10000",
            ));
        }
        Ok(Config {
            nats_url: self.nats_url,
            database_url: SecretString::from(self.database_url),
            database_max_connections: self.database_max_connections,
            subject_prefix,
            api_addr,
            admin_addr,
            stream_replicas: self.stream_replicas,
            metrics_per_subscription: self.metrics_per_subscription,
            admin_token: non_empty(self.admin_token).map(SecretString::from),
            encryption_key,
            encryption_keys,
            smtp,
            targets: if self.allow_private_targets {
                TargetPolicy::allow_all()
            } else {
                TargetPolicy::allowing(allowed)
            },
            timezone,
            log_format,
            ingest_batch_size: self.ingest_batch_size,
            ingest_ack_wait: Duration::from_secs(self.ingest_ack_wait_secs),
            ingest_workers: self.ingest_workers,
            event_limits: EventLimits {
                max_bytes: self.max_event_bytes,
            },
            dispatcher_concurrency: self.dispatcher_concurrency,
            dispatcher_per_target_concurrency: self.dispatcher_per_target_concurrency,
            dispatcher_ack_wait: Duration::from_secs(self.dispatcher_ack_wait_secs),
            transitions_settle: Duration::from_secs(self.transitions_settle_secs),
            max_deliveries: self.max_deliveries,
            secret_rotation_overlap: Duration::from_secs(self.secret_rotation_overlap_secs),
            api_rate_per_second: self.api_rate_per_second,
            trace_url_template,
            retention_days: retention::days(self.retention_days)?,
        })
    }
}

fn non_empty(value: Option<String>) -> Option<String> {
    value.filter(|v| !v.trim().is_empty())
}

/// A misspelt key in the file would otherwise be ignored without a word.
fn check_file_keys(file: &Path) -> Result<(), ConfigError> {
    let known = serde_json::to_value(RawConfig::default())
        .map_err(|e| ConfigError::new("config", e.to_string()))?;
    let table: std::collections::BTreeMap<String, figment::value::Value> =
        Figment::from(Toml::file(file))
            .extract()
            .map_err(|e| ConfigError {
                key: file.display().to_string(),
                reason: e.to_string(),
            })?;
    match table.keys().find(|key| known.get(key.as_str()).is_none()) {
        Some(unknown) => Err(ConfigError {
            key: unknown.clone(),
            reason: format!("unknown key in {}", file.display()),
        }),
        None => Ok(()),
    }
}

mod keys;
mod retention;
mod smtp;

#[cfg(test)]
mod tests;
