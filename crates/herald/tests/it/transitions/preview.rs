//! The preview of a `transitions` subscription: a recovery notice in every channel, and a
//! wrong notice field named.

use super::*;

#[tokio::test]
async fn the_preview_shows_a_recovery_in_every_channel_and_names_a_wrong_notice_field() {
    let app = spawn_app().await;
    let slack = app
        .subscribe(json!({
            "tenant": "acme", "name": "slack preview", "channel": "slack",
            "target": {"webhook_url": "https://hooks.slack.com/services/T0/B0/XXXXXXXXXXXXXXXXXXXXXXXX"},
            "notify": "transitions",
        }))
        .await;
    let webhook = app
        .subscribe(webhook_subscription(
            "acme",
            json!({"notify": "transitions"}),
        ))
        .await;
    let recovered = json!({"sample": "transfer.completed",
                           "notice": {"kind": "recovered", "failures": 5, "down_for_seconds": 22200}});

    let shown: Value = app
        .post(&format!("/v1/subscriptions/{slack}/preview"), &recovered)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        shown["body"]["text"], "✅ Recovered after 5 failures: nightly-backup",
        "{shown}"
    );
    assert!(shown["body"].to_string().contains("6 h 10 min"), "{shown}");

    let shown: Value = app
        .post(&format!("/v1/subscriptions/{webhook}/preview"), &recovered)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(shown["headers"]["herald-notice"], "recovered", "{shown}");
    assert_eq!(shown["headers"]["herald-notice-failures"], "5");
    assert_eq!(shown["headers"]["herald-notice-down-for-seconds"], "22200");
    assert_eq!(shown["body"]["type"], "transfer.completed");

    let response = app
        .post(
            &format!("/v1/subscriptions/{webhook}/preview"),
            &json!({"sample": "transfer.failed", "notice": {"kind": "late", "failures": -1}}),
        )
        .await;
    assert_eq!(response.status(), 422);
    let body: Value = response.json().await.unwrap();
    let fields = body["error"]["fields"].as_object().unwrap();
    assert!(
        fields.contains_key("notice.kind") && fields.contains_key("notice.failures"),
        "{body}"
    );
}
