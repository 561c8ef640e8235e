//! Rotating the encryption key: a process with the new key and the old one listed in
//! `HERALD_ENCRYPTION_KEYS` reads what the old key sealed; `herald rekey` moves every sealed
//! secret to the new key while deliveries go on; then the new key alone is enough, and nothing
//! in the database opens with the old one.

use std::process::{Command, Output};
use std::time::Duration;

use base64::Engine as _;
use herald_store::{EncryptionKey, SealError, SecretCipher};
use serde_json::json;

use crate::support::{
    ENCRYPTION_KEY, Received, Receiver, Reply, nats_url, serve_binary, spawn_targets,
    subscribe_receiver,
};

/// The new key; the harness's `ENCRYPTION_KEY` is the old one.
const KEY_B: &str = "b7c6d5e4f3a2918076a5b4c3d2e1f0ffb7c6d5e4f3a2918076a5b4c3d2e1f0ff";
const WAIT: Duration = Duration::from_secs(20);

/// A Standard Webhooks verifier's check with the secret handed out at create.
fn signed_with(request: &Received, secret: &str) -> bool {
    use hmac::{Hmac, KeyInit as _, Mac as _};
    let key = base64::engine::general_purpose::STANDARD
        .decode(secret.strip_prefix("whsec_").unwrap())
        .unwrap();
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(&key).unwrap();
    let signed = format!(
        "{}.{}.",
        request.header("webhook-id").unwrap(),
        request.header("webhook-timestamp").unwrap()
    );
    mac.update(signed.as_bytes());
    mac.update(&request.body);
    let expected = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
    request.header("webhook-signature").unwrap() == format!("v1,{expected}")
}

/// Every receiver has `count` requests, each signed with its subscription's original secret.
async fn all_signed(hooks: &[(Receiver, String)], count: usize) {
    for (receiver, secret) in hooks {
        let received = receiver.wait_for(count, WAIT).await;
        assert!(
            received.iter().all(|r| signed_with(r, secret)),
            "a bad signature"
        );
    }
}

fn rekey(database_url: &str, keys: &str) -> Output {
    Command::new(env!("CARGO_BIN_EXE_herald"))
        .args(["rekey", "--batch-size", "2"])
        .env("HERALD_NATS_URL", nats_url())
        .env("HERALD_DATABASE_URL", database_url)
        .env("HERALD_ENCRYPTION_KEY", KEY_B)
        .env("HERALD_ENCRYPTION_KEYS", keys)
        .output()
        .expect("herald rekey runs")
}

#[tokio::test]
async fn secrets_sealed_under_the_old_key_keep_delivering_through_a_rekey() {
    let mut app = spawn_targets("ingest,api", |_| {}).await;
    let mut hooks = Vec::new();
    for _ in 0..5 {
        let receiver = Receiver::start(Reply::status(204)).await;
        let (_, secret) = subscribe_receiver(&app, &receiver.url, json!({})).await;
        hooks.push((receiver, secret));
    }
    app.stop().await;

    // The first process is killed mid-test: a message NATS had just handed it comes back
    // after the ack wait, which must be well inside the test's wait (the default is 30 s).
    let short_acks = [
        ("HERALD_INGEST_ACK_WAIT_SECS", "2"),
        ("HERALD_DISPATCHER_ACK_WAIT_SECS", "3"),
    ];
    let new_and_old = [
        ("HERALD_ENCRYPTION_KEY", KEY_B),
        ("HERALD_ENCRYPTION_KEYS", ENCRYPTION_KEY),
        short_acks[0],
        short_acks[1],
    ];
    let mut herald = serve_binary(&app, "ingest,dispatcher", &new_and_old);
    app.publish_sample("transfer.failed", "before").await;
    all_signed(&hooks, 1).await;

    // Deliveries go on while the rekey runs, in batches of two.
    let database = app.database.url.clone();
    let rekeying = tokio::task::spawn_blocking(move || rekey(&database, ENCRYPTION_KEY));
    let mut during = 0;
    while !rekeying.is_finished() || during < 3 {
        app.publish_sample("transfer.failed", &format!("during-{during}"))
            .await;
        during += 1;
        tokio::time::sleep(Duration::from_millis(30)).await;
    }
    let output = rekeying.await.unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.contains("re-sealed 5 subscriptions"), "{stdout}");
    all_signed(&hooks, 1 + during).await;
    let again =
        String::from_utf8_lossy(&rekey(&app.database.url, ENCRYPTION_KEY).stdout).into_owned();
    assert!(
        again.starts_with("re-sealed 0 ") && again.contains("(5 already were)"),
        "{again}"
    );

    // The new key alone.
    herald.kill();
    let _herald = serve_binary(
        &app,
        "ingest,dispatcher",
        &[
            ("HERALD_ENCRYPTION_KEY", KEY_B),
            short_acks[0],
            short_acks[1],
        ],
    );
    app.publish_sample("transfer.failed", "after").await;
    all_signed(&hooks, 2 + during).await;

    let sealed: Vec<Vec<u8>> = sqlx::query_scalar("SELECT spec_sealed FROM subscriptions")
        .fetch_all(app.store.pool())
        .await
        .unwrap();
    assert_eq!(sealed.len(), 5);
    let old = SecretCipher::new(&EncryptionKey::parse(ENCRYPTION_KEY).unwrap());
    let new = SecretCipher::new(&EncryptionKey::parse(KEY_B).unwrap());
    for row in &sealed {
        assert!(
            matches!(old.open(row), Err(SealError::Open)),
            "a row still sealed under the old key"
        );
        assert!(new.open(row).is_ok());
    }
}

#[tokio::test]
async fn a_bad_key_in_encryption_keys_stops_the_start_with_one_line_naming_it() {
    let output = Command::new(env!("CARGO_BIN_EXE_herald"))
        .args(["serve", "--target", "ingest"])
        .env("HERALD_ENCRYPTION_KEY", KEY_B)
        .env(
            "HERALD_ENCRYPTION_KEYS",
            format!("{ENCRYPTION_KEY},not-a-key"),
        )
        .output()
        .expect("herald runs");
    assert_eq!(output.status.code(), Some(64));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("HERALD_ENCRYPTION_KEYS") && !stderr.contains("not-a-key"),
        "{stderr}"
    );
}
