//! The SSRF guard through the real client: refused targets are never connected to, names
//! are checked on the very answer connected to, and a redirect is an answer, not a hop.

use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicUsize, Ordering};

use super::*;
use crate::guard::Cidr;

#[tokio::test]
async fn loopback_in_any_spelling_is_refused_without_a_connection() {
    let (addr, accepted) = counting_listener("127.0.0.1:0").await;
    let port = addr.port();
    let client = HttpClient::new(HttpOptions::default()).unwrap();
    for url in [
        format!("http://localhost:{port}/hook"),
        format!("http://127.0.0.1:{port}/hook"),
        format!("http://2130706433:{port}/hook"),
        format!("http://0x7f.1:{port}/hook"),
        format!("http://0177.0.0.1:{port}/hook"),
        format!("http://[::ffff:127.0.0.1]:{port}/hook"),
    ] {
        let outcome = client.send(post(&url, Duration::from_secs(2))).await;
        let error = outcome.error.expect("refused");
        assert_eq!(error.class, ErrorClass::PrivateAddress, "{url}: {error:?}");
        assert!(
            error.message.contains("a loopback address (127.0.0.0/8)"),
            "{url}: {}",
            error.message
        );
        assert_eq!(outcome.status, None);
    }
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert_eq!(accepted.load(Ordering::SeqCst), 0, "no connection was made");
}

#[tokio::test]
async fn an_allowed_range_opens_loopback_and_nothing_else() {
    let addr = serve(axum::Router::new().fallback(|| async { "ok" })).await;
    let client = HttpClient::with_lookup(
        HttpOptions {
            targets: TargetPolicy::allowing(Cidr::parse_list("127.0.0.0/8").unwrap()),
            ..HttpOptions::default()
        },
        // A name with private neighbours: only the allowed address is tried.
        scripted(vec![vec!["10.0.0.1", "::1", "127.0.0.1"]]).0,
    )
    .unwrap();
    let port = addr.port();
    for url in [
        format!("http://127.0.0.1:{port}/hook"),
        format!("http://receiver.test:{port}/hook"),
    ] {
        let outcome = client.send(post(&url, Duration::from_secs(5))).await;
        assert_eq!(outcome.status, Some(200), "{url}: {:?}", outcome.error);
    }
    for url in [
        "http://10.0.0.1/hook",
        "http://[::1]:9/",
        "http://169.254.169.254/",
    ] {
        let outcome = client.send(post(url, Duration::from_secs(2))).await;
        let error = outcome.error.expect("refused");
        assert_eq!(error.class, ErrorClass::PrivateAddress, "{url}: {error:?}");
    }
}

/// DNS rebinding: the name first answers an allowed address, then a refused one. Each new
/// connection looks the name up once and connects to what that lookup allowed, so the second
/// answer is refused and its listener never sees a connection.
#[tokio::test]
async fn a_changed_dns_answer_is_checked_again_and_never_connected_to() {
    let allowed = serve(axum::Router::new().fallback(|| async { "ok" })).await;
    let port = allowed.port();
    // The refused address listens on the same port, so a slip would reach it.
    let (_, refused_accepted) = counting_listener(&format!("127.0.0.2:{port}")).await;
    let (lookup, lookups) = scripted(vec![
        vec!["127.0.0.1"],
        vec!["127.0.0.2"],
        vec!["127.0.0.2", "127.0.0.1"],
    ]);
    let client = HttpClient::with_lookup(
        HttpOptions {
            targets: TargetPolicy::allowing(Cidr::parse_list("127.0.0.1").unwrap()),
            // No pooled connection: every request connects, and so looks the name up.
            max_idle_per_host: 0,
        },
        lookup,
    )
    .unwrap();
    let url = format!("http://rebind.test:{port}/hook");

    let first = client.send(post(&url, Duration::from_secs(5))).await;
    assert_eq!(first.status, Some(200), "{:?}", first.error);

    let rebound = client.send(post(&url, Duration::from_secs(5))).await;
    let error = rebound.error.expect("the rebound answer is refused");
    assert_eq!(error.class, ErrorClass::PrivateAddress, "{error:?}");
    assert!(
        error.message.contains(
            "rebind.test resolves to no allowed address: 127.0.0.2 is a loopback address"
        ),
        "{}",
        error.message
    );

    let mixed = client.send(post(&url, Duration::from_secs(5))).await;
    assert_eq!(mixed.status, Some(200), "{:?}", mixed.error);

    assert_eq!(
        lookups.load(Ordering::SeqCst),
        3,
        "one lookup per connection"
    );
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert_eq!(refused_accepted.load(Ordering::SeqCst), 0);
}

/// Even where the client may go, it does not follow: the 302 is the answer recorded.
#[tokio::test]
async fn a_redirect_is_recorded_as_the_answer_and_not_followed() {
    let (elsewhere, followed) = counting_listener("127.0.0.1:0").await;
    for location in [
        format!("http://{elsewhere}/inside"),
        "http://10.0.0.1/".to_owned(),
        "http://169.254.169.254/latest/meta-data".to_owned(),
    ] {
        let to = location.clone();
        let app = axum::Router::new().fallback(move || {
            let to = to.clone();
            async move { (axum::http::StatusCode::FOUND, [("location", to)], "moved") }
        });
        let addr = serve(app).await;
        let outcome = local_client()
            .send(post(&format!("http://{addr}/hook"), Duration::from_secs(5)))
            .await;
        assert_eq!(outcome.status, Some(302), "{:?}", outcome.error);
        assert_eq!(outcome.header("location"), Some(location.as_str()));
        assert_eq!(outcome.body.as_deref(), Some("moved"));
    }
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert_eq!(followed.load(Ordering::SeqCst), 0, "no redirect followed");
}

/// A listener that only counts the connections it is offered.
async fn counting_listener(at: &str) -> (SocketAddr, Arc<AtomicUsize>) {
    let listener = tokio::net::TcpListener::bind(at).await.unwrap();
    let addr = listener.local_addr().unwrap();
    let accepted = Arc::new(AtomicUsize::new(0));
    let counter = accepted.clone();
    tokio::spawn(async move {
        while listener.accept().await.is_ok() {
            counter.fetch_add(1, Ordering::SeqCst);
        }
    });
    (addr, accepted)
}

/// A resolver giving these answers in turn (the last one again once they run out), and how
/// many times it was asked.
fn scripted(answers: Vec<Vec<&str>>) -> (Lookup, Arc<AtomicUsize>) {
    let answers: Vec<Vec<SocketAddr>> = answers
        .into_iter()
        .map(|ips| {
            ips.into_iter()
                .map(|ip| SocketAddr::new(ip.parse::<IpAddr>().unwrap(), 0))
                .collect()
        })
        .collect();
    let asked = Arc::new(AtomicUsize::new(0));
    let counter = asked.clone();
    let lookup: Lookup = Arc::new(move |_name| {
        let turn = counter.fetch_add(1, Ordering::SeqCst);
        let answer = answers[turn.min(answers.len() - 1)].clone();
        Box::pin(async move { Ok(answer) })
    });
    (lookup, asked)
}
