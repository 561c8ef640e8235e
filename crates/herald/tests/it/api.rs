//! The subscriptions API as a client sees it.

use serde_json::{Value, json};

use crate::support::{spawn_app, webhook_subscription};

#[tokio::test]
async fn every_v1_route_wants_the_admin_token_and_health_does_not() {
    let app = spawn_app().await;
    let anonymous = app
        .http
        .get(app.url("/v1/subscriptions"))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 401);
    let body: Value = anonymous.json().await.unwrap();
    assert_eq!(body["error"]["code"], "unauthorized");
    let wrong = app
        .http
        .get(app.url("/v1/rejections"))
        .bearer_auth("nope")
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 401);
    assert_eq!(
        app.http
            .get(app.url("/healthz"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    let ready = app.http.get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(ready.status(), 200);
    assert_eq!(
        ready.json::<Value>().await.unwrap(),
        json!({"postgres": "ok", "nats": "ok"})
    );
}

#[tokio::test]
async fn invalid_subscriptions_get_422_naming_every_bad_field() {
    let app = spawn_app().await;
    let response = app
        .post(
            "/v1/subscriptions",
            &json!({
                "tenant": "acme",
                "name": "bad",
                "event_types": ["transfer.*", "Not A Type"],
                "condition": "sometimes",
                "channel": "webhook",
                "target": { "url": "ftp://example.com/x", "template": "{{ unclosed", "content_type": "text/plain" }
            }),
        )
        .await;
    assert_eq!(response.status(), 422);
    let body: Value = response.json().await.unwrap();
    let fields = body["error"]["fields"].as_object().unwrap();
    for field in [
        "event_types[1]",
        "condition",
        "target.url",
        "target.template",
    ] {
        assert!(fields.contains_key(field), "{field} not named in {body}");
    }

    let email = app
        .post(
            "/v1/subscriptions",
            &json!({"tenant": "acme", "name": "mail", "channel": "email", "target": {"to": ["not-an-address"]}}),
        )
        .await;
    assert_eq!(email.status(), 422);
    let body: Value = email.json().await.unwrap();
    assert!(
        body["error"]["fields"]["target.to[0]"].is_string(),
        "{body}"
    );

    let unknown = app
        .post(
            "/v1/subscriptions",
            &json!({"tenant": "acme", "name": "x", "channel": "pager", "target": {}}),
        )
        .await;
    let body: Value = unknown.json().await.unwrap();
    assert!(body["error"]["fields"]["channel"].is_string(), "{body}");

    let malformed = app
        .http
        .post(app.url("/v1/subscriptions"))
        .bearer_auth(crate::support::ADMIN_TOKEN)
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(malformed.status(), 400);
    assert_eq!(
        malformed.json::<Value>().await.unwrap()["error"]["code"],
        "malformed"
    );
}

#[tokio::test]
async fn the_secret_is_shown_once_and_subscriptions_can_be_read_changed_listed_and_removed() {
    let app = spawn_app().await;
    let response = app
        .post(
            "/v1/subscriptions",
            &webhook_subscription("acme", json!({"target": {"url": "https://hooks.example.com/a", "auth": {"type": "basic", "username": "u", "password": "hunter2"}}})),
        )
        .await;
    assert_eq!(response.status(), 201);
    let created: Value = response.json().await.unwrap();
    let secret = created["secret"].as_str().unwrap();
    assert!(secret.starts_with("whsec_") && secret.len() > 30);
    let id = created["id"].as_str().unwrap();
    assert!(id.starts_with("sub_"));

    let read: Value = app
        .get(&format!("/v1/subscriptions/{id}"))
        .await
        .json()
        .await
        .unwrap();
    assert!(read.get("secret").is_none());
    assert!(!read.to_string().contains(secret));
    assert!(!read.to_string().contains("hunter2"));
    assert_eq!(read["target"]["auth"]["username"], "u");

    let patched: Value = app
        .patch(
            &format!("/v1/subscriptions/{id}"),
            &json!({"name": "renamed", "condition": "on_failure"}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(patched["name"], "renamed");
    assert_eq!(patched["condition"], "on_failure");
    assert_eq!(patched["target"]["url"], "https://hooks.example.com/a");
    let bad_patch = app
        .patch(
            &format!("/v1/subscriptions/{id}"),
            &json!({"target": {"timeout_ms": -1}}),
        )
        .await;
    assert_eq!(bad_patch.status(), 422);

    for i in 0..4 {
        app.subscribe(webhook_subscription(
            "acme",
            json!({"name": format!("n{i}")}),
        ))
        .await;
    }
    app.subscribe(webhook_subscription("globex", json!({})))
        .await;
    let first: Value = app
        .get("/v1/subscriptions?tenant=acme&limit=3")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(first["items"].as_array().unwrap().len(), 3);
    let cursor = first["next_cursor"].as_str().unwrap();
    let second: Value = app
        .get(&format!(
            "/v1/subscriptions?tenant=acme&limit=3&cursor={cursor}"
        ))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(second["items"].as_array().unwrap().len(), 2);
    assert!(second["next_cursor"].is_null());
    let bad_query = app.get("/v1/subscriptions?limit=0&enabled=maybe").await;
    assert_eq!(bad_query.status(), 422);
    let body: Value = bad_query.json().await.unwrap();
    assert!(
        body["error"]["fields"]["limit"].is_string()
            && body["error"]["fields"]["enabled"].is_string()
    );

    assert_eq!(
        app.delete(&format!("/v1/subscriptions/{id}"))
            .await
            .status(),
        204
    );
    assert_eq!(
        app.get(&format!("/v1/subscriptions/{id}")).await.status(),
        404
    );
    assert_eq!(
        app.delete(&format!("/v1/subscriptions/{id}"))
            .await
            .status(),
        404
    );
    assert_eq!(app.get("/v1/subscriptions/not-an-id").await.status(), 404);
}

#[tokio::test]
async fn a_tenants_subscription_names_are_unique() {
    let app = spawn_app().await;
    let body = webhook_subscription("acme", json!({"name": "ops alerts"}));
    app.subscribe(body.clone()).await;
    let response = app.post("/v1/subscriptions", &body).await;
    assert_eq!(response.status(), 409);
    let error: Value = response.json().await.unwrap();
    assert!(
        error["error"]["fields"]["name"]
            .as_str()
            .unwrap()
            .contains("taken"),
        "{error}"
    );
    // Another tenant may use the name; renaming onto a taken name is refused too.
    app.subscribe(webhook_subscription(
        "globex",
        json!({"name": "ops alerts"}),
    ))
    .await;
    let other = app
        .subscribe(webhook_subscription("acme", json!({"name": "other"})))
        .await;
    let response = app
        .patch(
            &format!("/v1/subscriptions/{other}"),
            &json!({"name": "ops alerts"}),
        )
        .await;
    assert_eq!(response.status(), 409);
}
