use super::*;

const POLICY: PoisonPolicy = PoisonPolicy { max_deliveries: 20 };

#[test]
fn a_refused_row_is_given_up_at_once_whatever_else_holds() {
    assert!(POLICY.gives_up(FailureKind::Data, 1, false));
    assert!(!POLICY.is_net(FailureKind::Data, 25));
}

#[test]
fn an_outage_never_gives_anything_up_however_long_it_lasts() {
    assert!(!POLICY.gives_up(FailureKind::Transient, 1_000, false));
    // Below the net, even while others get through.
    assert!(!POLICY.gives_up(FailureKind::Transient, 20, true));
}

#[test]
fn the_net_catches_a_message_that_fails_alone_while_others_get_through() {
    assert!(POLICY.gives_up(FailureKind::Transient, 21, true));
    assert!(POLICY.is_net(FailureKind::Transient, 21));
}

#[test]
fn an_unexplained_failure_counts_once_it_repeats_while_the_store_works() {
    assert!(!POLICY.gives_up(FailureKind::Unexplained, 1, true));
    assert!(!POLICY.gives_up(FailureKind::Unexplained, REPEATS - 1, true));
    assert!(!POLICY.gives_up(FailureKind::Unexplained, REPEATS, false));
    assert!(POLICY.gives_up(FailureKind::Unexplained, REPEATS, true));
}

#[test]
fn health_remembers_a_recent_success() {
    let health = StoreHealth::default();
    assert!(!health.works());
    health.clone().succeeded();
    assert!(health.works());
}
