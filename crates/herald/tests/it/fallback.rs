//! Fallbacks of a disabled subscription: its deliveries still pending when it was disabled
//! fail without an attempt, and each of their events reaches the fallback once, saying why.

use std::time::Duration;

use serde_json::{Value, json};

use crate::support::{
    Receiver, Reply, SmtpBehaviour, SmtpServer, eventually, spawn_replica_with, spawn_targets,
    subscribe_receiver,
};

const WAIT: Duration = Duration::from_secs(20);

fn smtp(port: u16) -> impl FnOnce(&mut serde_json::Map<String, Value>) {
    move |c| {
        c.insert("smtp_host".into(), json!("127.0.0.1"));
        c.insert("smtp_port".into(), json!(port));
        c.insert("smtp_security".into(), json!("none"));
        c.insert("smtp_from".into(), json!("Herald <herald@example.com>"));
    }
}

#[tokio::test]
async fn a_disabled_subscription_sends_its_pending_events_to_the_fallback_once() {
    let server = SmtpServer::start(SmtpBehaviour::default()).await;
    // No dispatcher yet: the webhook's deliveries stay pending until it is disabled.
    let app = spawn_targets("ingest,api", smtp(server.port)).await;
    let receiver = Receiver::start(Reply::status(200)).await;
    let mail_id = app
        .subscribe(json!({
            "tenant": "acme", "name": "on-call mail", "channel": "email",
            "event_types": ["backup.*"],
            "target": {"to": ["oncall@example.com"]},
        }))
        .await;
    let (hook_id, _) = subscribe_receiver(
        &app,
        &receiver.url,
        json!({"name": "ops hook", "fallback_subscription_id": mail_id}),
    )
    .await;
    let ids = ["d1", "d2", "d3"];
    for id in ids {
        app.publish_sample("transfer.failed", id).await;
    }
    for id in ids {
        app.delivery_when(id, "pending", WAIT).await;
    }
    let response = app
        .patch(
            &format!("/v1/subscriptions/{hook_id}"),
            &json!({"enabled": false}),
        )
        .await;
    assert_eq!(response.status(), 200);

    let (shutdown, task) = spawn_replica_with(&app, "dispatcher", smtp(server.port)).await;
    let mails = server.wait_for(3, WAIT).await;
    for mail in &mails {
        assert_eq!(mail.rcpts, ["oncall@example.com"]);
        let text = mail.text_plain().expect("a text part");
        assert!(
            text.contains("Sent here because subscription 'ops hook' is disabled."),
            "{text}"
        );
    }
    for id in ids {
        let failed = app.delivery_when(id, "failed", WAIT).await;
        assert_eq!(failed["attempt_count"], 0);
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(server.received().len(), 3, "one fallback mail per event");
    assert!(
        receiver.received().is_empty(),
        "a disabled webhook gets nothing"
    );
    // The event's page tells which delivery stood in for which, and why.
    for id in ids {
        let event: Value = eventually(WAIT, "the fallback delivery shown", || async {
            let event: Value = app
                .get(&format!("/v1/events/{id}"))
                .await
                .json()
                .await
                .ok()?;
            (event["deliveries"].as_array()?.len() == 2).then_some(event)
        })
        .await;
        let deliveries = event["deliveries"].as_array().unwrap();
        let failed = deliveries.iter().find(|d| d["status"] == "failed").unwrap();
        let fallback = deliveries
            .iter()
            .find(|d| d["subscription_id"] == mail_id.as_str())
            .unwrap();
        assert_eq!(fallback["fallback_of"], failed["id"], "{event}");
        assert_eq!(
            fallback["fallback_reason"],
            "subscription 'ops hook' is disabled"
        );
        assert!(failed.get("fallback_of").is_none(), "{failed}");
    }
    shutdown.cancel();
    let _ = task.await;
}
