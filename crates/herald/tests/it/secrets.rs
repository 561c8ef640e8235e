//! Secrets are sealed at rest: no column of any table holds one in clear.

use serde_json::json;

use crate::support::spawn_app;

#[tokio::test]
async fn the_database_holds_no_secret_in_clear() {
    let app = spawn_app().await;
    let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    let secrets = [
        "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
        "s3cr3t-password-value",
        "bearer-token-value-123",
        "api-key-value-456",
        "T0001/B0002/slacktokenXYZ",
        "discordtokenABCDEF",
    ];
    app.subscribe(json!({
        "tenant": "acme", "name": "hook", "channel": "webhook",
        "target": {
            "url": "https://hooks.example.com/x", "secret": secret,
            "auth": {"type": "basic", "username": "ops", "password": "s3cr3t-password-value"},
            "headers": {"X-Api-Key": "api-key-value-456"}
        }
    }))
    .await;
    app.subscribe(json!({
        "tenant": "acme", "name": "bearer", "channel": "webhook",
        "target": {"url": "https://hooks.example.com/y", "auth": {"type": "bearer", "token": "bearer-token-value-123"}}
    }))
    .await;
    app.subscribe(json!({
        "tenant": "acme", "name": "slack", "channel": "slack",
        "target": {"webhook_url": "https://hooks.slack.com/services/T0001/B0002/slacktokenXYZ"}
    }))
    .await;
    app.subscribe(json!({
        "tenant": "acme", "name": "discord", "channel": "discord",
        "target": {"webhook_url": "https://discord.com/api/webhooks/123456/discordtokenABCDEF"}
    }))
    .await;

    let tables: Vec<String> =
        sqlx::query_scalar("SELECT tablename::text FROM pg_tables WHERE schemaname = 'public'")
            .fetch_all(app.store.pool())
            .await
            .unwrap();
    assert!(tables.contains(&"subscriptions".to_owned()));
    for table in tables {
        let rows: Vec<String> = sqlx::query_scalar(&format!("SELECT t::text FROM {table} t"))
            .fetch_all(app.store.pool())
            .await
            .unwrap();
        for row in rows {
            for secret in secrets {
                assert!(
                    !row.contains(secret),
                    "{table} holds {secret} in clear: {row}"
                );
            }
        }
    }
    // And the API shows them masked.
    let listed = app.get("/v1/subscriptions").await.text().await.unwrap();
    for secret in secrets {
        assert!(!listed.contains(secret), "the API shows {secret}");
    }
}
