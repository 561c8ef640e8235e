//! Tenant tokens: a tenant sees and changes only its own objects, never learns that another
//! tenant's exist, manages no tokens, and a read-only or revoked token changes nothing.

use std::time::Duration;

use reqwest::Method;
use serde_json::{Value, json};

use crate::support::{TestApp, eventually, spawn_app, webhook_subscription};

async fn call(
    app: &TestApp,
    token: &str,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let mut request = app.http.request(method, app.url(path)).bearer_auth(token);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let body = response.json().await.unwrap_or(Value::Null);
    (status, body)
}

async fn token(app: &TestApp, tenant: &str, read_only: bool) -> (String, String) {
    let created: Value = app
        .post(
            "/v1/tokens",
            &json!({"tenant": tenant, "name": format!("{tenant} ci"), "read_only": read_only}),
        )
        .await
        .json()
        .await
        .unwrap();
    let token = created["token"].as_str().unwrap().to_owned();
    assert!(token.starts_with("hrd_"), "{created}");
    (created["id"].as_str().unwrap().to_owned(), token)
}

#[tokio::test]
async fn a_tenant_token_never_sees_changes_or_learns_of_another_tenants_objects() {
    let app = spawn_app().await;
    let (_, acme) = token(&app, "acme", false).await;
    let globex_sub = app
        .subscribe(webhook_subscription("globex", json!({})))
        .await;
    let acme_sub = app.subscribe(webhook_subscription("acme", json!({}))).await;
    let mut globex_event =
        herald::samples::sample_event("transfer.failed", "globex", "g1", chrono::Utc::now());
    app.nats.publish_event(&globex_event, "g1").await;
    eventually(Duration::from_secs(10), "globex's event stored", || async {
        (app.event_count().await == 1).then_some(())
    })
    .await;

    // Another tenant's objects look absent: 404 on every route that names one.
    let theirs = [
        (Method::GET, format!("/v1/subscriptions/{globex_sub}"), None),
        (
            Method::PATCH,
            format!("/v1/subscriptions/{globex_sub}"),
            Some(json!({"name": "x"})),
        ),
        (
            Method::DELETE,
            format!("/v1/subscriptions/{globex_sub}"),
            None,
        ),
        (
            Method::POST,
            format!("/v1/subscriptions/{globex_sub}/test"),
            Some(json!({})),
        ),
        (
            Method::POST,
            format!("/v1/subscriptions/{globex_sub}/preview"),
            Some(json!({"sample": "transfer.failed"})),
        ),
        (
            Method::GET,
            format!("/v1/digests/{globex_sub}/preview"),
            None,
        ),
        (Method::GET, "/v1/events/g1".to_owned(), None),
        (Method::GET, "/v1/events/g1?tenant=globex".to_owned(), None),
    ];
    for (method, path, body) in theirs {
        let (status, answer) = call(&app, &acme, method.clone(), &path, body).await;
        assert_eq!(status, 404, "{method} {path}: {answer}");
    }
    // Lists hold only its own.
    let (_, listed) = call(
        &app,
        &acme,
        Method::GET,
        "/v1/subscriptions?tenant=globex",
        None,
    )
    .await;
    let ids: Vec<&str> = listed["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [acme_sub.as_str()]);
    let (_, deliveries) = call(&app, &acme, Method::GET, "/v1/deliveries", None).await;
    assert!(deliveries["items"].as_array().unwrap().is_empty());
    // It cannot create into, or move a subscription into, another tenant, nor manage tokens.
    let (status, _) = call(
        &app,
        &acme,
        Method::POST,
        "/v1/subscriptions",
        Some(webhook_subscription("globex", json!({"name": "mine"}))),
    )
    .await;
    assert_eq!(status, 403);
    let (status, _) = call(
        &app,
        &acme,
        Method::PATCH,
        &format!("/v1/subscriptions/{acme_sub}"),
        Some(json!({"tenant": "globex"})),
    )
    .await;
    assert_eq!(status, 403);
    for (method, path) in [(Method::GET, "/v1/tokens"), (Method::POST, "/v1/tokens")] {
        let (status, _) = call(
            &app,
            &acme,
            method,
            path,
            Some(json!({"tenant": "acme", "name": "x"})),
        )
        .await;
        assert_eq!(status, 403, "{path}");
    }
    // Its own work as usual, and an event it posts is its tenant's.
    let (status, _) = call(
        &app,
        &acme,
        Method::GET,
        &format!("/v1/subscriptions/{acme_sub}"),
        None,
    )
    .await;
    assert_eq!(status, 200);
    globex_event["id"] = json!("a1");
    globex_event.as_object_mut().unwrap().remove("tenant");
    let (status, posted) = call(&app, &acme, Method::POST, "/v1/events", Some(globex_event)).await;
    assert_eq!(
        (status, posted["tenant"].as_str()),
        (202, Some("acme")),
        "{posted}"
    );
}

#[tokio::test]
async fn a_read_only_token_changes_nothing_and_a_revoked_one_stops_at_once() {
    let app = spawn_app().await;
    let (_, reader) = token(&app, "acme", true).await;
    let sub = app.subscribe(webhook_subscription("acme", json!({}))).await;
    let (status, _) = call(
        &app,
        &reader,
        Method::GET,
        &format!("/v1/subscriptions/{sub}"),
        None,
    )
    .await;
    assert_eq!(status, 200);
    let changes = [
        (
            Method::PATCH,
            format!("/v1/subscriptions/{sub}"),
            json!({"enabled": false}),
        ),
        (
            Method::DELETE,
            format!("/v1/subscriptions/{sub}"),
            json!({}),
        ),
        (
            Method::POST,
            "/v1/subscriptions".to_owned(),
            webhook_subscription("acme", json!({"name": "new"})),
        ),
    ];
    for (method, path, body) in changes {
        let (status, _) = call(&app, &reader, method.clone(), &path, Some(body)).await;
        assert_eq!(status, 403, "{method} {path}");
    }
    let (id, writer) = token(&app, "acme", false).await;
    let (status, _) = call(&app, &writer, Method::GET, "/v1/subscriptions", None).await;
    assert_eq!(status, 200);
    assert_eq!(app.delete(&format!("/v1/tokens/{id}")).await.status(), 204);
    let (status, _) = call(&app, &writer, Method::GET, "/v1/subscriptions", None).await;
    assert_eq!(status, 401, "revoked at once");
    let listed: Value = app.get("/v1/tokens").await.json().await.unwrap();
    assert!(
        !listed.to_string().contains("hrd_"),
        "no token is ever listed: {listed}"
    );
}
