use super::*;

fn ty(s: &str) -> EventType {
    EventType::parse(s).unwrap()
}

#[test]
fn parses_per_the_contract_grammar() {
    for good in ["transfer.failed", "a.b.c", "my_app.deploy.v2", "x.0"] {
        assert!(EventType::parse(good).is_ok(), "{good:?} rejected");
    }
    for bad in [
        "transfer",
        "Transfer.failed",
        "1x.y",
        "a..b",
        "a.b.",
        ".a",
        "a.B",
        "a-b.c",
    ] {
        assert!(EventType::parse(bad).is_err(), "{bad:?} accepted");
    }
}

#[test]
fn only_listed_types_are_known() {
    assert_eq!(ty("transfer.failed").known_family(), Some(Family::Transfer));
    assert_eq!(ty("gc.completed").known_family(), Some(Family::Gc));
    assert_eq!(ty("transfer.exploded").known_family(), None);
    assert_eq!(ty("transfer.exploded").family(), "transfer");
    assert_eq!(ty("deploy.finished").known_family(), None);
}

#[test]
fn outcome_follows_the_last_segment() {
    assert_eq!(ty("transfer.failed").outcome(), Outcome::Failure);
    assert_eq!(ty("backup.succeeded").outcome(), Outcome::Success);
    assert_eq!(ty("snapshot.deleted").outcome(), Outcome::Success);
    assert_eq!(ty("backup.warning").outcome(), Outcome::Warning);
    assert_eq!(ty("gc.started").outcome(), Outcome::Started);
    assert_eq!(ty("deploy.rolled_back").outcome(), Outcome::Info);
    assert_eq!(Outcome::Failure.as_str(), "failure");
}

#[test]
fn patterns_match_exact_family_and_any() {
    let failed = ty("transfer.failed");
    let backup = ty("backup.failed");
    let transfers = EventTypePattern::parse("transfer.*").unwrap();
    assert!(transfers.matches(&failed));
    assert!(!transfers.matches(&backup));
    assert!(!EventTypePattern::parse("trans.*").unwrap().matches(&failed));
    assert!(EventTypePattern::parse("*").unwrap().matches(&backup));
    assert!(
        EventTypePattern::parse("backup.failed")
            .unwrap()
            .matches(&backup)
    );
    assert!(
        !EventTypePattern::parse("backup.failed")
            .unwrap()
            .matches(&failed)
    );
    for bad in [
        "",
        "**",
        "transfer.",
        ".*",
        "transfer.*.x",
        "Transfer.*",
        "transfer",
    ] {
        assert!(EventTypePattern::parse(bad).is_err(), "{bad:?} accepted");
    }
}
