//! The api target serves the web console's files, embedded at build time: without a token,
//! with a strict Content-Security-Policy, never outside the embedded set; and the API lets no
//! other origin use a token (no CORS headers at all).

use std::time::Duration;

use reqwest::header;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

use crate::support::{TestApp, spawn_app};

const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
    img-src 'self' data:; connect-src 'self'; font-src 'self'; frame-src 'self'; \
    object-src 'none'; base-uri 'none'; frame-ancestors 'self'; form-action 'self'";

fn assert_console_headers(response: &reqwest::Response) {
    let headers = response.headers();
    assert_eq!(headers[header::CONTENT_SECURITY_POLICY], CSP);
    assert_eq!(headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    assert_eq!(headers[header::REFERRER_POLICY], "no-referrer");
}

/// The answer's status line to `path` sent as is, unlike a URL client, which would resolve
/// `..` (and `%2e%2e`) before sending.
async fn raw_status(app: &TestApp, path: &str) -> String {
    let address = app.api.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
    let request = format!("GET {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut answer))
        .await
        .unwrap()
        .unwrap();
    let answer = String::from_utf8_lossy(&answer);
    answer.lines().next().unwrap_or_default().to_owned()
}

#[tokio::test]
async fn the_page_and_its_files_are_served_without_a_token_with_their_types() {
    let app = spawn_app().await;
    let page = app.http.get(app.url("/")).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert_console_headers(&page);
    assert_eq!(page.headers()[header::CACHE_CONTROL], "no-cache");
    assert!(
        page.headers()[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let etag = page.headers()[header::ETAG].clone();
    assert!(page.text().await.unwrap().contains("<html"));

    let again = app
        .http
        .get(app.url("/console/index.html"))
        .header(header::IF_NONE_MATCH, etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 304, "an unchanged file is not sent again");
    assert_console_headers(&again);

    let script = app
        .http
        .get(app.url("/console/js/main.js"))
        .send()
        .await
        .unwrap();
    assert_eq!(script.status(), 200);
    assert_console_headers(&script);
    let kind = script.headers()[header::CONTENT_TYPE].to_str().unwrap();
    assert!(kind.contains("javascript"), "{kind}");
    let icon = app
        .http
        .get(app.url("/console/favicon.svg"))
        .send()
        .await
        .unwrap();
    assert_eq!(icon.headers()[header::CONTENT_TYPE], "image/svg+xml");
}

#[tokio::test]
async fn an_unknown_file_is_a_404_and_no_path_leaves_the_embedded_files() {
    let app = spawn_app().await;
    let missing = app
        .http
        .get(app.url("/console/no-such-file.js"))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
    assert_console_headers(&missing);
    for path in [
        "/console/../Cargo.toml",
        "/console/../../Cargo.toml",
        "/console/%2e%2e/%2e%2e/Cargo.toml",
        "/console/..%2f..%2fCargo.toml",
        "/console//etc/passwd",
        "/console/js/../../../../../../etc/passwd",
    ] {
        let status = raw_status(&app, path).await;
        assert!(
            status.contains(" 404 ") || status.contains(" 400 "),
            "{path}: {status}"
        );
    }
}

#[tokio::test]
async fn console_requests_are_one_metrics_route() {
    let app = spawn_app().await;
    app.http.get(app.url("/")).send().await.unwrap();
    app.http
        .get(app.url("/console/js/main.js"))
        .send()
        .await
        .unwrap();
    let text = app.admin_metrics().await;
    assert!(
        text.lines()
            .any(|l| l
                == r#"herald_api_requests_total{method="GET",route="console",status="200"} 2"#),
        "{text}"
    );
    assert!(!text.contains("route=\"/console/"), "{text}");
}

#[tokio::test]
async fn no_origin_is_allowed_to_use_a_token() {
    let app = spawn_app().await;
    let preflight = app
        .http
        .request(reqwest::Method::OPTIONS, app.url("/v1/subscriptions"))
        .header(header::ORIGIN, "https://evil.example.com")
        .header(header::ACCESS_CONTROL_REQUEST_METHOD, "GET")
        .header(header::ACCESS_CONTROL_REQUEST_HEADERS, "authorization")
        .send()
        .await
        .unwrap();
    let read = app
        .http
        .get(app.url("/v1/subscriptions"))
        .bearer_auth(crate::support::ADMIN_TOKEN)
        .header(header::ORIGIN, "https://evil.example.com")
        .send()
        .await
        .unwrap();
    assert_eq!(read.status(), 200);
    for response in [&preflight, &read] {
        let cors: Vec<_> = response
            .headers()
            .keys()
            .filter(|name| name.as_str().starts_with("access-control-"))
            .collect();
        assert!(cors.is_empty(), "{cors:?}");
    }
    // A preflight carries no token: refused like any other tokenless /v1 request.
    assert_eq!(preflight.status(), 401);
}
