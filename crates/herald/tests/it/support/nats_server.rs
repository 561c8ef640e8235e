//! nats-server processes of the test's own (the installed binary, JetStream on file storage in a
//! temporary directory, free ports), for tests that kill the bus itself. A single server or a
//! three-node cluster; every process is killed and its store removed when dropped.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::Value;

const BIN: &str = "/usr/sbin/nats-server";

pub struct NatsServer {
    /// The name JetStream reports, e.g. as a stream's leader.
    pub name: String,
    pub port: u16,
    args: Vec<String>,
    dir: PathBuf,
    child: Option<Child>,
}

impl NatsServer {
    /// A single server with JetStream, listening once this returns.
    pub async fn start() -> Self {
        let mut server = Self::new(free_port(), Vec::new());
        server.spawn();
        server.wait_listening().await;
        server
    }

    fn new(port: u16, extra: Vec<String>) -> Self {
        let dir =
            std::env::temp_dir().join(format!("herald-nats-{}", uuid::Uuid::now_v7().simple()));
        std::fs::create_dir_all(&dir).expect("temporary directory");
        let name = format!("n{port}");
        let mut args: Vec<String> = ["-js", "-a", "127.0.0.1", "-p", &port.to_string()]
            .map(String::from)
            .into();
        args.extend(["-n".into(), name.clone()]);
        args.extend(["-sd".into(), dir.join("store").display().to_string()]);
        args.extend(extra);
        Self {
            name,
            port,
            args,
            dir,
            child: None,
        }
    }

    pub fn url(&self) -> String {
        format!("nats://127.0.0.1:{}", self.port)
    }

    fn spawn(&mut self) {
        let child = Command::new(BIN)
            .args(&self.args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("nats-server starts");
        self.child = Some(child);
    }

    /// `kill -9`: no flush, no goodbye to the clients or the rest of the cluster.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            child.kill().expect("kill");
            child.wait().expect("reaped");
        }
    }

    /// The same server again: same port, same name, same store directory.
    pub async fn start_again(&mut self) {
        assert!(self.child.is_none(), "still running");
        self.spawn();
        self.wait_listening().await;
    }

    async fn wait_listening(&self) {
        let address = format!("127.0.0.1:{}", self.port);
        super::eventually(Duration::from_secs(10), "nats-server listening", || async {
            tokio::net::TcpStream::connect(&address)
                .await
                .ok()
                .map(|_| ())
        })
        .await;
    }
}

impl Drop for NatsServer {
    fn drop(&mut self) {
        self.kill();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Servers joined by routes into one JetStream cluster on loopback.
pub struct NatsCluster {
    pub nodes: Vec<NatsServer>,
}

impl NatsCluster {
    /// `size` servers, returned once JetStream has elected its meta leader and answers.
    pub async fn start(size: usize) -> Self {
        let cluster_name = format!("c{}", &uuid::Uuid::now_v7().simple().to_string()[20..]);
        let cluster_ports: Vec<u16> = (0..size).map(|_| free_port()).collect();
        let routes = cluster_ports
            .iter()
            .map(|p| format!("nats://127.0.0.1:{p}"))
            .collect::<Vec<_>>()
            .join(",");
        let mut nodes = Vec::new();
        for cluster_port in &cluster_ports {
            let extra = vec![
                "--cluster".into(),
                format!("nats://127.0.0.1:{cluster_port}"),
                "--routes".into(),
                routes.clone(),
                "--cluster_name".into(),
                cluster_name.clone(),
            ];
            let mut node = NatsServer::new(free_port(), extra);
            node.spawn();
            nodes.push(node);
        }
        for node in &nodes {
            node.wait_listening().await;
        }
        let cluster = Self { nodes };
        cluster.wait_for_jetstream().await;
        cluster
    }

    /// Every server, comma-separated, as `HERALD_NATS_URL` takes them.
    pub fn urls(&self) -> String {
        let urls: Vec<String> = self.nodes.iter().map(NatsServer::url).collect();
        urls.join(",")
    }

    pub fn node_named(&mut self, name: &str) -> &mut NatsServer {
        self.nodes
            .iter_mut()
            .find(|n| n.name == name)
            .unwrap_or_else(|| panic!("no server named {name}"))
    }

    /// Until the meta leader is elected, every JetStream request is answered with an error.
    async fn wait_for_jetstream(&self) {
        let urls: Vec<String> = self.nodes.iter().map(NatsServer::url).collect();
        let client = async_nats::connect(urls.as_slice())
            .await
            .expect("the cluster");
        super::eventually(Duration::from_secs(30), "a JetStream meta leader", || {
            let client = client.clone();
            async move {
                let reply = client
                    .request("$JS.API.STREAM.NAMES", "".into())
                    .await
                    .ok()?;
                let reply: Value = serde_json::from_slice(&reply.payload).ok()?;
                reply.get("error").is_none().then_some(())
            }
        })
        .await;
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}
