//! Receivers that misbehave below HTTP: one that accepts and never answers, ones that trickle
//! their answer a byte a second, one that answers 200 with 100 MB. Each attempt ends within
//! its subscription's timeout (the whole answer, not each read), keeps at most the excerpt of
//! what came, closes its connection, and leaves the dispatcher free for healthy receivers.
//! The receivers are raw TCP, so the faults are exactly the bytes written here.

mod raw;

use std::time::{Duration, Instant};

use herald_channels::RESPONSE_EXCERPT_BYTES;
use serde_json::{Value, json};

use crate::support::{
    Receiver, Reply, TestApp, eventually, fast_retry, herald_command, spawn_app,
    spawn_delivering_app, subscribe_receiver,
};
use raw::{Fault, HUGE, KERNEL_BUFFERS, RawReceiver};

/// A subscription of acme's `event_types` to `url`, answering within `timeout_ms`, with
/// `attempts` tries 200 ms apart.
async fn subscribe(
    app: &TestApp,
    url: &str,
    types: &str,
    timeout_ms: u64,
    attempts: u32,
) -> String {
    let mut extra = fast_retry(attempts, 0.2);
    extra["event_types"] = json!([types]);
    extra["target"] = json!({ "timeout_ms": timeout_ms });
    subscribe_receiver(app, url, extra).await.0
}

fn attempts(delivery: &Value) -> Vec<Value> {
    delivery["attempts"].as_array().cloned().unwrap_or_default()
}

fn duration(attempt: &Value) -> Duration {
    Duration::from_millis(attempt["duration_ms"].as_u64().unwrap())
}

#[tokio::test]
async fn a_receiver_that_never_answers_times_out_is_retried_and_holds_up_no_one() {
    let app = spawn_delivering_app().await;
    let hang = RawReceiver::start(Fault::Hang).await;
    let healthy = Receiver::start(Reply::status(204)).await;
    subscribe(&app, &hang.url, "backup.*", 5000, 2).await;
    subscribe(&app, &healthy.url, "transfer.*", 5000, 2).await;

    app.publish_sample("backup.failed", "stuck").await;
    eventually(
        Duration::from_secs(15),
        "the first attempt connected",
        || async { (!hang.connections().is_empty()).then_some(()) },
    )
    .await;
    for i in 0..20 {
        app.publish_sample("transfer.completed", &format!("ok{i}"))
            .await;
    }
    healthy.wait_for(20, Duration::from_secs(10)).await;
    let first = hang.connections()[0];
    assert!(
        first.closed.is_none(),
        "the healthy receiver got its 20 while the hung attempt was still waiting"
    );

    let delivery = app
        .delivery_when("stuck", "failed", Duration::from_secs(30))
        .await;
    let tried = attempts(&delivery);
    assert_eq!(tried.len(), 2, "retried once: {delivery}");
    for attempt in &tried {
        assert_eq!(attempt["error_class"], "timeout", "{attempt}");
        assert_eq!(attempt["status_code"], Value::Null, "{attempt}");
        assert_eq!(attempt["error"], "no answer within 5000 ms", "{attempt}");
        let took = duration(attempt);
        assert!(took >= Duration::from_secs(5), "{took:?}");
        assert!(took < Duration::from_millis(6500), "{took:?}");
    }
    // Each timed-out attempt let go of its connection: nothing left open at the receiver.
    for connection in hang.all_closed(2, Duration::from_secs(5)).await {
        let held = connection.closed.unwrap() - connection.accepted;
        assert!(held < Duration::from_millis(6500), "held {held:?}");
    }
}

