use std::time::Duration;

use chrono::Utc;
use serde_json::{Value, json};

use super::{FieldPath, GroupSpec, Notify};
use crate::{Event, EventType, Tenant};

fn event(ty: &str, data: Value) -> Event {
    Event {
        tenant: Tenant::parse("acme").unwrap(),
        id: "e-1".into(),
        source: "cloudklone://prod".into(),
        event_type: EventType::parse(ty).unwrap(),
        time: Utc::now(),
        subject: Some("nightly-a".into()),
        data,
        extensions: Default::default(),
    }
}

fn path(text: &str) -> FieldPath {
    FieldPath::parse(text).unwrap()
}

fn transitions(key: Option<&str>) -> Notify {
    Notify::Transitions {
        key: key.map(path),
        repeat_interval: Notify::DEFAULT_REPEAT_INTERVAL,
    }
}

#[test]
fn field_paths_name_attributes_or_data() {
    for good in [
        "type",
        "source",
        "subject",
        "tenant",
        "data.a",
        "data.schedule.id",
    ] {
        assert_eq!(FieldPath::parse(good).unwrap().as_str(), good);
    }
    let long = format!("data.{}", "x".repeat(200));
    for bad in [
        "",
        "data",
        "data.",
        "data..x",
        "data.x.",
        "id",
        "Type",
        "labels.env",
        &long,
    ] {
        assert!(FieldPath::parse(bad).is_err(), "{bad:?} was accepted");
    }
}

#[test]
fn values_are_read_as_text() {
    let e = event(
        "transfer.failed",
        json!({"schedule": {"id": "sch-1"}, "n": 42, "ok": true, "x": 1.5,
               "none": null, "obj": {}, "list": ["a", "b"]}),
    );
    let read = |p: &str| path(p).value_in(&e);
    assert_eq!(read("type").as_deref(), Some("transfer.failed"));
    assert_eq!(read("source").as_deref(), Some("cloudklone://prod"));
    assert_eq!(read("subject").as_deref(), Some("nightly-a"));
    assert_eq!(read("tenant").as_deref(), Some("acme"));
    assert_eq!(read("data.schedule.id").as_deref(), Some("sch-1"));
    assert_eq!(read("data.n").as_deref(), Some("42"));
    assert_eq!(read("data.ok").as_deref(), Some("true"));
    assert_eq!(read("data.x").as_deref(), Some("1.5"));
    assert_eq!(read("data.list.1").as_deref(), Some("b"));
    for missing in [
        "data.none",
        "data.obj",
        "data.list",
        "data.nope",
        "data.n.deeper",
    ] {
        assert_eq!(read(missing), None, "{missing}");
    }
    let no_subject = Event {
        subject: None,
        ..e.clone()
    };
    assert_eq!(path("subject").value_in(&no_subject), None);
}

#[test]
fn a_transfer_is_known_by_its_schedule_then_name_then_id() {
    let notify = transitions(None);
    let full = json!({"transfer_id": "t-1", "name": "nightly", "schedule": {"id": "sch-1"}});
    let key = |data: Value| notify.job_key(&event("transfer.failed", data));
    assert_eq!(key(full).as_deref(), Some("transfer:sch-1"));
    assert_eq!(
        key(json!({"transfer_id": "t-1", "name": "nightly"})).as_deref(),
        Some("transfer:nightly")
    );
    assert_eq!(
        key(json!({"transfer_id": "t-1", "name": ""})).as_deref(),
        Some("transfer:t-1")
    );
    assert_eq!(key(json!({"other": 1})), None);
    // Custom types of the family too.
    assert_eq!(
        notify
            .job_key(&event("transfer.exploded", json!({"transfer_id": "t-9"})))
            .as_deref(),
        Some("transfer:t-9")
    );
}

#[test]
fn other_families_are_known_by_job_or_repository() {
    let notify = transitions(None);
    let key = |ty: &str, data: Value| notify.job_key(&event(ty, data));
    let both = json!({"job_id": "j-1", "repo_id": "r-1"});
    assert_eq!(
        key("backup.failed", both.clone()).as_deref(),
        Some("backup:j-1")
    );
    assert_eq!(
        key("verify.failed", both.clone()).as_deref(),
        Some("verify:r-1")
    );
    assert_eq!(key("gc.completed", both.clone()).as_deref(), Some("gc:r-1"));
    assert_eq!(key("deploy.failed", both).as_deref(), Some("deploy:r-1"));
    assert_eq!(key("deploy.failed", Value::Null), None);
}

#[test]
fn a_group_key_names_the_job_whatever_the_family() {
    let notify = transitions(Some("data.host"));
    let key = |ty: &str| notify.job_key(&event(ty, json!({"host": "db-1", "job_id": "j"})));
    assert_eq!(key("backup.failed").as_deref(), Some("db-1"));
    assert_eq!(key("verify.completed").as_deref(), Some("db-1"));
    assert_eq!(
        notify.job_key(&event("backup.failed", json!({"job_id": "j"}))),
        None
    );
}

#[test]
fn every_event_follows_no_job() {
    let e = event("backup.failed", json!({"job_id": "j-1"}));
    assert_eq!(Notify::EveryEvent.job_key(&e), None);
    assert_eq!(Notify::default(), Notify::EveryEvent);
    assert_eq!(Notify::EveryEvent.as_str(), "every_event");
    assert_eq!(transitions(None).as_str(), "transitions");
}

#[test]
fn groups_are_keyed_by_their_values() {
    let group = GroupSpec {
        by: vec![path("type"), path("data.source")],
        wait: Duration::from_secs(30),
        interval: Duration::from_secs(300),
    };
    let a = event("transfer.failed", json!({"source": "s3:/archive"}));
    let b = event("transfer.failed", json!({"source": "s3:/other"}));
    let none = event("transfer.failed", json!({}));
    assert_eq!(group.key(&a), r#"["transfer.failed","s3:/archive"]"#);
    assert_ne!(group.key(&a), group.key(&b));
    assert_eq!(group.key(&none), r#"["transfer.failed",""]"#);
    assert_eq!(group.label(&a), "transfer.failed · s3:/archive");
    assert_eq!(group.label(&none), "transfer.failed · (no data.source)");
    // No value can pass for two.
    let joined = GroupSpec {
        by: vec![path("data.a"), path("data.b")],
        ..group
    };
    assert_ne!(
        joined.key(&event("x.y", json!({"a": "1,2", "b": "3"}))),
        joined.key(&event("x.y", json!({"a": "1", "b": "2,3"})))
    );
}
