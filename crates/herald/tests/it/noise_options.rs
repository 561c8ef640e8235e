//! The options of issue 12 through the API: created and shown with their defaults filled in,
//! every wrong value named in one 422, a fallback checked against the store (same tenant, not
//! itself, not a digest; another tenant's answered as a missing one), removed with `null`.

use serde_json::{Value, json};

use crate::support::{TestApp, spawn_app, webhook_subscription};

fn quiet_hours() -> Value {
    json!({"timezone": "Europe/Berlin",
           "windows": [{"days": ["fri", "mon"], "from": "22:00", "to": "07:00"}],
           "except": ["failure"]})
}

async fn answer(response: reqwest::Response) -> (u16, Value) {
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn fields_of(app: &TestApp, body: &Value) -> serde_json::Map<String, Value> {
    let (status, body) = answer(app.post("/v1/subscriptions", body).await).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["error"]["code"], "invalid", "{body}");
    body["error"]["fields"]
        .as_object()
        .cloned()
        .unwrap_or_default()
}

#[tokio::test]
async fn every_option_is_created_and_shown() {
    let app = spawn_app().await;
    let fallback = app.subscribe(webhook_subscription("acme", json!({}))).await;
    let id = app
        .subscribe(webhook_subscription(
            "acme",
            json!({"notify": "transitions", "group_key": "data.schedule.id",
                   "repeat_interval": "90m", "quiet_hours": quiet_hours(),
                   "fallback_subscription_id": fallback}),
        ))
        .await;
    let (status, shown) = answer(app.get(&format!("/v1/subscriptions/{id}")).await).await;
    assert_eq!(status, 200);
    assert_eq!(shown["notify"], "transitions");
    assert_eq!(shown["group_key"], "data.schedule.id");
    assert_eq!(shown["repeat_interval"], "1h30m");
    assert_eq!(shown["fallback_subscription_id"], json!(fallback));
    assert_eq!(
        shown["quiet_hours"],
        json!({"timezone": "Europe/Berlin", "during": "hold", "except": ["failure"],
               "windows": [{"days": ["mon", "fri"], "from": "22:00", "to": "07:00"}]})
    );
    assert!(shown.get("group").is_none(), "{shown}");

    let grouped = app
        .subscribe(webhook_subscription(
            "acme",
            json!({"group": {"by": ["data.source"]}}),
        ))
        .await;
    let (_, shown) = answer(app.get(&format!("/v1/subscriptions/{grouped}")).await).await;
    assert_eq!(shown["notify"], "every_event");
    assert!(shown.get("repeat_interval").is_none(), "{shown}");
    assert_eq!(
        shown["group"],
        json!({"by": ["data.source"], "wait": "30s", "interval": "5m"})
    );
    // The list shows them too.
    let (_, page) = answer(app.get("/v1/subscriptions?tenant=acme").await).await;
    let listed = page["items"].as_array().unwrap();
    assert!(
        listed
            .iter()
            .any(|s| s["id"] == json!(id) && s["repeat_interval"] == "1h30m")
    );
}

#[tokio::test]
async fn every_wrong_option_is_named_at_once() {
    let app = spawn_app().await;
    let missing = herald_domain::SubscriptionId::new().to_string();
    let fields = fields_of(
        &app,
        &webhook_subscription(
            "acme",
            json!({
                "notify": "transitions",
                "group_key": "labels.env",
                "repeat_interval": "10s",
                "quiet_hours": {"timezone": "Europe/Atlantis", "during": "mute",
                    "windows": [{"days": ["someday"], "from": "25:00", "to": "07:00"}],
                    "except": ["doom"]},
                "fallback_subscription_id": missing
            }),
        ),
    )
    .await;
    let mut names: Vec<&str> = fields.keys().map(String::as_str).collect();
    names.sort_unstable();
    assert_eq!(
        names,
        [
            "fallback_subscription_id",
            "group_key",
            "quiet_hours.during",
            "quiet_hours.except[0]",
            "quiet_hours.timezone",
            "quiet_hours.windows[0].days[0]",
            "quiet_hours.windows[0].from",
            "repeat_interval",
        ],
        "{fields:?}"
    );
    let fields = fields_of(
        &app,
        &webhook_subscription(
            "acme",
            json!({"group": {"by": [], "wait": "2h", "interval": "1m", "extra": true},
                   "notify": "sometimes", "fallback_subscription_id": "sub_x"}),
        ),
    )
    .await;
    for name in [
        "group.by",
        "group.wait",
        "group.extra",
        "notify",
        "fallback_subscription_id",
    ] {
        assert!(fields.contains_key(name), "{name} not named: {fields:?}");
    }
    // Options that do not go together.
    let fields = fields_of(
        &app,
        &webhook_subscription("acme", json!({"notify": "transitions", "group": {}})),
    )
    .await;
    assert!(fields.contains_key("group"), "{fields:?}");
    let digest = json!({"name": "digest", "tenant": "acme", "channel": "email",
        "target": {"to": ["ops@example.com"]}, "digest": {"hour": 7},
        "notify": "transitions", "group": {}, "quiet_hours": quiet_hours()});
    let fields = fields_of(&app, &digest).await;
    for name in ["notify", "group", "quiet_hours"] {
        assert!(fields.contains_key(name), "{name} not named: {fields:?}");
    }
}

