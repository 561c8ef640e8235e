use super::*;

#[test]
fn titles_read_as_sentences() {
    for (event_type, title) in [
        ("transfer.completed", "Transfer complete"),
        ("transfer.failed", "Transfer failed"),
        ("backup.succeeded", "Backup succeeded"),
        ("backup.warning", "Backup finished with warnings"),
        ("snapshot.deleted", "Snapshot deleted"),
        ("gc.started", "Garbage collection started"),
        ("verify.completed", "Verification complete"),
        ("deploy.finished", "Deploy finished"),
        (
            "deploy.canary_rollout.finished",
            "Deploy canary rollout finished",
        ),
        ("herald.test", "Test notification"),
        ("herald.delivery.failed", "Delivery failed"),
        ("herald.subscription.disabled", "Subscription disabled"),
        ("", "Event"),
    ] {
        assert_eq!(super::title(event_type), title, "{event_type}");
    }
}

#[test]
fn every_outcome_has_its_own_look() {
    let looks: Vec<_> = Outcome::ALL
        .iter()
        .map(|o| (icon(*o), colour(*o)))
        .collect();
    for (i, look) in looks.iter().enumerate() {
        assert!(!looks[i + 1..].contains(look));
    }
    assert_eq!(icon(Outcome::Failure), "❌");
}
