//! The API's JSON bodies (issue 14): the create-subscription, PATCH, replay, publish and token
//! bodies go through the same readers the handlers use, and every refusal is a 4xx in the
//! API's error shape, never a 500 or a panic. The handlers' remaining steps need Postgres and
//! NATS, so the end-to-end suite covers those.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::LazyLock;

use axum::response::IntoResponse;
use herald_domain::{EventLimits, SubscriptionSpec};
use proptest::prelude::*;
use serde_json::{Value, json};

use crate::ApiError;
use crate::json::{merge_patch, object_body};
use crate::publish::checked_event;
use crate::replay::named_subscription;
use crate::tokens::NewToken;

static RUNTIME: LazyLock<tokio::runtime::Runtime> = LazyLock::new(|| {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
});

/// The refusal as a client sees it: a 4xx whose body is `{"error": {"code", "message"}}`,
/// with `fields` naming each bad field on a 422 `invalid`.
fn check_refusal(error: ApiError) {
    let response = error.into_response();
    let status = response.status();
    assert!(status.is_client_error(), "{status}");
    let bytes = RUNTIME
        .block_on(axum::body::to_bytes(response.into_body(), usize::MAX))
        .unwrap();
    let body: Value = serde_json::from_slice(&bytes).unwrap();
    let code = body["error"]["code"].as_str().unwrap();
    assert!(!code.is_empty());
    assert!(!body["error"]["message"].as_str().unwrap().is_empty());
    if code == "invalid" {
        let fields = body["error"]["fields"].as_object().unwrap();
        assert!(!fields.is_empty());
        assert!(
            fields
                .values()
                .all(|v| v.as_str().is_some_and(|m| !m.is_empty()))
        );
    }
}

/// `POST /v1/subscriptions`: the body, then its validation.
fn create_subscription(body: &[u8]) {
    let checked = object_body(body)
        .and_then(|document| SubscriptionSpec::from_json(&document).map_err(ApiError::from));
    if let Err(error) = checked {
        check_refusal(error);
    }
}

/// `PATCH /v1/subscriptions/{id}`: a merge patch over a stored subscription, then validation.
fn patch_subscription(body: &[u8]) {
    let current = SubscriptionSpec::from_json(&json!({
        "tenant": "acme", "name": "ops", "channel": "webhook",
        "target": {"url": "https://hooks.example.com/h"}
    }))
    .unwrap();
    let checked = object_body(body).and_then(|patch| {
        let mut merged = current.to_json();
        merge_patch(&mut merged, &patch);
        SubscriptionSpec::from_json(&merged).map_err(ApiError::from)
    });
    if let Err(error) = checked {
        check_refusal(error);
    }
}

/// `POST /v1/events`: the handler's reading of the body, then ingest's checks.
fn publish(body: &[u8]) {
    let scopes = [None, Some("acme")];
    for scope in scopes {
        if let Err(error) = checked_event(
            scope,
            Some("application/json"),
            body,
            &EventLimits::default(),
        ) {
            check_refusal(error);
        }
    }
}

/// `POST /v1/events/{id}/replay`.
fn replay(body: &[u8]) {
    if let Err(error) = named_subscription(body) {
        check_refusal(error);
    }
}

/// `POST /v1/tokens`.
fn create_token(body: &[u8]) {
    if let Err(error) = NewToken::from_body(body) {
        check_refusal(error);
    }
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        prop_oneof![
            any::<String>(),
            Just("\0".to_owned()),
            Just("sub_".to_owned())
        ]
        .prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map(
                prop_oneof![
                    prop::sample::select(
                        &[
                            "tenant",
                            "name",
                            "channel",
                            "target",
                            "url",
                            "event_types",
                            "retry",
                            "digest",
                            "subscription_id",
                            "read_only",
                            "specversion",
                            "id",
                            "type",
                            "source",
                            "data",
                            "filter",
                            "quiet_hours",
                            "group",
                            "read_only",
                        ][..]
                    )
                    .prop_map(str::to_owned),
                    any::<String>(),
                ],
                inner,
                0..5,
            )
            .prop_map(|map| Value::Object(map.into_iter().collect())),
        ]
    })
}

/// Bytes a client might send: any bytes, any JSON, deep nesting, and numbers past every
/// integer type.
fn body() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        prop::collection::vec(any::<u8>(), 0..256),
        json_value().prop_map(|v| v.to_string().into_bytes()),
        (1usize..2000).prop_map(|depth| format!(
            "{}{}",
            "{\"a\":".repeat(depth),
            "}".repeat(depth)
        )
        .into_bytes()),
        "-?[0-9]{1,400}(e[0-9]{1,5})?"
            .prop_map(|n| format!("{{\"rate_limit_per_second\": {n}}}").into_bytes()),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn create_subscription_bodies_are_answered(body in body()) {
        create_subscription(&body);
    }

    #[test]
    fn patch_bodies_are_answered(body in body()) {
        patch_subscription(&body);
    }

    #[test]
    fn publish_bodies_are_answered(body in body()) {
        publish(&body);
    }

    #[test]
    fn replay_bodies_are_answered(body in body()) {
        replay(&body);
    }

    #[test]
    fn token_bodies_are_answered(body in body()) {
        create_token(&body);
    }
}