#[tokio::test]
async fn a_fallback_must_be_another_non_digest_subscription_of_the_tenant() {
    let app = spawn_app().await;
    let others = app
        .subscribe(webhook_subscription("globex", json!({})))
        .await;
    let missing = herald_domain::SubscriptionId::new().to_string();
    let digest = app
        .subscribe(
            json!({"name": "daily", "tenant": "acme", "channel": "email",
            "target": {"to": ["ops@example.com"]}, "digest": {"hour": 7}}),
        )
        .await;
    let refusal = |fields: serde_json::Map<String, Value>| {
        fields["fallback_subscription_id"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let with = |fallback: &str| {
        webhook_subscription("acme", json!({"fallback_subscription_id": fallback}))
    };
    // Another tenant's subscription reads exactly as one that does not exist.
    let other_tenant = refusal(fields_of(&app, &with(&others)).await);
    let nowhere = refusal(fields_of(&app, &with(&missing)).await);
    assert_eq!(
        other_tenant.replace(&others, "ID"),
        nowhere.replace(&missing, "ID")
    );
    assert!(!other_tenant.contains("globex"), "{other_tenant}");
    let to_digest = refusal(fields_of(&app, &with(&digest)).await);
    assert!(to_digest.contains("digest"), "{to_digest}");

    // Through PATCH: not itself, and the same checks.
    let id = app.subscribe(webhook_subscription("acme", json!({}))).await;
    let path = format!("/v1/subscriptions/{id}");
    let (status, body) = answer(
        app.patch(&path, &json!({"fallback_subscription_id": id}))
            .await,
    )
    .await;
    assert_eq!(status, 422, "{body}");
    assert!(body["error"]["fields"]["fallback_subscription_id"].is_string());
    let (status, _) = answer(
        app.patch(&path, &json!({"fallback_subscription_id": others}))
            .await,
    )
    .await;
    assert_eq!(status, 422);
    // A tenant's own subscription is a fine fallback, a digest is not.
    let (status, _) = answer(
        app.patch(&path, &json!({"fallback_subscription_id": digest}))
            .await,
    )
    .await;
    assert_eq!(status, 422);
}

#[tokio::test]
async fn patch_changes_and_removes_options() {
    let app = spawn_app().await;
    let fallback = app.subscribe(webhook_subscription("acme", json!({}))).await;
    let id = app
        .subscribe(webhook_subscription(
            "acme",
            json!({"notify": "transitions", "quiet_hours": quiet_hours(),
                   "fallback_subscription_id": fallback}),
        ))
        .await;
    let path = format!("/v1/subscriptions/{id}");
    // Objects merge key by key.
    let (status, body) = answer(
        app.patch(
            &path,
            &json!({"quiet_hours": {"during": "drop"}, "repeat_interval": "1d"}),
        )
        .await,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["quiet_hours"]["during"], "drop");
    assert_eq!(body["quiet_hours"]["timezone"], "Europe/Berlin");
    assert_eq!(body["repeat_interval"], "1d");
    // Back to every event: its own options go in the same patch, or they are named.
    let (status, body) = answer(app.patch(&path, &json!({"notify": "every_event"})).await).await;
    assert_eq!(status, 422, "{body}");
    assert!(
        body["error"]["fields"]["repeat_interval"].is_string(),
        "{body}"
    );
    let (status, body) = answer(
        app.patch(
            &path,
            &json!({"notify": "every_event", "repeat_interval": null, "quiet_hours": null,
                    "fallback_subscription_id": null, "group": {"wait": "1m"}}),
        )
        .await,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let (_, shown) = answer(app.get(&path).await).await;
    assert_eq!(shown["notify"], "every_event");
    for gone in ["repeat_interval", "quiet_hours", "fallback_subscription_id"] {
        assert!(shown.get(gone).is_none(), "{gone} still shown: {shown}");
    }
    assert_eq!(shown["group"]["wait"], "1m");
    let (status, _) = answer(app.patch(&path, &json!({"group": null})).await).await;
    assert_eq!(status, 200);
    let (_, shown) = answer(app.get(&path).await).await;
    assert!(shown.get("group").is_none(), "{shown}");
}
