//! `GET /v1/events`, `POST /v1/events/{id}/replay` and `POST /v1/deliveries/retry`, each
//! narrowed to the caller's tenant.

use std::collections::HashSet;
use std::time::Duration;

use serde_json::{Value, json};

use crate::support::{
    Receiver, Reply, TestApp, eventually, spawn_app, spawn_delivering_app, subscribe_receiver,
};

const WAIT: Duration = Duration::from_secs(20);

async fn tenant_token(app: &TestApp, tenant: &str) -> String {
    let created: Value = app
        .post("/v1/tokens", &json!({"tenant": tenant, "name": "t"}))
        .await
        .json()
        .await
        .unwrap();
    created["token"].as_str().unwrap().to_owned()
}

async fn call(app: &TestApp, token: &str, path: &str, body: Option<Value>) -> (u16, Value) {
    let request = match body {
        Some(body) => app.http.post(app.url(path)).json(&body),
        None => app.http.get(app.url(path)),
    };
    let response = request.bearer_auth(token).send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn publish(app: &TestApp, tenant: &str, event_type: &str, id: &str) {
    let event = herald::samples::sample_event(event_type, tenant, id, chrono::Utc::now());
    app.nats
        .publish_event(&event, &format!("{tenant}-{id}"))
        .await;
}

async fn stored(app: &TestApp, count: i64) {
    eventually(WAIT, &format!("{count} events stored"), || async {
        (app.event_count().await >= count).then_some(())
    })
    .await;
}

/// Every item of every page of `query`, following `next_cursor`.
async fn all_pages(app: &TestApp, query: &str) -> (Vec<Value>, usize) {
    let (mut items, mut pages, mut cursor) = (Vec::new(), 0, None::<String>);
    loop {
        let path = match &cursor {
            Some(c) => format!("/v1/events?{query}&cursor={c}"),
            None => format!("/v1/events?{query}"),
        };
        let response = app.get(&path).await;
        assert_eq!(response.status(), 200);
        let page: Value = response.json().await.unwrap();
        items.extend(page["items"].as_array().unwrap().iter().cloned());
        pages += 1;
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => return (items, pages),
        }
    }
}

