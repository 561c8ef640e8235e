//! Secret rotation: the new secret is returned once, both sign during the overlap (a Standard
//! Webhooks verifier accepts either), then only the new one.

use std::time::Duration;

use base64::Engine as _;
use serde_json::{Value, json};

use crate::support::{Received, Receiver, Reply, spawn_targets, subscribe_receiver};

/// What a Standard Webhooks verifier checks: one of the space-separated `v1,` signatures is
/// the HMAC of `{id}.{timestamp}.{body}` under the secret's key.
fn verifies(request: &Received, secret: &str) -> bool {
    use hmac::{Hmac, KeyInit as _, Mac as _};
    let key = base64::engine::general_purpose::STANDARD
        .decode(secret.strip_prefix("whsec_").unwrap())
        .unwrap();
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(&key).unwrap();
    mac.update(request.header("webhook-id").unwrap().as_bytes());
    mac.update(b".");
    mac.update(request.header("webhook-timestamp").unwrap().as_bytes());
    mac.update(b".");
    mac.update(&request.body);
    let expected = format!(
        "v1,{}",
        base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
    );
    request
        .header("webhook-signature")
        .unwrap()
        .split(' ')
        .any(|s| s == expected)
}

#[tokio::test]
async fn both_secrets_sign_during_the_overlap_then_only_the_new_one() {
    let app = spawn_targets("ingest,dispatcher,api", |c| {
        c.insert("secret_rotation_overlap_secs".into(), json!(2));
    })
    .await;
    let receiver = Receiver::start(Reply::status(204)).await;
    let (id, old) = subscribe_receiver(&app, &receiver.url, json!({})).await;
    let rotated: Value = app
        .post(&format!("/v1/subscriptions/{id}/rotate-secret"), &json!({}))
        .await
        .json()
        .await
        .unwrap();
    let new = rotated["secret"].as_str().unwrap().to_owned();
    assert_ne!(new, old);
    let shown: Value = app
        .get(&format!("/v1/subscriptions/{id}"))
        .await
        .json()
        .await
        .unwrap();
    assert!(!shown.to_string().contains(&new) && !shown.to_string().contains(&old));

    app.publish_sample("transfer.failed", "during").await;
    let during = receiver
        .wait_for(1, Duration::from_secs(10))
        .await
        .remove(0);
    assert_eq!(
        during
            .header("webhook-signature")
            .unwrap()
            .split(' ')
            .count(),
        2
    );
    assert!(verifies(&during, &new) && verifies(&during, &old));

    tokio::time::sleep(Duration::from_millis(2200)).await;
    app.publish_sample("transfer.failed", "after").await;
    let after = receiver
        .wait_for(2, Duration::from_secs(10))
        .await
        .remove(1);
    assert_eq!(
        after
            .header("webhook-signature")
            .unwrap()
            .split(' ')
            .count(),
        1
    );
    assert!(verifies(&after, &new) && !verifies(&after, &old));
}
