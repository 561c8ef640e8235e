use std::sync::Arc;

use tokio::io::AsyncWriteExt as _;

use super::*;

#[test]
fn retry_after_reads_seconds_and_http_dates() {
    let now = DateTime::parse_from_rfc3339("2015-10-21T07:28:00Z")
        .unwrap()
        .with_timezone(&Utc);
    assert_eq!(parse_retry_after("2", now), Some(Duration::from_secs(2)));
    assert_eq!(
        parse_retry_after("Wed, 21 Oct 2015 07:28:30 GMT", now),
        Some(Duration::from_secs(30))
    );
    assert_eq!(
        parse_retry_after("Wed, 21 Oct 2015 07:27:00 GMT", now),
        Some(Duration::ZERO)
    );
    assert_eq!(parse_retry_after("soon", now), None);
}

#[tokio::test]
async fn transport_errors_never_repeat_the_url_and_its_token() {
    let client = local_client();
    // Nothing listens on port 1.
    let outcome = client
        .send(post(
            "http://127.0.0.1:1/hook?token=SECRET123",
            Duration::from_secs(2),
        ))
        .await;
    let error = outcome.error.expect("connection refused");
    assert_eq!(error.class, ErrorClass::Connect, "{error:?}");
    assert!(!error.message.contains("SECRET123"), "{}", error.message);
}

#[tokio::test]
async fn private_targets_are_refused_unless_allowed() {
    let guarded = HttpClient::new(HttpOptions {
        targets: TargetPolicy::default(),
        ..HttpOptions::default()
    })
    .unwrap();
    for url in [
        "http://127.0.0.1:9/x",
        "http://169.254.169.254/latest/meta-data",
        "http://localhost:9/x",
        "http://[::1]:9/",
    ] {
        let outcome = guarded.send(post(url, Duration::from_secs(2))).await;
        let error = outcome.error.expect("refused");
        assert_eq!(error.class, ErrorClass::PrivateAddress, "{url}: {error:?}");
        assert_eq!(outcome.status, None);
    }
}

/// A receiver as busy as the per-target concurrency allows keeps its connections: the second
/// burst opens none.
#[tokio::test]
async fn a_burst_as_wide_as_the_pool_reuses_every_connection() {
    use axum::serve::ListenerExt as _;
    use std::sync::atomic::{AtomicUsize, Ordering};

    const WIDTH: usize = 100;
    let accepted = Arc::new(AtomicUsize::new(0));
    let counter = accepted.clone();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let listener = listener.tap_io(move |_| {
        counter.fetch_add(1, Ordering::SeqCst);
    });
    // Every request waits until the whole burst has arrived, so the burst needs WIDTH
    // connections at once.
    let barrier = Arc::new(tokio::sync::Barrier::new(WIDTH));
    let app = axum::Router::new().fallback(move || {
        let barrier = barrier.clone();
        async move {
            barrier.wait().await;
            axum::http::StatusCode::NO_CONTENT
        }
    });
    tokio::spawn(async move { axum::serve(listener, app).await });
    let client = HttpClient::new(HttpOptions {
        targets: TargetPolicy::allow_all(),
        max_idle_per_host: WIDTH,
    })
    .unwrap();
    let burst = || {
        futures::future::join_all((0..WIDTH).map(|_| {
            client.send(post(
                &format!("http://{addr}/hook"),
                Duration::from_secs(10),
            ))
        }))
    };
    for outcome in burst().await {
        assert_eq!(outcome.status, Some(204), "{:?}", outcome.error);
    }
    assert_eq!(accepted.load(Ordering::SeqCst), WIDTH);
    for outcome in burst().await {
        assert_eq!(outcome.status, Some(204), "{:?}", outcome.error);
    }
    assert_eq!(accepted.load(Ordering::SeqCst), WIDTH, "no new connection");
}

/// What reqwest did for us and the hyper client does itself: Herald's User-Agent, and
/// credentials in the URL sent as basic auth.
#[tokio::test]
async fn url_credentials_become_basic_auth_and_the_agent_is_herald() {
    let app = axum::Router::new().fallback(|headers: axum::http::HeaderMap| async move {
        let shown = |name: &str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("-")
                .to_owned()
        };
        format!("{} | {}", shown("authorization"), shown("user-agent"))
    });
    let addr = serve(app).await;
    let client = local_client();
    let outcome = client
        .send(post(
            &format!("http://ops:p%40ss@{addr}/hook"),
            Duration::from_secs(10),
        ))
        .await;
    assert_eq!(outcome.status, Some(200), "{:?}", outcome.error);
    let body = outcome.body.unwrap();
    // base64("ops:p@ss")
    assert_eq!(
        body,
        format!("Basic b3BzOnBAc3M= | Herald/{}", env!("CARGO_PKG_VERSION"))
    );
}

#[tokio::test]
async fn a_receiver_slower_than_the_timeout_is_a_timeout() {
    let app = axum::Router::new().fallback(|| async {
        tokio::time::sleep(Duration::from_secs(5)).await;
        "late"
    });
    let addr = serve(app).await;
    let client = local_client();
    let started = Instant::now();
    let outcome = client
        .send(post(
            &format!("http://{addr}/slow"),
            Duration::from_millis(300),
        ))
        .await;
    assert!(started.elapsed() < Duration::from_secs(2));
    assert_eq!(outcome.status, None);
    assert_eq!(outcome.error.map(|e| e.class), Some(ErrorClass::Timeout));
}

