//! A Postgres server of the test's own (the installed binaries, a temporary cluster on a free
//! port), for tests that stop or restart the database. Stopped when dropped.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// Where Debian keeps the server's binaries; `PATH` often has only the client wrappers.
const BIN: &str = "/usr/lib/postgresql/15/bin";

pub struct TestPostgres {
    dir: PathBuf,
    pub port: u16,
}

impl TestPostgres {
    pub fn start() -> Self {
        let dir = std::env::temp_dir().join(format!("herald-pg-{}", uuid::Uuid::now_v7().simple()));
        std::fs::create_dir_all(&dir).expect("temporary directory");
        // initdb and postgres refuse to run as root: hand the cluster to the postgres user.
        if is_root() {
            run(Command::new("chown").args(["postgres"]).arg(&dir));
        }
        let port = free_port();
        let data = dir.join("data");
        run(as_postgres("initdb").arg("-D").arg(&data).args([
            "-A",
            "trust",
            "-U",
            "postgres",
            "--no-sync",
            "-E",
            "UTF8",
        ]));
        let server = Self { dir, port };
        server.pg_ctl("start");
        server
    }

    pub fn url(&self, database: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{database}", self.port)
    }

    /// Stops the server at once (no checkpoint, every connection cut), as a crash would.
    pub fn stop(&self) {
        run(as_postgres("pg_ctl").arg("-D").arg(self.data()).args([
            "-m",
            "immediate",
            "-w",
            "stop",
        ]));
    }

    pub fn start_again(&self) {
        self.pg_ctl("start");
    }

    fn data(&self) -> PathBuf {
        self.dir.join("data")
    }

    fn pg_ctl(&self, action: &str) {
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=50",
            self.port,
            self.dir.display()
        );
        run(as_postgres("pg_ctl")
            .arg("-D")
            .arg(self.data())
            .arg("-l")
            .arg(self.dir.join("server.log"))
            .args(["-o", &options, "-w", action]));
    }
}

impl Drop for TestPostgres {
    fn drop(&mut self) {
        let _ = as_postgres("pg_ctl")
            .arg("-D")
            .arg(self.data())
            .args(["-m", "immediate", "-w", "stop"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| o.stdout.starts_with(b"0\n"))
        .unwrap_or(false)
}

fn as_postgres(program: &str) -> Command {
    let path = Path::new(BIN).join(program);
    if is_root() {
        let mut command = Command::new("runuser");
        command.args(["-u", "postgres", "--"]).arg(path);
        command
    } else {
        Command::new(path)
    }
}

fn run(command: &mut Command) {
    let output = command.output().expect("the command starts");
    assert!(
        output.status.success(),
        "{command:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}
