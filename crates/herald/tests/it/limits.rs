//! What a request may cost, and every refusal in the one JSON error shape.

use serde_json::{Value, json};

use crate::support::{ADMIN_TOKEN, spawn_targets};

#[tokio::test]
async fn oversized_wrong_and_too_many_requests_are_refused_in_the_api_shape() {
    let app = spawn_targets("api", |c| {
        c.insert("api_rate_per_second".into(), json!(3));
    })
    .await;
    let answer = |response: reqwest::Response| async move {
        let status = response.status().as_u16();
        let retry_after = response
            .headers()
            .get("retry-after")
            .map(|v| v.to_str().unwrap().to_owned());
        let body: Value = response.json().await.expect("a JSON error body");
        (
            status,
            body["error"]["code"].as_str().unwrap().to_owned(),
            retry_after,
        )
    };
    let huge = vec![b'x'; 3 * 1024 * 1024];
    let response = app
        .http
        .post(app.url("/v1/subscriptions"))
        .bearer_auth(ADMIN_TOKEN)
        .body(huge)
        .send()
        .await
        .unwrap();
    assert_eq!(answer(response).await.0, 413);
    let response = app
        .http
        .put(app.url("/v1/subscriptions"))
        .bearer_auth(ADMIN_TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(answer(response).await.1, "method_not_allowed");
    assert_eq!(answer(app.get("/v1/nothing-here").await).await.0, 404);
    // Six a second at most for one token (a burst of twice the rate): the seventh waits.
    let mut last = (0, String::new(), None);
    for _ in 0..7 {
        let response = app.get("/v1/subscriptions").await;
        if response.status() == 200 {
            continue;
        }
        last = answer(response).await;
    }
    assert_eq!(last.0, 429, "{last:?}");
    assert_eq!(last.1, "rate_limited");
    assert_eq!(last.2.as_deref(), Some("1"));
}