#[tokio::test]
async fn answers_trickled_a_byte_a_second_end_at_the_timeout_as_a_whole() {
    let app = spawn_delivering_app().await;
    let slow_body = RawReceiver::start(Fault::TrickleBody).await;
    let slow_head = RawReceiver::start(Fault::TrickleHead).await;
    subscribe(&app, &slow_body.url, "backup.*", 3000, 1).await;
    subscribe(&app, &slow_head.url, "transfer.*", 3000, 1).await;
    app.publish_sample("backup.failed", "slow-body").await;
    app.publish_sample("transfer.failed", "slow-head").await;

    let within = Duration::from_secs(20);
    let body = app.delivery_when("slow-body", "failed", within).await;
    let head = app.delivery_when("slow-head", "failed", within).await;
    let (body, head) = (&attempts(&body)[0], &attempts(&head)[0]);
    assert_eq!(body["error_class"], "timeout", "{body}");
    assert_eq!(
        body["error"], "HTTP 200 came, but its body was still arriving after 3000 ms",
        "{body}"
    );
    assert_eq!(head["error_class"], "timeout", "{head}");
    assert_eq!(head["error"], "no answer within 3000 ms", "{head}");
    for attempt in [body, head] {
        let took = duration(attempt);
        assert!(took >= Duration::from_secs(3), "{took:?}");
        assert!(took < Duration::from_millis(4000), "{took:?}: not per read");
    }
    for receiver in [&slow_body, &slow_head] {
        let connection = receiver.all_closed(1, Duration::from_secs(5)).await[0];
        let held = connection.closed.unwrap() - connection.accepted;
        assert!(held < Duration::from_millis(4500), "held {held:?}");
        assert!(
            connection.written <= 5,
            "{} bytes trickled",
            connection.written
        );
    }
}

#[tokio::test]
async fn a_100_mb_answer_is_delivered_quickly_with_only_its_excerpt_read() {
    let app = spawn_delivering_app().await;
    let huge = RawReceiver::start(Fault::Huge).await;
    let id = subscribe(&app, &huge.url, "backup.*", 10_000, 1).await;
    app.publish_sample("backup.completed", "big").await;

    let delivery = app
        .delivery_when("big", "delivered", Duration::from_secs(20))
        .await;
    let attempt = &attempts(&delivery)[0];
    assert_eq!(attempt["status_code"], 200, "{attempt}");
    assert!(duration(attempt) < Duration::from_secs(2), "{attempt}");
    let excerpt = attempt["response_body"].as_str().unwrap();
    assert_eq!(excerpt, "x".repeat(RESPONSE_EXCERPT_BYTES));
    let connection = huge.all_closed(1, Duration::from_secs(5)).await[0];
    eprintln!("delivery: the receiver wrote {} bytes", connection.written);
    assert!(connection.written < KERNEL_BUFFERS, "{connection:?}");

    // The "Send test" route goes through the same client, with the same bounds.
    let started = Instant::now();
    let response = app
        .post(&format!("/v1/subscriptions/{id}/test"), &json!({}))
        .await;
    assert_eq!(response.status(), 200);
    let result: Value = response.json().await.unwrap();
    assert!(started.elapsed() < Duration::from_secs(3), "{result}");
    assert_eq!(result["delivered"], true, "{result}");
    assert_eq!(
        result["response_body"].as_str().map(str::len),
        Some(RESPONSE_EXCERPT_BYTES)
    );
    let connection = huge.all_closed(2, Duration::from_secs(5)).await[1];
    eprintln!("send test: the receiver wrote {} bytes", connection.written);
    assert!(connection.written < KERNEL_BUFFERS, "{connection:?}");
}

/// "Send test" of a subscription with `timeout_ms` to a receiver that never answers: how
/// long the API took, its status must be 200, and the result; then the receiver.
async fn send_test_to_a_hanging_receiver(timeout_ms: u64) -> (Duration, Value, RawReceiver) {
    let app = spawn_app().await;
    let hang = RawReceiver::start(Fault::Hang).await;
    let id = subscribe(&app, &hang.url, "backup.*", timeout_ms, 1).await;
    let started = Instant::now();
    let response = app
        .post(&format!("/v1/subscriptions/{id}/test"), &json!({}))
        .await;
    let took = started.elapsed();
    assert_eq!(response.status(), 200);
    let result: Value = response.json().await.unwrap();
    assert_eq!(result["delivered"], false, "{result}");
    (took, result, hang)
}

