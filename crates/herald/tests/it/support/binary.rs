//! The real `herald` binary, for tests that must kill or signal a process.

use std::process::{Child, Command, ExitStatus, Stdio};

use super::{ADMIN_TOKEN, ENCRYPTION_KEY, TestApp, nats_url};

/// `herald serve --target <targets>` on the test's database and prefix, with `env` on top.
pub fn serve_binary(app: &TestApp, targets: &str, env: &[(&str, &str)]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_herald"))
        .args(["serve", "--target", targets])
        .env("HERALD_NATS_URL", nats_url())
        .env("HERALD_DATABASE_URL", &app.database.url)
        .env("HERALD_SUBJECT_PREFIX", app.nats.names.prefix())
        .env("HERALD_ENCRYPTION_KEY", ENCRYPTION_KEY)
        .env("HERALD_ADMIN_TOKEN", ADMIN_TOKEN)
        .env("HERALD_ALLOW_PRIVATE_TARGETS", "true")
        .env("RUST_LOG", "warn")
        .envs(env.iter().copied())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("the herald binary starts")
}

/// Sends SIGTERM and waits for the process to exit.
pub async fn terminate(mut child: Child) -> ExitStatus {
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
