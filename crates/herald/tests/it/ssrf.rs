//! The SSRF guard at the API: a target written as a refused address is a 422 on its field.

use serde_json::{Value, json};

use crate::support::spawn_app_with;

#[tokio::test]
async fn a_private_address_target_is_a_422_naming_the_field_and_the_block() {
    let app = spawn_app_with(|c| {
        c.insert("allow_private_targets".into(), json!(false));
        c.insert("allow_targets".into(), json!("10.1.0.0/16"));
    })
    .await;
    let webhook = |url: &str| json!({"tenant": "acme", "name": url, "channel": "webhook", "target": {"url": url}});
    let refused = app
        .post("/v1/subscriptions", &webhook("http://10.0.0.1/"))
        .await;
    assert_eq!(refused.status(), 422);
    let body: Value = refused.json().await.unwrap();
    let reason = body["error"]["fields"]["target.url"]
        .as_str()
        .unwrap_or_default();
    assert!(
        reason.contains("10.0.0.1 is a private address (10.0.0.0/8)"),
        "{body}"
    );

    let spelled = app
        .post("/v1/subscriptions", &webhook("http://0x7f.1/"))
        .await;
    assert_eq!(spelled.status(), 422);

    let slack = app
        .post(
            "/v1/subscriptions",
            &json!({"tenant": "acme", "name": "chat", "channel": "slack",
                "target": {"webhook_url": "http://[::ffff:169.254.169.254]/x"}}),
        )
        .await;
    assert_eq!(slack.status(), 422);
    let body: Value = slack.json().await.unwrap();
    assert!(
        body["error"]["fields"]["target.webhook_url"].is_string(),
        "{body}"
    );

    // The opened range, and a name (checked at connect, not here), are accepted.
    for url in ["http://10.1.2.3/hook", "https://hooks.example.com/x"] {
        let created = app.post("/v1/subscriptions", &webhook(url)).await;
        assert_eq!(created.status(), 201, "{url}");
    }
}
