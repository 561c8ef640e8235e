use serde_json::{Value, json};

use super::*;

const CONTRACT_EXAMPLE: &str =
    "{{ type }} {{ data.name }}{% if data.error %}: {{ data.error.message }}{% endif %}";

fn transfer(event_type: &str, data: Value) -> Value {
    json!({
        "specversion": "1.0",
        "id": "e-1",
        "source": "cloudklone://prod",
        "type": event_type,
        "time": "2026-03-01T09:30:00Z",
        "subject": "transfer/def-456",
        "datacontenttype": "application/json",
        "tenant": "acme",
        "partitionkey": "def-456",
        "data": data,
    })
}

fn failed() -> Value {
    transfer(
        "transfer.failed",
        json!({"transfer_id": "def-456", "name": "sync-website",
               "error": {"code": "TIMEOUT", "message": "Network timeout"}}),
    )
}

fn completed() -> Value {
    transfer(
        "transfer.completed",
        json!({"transfer_id": "def-456", "name": "sync-website",
               "bytes_transferred": 52_428_800,
               "started_at": "2026-03-01T08:25:00Z", "ended_at": "2026-03-01T09:30:00Z"}),
    )
}

fn render(source: &str, event: &Value) -> Result<String, TemplateError> {
    let subscription = TemplateSubscription {
        id: "sub_01JQ0000000000000000000000",
        name: "ops alerts",
        tenant: "acme",
    };
    let context = TemplateContext::new(event, "dlv_01JQ0000000000000000000000", 3, subscription);
    render_template(source, &context)
}

fn ok(source: &str, event: &Value) -> String {
    render(source, event).unwrap_or_else(|e| panic!("{source} failed: {e}"))
}

#[test]
fn the_contract_example_serves_failures_and_successes() {
    assert_eq!(
        ok(CONTRACT_EXAMPLE, &failed()),
        "transfer.failed sync-website: Network timeout"
    );
    assert_eq!(
        ok(CONTRACT_EXAMPLE, &completed()),
        "transfer.completed sync-website"
    );
}

#[test]
fn every_attribute_is_at_the_top_and_the_event_under_event() {
    let all = "{{ id }}|{{ source }}|{{ subject }}|{{ time }}|{{ tenant }}|{{ partitionkey }}|{{ event.type }}|{{ event.data.name }}";
    assert_eq!(
        ok(all, &failed()),
        "e-1|cloudklone://prod|transfer/def-456|2026-03-01T09:30:00Z|acme|def-456|transfer.failed|sync-website"
    );
}

#[test]
fn the_delivery_and_subscription_are_there_too() {
    assert_eq!(
        ok(
            "{{ delivery_id }} #{{ attempt }} {{ subscription.id }} {{ subscription.name }} {{ subscription.tenant }}",
            &failed()
        ),
        "dlv_01JQ0000000000000000000000 #3 sub_01JQ0000000000000000000000 ops alerts acme"
    );
    // An extension named like one of Herald's own variables does not hide it.
    let mut event = failed();
    event["attempt"] = json!("publisher's");
    assert_eq!(ok("{{ attempt }}", &event), "3");
}

#[test]
fn absent_data_renders_empty_however_deep() {
    assert_eq!(
        ok(
            "[{{ data.error.details.code }}][{{ data.nothing }}]",
            &completed()
        ),
        "[][]"
    );
    assert_eq!(
        ok("{{ data.missing | default('n/a') }}", &completed()),
        "n/a"
    );
}

#[test]
fn sizes_are_shown_in_binary_units() {
    for (bytes, shown) in [
        (json!(52_428_800), "50 MiB"),
        (json!(1536), "1.5 KiB"),
        (json!(1023), "1023 B"),
        (json!(1_073_741_824_u64), "1 GiB"),
        (json!(1_048_575), "1 MiB"),
        // proto3 JSON writes int64 as a string
        (json!("734003200"), "700 MiB"),
    ] {
        let event = transfer("transfer.completed", json!({ "bytes": bytes }));
        assert_eq!(ok("{{ data.bytes | filesizeformat }}", &event), shown);
    }
    assert_eq!(ok("{{ data.nope | filesizeformat }}", &completed()), "");
}

#[test]
fn durations_read_like_people_write_them() {
    for (seconds, shown) in [
        (1800, "30 min"),
        (3900, "1 h 5 min"),
        (45, "45 s"),
        (90, "1 min 30 s"),
        (3605, "1 h"),
        (93_600, "1 d 2 h"),
    ] {
        let event = transfer("transfer.completed", json!({ "seconds": seconds }));
        assert_eq!(ok("{{ data.seconds | durationformat }}", &event), shown);
    }
    let between = "{{ data.started_at | durationformat(data.ended_at) }}";
    assert_eq!(ok(between, &completed()), "1 h 5 min");
    // A job without an end yet: nothing to show, not an error.
    let started = transfer(
        "transfer.started",
        json!({"started_at": "2026-03-01T08:25:00Z"}),
    );
    assert_eq!(ok(between, &started), "");
}

#[test]
fn times_are_shown_in_the_named_zone() {
    assert_eq!(
        ok(
            "{{ time | datetimeformat('%Y-%m-%d %H:%M', 'Europe/Berlin') }}",
            &failed()
        ),
        "2026-03-01 10:30"
    );
    assert_eq!(
        ok("{{ time | datetimeformat }}", &failed()),
        "2026-03-01 09:30 UTC"
    );
    let error = render(
        "{{ time | datetimeformat('%H', 'Mars/Olympus') }}",
        &failed(),
    )
    .unwrap_err();
    assert!(error.message().contains("Mars/Olympus"), "{error}");
    assert!(render("{{ time | datetimeformat('%Q') }}", &failed()).is_err());
}

#[test]
fn errors_name_their_line() {
    let error = check_template("ok\n{% if type %}\nno end").unwrap_err();
    assert!(error.message().starts_with("syntax error"), "{error}");
    assert!(error.line().is_some(), "{error}");
    let error = render("fine\n{{ data.name | nosuchfilter }}", &failed()).unwrap_err();
    assert_eq!(error.line(), Some(2), "{error}");
    assert!(error.message().contains("nosuchfilter"), "{error}");
    let error = render("{{ data.name | filesizeformat }}", &failed()).unwrap_err();
    assert!(error.message().contains("sync-website"), "{error}");
}

#[test]
fn a_runaway_loop_runs_out_of_fuel() {
    let error = render(
        "{% for i in range(10000) %}{% for j in range(10000) %}x{% endfor %}{% endfor %}",
        &failed(),
    )
    .unwrap_err();
    assert!(error.message().contains("fuel"), "{error}");
}
