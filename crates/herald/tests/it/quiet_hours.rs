//! Quiet hours (issue 12), on the real clock: a window around "now" in Europe/Berlin holds a
//! subscription's deliveries and releases them as one message when it ends, while an outcome
//! listed in `except` goes at once; `during: drop` ends them `suppressed`. (The release
//! decision across daylight saving changes is a unit test of herald-dispatcher's `hold`.)

use std::time::Duration;

use chrono::{DateTime, TimeDelta, Timelike, Utc};
use chrono_tz::Europe::Berlin;
use serde_json::{Value, json};

use crate::support::{
    Receiver, Reply, TestApp, eventually, spawn_delivering_app, subscribe_receiver,
};

/// A window from the current Berlin minute to the next, and the instant it ends. Windows have
/// minute precision, so when the minute is nearly over the test waits for the next one: the
/// window then ends 20 to 60 seconds from now.
pub(crate) async fn window_ending_soon() -> (String, String, DateTime<Utc>) {
    let now = Utc::now().with_timezone(&Berlin);
    if now.second() >= 40 {
        tokio::time::sleep(Duration::from_secs(u64::from(61 - now.second()))).await;
    }
    let now = Utc::now().with_timezone(&Berlin);
    let minute = now
        .with_second(0)
        .and_then(|t| t.with_nanosecond(0))
        .unwrap();
    let end = minute + TimeDelta::minutes(1);
    (
        minute.format("%H:%M").to_string(),
        end.format("%H:%M").to_string(),
        end.with_timezone(&Utc),
    )
}

async fn statuses(app: &TestApp) -> Vec<(String, String, Option<String>)> {
    sqlx::query_as(
        "SELECT e.ce_id, d.status, d.failure_reason FROM deliveries d
         JOIN events e ON e.id = d.event_id WHERE e.type <> 'herald.group' ORDER BY e.ce_id",
    )
    .fetch_all(app.store.pool())
    .await
    .unwrap()
}

async fn publish(app: &TestApp, event_type: &str, id: &str) {
    app.publish_sample(event_type, id).await;
}

#[tokio::test]
async fn a_quiet_window_holds_deliveries_and_releases_them_as_one_message_at_its_end() {
    let app = spawn_delivering_app().await;
    let receiver = Receiver::start(Reply::status(200)).await;
    let (from, to, end) = window_ending_soon().await;
    let quiet = json!({"timezone": "Europe/Berlin", "windows": [{"from": from, "to": to}],
                       "except": ["failure"]});
    subscribe_receiver(&app, &receiver.url, json!({"quiet_hours": quiet})).await;
    for id in ["done-1", "done-2", "done-3"] {
        publish(&app, "transfer.completed", id).await;
    }
    publish(&app, "backup.started", "started-1").await;
    publish(&app, "transfer.failed", "failed-1").await;

    // The failure breaks through at once, inside the window.
    let first = receiver.wait_for(1, Duration::from_secs(10)).await;
    assert!(
        Utc::now() < end,
        "the window ended before the test could look"
    );
    assert_eq!(first[0].json()["type"], "transfer.failed");
    eventually(Duration::from_secs(10), "four deliveries held", || async {
        let held = statuses(&app)
            .await
            .into_iter()
            .filter(|(_, status, _)| status == "held")
            .count();
        (held == 4).then_some(())
    })
    .await;
    assert_eq!(receiver.received().len(), 1);

    // At the window's end, one message for the four.
    let wait = (end - Utc::now()).to_std().unwrap_or_default() + Duration::from_secs(10);
    let both = receiver.wait_for(2, wait).await;
    let released_at = Utc::now();
    assert!(
        released_at >= end,
        "released at {released_at}, before {end}"
    );
    let group = both[1].json();
    assert_eq!(group["type"], "herald.group");
    assert_eq!(group["data"]["reason"], "quiet_hours");
    assert_eq!(group["data"]["count"], 4);
    assert_eq!(
        group["data"]["quiet_hours"],
        json!({"timezone": "Europe/Berlin", "from": from, "to": to})
    );
    assert_eq!(
        group["data"]["outcomes"],
        json!({"started": 1, "success": 3})
    );
    let rows = statuses(&app).await;
    let grouped = rows.iter().filter(|(_, s, _)| s == "grouped").count();
    assert_eq!(grouped, 4, "{rows:?}");
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(receiver.received().len(), 2);
}