#[tokio::test]
async fn the_send_test_route_gives_up_on_a_receiver_that_never_answers() {
    let (took, result, hang) = send_test_to_a_hanging_receiver(2000).await;
    assert!(took < Duration::from_secs(3), "{took:?}: {result}");
    assert_eq!(result["error"], "no answer within 2000 ms", "{result}");
    hang.all_closed(1, Duration::from_secs(3)).await;
}

/// A subscription may wait up to 120 s for its receiver, the API only 30 s for a request:
/// the test gives up inside that and says so, instead of the API's 408.
#[tokio::test]
async fn a_send_test_answers_within_the_request_timeout_whatever_timeout_ms_says() {
    let (took, result, _hang) = send_test_to_a_hanging_receiver(60_000).await;
    assert!(took < Duration::from_secs(30), "{took:?}: {result}");
    let error = result["error"].as_str().unwrap();
    assert!(error.starts_with("no answer within 28 s"), "{result}");
    assert!(
        result["destination"]
            .as_str()
            .unwrap()
            .starts_with("http://127.0.0.1")
    );
}

/// The dispatcher as its own process, so its memory is its own: ten 100 MB answers at once
/// leave its peak resident size near where it started.
#[tokio::test]
async fn a_dispatcher_process_stays_small_while_receivers_send_100_mb_each() {
    let app = spawn_app().await;
    let huge = RawReceiver::start(Fault::Huge).await;
    let warm = Receiver::start(Reply::status(204)).await;
    subscribe(&app, &huge.url, "backup.*", 10_000, 1).await;
    subscribe(&app, &warm.url, "transfer.*", 10_000, 1).await;
    let dispatcher = Dispatcher::start(&app);

    app.publish_sample("transfer.completed", "warm").await;
    app.delivery_when("warm", "delivered", Duration::from_secs(30))
        .await;
    let before = dispatcher.memory_kb("VmRSS");
    for i in 0..10 {
        app.publish_sample("backup.completed", &format!("big{i}"))
            .await;
    }
    eventually(
        Duration::from_secs(30),
        "ten big answers delivered",
        || async {
            let delivered: i64 =
                sqlx::query_scalar("SELECT count(*) FROM deliveries WHERE status = 'delivered'")
                    .fetch_one(app.store.pool())
                    .await
                    .ok()?;
            (delivered == 11).then_some(())
        },
    )
    .await;
    let peak = dispatcher.memory_kb("VmHWM");
    let connections = huge.all_closed(10, Duration::from_secs(10)).await;
    let written: u64 = connections.iter().map(|c| c.written).sum();
    eprintln!(
        "dispatcher RSS before {before} kB, peak {peak} kB; receivers wrote {written} bytes \
         of {} offered",
        10 * HUGE
    );
    assert!(
        peak < before + 64 * 1024,
        "peak {peak} kB, {before} kB before"
    );
    assert!(written < 10 * KERNEL_BUFFERS, "{written}");
}

/// `herald serve --target dispatcher` against the test's database and prefix; killed on drop.
struct Dispatcher(std::process::Child);

impl Dispatcher {
    fn start(app: &TestApp) -> Self {
        let child = herald_command(app, "dispatcher")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("the herald binary starts");
        Self(child)
    }

    /// A line of /proc/<pid>/status, in kB.
    fn memory_kb(&self, field: &str) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.0.id())).unwrap();
        status
            .lines()
            .find_map(|line| line.strip_prefix(field)?.strip_prefix(':'))
            .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap_or_else(|| panic!("{field} in {status}"))
    }
}

impl Drop for Dispatcher {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}