#[test]
fn the_excerpt_never_grows_past_its_size_when_decoded() {
    // Each invalid byte decodes to a three-byte U+FFFD.
    let binary = excerpt_text(&[0xFF; RESPONSE_EXCERPT_BYTES]);
    assert!(binary.len() <= RESPONSE_EXCERPT_BYTES, "{}", binary.len());
    // A text cut inside its last character keeps the whole characters before it.
    let mut cut = "a".repeat(RESPONSE_EXCERPT_BYTES - 1).into_bytes();
    cut.extend_from_slice(&"é".as_bytes()[..1]);
    let text = excerpt_text(&cut);
    assert_eq!(text, "a".repeat(RESPONSE_EXCERPT_BYTES - 1));
    assert_eq!(excerpt_text("héllo".as_bytes()), "héllo");
}

/// The timeout bounds the whole answer, not each read: a body sent a byte at a time ends
/// the attempt at the timeout, saying the status came and the body did not finish.
#[tokio::test]
async fn a_body_trickled_a_byte_at_a_time_ends_at_the_timeout() {
    let addr = raw_receiver(|mut socket| async move {
        let head = b"HTTP/1.1 200 OK\r\ncontent-length: 1000\r\n\r\n";
        socket.write_all(head).await?;
        loop {
            socket.write_all(b"x").await?;
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    })
    .await;
    let started = Instant::now();
    let outcome = local_client()
        .send(post(&format!("http://{addr}/"), Duration::from_millis(800)))
        .await;
    let took = started.elapsed();
    assert!(took < Duration::from_millis(1500), "{took:?}");
    let error = outcome.error.expect("a timeout");
    assert_eq!(error.class, ErrorClass::Timeout);
    assert!(error.message.contains("HTTP 200 came"), "{}", error.message);
    assert_eq!(outcome.status, None);
}

/// 100 MB of answer: the excerpt is read, the rest is not, and the connection is closed.
#[tokio::test]
async fn a_huge_body_is_read_no_further_than_the_excerpt() {
    use std::sync::atomic::{AtomicU64, Ordering};
    const SIZE: u64 = 100 * 1024 * 1024;
    let written = Arc::new(AtomicU64::new(0));
    let (done_tx, done_rx) = tokio::sync::oneshot::channel();
    let done_tx = Arc::new(std::sync::Mutex::new(Some(done_tx)));
    let counter = written.clone();
    let addr = raw_receiver(move |mut socket| {
        let counter = counter.clone();
        let done_tx = done_tx.clone();
        async move {
            let head = format!("HTTP/1.1 200 OK\r\ncontent-length: {SIZE}\r\n\r\n");
            socket.write_all(head.as_bytes()).await?;
            let chunk = vec![b'x'; 64 * 1024];
            let mut sent = 0;
            let result = async {
                while sent < SIZE {
                    socket.write_all(&chunk).await?;
                    sent += chunk.len() as u64;
                    counter.store(sent, Ordering::SeqCst);
                }
                Ok::<_, std::io::Error>(())
            }
            .await;
            if let Some(tx) = done_tx.lock().unwrap().take() {
                let _ = tx.send(());
            }
            result
        }
    })
    .await;
    let started = Instant::now();
    let outcome = local_client()
        .send(post(&format!("http://{addr}/"), Duration::from_secs(10)))
        .await;
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(outcome.status, Some(200), "{:?}", outcome.error);
    assert_eq!(outcome.body.map(|b| b.len()), Some(RESPONSE_EXCERPT_BYTES));
    tokio::time::timeout(Duration::from_secs(5), done_rx)
        .await
        .expect("the connection is closed soon after the excerpt")
        .unwrap();
    let written = written.load(Ordering::SeqCst);
    // What the kernel buffers on both sides of a loopback connection, and no more.
    assert!(
        written < 32 * 1024 * 1024,
        "the receiver wrote {written} bytes"
    );
}

/// Serves each connection with `answer` after reading the request's head.
async fn raw_receiver<F, Fut>(answer: F) -> std::net::SocketAddr
where
    F: Fn(tokio::net::TcpStream) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = std::io::Result<()>> + Send + 'static,
{
    use tokio::io::AsyncReadExt as _;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let mut head = Vec::new();
            let mut buf = [0u8; 1024];
            while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                match socket.read(&mut buf).await {
                    Ok(0) | Err(_) => break,
                    Ok(n) => head.extend_from_slice(&buf[..n]),
                }
            }
            tokio::spawn(answer(socket));
        }
    });
    addr
}

/// A client that may reach this machine, with the default pool.
fn local_client() -> HttpClient {
    HttpClient::new(HttpOptions {
        targets: TargetPolicy::allow_all(),
        ..HttpOptions::default()
    })
    .unwrap()
}

/// An empty POST to `url`.
fn post(url: &str, timeout: Duration) -> OutgoingRequest {
    OutgoingRequest {
        method: http::Method::POST,
        url: url.parse().unwrap(),
        headers: HeaderMap::new(),
        body: Bytes::new(),
        timeout,
    }
}

/// Serves `app` on a free loopback port.
async fn serve(app: axum::Router) -> std::net::SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    addr
}

mod guarded;
