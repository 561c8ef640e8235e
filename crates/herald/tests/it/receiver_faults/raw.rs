//! Raw TCP receivers with one fault each, recording every connection: when it was accepted,
//! when Herald closed it, and how much of the answer got out.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::tcp::OwnedWriteHalf;

use crate::support::eventually;

pub const HUGE: u64 = 100 * 1024 * 1024;
/// What the kernel may buffer on both ends of a loopback connection (autotuned socket
/// buffers reach a few MB each): a client that stopped reading lets a receiver write this
/// much and no more.
pub const KERNEL_BUFFERS: u64 = 16 * 1024 * 1024;

#[derive(Clone, Copy)]
pub enum Fault {
    /// Reads the request, never writes a byte.
    Hang,
    /// Sends a 200 head, then the body a byte a second.
    TrickleBody,
    /// Sends the status line a byte a second.
    TrickleHead,
    /// Sends 200 with a 100 MB body as fast as it is taken.
    Huge,
}

/// One connection as the receiver saw it.
#[derive(Debug, Clone, Copy)]
pub struct Connection {
    pub accepted: Instant,
    /// When Herald closed it (end of file or reset on the receiver's read side).
    pub closed: Option<Instant>,
    /// Bytes of the answer the receiver managed to write.
    pub written: u64,
}

pub struct RawReceiver {
    pub url: String,
    connections: Arc<Mutex<Vec<Connection>>>,
}

impl RawReceiver {
    pub async fn start(fault: Fault) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        let connections: Arc<Mutex<Vec<Connection>>> = Arc::default();
        let seen = connections.clone();
        tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                let index = {
                    let mut seen = seen.lock().unwrap();
                    seen.push(Connection {
                        accepted: Instant::now(),
                        closed: None,
                        written: 0,
                    });
                    seen.len() - 1
                };
                tokio::spawn(serve(socket, fault, seen.clone(), index));
            }
        });
        Self { url, connections }
    }

    pub fn connections(&self) -> Vec<Connection> {
        self.connections.lock().unwrap().clone()
    }

    /// Waits until `count` connections were accepted and Herald closed every one.
    pub async fn all_closed(&self, count: usize, within: Duration) -> Vec<Connection> {
        eventually(within, &format!("{count} connections closed"), || async {
            let seen = self.connections();
            (seen.len() >= count && seen.iter().all(|c| c.closed.is_some())).then_some(seen)
        })
        .await
    }
}

async fn serve(
    socket: tokio::net::TcpStream,
    fault: Fault,
    seen: Arc<Mutex<Vec<Connection>>>,
    index: usize,
) {
    let (mut read, write) = socket.into_split();
    let mut head = Vec::new();
    let mut buf = vec![0u8; 16 * 1024];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        match read.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => head.extend_from_slice(&buf[..n]),
        }
    }
    let counter = Arc::new(AtomicU64::new(0));
    let writer = tokio::spawn(answer(write, fault, counter.clone()));
    // The rest of the request, then the end of file that says Herald let go.
    while let Ok(n) = read.read(&mut buf).await {
        if n == 0 {
            break;
        }
    }
    let closed = Instant::now();
    writer.abort();
    let mut seen = seen.lock().unwrap();
    seen[index].closed = Some(closed);
    seen[index].written = counter.load(Ordering::SeqCst);
}

async fn answer(mut write: OwnedWriteHalf, fault: Fault, written: Arc<AtomicU64>) {
    let trickle = |bytes: &'static [u8]| bytes.iter().map(std::slice::from_ref);
    let result: std::io::Result<()> = async {
        match fault {
            Fault::Hang => std::future::pending().await,
            Fault::TrickleHead => {
                for byte in trickle(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok") {
                    write.write_all(byte).await?;
                    written.fetch_add(1, Ordering::SeqCst);
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
            }
            Fault::TrickleBody => {
                write
                    .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\n")
                    .await?;
                for byte in trickle(&[b'x'; 100]) {
                    write.write_all(byte).await?;
                    written.fetch_add(1, Ordering::SeqCst);
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
            }
            Fault::Huge => {
                let head = format!("HTTP/1.1 200 OK\r\ncontent-length: {HUGE}\r\n\r\n");
                write.write_all(head.as_bytes()).await?;
                // One 64 KiB chunk, written again and again: the test holds no 100 MB.
                let chunk = vec![b'x'; 64 * 1024];
                while written.load(Ordering::SeqCst) < HUGE {
                    write.write_all(&chunk).await?;
                    written.fetch_add(chunk.len() as u64, Ordering::SeqCst);
                }
            }
        }
        Ok(())
    }
    .await;
    drop(result);
    // Keeps the write side open: the receiver never ends the exchange itself.
    std::future::pending::<()>().await;
}
