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

#[tokio::test]
async fn a_misspelt_query_parameter_is_named_not_ignored() {
    let app = spawn_targets("api", |_| {}).await;
    for path in [
        "/v1/subscriptions?limt=5",
        "/v1/events?tpye=backup.failed",
        "/v1/deliveries?status=failed&sinse=2026-11-01T00:00:00Z",
        "/v1/rejections?tennant=acme",
        "/v1/tokens?page=2",
    ] {
        let response = app.get(path).await;
        assert_eq!(response.status(), 422, "{path}");
        let body: Value = response.json().await.unwrap();
        let fields = body["error"]["fields"].as_object().unwrap();
        assert_eq!(fields.len(), 1, "{path}: {body}");
        let (name, why) = fields.iter().next().unwrap();
        assert!(path.contains(&format!("{name}=")), "{path}: {body}");
        assert!(
            why.as_str().unwrap().contains("limit, cursor"),
            "the message lists what the route takes: {why}"
        );
    }
    let fine = app
        .get("/v1/deliveries?status=failed&since=2026-11-01T00:00:00Z&until=2026-11-02T00:00:00Z")
        .await;
    assert_eq!(fine.status(), 200);
}

#[tokio::test]
async fn tokens_are_listed_a_page_at_a_time() {
    let app = spawn_targets("api", |_| {}).await;
    for n in 0..5 {
        let created = app
            .post(
                "/v1/tokens",
                &json!({"tenant": if n % 2 == 0 { "acme" } else { "globex" }, "name": format!("ci {n}")}),
            )
            .await;
        assert_eq!(created.status(), 201);
    }
    let mut names = Vec::new();
    let mut path = "/v1/tokens?limit=2".to_owned();
    loop {
        let page: Value = app.get(&path).await.json().await.unwrap();
        let items = page["items"].as_array().unwrap();
        assert!(items.len() <= 2);
        names.extend(items.iter().map(|t| t["name"].as_str().unwrap().to_owned()));
        match page["next_cursor"].as_str() {
            Some(cursor) => path = format!("/v1/tokens?limit=2&cursor={cursor}"),
            None => break,
        }
    }
    assert_eq!(names, ["ci 0", "ci 1", "ci 2", "ci 3", "ci 4"]);
    let acme: Value = app
        .get("/v1/tokens?tenant=acme")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(acme["items"].as_array().unwrap().len(), 3);
}
