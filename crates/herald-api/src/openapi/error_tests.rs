//! The error answers the document shows are the ones the code gives, status and body: each
//! example is made here by the code path that makes it.

use std::collections::BTreeMap;
use std::time::Duration;

use axum::body::Body;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::ApiError;

async fn answer(response: Response) -> (u16, Value) {
    let status = response.status().as_u16();
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap();
    (status, serde_json::from_slice(&bytes).unwrap())
}

/// What a layer answered before `json_errors` put it in the API's shape.
async fn plain(status: StatusCode) -> Response {
    let response = (status, Body::from("plain text")).into_response();
    crate::limits::json_errors(response).await
}

fn rejected(body: &Value) -> ApiError {
    let bytes = serde_json::to_vec(body).unwrap();
    let incoming = herald_domain::Incoming {
        subject_tenant: "acme",
        subject_type: "transfer.failed",
        content_type: None,
        body: &bytes,
        received_at: chrono::Utc::now(),
    };
    let rejection = herald_domain::parse_event(&incoming, &Default::default()).unwrap_err();
    ApiError::Rejected {
        code: rejection.reason.code(),
        message: rejection.reason.to_string(),
    }
}

#[tokio::test]
async fn every_error_example_is_what_the_code_answers_with_the_documented_status() {
    let doc: Value = serde_json::from_str(&super::openapi_json()).unwrap();
    let invalid = herald_domain::SubscriptionSpec::from_json(&json!({
        "tenant": "acme", "name": "x", "event_types": ["*", "Backup"],
        "channel": "webhook", "target": {"url": "/relative"}
    }))
    .unwrap_err();
    let taken =
        herald_store::StoreError::NameTaken("sub_06FDM2K7Q5VJX9T1ZR3NBW8PCB".parse().unwrap());
    let bus = herald_bus::BusError::Connect {
        url: "nats://127.0.0.1:4222".into(),
        reason: "connection refused".into(),
    };
    let cases: Vec<(&str, Response)> = vec![
        (
            "BadRequest",
            crate::json::object_body(b"x").unwrap_err().into_response(),
        ),
        ("BadRequest", plain(StatusCode::BAD_REQUEST).await),
        ("Unauthorized", ApiError::Unauthorized.into_response()),
        (
            "Forbidden",
            ApiError::Forbidden("this token is read-only").into_response(),
        ),
        (
            "Forbidden",
            ApiError::Forbidden("a tenant token works on its own tenant only").into_response(),
        ),
        (
            "Forbidden",
            ApiError::Forbidden("only the admin token manages tokens").into_response(),
        ),
        (
            "NotFound",
            ApiError::NotFound("subscription").into_response(),
        ),
        ("Timeout", plain(StatusCode::REQUEST_TIMEOUT).await),
        (
            "Conflict",
            ApiError::Conflict(format!(
                "only a failed delivery can be retried; this one is {}",
                herald_domain::DeliveryStatus::Delivered
            ))
            .into_response(),
        ),
        ("NameTaken", ApiError::from(taken).into_response()),
        ("TooLarge", plain(StatusCode::PAYLOAD_TOO_LARGE).await),
        ("Invalid", ApiError::from(invalid).into_response()),
        (
            "EventRefused",
            rejected(&json!({"specversion": "1.0", "id": "x", "type": "transfer.failed"}))
                .into_response(),
        ),
        (
            "EventRefused",
            ApiError::from(herald_bus::check_published_type("herald.delivery.failed").unwrap_err())
                .into_response(),
        ),
        (
            "EventRefused",
            ApiError::field("tenant", "is required: the tenant the event belongs to")
                .into_response(),
        ),
        (
            "RateLimited",
            ApiError::TooManyRequests(Duration::from_millis(300)).into_response(),
        ),
        (
            "Internal",
            ApiError::Internal(herald_store::StoreError::Corrupt("x".into())).into_response(),
        ),
        ("Unavailable", ApiError::Bus(bus).into_response()),
    ];
    let mut shown: BTreeMap<String, usize> = BTreeMap::new();
    for (name, response) in cases {
        let documented = &doc["components"]["responses"][name];
        let examples: Vec<&Value> = documented["content"]["application/json"]["examples"]
            .as_object()
            .unwrap_or_else(|| panic!("{name} has no examples"))
            .values()
            .map(|e| &e["value"])
            .collect();
        let (status, body) = answer(response).await;
        assert!(
            examples.contains(&&body),
            "{name}: the code answers {body}, not one of {examples:?}"
        );
        assert_eq!(status, status_of(&doc, name), "{name}");
        *shown.entry(name.to_owned()).or_default() += 1;
    }
    for (name, response) in doc["components"]["responses"].as_object().unwrap() {
        let count = response["content"]["application/json"]["examples"]
            .as_object()
            .unwrap()
            .len();
        assert_eq!(
            shown.get(name),
            Some(&count),
            "an example of {name} is not made above"
        );
    }
}

/// The status every operation gives the named response under (one per response).
fn status_of(doc: &Value, name: &str) -> u16 {
    let target = format!("#/components/responses/{name}");
    let mut statuses = std::collections::BTreeSet::new();
    for item in doc["paths"].as_object().unwrap().values() {
        for operation in item.as_object().unwrap().values() {
            for (status, response) in operation["responses"].as_object().into_iter().flatten() {
                if response["$ref"] == json!(target) {
                    statuses.insert(status.parse::<u16>().unwrap());
                }
            }
        }
    }
    assert_eq!(statuses.len(), 1, "{name} is used under {statuses:?}");
    statuses.into_iter().next().unwrap()
}

#[tokio::test]
async fn the_rate_limit_and_token_headers_are_documented() {
    let doc: Value = serde_json::from_str(&super::openapi_json()).unwrap();
    let responses = &doc["components"]["responses"];
    let limited = ApiError::TooManyRequests(Duration::from_secs(2)).into_response();
    assert!(limited.headers().contains_key("retry-after"));
    assert!(
        responses["RateLimited"]["headers"]
            .get("Retry-After")
            .is_some()
    );
    let unauthorized = ApiError::Unauthorized.into_response();
    assert!(unauthorized.headers().contains_key("www-authenticate"));
    assert!(
        responses["Unauthorized"]["headers"]
            .get("WWW-Authenticate")
            .is_some()
    );
}
