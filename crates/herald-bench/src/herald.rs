//! The real `herald serve --target all` as a child process, and what /proc says about it.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use anyhow::{Context as _, bail};
use tokio::process::{Child, Command};

/// 32 bytes as hex: the benchmark's secrets are thrown away with its database.
const ENCRYPTION_KEY: &str = "6265e8c1a0f34d7b9c2e5a4f8d1b3c7e0a9f6d2c4b8e1a3f5c7d9e0b2a4c6e8f";
pub const ADMIN_TOKEN: &str = "bench";

pub struct HeraldSettings<'a> {
    pub binary: &'a Path,
    pub database_url: &'a str,
    pub nats_url: &'a str,
    pub subject_prefix: &'a str,
    pub rust_log: &'a str,
    pub extra_env: &'a [(String, String)],
    pub log: &'a Path,
}

pub struct Herald {
    child: Child,
    pid: u32,
    pub api: String,
    pub log: PathBuf,
}

impl Herald {
    pub fn spawn(settings: &HeraldSettings<'_>) -> anyhow::Result<Self> {
        let port = free_port()?;
        if let Some(dir) = settings.log.parent() {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create {}", dir.display()))?;
        }
        let log = std::fs::File::create(settings.log)
            .with_context(|| format!("cannot create {}", settings.log.display()))?;
        let log_err = log.try_clone().context("cannot share the log file")?;
        let mut command = Command::new(settings.binary);
        command.args(["serve", "--target", "all"]);
        // Only what the benchmark sets: a HERALD_* of the caller's shell would change the run.
        for (key, _) in std::env::vars_os() {
            let inherited = key.to_string_lossy();
            if inherited.starts_with("HERALD_") || inherited.starts_with("OTEL_") {
                command.env_remove(&key);
            }
        }
        command
            .env("HERALD_DATABASE_URL", settings.database_url)
            .env("HERALD_NATS_URL", settings.nats_url)
            .env("HERALD_SUBJECT_PREFIX", settings.subject_prefix)
            .env("HERALD_API_ADDR", format!("127.0.0.1:{port}"))
            // Any free port: a herald of `make run` may hold the default one.
            .env("HERALD_ADMIN_ADDR", "127.0.0.1:0")
            .env("HERALD_ADMIN_TOKEN", ADMIN_TOKEN)
            .env("HERALD_ENCRYPTION_KEY", ENCRYPTION_KEY)
            .env("HERALD_ALLOW_PRIVATE_TARGETS", "true")
            .env("RUST_LOG", settings.rust_log)
            .envs(settings.extra_env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::null())
            .stdout(Stdio::from(log))
            .stderr(Stdio::from(log_err))
            .kill_on_drop(true);
        let child = command
            .spawn()
            .with_context(|| format!("cannot start {}", settings.binary.display()))?;
        let pid = child.id().context("herald exited at once")?;
        Ok(Self {
            child,
            pid,
            api: format!("http://127.0.0.1:{port}"),
            log: settings.log.to_owned(),
        })
    }

    pub fn pid(&self) -> u32 {
        self.pid
    }

    /// Fails when Herald has exited (it never should before the benchmark stops it).
    pub fn check_alive(&mut self) -> anyhow::Result<()> {
        if let Some(status) = self.child.try_wait().context("herald's status")? {
            bail!("herald exited early ({status}); see {}", self.log.display());
        }
        Ok(())
    }

    /// Waits until `GET /readyz` answers 200.
    pub async fn wait_ready(
        &mut self,
        http: &reqwest::Client,
        within: Duration,
    ) -> anyhow::Result<()> {
        let deadline = tokio::time::Instant::now() + within;
        let url = format!("{}/readyz", self.api);
        loop {
            self.check_alive()?;
            if let Ok(response) = http.get(&url).send().await
                && response.status() == reqwest::StatusCode::OK
            {
                return Ok(());
            }
            if tokio::time::Instant::now() >= deadline {
                bail!(
                    "herald was not ready within {}s ({url}); see {}",
                    within.as_secs(),
                    self.log.display()
                );
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Peak resident set size so far (VmHWM), in MiB.
    pub fn peak_rss_mib(&self) -> anyhow::Result<f64> {
        let path = format!("/proc/{}/status", self.pid);
        let status =
            std::fs::read_to_string(&path).with_context(|| format!("cannot read {path}"))?;
        let kib: f64 = status
            .lines()
            .find_map(|line| line.strip_prefix("VmHWM:"))
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|kib| kib.parse().ok())
            .with_context(|| format!("no VmHWM in {path}"))?;
        Ok(kib / 1024.0)
    }

    /// SIGTERM, then waits for Herald to drain and exit (SIGKILL after `within`).
    pub async fn stop(mut self, within: Duration) -> anyhow::Result<()> {
        if self.child.try_wait().context("herald's status")?.is_some() {
            bail!(
                "herald had exited before it was stopped; see {}",
                self.log.display()
            );
        }
        let status = std::process::Command::new("kill")
            .args(["-TERM", &self.pid.to_string()])
            .status()
            .context("cannot run kill -TERM")?;
        if !status.success() {
            bail!("kill -TERM {} failed ({status})", self.pid);
        }
        match tokio::time::timeout(within, self.child.wait()).await {
            Ok(Ok(status)) if status.success() => Ok(()),
            Ok(Ok(status)) => bail!(
                "herald exited with {status} after SIGTERM; see {}",
                self.log.display()
            ),
            Ok(Err(error)) => Err(error).context("waiting for herald"),
            Err(_) => {
                let _ = self.child.kill().await;
                bail!(
                    "herald did not stop within {}s of SIGTERM and was killed; see {}",
                    within.as_secs(),
                    self.log.display()
                )
            }
        }
    }
}

/// A port that was free a moment ago: bound on :0, then released for Herald to take.
fn free_port() -> anyhow::Result<u16> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").context("cannot bind 127.0.0.1:0")?;
    let port = listener.local_addr().context("local address")?.port();
    drop(listener);
    Ok(port)
}
