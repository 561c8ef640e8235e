//! What a subscription can ask of its webhook arrives as asked; failed deliveries can be
//! retried through the API; the test endpoint reports the receiver's answer.

use std::time::Duration;

use serde_json::{Value, json};

use crate::support::{
    Receiver, Reply, eventually, fast_retry, spawn_delivering_app, subscribe_receiver,
};

const WAIT: Duration = Duration::from_secs(20);

#[tokio::test]
async fn template_put_bearer_auth_and_custom_headers_arrive_as_configured() {
    let app = spawn_delivering_app().await;
    let receiver = Receiver::start(Reply::status(200)).await;
    let template = "{% if event.data.error %}FAILED{% endif %} {{ event.type }} of {{ event.data.name }} ({{ event.data.bytes_transferred }} bytes) #{{ attempt }}";
    subscribe_receiver(
        &app,
        &receiver.url,
        json!({"target": {
            "method": "PUT",
            "content_type": "text/plain",
            "template": template,
            "headers": {"X-Team": "storage"},
            "auth": {"type": "bearer", "token": "s3cret-token"}
        }}),
    )
    .await;
    app.publish_sample("transfer.failed", "templated").await;
    let request = receiver.wait_for(1, WAIT).await.remove(0);
    assert_eq!(request.method, "PUT");
    assert_eq!(request.path, "/hook");
    assert_eq!(request.header("content-type"), Some("text/plain"));
    assert_eq!(request.header("authorization"), Some("Bearer s3cret-token"));
    assert_eq!(request.header("x-team"), Some("storage"));
    assert_eq!(
        std::str::from_utf8(&request.body).unwrap(),
        "FAILED transfer.failed of nightly-backup (52428800 bytes) #1"
    );
    assert!(request.header("webhook-signature").is_some());
}

#[tokio::test]
async fn basic_and_api_key_auth_and_xml_bodies() {
    let app = spawn_delivering_app().await;
    let basic = Receiver::start(Reply::status(200)).await;
    let api_key = Receiver::start(Reply::status(200)).await;
    subscribe_receiver(
        &app,
        &basic.url,
        json!({"target": {"method": "PATCH", "content_type": "application/xml", "auth": {"type": "basic", "username": "ops", "password": "pw"}}}),
    )
    .await;
    subscribe_receiver(
        &app,
        &api_key.url,
        json!({"target": {"auth": {"type": "api_key", "header": "X-Api-Key", "value": "k-123"}}}),
    )
    .await;
    app.publish_sample("backup.succeeded", "xml").await;
    let request = basic.wait_for(1, WAIT).await.remove(0);
    assert_eq!(request.method, "PATCH");
    assert_eq!(request.header("authorization"), Some("Basic b3BzOnB3"));
    assert_eq!(request.header("content-type"), Some("application/xml"));
    let xml = std::str::from_utf8(&request.body).unwrap();
    assert!(xml.contains("<job_id>job-17</job_id>"), "{xml}");
    assert!(
        xml.contains("<databases><item>billing</item><item>users</item></databases>"),
        "{xml}"
    );
    let keyed = api_key.wait_for(1, WAIT).await.remove(0);
    assert_eq!(keyed.header("x-api-key"), Some("k-123"));
}

#[tokio::test]
async fn a_failed_delivery_retried_through_the_api_is_delivered() {
    let app = spawn_delivering_app().await;
    let receiver = Receiver::start(Reply::status(200)).await;
    receiver.script([Reply::status(500), Reply::status(500)]);
    subscribe_receiver(&app, &receiver.url, fast_retry(2, 0.2)).await;
    app.publish_sample("verify.failed", "second-chance").await;
    let failed = app.delivery_when("second-chance", "failed", WAIT).await;
    let id = failed["id"].as_str().unwrap();

    let response = app
        .post(&format!("/v1/deliveries/{id}/retry"), &json!({}))
        .await;
    assert_eq!(response.status(), 202);
    let delivered = app.delivery_when("second-chance", "delivered", WAIT).await;
    assert_eq!(delivered["attempt_count"], 3);
    let again = app
        .post(&format!("/v1/deliveries/{id}/retry"), &json!({}))
        .await;
    assert_eq!(again.status(), 409, "only failed deliveries can be retried");

    let listed: Value = app
        .get("/v1/deliveries?status=delivered")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(listed["items"].as_array().unwrap().len(), 1);
    let bad: Value = app
        .get("/v1/deliveries?status=lost&since=yesterday")
        .await
        .json()
        .await
        .unwrap();
    assert!(
        bad["error"]["fields"]["status"].is_string() && bad["error"]["fields"]["since"].is_string(),
        "{bad}"
    );
}

