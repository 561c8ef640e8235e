//! Templates and conditions as a subscriber writes them: the contract's template, checked at
//! create and PATCH; "failures and warnings, not successes".

use std::time::Duration;

use serde_json::{Value, json};

use crate::support::{
    Receiver, Reply, spawn_delivering_app, subscribe_receiver, webhook_subscription,
};

#[tokio::test]
async fn the_contract_template_renders_the_event_and_a_broken_one_is_refused_at_create_and_patch() {
    let app = spawn_delivering_app().await;
    let receiver = Receiver::start(Reply::status(204)).await;
    let template = "{{ type }} {{ data.name }}{% if data.error %}: {{ data.error.message }}{% endif %} ({{ data.bytes_transferred | filesizeformat }})";
    let (id, _) = subscribe_receiver(
        &app,
        &receiver.url,
        json!({"target": {"content_type": "text/plain", "template": template}}),
    )
    .await;
    app.publish_sample("transfer.failed", "failed").await;
    app.publish_sample("transfer.completed", "completed").await;
    let received = receiver.wait_for(2, Duration::from_secs(10)).await;
    let mut bodies: Vec<String> = received
        .iter()
        .map(|r| String::from_utf8_lossy(&r.body).into_owned())
        .collect();
    bodies.sort();
    assert_eq!(
        bodies,
        [
            "transfer.completed nightly-backup (50 MiB)",
            "transfer.failed nightly-backup: Access denied (50 MiB)"
        ]
    );

    let mut broken = webhook_subscription("acme", json!({"event_types": ["transfer.*"]}));
    broken["target"]["template"] = json!("{{ data.name | no_such_filter }}");
    broken["target"]["content_type"] = json!("text/plain");
    let response = app.post("/v1/subscriptions", &broken).await;
    assert_eq!(response.status(), 422);
    let error: Value = response.json().await.unwrap();
    let message = error["error"]["fields"]["target.template"]
        .as_str()
        .unwrap();
    assert!(
        message.contains("no_such_filter") && message.contains("line 1"),
        "{message}"
    );

    let patch = json!({"target": {"template": "ok\n{% if data.name %}\nunclosed"}});
    let response = app.patch(&format!("/v1/subscriptions/{id}"), &patch).await;
    assert_eq!(response.status(), 422);
    let error: Value = response.json().await.unwrap();
    let message = error["error"]["fields"]["target.template"]
        .as_str()
        .unwrap();
    assert!(message.contains("line"), "{message}");
}

#[tokio::test]
async fn a_condition_listing_failure_and_warning_lets_exactly_those_through() {
    let app = spawn_delivering_app().await;
    let receiver = Receiver::start(Reply::status(204)).await;
    let (id, _) = subscribe_receiver(
        &app,
        &receiver.url,
        json!({"event_types": ["backup.*"], "condition": ["failure", "warning"]}),
    )
    .await;
    let shown: Value = app
        .get(&format!("/v1/subscriptions/{id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(shown["condition"], json!(["failure", "warning"]));
    for ty in [
        "backup.started",
        "backup.succeeded",
        "backup.warning",
        "backup.failed",
    ] {
        app.publish_sample(ty, ty).await;
    }
    let received = receiver.wait_for(2, Duration::from_secs(10)).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let mut types: Vec<String> = receiver
        .received()
        .iter()
        .map(|r| r.json()["type"].as_str().unwrap().to_owned())
        .collect();
    types.sort();
    assert_eq!(
        types,
        ["backup.failed", "backup.warning"],
        "{}",
        received.len()
    );

    let mut bad = webhook_subscription("acme", json!({"condition": ["failure", "sometimes"]}));
    bad["name"] = json!("bad");
    let response = app.post("/v1/subscriptions", &bad).await;
    assert_eq!(response.status(), 422);
    let error: Value = response.json().await.unwrap();
    assert!(
        error["error"]["fields"]["condition[1]"].is_string(),
        "{error}"
    );
    bad["condition"] = json!([]);
    let error: Value = app
        .post("/v1/subscriptions", &bad)
        .await
        .json()
        .await
        .unwrap();
    assert!(error["error"]["fields"]["condition"].is_string(), "{error}");
}
