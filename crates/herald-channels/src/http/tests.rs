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
    let _ = rustls::crypto::ring::default_provider().install_default();
    let client = HttpClient::new(HttpOptions {
        allow_private_targets: true,
    })
    .unwrap();
    // Nothing listens on port 1.
    let outcome = client
        .send(OutgoingRequest {
            method: reqwest::Method::POST,
            url: "http://127.0.0.1:1/hook?token=SECRET123".parse().unwrap(),
            headers: HeaderMap::new(),
            body: Bytes::new(),
            timeout: Duration::from_secs(2),
        })
        .await;
    let error = outcome.error.expect("connection refused");
    assert_eq!(error.class, "connect", "{error:?}");
    assert!(!error.message.contains("SECRET123"), "{}", error.message);
}

#[tokio::test]
async fn private_targets_are_refused_unless_allowed() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let guarded = HttpClient::new(HttpOptions {
        allow_private_targets: false,
    })
    .unwrap();
    for url in [
        "http://127.0.0.1:9/x",
        "http://169.254.169.254/latest/meta-data",
        "http://localhost:9/x",
        "http://[::1]:9/",
    ] {
        let outcome = guarded
            .send(OutgoingRequest {
                method: reqwest::Method::POST,
                url: url.parse().unwrap(),
                headers: HeaderMap::new(),
                body: Bytes::new(),
                timeout: Duration::from_secs(2),
            })
            .await;
        let error = outcome.error.expect("refused");
        assert_eq!(error.class, "private_address", "{url}: {error:?}");
        assert_eq!(outcome.status, None);
    }
}
