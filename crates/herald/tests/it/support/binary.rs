//! The real `herald` binary, for tests that must kill or signal a process. The process is
//! killed when its handle drops, so a failing test leaves nothing running.

use std::process::{Child, Command, ExitStatus, Stdio};

use super::{ADMIN_TOKEN, ENCRYPTION_KEY, TestApp, nats_url};

pub struct Herald(Option<Child>);

/// `herald serve --target <targets>` on the test's database and prefix, with `env` on top.
pub fn serve_binary(app: &TestApp, targets: &str, env: &[(&str, &str)]) -> Herald {
    let child = herald_command(app, targets)
        .envs(env.iter().copied())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("the herald binary starts");
    Herald(Some(child))
}

/// The command `serve_binary` runs, for a test that wants the output or the process itself.
pub fn herald_command(app: &TestApp, targets: &str) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_herald"));
    command
        .args(["serve", "--target", targets])
        .env("HERALD_NATS_URL", nats_url())
        .env("HERALD_DATABASE_URL", &app.database.url)
        .env("HERALD_SUBJECT_PREFIX", app.nats.names.prefix())
        .env("HERALD_ENCRYPTION_KEY", ENCRYPTION_KEY)
        .env("HERALD_ADMIN_TOKEN", ADMIN_TOKEN)
        .env("HERALD_ALLOW_PRIVATE_TARGETS", "true")
        // Tests run in parallel: any free port, unless the test names one.
        .env("HERALD_ADMIN_ADDR", "127.0.0.1:0")
        .env("RUST_LOG", "warn");
    command
}

impl Herald {
    /// `kill -9`, and wait for it.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.0.take() {
            child.kill().expect("kill");
            child.wait().expect("reaped");
        }
    }

    /// Sends SIGTERM and waits for the process to exit.
    pub async fn terminate(mut self) -> ExitStatus {
        let mut child = self.0.take().expect("running");
        let pid = child.id().to_string();
        assert!(
            Command::new("kill")
                .args(["-TERM", &pid])
                .status()
                .expect("kill runs")
                .success()
        );
        tokio::task::spawn_blocking(move || child.wait())
            .await
            .expect("joins")
            .expect("exits")
    }
}

impl Drop for Herald {
    fn drop(&mut self) {
        if let Some(mut child) = self.0.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}