#[tokio::test]
async fn quiet_hours_that_drop_end_deliveries_suppressed() {
    let app = spawn_delivering_app().await;
    let receiver = Receiver::start(Reply::status(200)).await;
    // Two hours around now: it does not end during the test.
    let now = Utc::now().with_timezone(&Berlin);
    let window = json!({"from": (now - TimeDelta::hours(1)).format("%H:%M").to_string(),
                        "to": (now + TimeDelta::hours(1)).format("%H:%M").to_string()});
    let quiet = json!({"timezone": "Europe/Berlin", "windows": [window], "during": "drop"});
    subscribe_receiver(&app, &receiver.url, json!({"quiet_hours": quiet})).await;
    publish(&app, "transfer.failed", "dropped-1").await;
    publish(&app, "backup.succeeded", "dropped-2").await;
    let rows = eventually(Duration::from_secs(10), "both suppressed", || async {
        let rows = statuses(&app).await;
        (rows.len() == 2 && rows.iter().all(|(_, s, _)| s == "suppressed")).then_some(rows)
    })
    .await;
    for (_, _, reason) in &rows {
        assert_eq!(reason.as_deref(), Some("quiet hours: left to the digest"));
    }
    let listed: Value = app
        .get("/v1/deliveries?status=suppressed")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(listed["items"].as_array().unwrap().len(), 2, "{listed}");
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert!(receiver.received().is_empty());
}

#[tokio::test]
async fn a_held_transitions_notice_is_released_with_its_words() {
    let app = spawn_delivering_app().await;
    let receiver = Receiver::start(Reply::status(200)).await;
    let (from, to, end) = window_ending_soon().await;
    let quiet = json!({"timezone": "Europe/Berlin", "windows": [{"from": from, "to": to}]});
    subscribe_receiver(
        &app,
        &receiver.url,
        json!({"quiet_hours": quiet, "notify": "transitions"}),
    )
    .await;
    // One job: two failures (the first notifies, the second is quiet), then its recovery.
    let now = Utc::now();
    for (i, (event_type, minutes)) in [
        ("transfer.failed", 30),
        ("transfer.failed", 20),
        ("transfer.completed", 10),
    ]
    .into_iter()
    .enumerate()
    {
        let id = format!("run-{i}");
        let mut event = herald::samples::sample_event(
            event_type,
            "acme",
            &id,
            now - TimeDelta::minutes(minutes),
        );
        event["data"]["name"] = json!("nightly-a");
        app.nats.publish_event(&event, &id).await;
        // One at a time: a notice already held is not taken back by an older event.
        let stored = i as i64 + 1;
        eventually(Duration::from_secs(10), "the event stored", || async {
            (app.event_count().await == stored).then_some(())
        })
        .await;
    }
    eventually(Duration::from_secs(10), "two notices held", || async {
        let held = statuses(&app)
            .await
            .into_iter()
            .filter(|(_, status, _)| status == "held")
            .count();
        (held == 2).then_some(())
    })
    .await;
    let wait = (end - Utc::now()).to_std().unwrap_or_default() + Duration::from_secs(10);
    let group = receiver.wait_for(1, wait).await[0].json();
    assert_eq!(group["type"], "herald.group");
    assert_eq!(group["data"]["count"], 2);
    let members = &group["data"]["members"];
    assert_eq!(members[0]["notice"]["kind"], "failing");
    assert_eq!(members[0]["notice"]["failures"], 1);
    assert_eq!(members[1]["notice"]["kind"], "recovered");
    assert_eq!(members[1]["notice"]["failures"], 2);
    assert_eq!(members[1]["notice"]["down_for_seconds"], 1200);
}
