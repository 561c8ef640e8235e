//! What the web console reads from `/v1`: who the token is, the tenants, each subscription's
//! health, when a retrying delivery tries next, and a link to each attempt's trace.

use std::time::Duration;

use reqwest::Method;
use serde_json::{Value, json};

use crate::support::{
    ADMIN_TOKEN, Receiver, Reply, TestApp, eventually, fast_retry, spawn_app, spawn_delivering_app,
    spawn_targets, subscribe_receiver, webhook_subscription,
};

const WAIT: Duration = Duration::from_secs(20);

async fn call(app: &TestApp, token: Option<&str>, method: Method, path: &str) -> (u16, Value) {
    let mut request = app.http.request(method, app.url(path));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn tenant_token(app: &TestApp, tenant: &str, read_only: bool) -> String {
    let created: Value = app
        .post(
            "/v1/tokens",
            &json!({"tenant": tenant, "name": "console", "read_only": read_only}),
        )
        .await
        .json()
        .await
        .unwrap();
    created["token"].as_str().unwrap().to_owned()
}

async fn health(app: &TestApp, id: &str) -> Value {
    let subscription: Value = app
        .get(&format!("/v1/subscriptions/{id}"))
        .await
        .json()
        .await
        .unwrap();
    subscription["health"].clone()
}

#[tokio::test]
async fn me_tells_the_admin_from_a_tenant_token_and_wants_a_valid_one() {
    let app = spawn_app().await;
    let acme = tenant_token(&app, "acme", true).await;
    assert_eq!(
        call(&app, Some(ADMIN_TOKEN), Method::GET, "/v1/me").await,
        (
            200,
            json!({"admin": true, "tenant": null, "read_only": false})
        )
    );
    assert_eq!(
        call(&app, Some(&acme), Method::GET, "/v1/me").await,
        (
            200,
            json!({"admin": false, "tenant": "acme", "read_only": true})
        )
    );
    assert_eq!(call(&app, None, Method::GET, "/v1/me").await.0, 401);
    assert_eq!(
        call(&app, Some("hrd_not-a-token"), Method::GET, "/v1/me")
            .await
            .0,
        401
    );
}

#[tokio::test]
async fn tenants_are_the_admins_sorted_by_name_with_their_subscriptions() {
    let app = spawn_app().await;
    for tenant in ["globex", "acme", "acme"] {
        app.subscribe(webhook_subscription(tenant, json!({}))).await;
    }
    let initech = tenant_token(&app, "initech", false).await;
    tenant_token(&app, "acme", false).await;

    assert_eq!(
        call(&app, Some(ADMIN_TOKEN), Method::GET, "/v1/tenants").await,
        (
            200,
            json!({"items": [
                {"tenant": "acme", "subscriptions": 2},
                {"tenant": "globex", "subscriptions": 1},
                {"tenant": "initech", "subscriptions": 0},
            ], "next_cursor": null})
        )
    );
    let (status, body) = call(&app, Some(&initech), Method::GET, "/v1/tenants").await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(body["error"]["code"], "forbidden");
    assert_eq!(call(&app, None, Method::GET, "/v1/tenants").await.0, 401);
    let (status, body) = call(&app, Some(ADMIN_TOKEN), Method::GET, "/v1/tenants?limit=5").await;
    assert_eq!(status, 422, "{body}");
    assert!(body["error"]["fields"]["limit"].is_string(), "{body}");
}

#[tokio::test]
async fn health_follows_a_subscription_from_active_to_failing_to_disabled_and_back() {
    let app = spawn_delivering_app().await;
    let receiver = Receiver::start(Reply::status(204)).await;
    receiver.script([Reply::status(503), Reply::status(503)]);
    let (id, _) = subscribe_receiver(&app, &receiver.url, fast_retry(2, 0.2)).await;
    assert_eq!(
        health(&app, &id).await,
        json!({"state": "active", "failing_since": null, "last_error": null,
            "disabled_reason": null, "delivered_24h": 0, "failed_24h": 0,
            "success_rate_24h": null})
    );

    app.publish_sample("backup.failed", "first").await;
    app.delivery_when("first", "failed", WAIT).await;
    let failing = health(&app, &id).await;
    assert_eq!(failing["state"], "failing", "{failing}");
    assert!(failing["failing_since"].is_string(), "{failing}");
    assert!(
        failing["last_error"].as_str().unwrap().contains("503"),
        "{failing}"
    );
    assert_eq!(
        (&failing["failed_24h"], &failing["success_rate_24h"]),
        (&json!(1), &json!(0.0))
    );

    app.publish_sample("backup.failed", "second").await;
    app.delivery_when("second", "delivered", WAIT).await;
    let recovered = eventually(WAIT, "the recovery noted", || async {
        let health = health(&app, &id).await;
        (health["state"] == "active").then_some(health)
    })
    .await;
    assert_eq!(
        recovered,
        json!({"state": "active", "failing_since": null, "last_error": null,
            "disabled_reason": null, "delivered_24h": 1, "failed_24h": 1,
            "success_rate_24h": 0.5})
    );

    let patched: Value = app
        .patch(
            &format!("/v1/subscriptions/{id}"),
            &json!({"enabled": false}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(patched["health"]["state"], "disabled");
    assert_eq!(
        patched["health"]["disabled_reason"],
        "disabled through the API"
    );
    let page: Value = app
        .get("/v1/subscriptions?enabled=false")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(page["items"][0]["health"], patched["health"]);
    // Another change while it is off keeps the reason.
    app.patch(
        &format!("/v1/subscriptions/{id}"),
        &json!({"name": "renamed"}),
    )
    .await;
    assert_eq!(
        health(&app, &id).await["disabled_reason"],
        "disabled through the API"
    );

    let enabled: Value = app
        .patch(
            &format!("/v1/subscriptions/{id}"),
            &json!({"enabled": true}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(enabled["health"]["state"], "active");
    assert_eq!(enabled["health"]["disabled_reason"], Value::Null);
}

#[tokio::test]
async fn health_is_read_only_as_id_is() {
    let app = spawn_app().await;
    let shown = json!({"state": "active", "delivered_24h": 0});
    let response = app
        .post(
            "/v1/subscriptions",
            &webhook_subscription("acme", json!({"health": shown})),
        )
        .await;
    assert_eq!(response.status(), 422);
    let body: Value = response.json().await.unwrap();
    assert_eq!(
        body["error"]["fields"]["health"],
        "is reported by Herald and cannot be set"
    );

    let id = app.subscribe(webhook_subscription("acme", json!({}))).await;
    let response = app
        .patch(
            &format!("/v1/subscriptions/{id}"),
            &json!({"health": shown}),
        )
        .await;
    assert_eq!(response.status(), 422);
    let body: Value = response.json().await.unwrap();
    assert!(body["error"]["fields"]["health"].is_string(), "{body}");
    // What a client read back, sent again whole, is refused for exactly these fields.
    let mut read_back = app
        .get(&format!("/v1/subscriptions/{id}"))
        .await
        .json::<Value>()
        .await
        .unwrap();
    read_back["name"] = json!("again");
    let body: Value = app
        .post("/v1/subscriptions", &read_back)
        .await
        .json()
        .await
        .unwrap();
    let fields: Vec<&String> = body["error"]["fields"]
        .as_object()
        .unwrap()
        .keys()
        .collect();
    assert_eq!(
        fields,
        ["created_at", "health", "id", "target.secret", "updated_at"],
        "{body}"
    );
}

#[tokio::test]
async fn a_receiver_saying_gone_disables_the_subscription_with_its_words() {
    let app = spawn_delivering_app().await;
    let gone = Receiver::start(Reply::status(410)).await;
    let (id, _) = subscribe_receiver(&app, &gone.url, json!({})).await;
    app.publish_sample("gc.completed", "gone").await;
    let health = eventually(WAIT, "the subscription disabled", || async {
        let health = health(&app, &id).await;
        (health["state"] == "disabled").then_some(health)
    })
    .await;
    assert_eq!(health["disabled_reason"], "the receiver answered 410 Gone");
    assert_eq!(health["failed_24h"], 1);
}

#[tokio::test]
async fn a_retrying_delivery_says_when_it_tries_next_until_it_ends() {
    let app = spawn_delivering_app().await;
    let receiver = Receiver::start(Reply::status(204)).await;
    receiver.script([Reply::status(503)]);
    subscribe_receiver(
        &app,
        &receiver.url,
        json!({"retry": {"max_attempts": 3, "delays_seconds": [3]}}),
    )
    .await;
    app.publish_sample("backup.failed", "later").await;

    let retrying = app.delivery_when("later", "retrying", WAIT).await;
    let due = chrono::DateTime::parse_from_rfc3339(retrying["next_attempt_at"].as_str().unwrap())
        .unwrap();
    let recorded =
        chrono::DateTime::parse_from_rfc3339(retrying["updated_at"].as_str().unwrap()).unwrap();
    let wait = (due - recorded).as_seconds_f64();
    // 3 s ± the policy's 20 % jitter.
    assert!((2.3..=3.7).contains(&wait), "next attempt {wait} s after");
    let page: Value = app
        .get("/v1/deliveries?status=retrying")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        page["items"][0]["next_attempt_at"],
        retrying["next_attempt_at"]
    );

    let delivered = app.delivery_when("later", "delivered", WAIT).await;
    assert_eq!(delivered["next_attempt_at"], Value::Null);
}

#[tokio::test]
async fn each_attempt_links_its_trace_when_a_template_is_set() {
    let template = "http://grafana.example.com/explore?left={\"datasource\":\"tempo\",\
        \"queries\":[{\"query\":\"{trace_id}\"}]}";
    let app = spawn_targets("ingest,dispatcher,api", |config| {
        config.insert("trace_url_template".into(), json!(template));
    })
    .await;
    let receiver = Receiver::start(Reply::status(204)).await;
    subscribe_receiver(&app, &receiver.url, json!({})).await;
    app.publish_sample("backup.completed", "traced").await;
    let delivery = app.delivery_when("traced", "delivered", WAIT).await;
    let attempt = &delivery["attempts"][0];
    let trace_id = attempt["trace_id"].as_str().expect("a trace id");
    assert_eq!(
        attempt["trace_url"],
        template.replace("{trace_id}", trace_id)
    );

    let plain = spawn_delivering_app().await;
    subscribe_receiver(&plain, &receiver.url, json!({})).await;
    plain.publish_sample("backup.completed", "untraced").await;
    let delivery = plain.delivery_when("untraced", "delivered", WAIT).await;
    assert_eq!(delivery["attempts"][0]["trace_url"], Value::Null);
}
