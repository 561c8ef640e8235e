use chrono::TimeZone;
use serde_json::json;

use super::*;

fn event(data: Value) -> Event {
    Event {
        tenant: Tenant::parse("acme").unwrap(),
        id: "e-1".into(),
        source: "cloudklone://prod".into(),
        event_type: EventType::parse("transfer.failed").unwrap(),
        time: Utc.with_ymd_and_hms(2026, 11, 22, 2, 30, 0).unwrap(),
        subject: Some("transfers/1".into()),
        data,
        extensions: Map::new(),
    }
}

#[test]
fn cloudevent_carries_every_attribute() {
    let data = json!({"transfer_id": "t-1", "labels": {"env": "prod", "n": 3}});
    let ce = event(data.clone()).to_cloudevent();
    assert_eq!(
        ce,
        json!({
            "specversion": "1.0", "id": "e-1", "source": "cloudklone://prod",
            "type": "transfer.failed", "time": "2026-11-22T02:30:00Z",
            "subject": "transfers/1", "datacontenttype": "application/json",
            "tenant": "acme", "data": data,
        })
    );
    let e = event(data);
    assert_eq!(e.label("env"), Some("prod"));
    assert_eq!(e.label("n"), None);
    assert_eq!(e.label("missing"), None);
}

#[test]
fn cloudevent_without_data_leaves_it_out() {
    let ce = event(Value::Null).to_cloudevent();
    assert!(ce.get("data").is_none());
}