#[tokio::test]
async fn the_test_endpoint_reports_the_receivers_answer() {
    let app = spawn_delivering_app().await;
    let receiver = Receiver::start(Reply::status(202).body("queued, thanks")).await;
    let (id, _) = subscribe_receiver(&app, &receiver.url, json!({})).await;
    let response = app
        .post(&format!("/v1/subscriptions/{id}/test"), &json!({}))
        .await;
    assert_eq!(response.status(), 200);
    let result: Value = response.json().await.unwrap();
    assert_eq!(result["delivered"], true);
    assert_eq!(result["status_code"], 202);
    assert_eq!(result["response_body"], "queued, thanks");
    assert!(result["duration_ms"].is_u64());
    assert_eq!(receiver.received()[0].json()["type"], "herald.test");

    let down = Receiver::start(Reply::status(500).body("down")).await;
    let (down_id, _) = subscribe_receiver(&app, &down.url, json!({})).await;
    let result: Value = app
        .post(&format!("/v1/subscriptions/{down_id}/test"), &json!({}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(result["delivered"], false);
    assert_eq!(result["status_code"], 500);
}

#[tokio::test]
async fn a_redirect_is_not_followed_but_retried() {
    let app = spawn_delivering_app().await;
    let elsewhere = Receiver::start(Reply::status(200)).await;
    let receiver = Receiver::start(Reply::status(200)).await;
    receiver.script([Reply::status(302).header("location", &elsewhere.url)]);
    subscribe_receiver(&app, &receiver.url, fast_retry(3, 1.0)).await;
    app.publish_sample("transfer.failed", "moved").await;
    let delivered = app.delivery_when("moved", "delivered", WAIT).await;
    let codes: Vec<i64> = delivered["attempts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["status_code"].as_i64().unwrap())
        .collect();
    assert_eq!(codes, [302, 200]);
    assert!(elsewhere.received().is_empty(), "the redirect was followed");
}

#[tokio::test]
async fn the_delivery_list_filters_by_status_and_time() {
    let app = spawn_delivering_app().await;
    let fine = Receiver::start(Reply::status(204)).await;
    let refusing = Receiver::start(Reply::status(400)).await;
    let down = Receiver::start(Reply::status(503)).await;
    subscribe_receiver(&app, &fine.url, json!({})).await;
    let (refused_sub, _) = subscribe_receiver(&app, &refusing.url, json!({})).await;
    let (down_sub, _) = subscribe_receiver(
        &app,
        &down.url,
        json!({"retry": {"max_attempts": 5, "delays_seconds": [60]}}),
    )
    .await;
    let before = chrono::Utc::now() - chrono::TimeDelta::seconds(1);
    app.publish_sample("backup.failed", "three-ways").await;
    eventually(WAIT, "delivered, failed and retrying", || async {
        let page: Value = app.get("/v1/deliveries").await.json().await.ok()?;
        let mut statuses: Vec<&str> = page["items"]
            .as_array()?
            .iter()
            .filter_map(|d| d["status"].as_str())
            .collect();
        statuses.sort_unstable();
        (statuses == ["delivered", "failed", "retrying"]).then_some(())
    })
    .await;

    let list = |query: String| {
        let app = &app;
        async move {
            let page: Value = app.get(&query).await.json().await.unwrap();
            page["items"]
                .as_array()
                .unwrap_or_else(|| panic!("{query}: {page}"))
                .iter()
                .map(|d| (d["status"].clone(), d["subscription_id"].clone()))
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(
        list("/v1/deliveries?status=failed".into()).await,
        [(json!("failed"), json!(refused_sub))]
    );
    assert_eq!(
        list("/v1/deliveries?status=retrying".into()).await,
        [(json!("retrying"), json!(down_sub))]
    );
    assert_eq!(
        list("/v1/deliveries?status=delivered".into()).await.len(),
        1
    );
    let since = |at: chrono::DateTime<chrono::Utc>| {
        format!(
            "/v1/deliveries?since={}",
            at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
                .replace('+', "%2B")
        )
    };
    assert_eq!(list(since(before)).await.len(), 3);
    let later = chrono::Utc::now() + chrono::TimeDelta::seconds(1);
    assert!(list(since(later)).await.is_empty());
}
