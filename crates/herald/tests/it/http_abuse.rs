//! Malformed and hostile HTTP against the API: oversized heads are refused at once, heads and
//! bodies sent a byte at a time are cut, and none of it, nor a flood of idle connections,
//! keeps a normal client from its answers. Raw TCP, so the abuse is exactly these bytes.

use std::time::{Duration, Instant};

use herald_api::{HEADER_READ_TIMEOUT, MAX_HEADERS, REQUEST_TIMEOUT};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpStream;

use crate::support::{ADMIN_TOKEN, TestApp, spawn_app};

/// How long a well-behaved request may take while the API is being abused.
const PROMPT: Duration = Duration::from_secs(2);

fn addr(base: &str) -> String {
    base.trim_start_matches("http://").to_owned()
}

/// A normal client gets its answers promptly.
async fn still_serving(app: &TestApp) {
    for path in ["/healthz", "/v1/me"] {
        let started = Instant::now();
        let response = tokio::time::timeout(PROMPT, app.get(path))
            .await
            .unwrap_or_else(|_| panic!("{path} took longer than {PROMPT:?}"));
        assert_eq!(response.status(), 200, "{path}");
        assert!(
            started.elapsed() < PROMPT,
            "{path}: {:?}",
            started.elapsed()
        );
    }
}

/// Writes `request` (the writing may fail: the server is free to stop reading) and returns
/// what came back before the connection closed, and when it closed.
async fn exchange(addr: &str, request: Vec<u8>) -> (String, Duration) {
    let started = Instant::now();
    let stream = TcpStream::connect(addr).await.unwrap();
    let (mut read, mut write) = stream.into_split();
    let writer = tokio::spawn(async move {
        let _ = write.write_all(&request).await;
        // Held open: the server, not this client, ends the exchange.
        std::future::pending::<()>().await;
        drop(write);
    });
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(30), read.read_to_end(&mut answer)).await;
    writer.abort();
    (
        String::from_utf8_lossy(&answer).into_owned(),
        started.elapsed(),
    )
}

fn head_with(lines: impl IntoIterator<Item = String>) -> Vec<u8> {
    let mut head = String::from("GET /healthz HTTP/1.1\r\nhost: herald\r\n");
    for line in lines {
        head.push_str(&line);
        head.push_str("\r\n");
    }
    head.push_str("\r\n");
    head.into_bytes()
}

#[tokio::test]
async fn oversized_heads_are_refused_at_once_and_the_api_keeps_serving() {
    let app = spawn_app().await;
    let api = addr(&app.api);

    let many = head_with((0..MAX_HEADERS + 50).map(|i| format!("x-many-{i}: 1")));
    let (answer, took) = exchange(&api, many).await;
    assert!(answer.starts_with("HTTP/1.1 431"), "{answer}");
    assert!(took < PROMPT, "{took:?}");

    // One 100 KiB header, and a megabyte of header lines: the server stops reading at
    // MAX_HEAD_BYTES, and closing with the rest unread resets the connection, so the client
    // may see its 431 or only the connection closing under it.
    let long = head_with([format!("x-long: {}", "a".repeat(100 * 1024))]);
    let huge = head_with((0..1024).map(|i| format!("x-pad-{i}: {}", "b".repeat(1000))));
    for head in [long, huge] {
        let (answer, took) = exchange(&api, head).await;
        assert!(
            answer.is_empty() || answer.starts_with("HTTP/1.1 431"),
            "{answer}"
        );
        assert!(took < PROMPT, "{took:?}");
    }
    still_serving(&app).await;
}

/// Opens a connection that sends a request head a byte every `gap`, and reports how long
/// the server let it live.
async fn slowloris(addr: String, gap: Duration) -> Duration {
    let started = Instant::now();
    let stream = TcpStream::connect(&addr).await.unwrap();
    let (mut read, mut write) = stream.into_split();
    let writer = tokio::spawn(async move {
        let head = b"GET /healthz HTTP/1.1\r\nhost: herald\r\nx-slow: aaaaaaaaaaaaaaaaaaaaaaaa";
        for byte in head.iter().chain(std::iter::repeat(&b'a')) {
            if write.write_all(std::slice::from_ref(byte)).await.is_err() {
                break;
            }
            tokio::time::sleep(gap).await;
        }
    });
    let mut rest = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(60), read.read_to_end(&mut rest)).await;
    writer.abort();
    started.elapsed()
}

#[tokio::test]
async fn slowloris_connections_are_cut_after_the_header_read_timeout() {
    let app = spawn_app().await;
    let mut cuts = Vec::new();
    for _ in 0..5 {
        cuts.push(tokio::spawn(slowloris(
            addr(&app.api),
            Duration::from_secs(2),
        )));
    }
    // The admin listener (health probes, metrics) has the same limits.
    let admin = tokio::spawn(slowloris(addr(&app.admin), Duration::from_secs(2)));
    let started = Instant::now();
    while cuts.iter().any(|c| !c.is_finished()) && started.elapsed() < Duration::from_secs(30) {
        still_serving(&app).await;
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    cuts.push(admin);
    for cut in cuts {
        let lived = cut.await.unwrap();
        eprintln!("a slowloris connection was cut after {lived:?}");
        assert!(lived >= HEADER_READ_TIMEOUT, "{lived:?}");
        assert!(
            lived < HEADER_READ_TIMEOUT + Duration::from_secs(3),
            "{lived:?}"
        );
    }
}

#[tokio::test]
async fn a_body_trickled_a_byte_at_a_time_is_cut_at_the_request_timeout() {
    let app = spawn_app().await;
    let stream = TcpStream::connect(addr(&app.api)).await.unwrap();
    let (mut read, mut write) = stream.into_split();
    let started = Instant::now();
    let writer = tokio::spawn(async move {
        let head = format!(
            "POST /v1/subscriptions HTTP/1.1\r\nhost: herald\r\nauthorization: Bearer \
             {ADMIN_TOKEN}\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n{{"
        );
        if write.write_all(head.as_bytes()).await.is_err() {
            return;
        }
        while write.write_all(b" ").await.is_ok() {
            tokio::time::sleep(Duration::from_secs(2)).await;
        }
    });
    still_serving(&app).await;
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(60), read.read_to_end(&mut answer)).await;
    let lived = started.elapsed();
    writer.abort();
    let answer = String::from_utf8_lossy(&answer);
    eprintln!("a trickled body was cut after {lived:?}");
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    let limit = REQUEST_TIMEOUT;
    assert!(lived >= limit, "{lived:?}");
    assert!(lived < limit + Duration::from_secs(5), "{lived:?}");
    still_serving(&app).await;
}

#[tokio::test]
async fn a_flood_of_idle_connections_does_not_stop_normal_requests() {
    let app = spawn_app().await;
    let api = addr(&app.api);
    let mut idle = Vec::new();
    for _ in 0..500 {
        idle.push(TcpStream::connect(&api).await.unwrap());
    }
    let opened = Instant::now();
    for _ in 0..5 {
        still_serving(&app).await;
    }
    // And each idle one is let go once it has had its time to send a head.
    let closed = futures::future::join_all(idle.iter_mut().map(|stream| async move {
        let mut rest = Vec::new();
        tokio::time::timeout(Duration::from_secs(30), stream.read_to_end(&mut rest))
            .await
            .is_ok()
    }))
    .await;
    let took = opened.elapsed();
    assert!(closed.iter().all(|c| *c), "every idle connection is closed");
    assert!(
        took < HEADER_READ_TIMEOUT + Duration::from_secs(5),
        "{took:?}"
    );
    still_serving(&app).await;
}
