use chrono::{TimeZone as _, Utc};
use herald_domain::EventId;

use super::*;

fn family(name: &str) -> FamilyFigures {
    FamilyFigures {
        family: name.into(),
        succeeded: 0,
        failed: 0,
        warnings: 0,
        started: 0,
        total: 1,
        bytes: 0,
    }
}

fn job(name: &str, runs: u64) -> BusiestRow {
    BusiestRow {
        name: name.into(),
        runs,
        bytes: 0,
    }
}

#[test]
fn sums_of_bytes_read_as_u64_and_nothing_summed_is_zero() {
    assert_eq!(parse_bytes(None).unwrap(), 0);
    assert_eq!(parse_bytes(Some("52428800")).unwrap(), 52_428_800);
    assert_eq!(parse_bytes(Some("18446744073709551615")).unwrap(), u64::MAX);
    assert!(matches!(
        parse_bytes(Some("1.5")),
        Err(StoreError::Corrupt(_))
    ));
}

#[test]
fn families_follow_the_digest_order_with_other_last() {
    let mut figures = DigestFigures {
        families: ["other", "verify", "backup", "transfer"]
            .map(family)
            .to_vec(),
        ..DigestFigures::default()
    };
    order(&mut figures);
    let names: Vec<&str> = figures.families.iter().map(|f| f.family.as_str()).collect();
    assert_eq!(names, ["transfer", "backup", "verify", "other"]);
}

#[test]
fn busiest_go_most_runs_first_then_by_name() {
    let mut figures = DigestFigures {
        busiest: vec![job("b", 2), job("c", 5), job("a", 2)],
        ..DigestFigures::default()
    };
    order(&mut figures);
    let names: Vec<&str> = figures.busiest.iter().map(|j| j.name.as_str()).collect();
    assert_eq!(names, ["c", "a", "b"]);
}

#[test]
fn failures_go_oldest_first() {
    let failure = |minute: u32| FailureRow {
        event_id: EventId::new(),
        time: Utc.with_ymd_and_hms(2025, 3, 10, 8, minute, 0).unwrap(),
        event_type: "transfer.failed".into(),
        name: None,
        source: None,
        destination: None,
        error_code: None,
        error_message: None,
    };
    let mut figures = DigestFigures {
        failures: vec![failure(30), failure(5), failure(10)],
        ..DigestFigures::default()
    };
    order(&mut figures);
    let minutes: Vec<String> = figures
        .failures
        .iter()
        .map(|f| f.time.format("%M").to_string())
        .collect();
    assert_eq!(minutes, ["05", "10", "30"]);
}
