//! `herald apply` converges on the file: a field taken out of the file is taken off the
//! subscription (back to its default) on the next apply, the signing secret excepted, and the
//! apply after that changes nothing.

use base64::Engine as _;
use serde_json::{Value, json};

use crate::operator_cli::{apply, lines_starting, named, subscriptions};
use crate::support::{Received, Receiver, Reply, TestApp, spawn_app};

const FILTERED: &str = "\
subscriptions:
  - tenant: acme
    name: nightly backups
    event_types: [\"backup.*\"]
    filter:
      source_prefix: backup-
      labels:
        team: storage
    channel: webhook
    target:
      url: http://127.0.0.1:9000/backups
";

#[tokio::test]
async fn a_filter_taken_out_of_the_file_is_taken_off_and_a_third_apply_changes_nothing() {
    let app = spawn_app().await;
    assert_eq!(apply(&app, FILTERED, &[], &[]).await.code, Some(0));
    let created = subscriptions(&app, "acme").await.remove(0);
    assert_eq!(created["filter"]["source_prefix"], "backup-");

    let unfiltered = FILTERED.replace(
        "    filter:\n      source_prefix: backup-\n      labels:\n        team: storage\n",
        "",
    );
    assert!(!unfiltered.contains("filter"));
    let run = apply(&app, &unfiltered, &[], &[]).await;
    assert_eq!(run.code, Some(0), "{}{}", run.stdout, run.stderr);
    assert_eq!(
        lines_starting(&run.stdout, "~"),
        vec![
            "~ changed acme/nightly backups: filter.labels (removed), filter.source_prefix (removed)"
        ],
        "{}",
        run.stdout
    );
    let changed = subscriptions(&app, "acme").await.remove(0);
    assert_eq!(changed["id"], created["id"]);
    assert_eq!(changed["filter"], json!({"labels": {}}), "no filter left");
    assert_eq!(changed["event_types"], json!(["backup.*"]));

    let third = apply(&app, &unfiltered, &[], &[]).await;
    assert_eq!(third.code, Some(0), "{}", third.stderr);
    assert!(third.stdout.contains("no changes"), "{}", third.stdout);
    assert!(third.stdout.contains("unchanged"), "{}", third.stdout);
    assert_eq!(subscriptions(&app, "acme").await.remove(0), changed);
}

/// Whether a Standard Webhooks signature of `request` is made with `secret`.
fn signed_with(request: &Received, secret: &str) -> bool {
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
    let expected = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
    request
        .header("webhook-signature")
        .unwrap()
        .split(' ')
        .any(|s| s == format!("v1,{expected}"))
}

async fn test_message(app: &TestApp, id: &str) {
    let answer: Value = app
        .post(&format!("/v1/subscriptions/{id}/test"), &json!({}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(answer["delivered"], true, "{answer}");
}

#[tokio::test]
async fn every_field_left_out_goes_back_to_its_default_but_the_signing_secret_stays() {
    let app = spawn_app().await;
    let receiver = Receiver::start(Reply::status(204)).await;
    let minimal = format!(
        "\
subscriptions:
  - tenant: acme
    name: everything
    channel: webhook
    target:
      url: {}
",
        receiver.url
    );
    let full = minimal.replace(
        "    channel: webhook\n    target:\n",
        "    enabled: false
    event_types: [\"transfer.*\"]
    condition: on_failure
    filter:
      source_prefix: nas-
    rate_limit_per_second: 5
    retry:
      max_attempts: 3
      delays_seconds: [1, 2]
    channel: webhook
    target:
      method: PUT
      timeout_ms: 2500
      headers:
        X-Team: storage
",
    );
    let created = apply(&app, &full, &[], &[]).await;
    assert_eq!(created.code, Some(0), "{}", created.stderr);
    let secret = created
        .stdout
        .split("signing secret ")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .unwrap_or_else(|| panic!("the secret is shown once: {}", created.stdout))
        .to_owned();
    let before = named(&subscriptions(&app, "acme").await, "everything").clone();
    assert_eq!(before["target"]["method"], "PUT");

    let plan = apply(&app, &minimal, &["--dry-run"], &[]).await;
    assert_eq!(plan.code, Some(0), "{}", plan.stderr);
    let change = lines_starting(&plan.stdout, "~ change acme/everything: ");
    assert_eq!(change.len(), 1, "{}", plan.stdout);
    for removal in [
        "condition (to default)",
        "enabled (to default)",
        "event_types (to default)",
        "filter.source_prefix (removed)",
        "rate_limit_per_second (removed)",
        "retry.max_attempts (to default)",
        "target.headers (removed)",
        "target.method (to default)",
        "target.timeout_ms (to default)",
    ] {
        assert!(change[0].contains(removal), "{removal} in {}", change[0]);
    }
    assert!(!change[0].contains("secret"), "{}", change[0]);
    assert_eq!(
        named(&subscriptions(&app, "acme").await, "everything"),
        &before
    );

    let run = apply(&app, &minimal, &[], &[]).await;
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    // Converged: exactly what the minimal file creates afresh, under its own name and id.
    let fresh = minimal.replace("name: everything", "name: fresh");
    assert_eq!(apply(&app, &fresh, &[], &[]).await.code, Some(0));
    let items = subscriptions(&app, "acme").await;
    let (mut applied, mut afresh) = (
        named(&items, "everything").clone(),
        named(&items, "fresh").clone(),
    );
    for field in ["id", "name", "created_at", "updated_at"] {
        applied.as_object_mut().unwrap().remove(field);
        afresh.as_object_mut().unwrap().remove(field);
    }
    assert_eq!(applied, afresh);
    assert_eq!(applied["enabled"], true);

    // The file never named the signing secret: the one shown at creation still signs.
    test_message(&app, before["id"].as_str().unwrap()).await;
    let received = receiver
        .wait_for(1, std::time::Duration::from_secs(10))
        .await;
    assert!(signed_with(&received[0], &secret), "the secret was kept");

    let third = apply(&app, &minimal, &[], &[]).await;
    assert!(third.stdout.contains("no changes"), "{}", third.stdout);
}