#[tokio::test]
async fn events_list_pages_newest_first_with_filters_and_tenant_scope() {
    let app = spawn_app().await;
    for i in 0..60 {
        let kind = if i % 3 == 0 {
            "backup.failed"
        } else {
            "transfer.completed"
        };
        publish(&app, "acme", kind, &format!("early-{i}")).await;
    }
    stored(&app, 60).await;
    tokio::time::sleep(Duration::from_millis(20)).await;
    let middle = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    tokio::time::sleep(Duration::from_millis(20)).await;
    for i in 0..60 {
        let kind = if i % 3 == 0 {
            "backup.failed"
        } else {
            "transfer.completed"
        };
        publish(&app, "acme", kind, &format!("late-{i}")).await;
    }
    publish(&app, "globex", "backup.failed", "other").await;
    stored(&app, 121).await;

    let (items, pages) = all_pages(&app, "tenant=acme&limit=50").await;
    assert_eq!((items.len(), pages), (120, 3));
    let ids: Vec<&str> = items.iter().map(|e| e["id"].as_str().unwrap()).collect();
    assert_eq!(ids.iter().collect::<HashSet<_>>().len(), 120, "no repeat");
    // Newest first: by id, which is the order Herald received them in (one ingest batch
    // shares one received_at, its order within is the batch's).
    let received: Vec<chrono::DateTime<chrono::Utc>> = items
        .iter()
        .map(|e| e["received_at"].as_str().unwrap().parse().unwrap())
        .collect();
    assert!(received.windows(2).all(|w| w[0] >= w[1]), "newest first");
    let listed: HashSet<&str> = items
        .iter()
        .map(|e| e["event_id"].as_str().unwrap())
        .collect();
    assert_eq!(listed.len(), 120, "every event once");
    let first = &items[0];
    assert_eq!(first["tenant"], "acme");
    assert!(first["event_id"].as_str().unwrap().starts_with("late-"));
    for field in ["type", "source", "outcome", "time", "received_at"] {
        assert!(!first[field].is_null(), "{field} in {first}");
    }
    assert!(first.get("deliveries").is_none() && first.get("event").is_none());

    let (failed, _) = all_pages(&app, "tenant=acme&type=backup.failed&limit=7").await;
    assert_eq!(failed.len(), 40);
    assert!(failed.iter().all(|e| e["type"] == "backup.failed"));
    let encoded = middle.replace('+', "%2B");
    let (late, _) = all_pages(&app, &format!("tenant=acme&since={encoded}")).await;
    assert_eq!(late.len(), 60);
    assert!(
        late.iter()
            .all(|e| e["event_id"].as_str().unwrap().starts_with("late-"))
    );
    let (early, _) = all_pages(&app, &format!("tenant=acme&until={encoded}")).await;
    assert_eq!(early.len(), 60);
    assert!(
        early
            .iter()
            .all(|e| e["event_id"].as_str().unwrap().starts_with("early-"))
    );

    let response = app.get("/v1/events?since=yesterday&limit=0&cursor=x").await;
    assert_eq!(response.status(), 422);
    let body: Value = response.json().await.unwrap();
    for field in ["since", "limit", "cursor"] {
        assert!(body["error"]["fields"][field].is_string(), "{body}");
    }

    // A globex token lists globex only, even when it names acme.
    let globex = tenant_token(&app, "globex").await;
    let (status, page) = call(&app, &globex, "/v1/events?tenant=acme", None).await;
    assert_eq!(status, 200);
    let items = page["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["tenant"], "globex");
}

#[tokio::test]
async fn a_replay_reaches_every_matching_subscription_again_or_only_the_named_one() {
    let app = spawn_delivering_app().await;
    let first = Receiver::start(Reply::status(204)).await;
    let second = Receiver::start(Reply::status(204)).await;
    let (sub_a, _) = subscribe_receiver(&app, &first.url, json!({})).await;
    let (sub_b, _) = subscribe_receiver(&app, &second.url, json!({})).await;
    app.publish_sample("transfer.failed", "replayed").await;
    first.wait_for(1, WAIT).await;
    second.wait_for(1, WAIT).await;
    let event: Value = app.get("/v1/events/replayed").await.json().await.unwrap();
    let id = event["id"].as_str().unwrap().to_owned();

    let response = app
        .post(&format!("/v1/events/{id}/replay"), &json!({}))
        .await;
    assert_eq!(response.status(), 202);
    let body: Value = response.json().await.unwrap();
    let mut subscriptions: Vec<&str> = body["deliveries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["subscription_id"].as_str().unwrap())
        .collect();
    subscriptions.sort_unstable();
    let mut expected = vec![sub_a.as_str(), sub_b.as_str()];
    expected.sort_unstable();
    assert_eq!(subscriptions, expected, "{body}");
    for receiver in [&first, &second] {
        let received = receiver.wait_for(2, WAIT).await;
        assert_ne!(
            received[0].header("webhook-id"),
            received[1].header("webhook-id")
        );
        assert_eq!(received[0].json()["id"], "replayed");
        assert_eq!(
            received[1].json()["id"],
            "replayed",
            "the publisher's id again"
        );
    }

    let response = app
        .post(
            &format!("/v1/events/{id}/replay"),
            &json!({"subscription_id": sub_a}),
        )
        .await;
    assert_eq!(response.status(), 202);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["deliveries"].as_array().unwrap().len(), 1);
    assert_eq!(body["deliveries"][0]["subscription_id"], sub_a.as_str());
    first.wait_for(3, WAIT).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(second.received().len(), 2, "only the named subscription");

    // Disabled, unknown: 422 naming the field; an unknown event or another tenant's: 404.
    let patched = app
        .patch(
            &format!("/v1/subscriptions/{sub_b}"),
            &json!({"enabled": false}),
        )
        .await;
    assert_eq!(patched.status(), 200);
    for named in [
        sub_b.as_str(),
        "sub_0190a1b2c3d47e5f8a9b0c1d2e3f4a5b",
        "nope",
    ] {
        let response = app
            .post(
                &format!("/v1/events/{id}/replay"),
                &json!({"subscription_id": named}),
            )
            .await;
        assert_eq!(response.status(), 422, "{named}");
        let body: Value = response.json().await.unwrap();
        assert!(
            body["error"]["fields"]["subscription_id"].is_string(),
            "{body}"
        );
    }
    let missing = app.post("/v1/events/evt_nope/replay", &json!({})).await;
    assert_eq!(missing.status(), 404);
    let globex = tenant_token(&app, "globex").await;
    let (status, _) = call(
        &app,
        &globex,
        &format!("/v1/events/{id}/replay"),
        Some(json!({})),
    )
    .await;
    assert_eq!(status, 404);
    assert_eq!(first.received().len(), 3);
}

async fn failed_count(app: &TestApp) -> usize {
    let page: Value = app
        .get("/v1/deliveries?status=failed&limit=500")
        .await
        .json()
        .await
        .unwrap();
    page["items"].as_array().map_or(0, Vec::len)
}

#[tokio::test]
async fn bulk_retry_counts_then_retries_exactly_the_failed_deliveries_of_the_callers_tenant() {
    let app = spawn_delivering_app().await;
    let receiver = Receiver::start(Reply::status(204)).await;
    receiver.script([Reply::status(400), Reply::status(400), Reply::status(400)]);
    subscribe_receiver(&app, &receiver.url, json!({})).await;
    for i in 0..3 {
        app.publish_sample("transfer.failed", &format!("bulk-{i}"))
            .await;
    }
    eventually(WAIT, "3 failed deliveries", || async {
        (failed_count(&app).await == 3).then_some(())
    })
    .await;

    // Another tenant counts and retries none of them.
    let globex = tenant_token(&app, "globex").await;
    let (status, body) = call(
        &app,
        &globex,
        "/v1/deliveries/retry",
        Some(json!({"dry_run": true})),
    )
    .await;
    assert_eq!((status, &body), (200, &json!({"count": 0, "more": false})));
    let (status, body) = call(&app, &globex, "/v1/deliveries/retry", Some(json!({}))).await;
    assert_eq!((status, &body), (202, &json!({"count": 0, "more": false})));

    let filter = json!({"status": "failed", "event_type": "transfer.failed", "dry_run": true});
    let dry = app.post("/v1/deliveries/retry", &filter).await;
    assert_eq!(dry.status(), 200);
    assert_eq!(
        dry.json::<Value>().await.unwrap(),
        json!({"count": 3, "more": false})
    );
    let other_type = json!({"event_type": "backup.failed", "dry_run": true});
    let none: Value = app
        .post("/v1/deliveries/retry", &other_type)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(none["count"], 0);
    assert_eq!(failed_count(&app).await, 3, "a dry run changes nothing");

    let bad = app
        .post(
            "/v1/deliveries/retry",
            &json!({"status": "retrying", "since": "soon", "x": 1}),
        )
        .await;
    assert_eq!(bad.status(), 422);
    let bad: Value = bad.json().await.unwrap();
    for field in ["status", "since", "x"] {
        assert!(bad["error"]["fields"][field].is_string(), "{bad}");
    }

    let mut real = filter.clone();
    real["dry_run"] = json!(false);
    let response = app.post("/v1/deliveries/retry", &real).await;
    assert_eq!(response.status(), 202);
    assert_eq!(
        response.json::<Value>().await.unwrap(),
        json!({"count": 3, "more": false})
    );
    for i in 0..3 {
        app.delivery_when(&format!("bulk-{i}"), "delivered", WAIT)
            .await;
    }
    receiver.wait_for(6, WAIT).await;
    let again: Value = app
        .post("/v1/deliveries/retry", &filter)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(again["count"], 0);
}
