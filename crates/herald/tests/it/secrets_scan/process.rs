//! The real `herald` binary with its stdout and stderr kept in a file (serve_binary sends them
//! to null), and a local OTLP collector that keeps every span it is sent: the two places a
//! secret could leave the process without being asked for.

use std::fs::File;
use std::path::PathBuf;
use std::process::{Child, Command, ExitStatus, Stdio};

use crate::support::TestApp;
use crate::support::herald_command;

/// A `herald` process whose output lands in `log`; killed when dropped.
pub struct LoggedHerald {
    child: Option<Child>,
    pub log: PathBuf,
}

/// `herald serve --target <targets>` on the test's database and prefix, `env` on top, its
/// stdout and stderr both appended to one fresh file.
pub fn serve_logged(app: &TestApp, targets: &str, env: &[(&str, &str)]) -> LoggedHerald {
    let log = std::env::temp_dir().join(format!(
        "herald-secrets-scan-{}.log",
        uuid::Uuid::now_v7().simple()
    ));
    let stdout = File::create(&log).expect("log file");
    let stderr = stdout.try_clone().expect("log file handle");
    let child = herald_command(app, targets)
        .env("RUST_LOG", "debug")
        .envs(env.iter().copied())
        .stdout(Stdio::from(stdout))
        .stderr(Stdio::from(stderr))
        .spawn()
        .expect("the herald binary starts");
    LoggedHerald {
        child: Some(child),
        log,
    }
}

impl LoggedHerald {
    /// SIGTERM, so the process drains and flushes its spans; waits for it to exit.
    pub async fn terminate(&mut self) -> ExitStatus {
        let mut child = self.child.take().expect("running");
        let pid = child.id().to_string();
        let signalled = Command::new("kill").args(["-TERM", &pid]).status();
        assert!(signalled.expect("kill runs").success());
        tokio::task::spawn_blocking(move || child.wait())
            .await
            .expect("joins")
            .expect("exits")
    }

    /// Everything the process wrote so far.
    pub fn output(&self) -> String {
        std::fs::read_to_string(&self.log).expect("the log file reads")
    }
}

impl Drop for LoggedHerald {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// A port nobody listens on right now: the binary's API must be reachable at a known address.
pub fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("addr").port()
}
