use std::sync::Arc;

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
        allow_private_targets: false,
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
        allow_private_targets: true,
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

/// A client that may reach this machine, with the default pool.
fn local_client() -> HttpClient {
    HttpClient::new(HttpOptions {
        allow_private_targets: true,
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
