use super::*;

#[test]
fn default_matches_the_contract() {
    let policy = RetryPolicy::default();
    assert_eq!(policy.max_attempts(), 8);
    assert_eq!(policy.delay_before(1, 0.0), Duration::from_secs(5));
    assert_eq!(policy.delay_before(7, 0.0), Duration::from_secs(7200));
    assert_eq!(policy.max_delay(), Duration::from_secs(7200));
}

#[test]
fn last_delay_repeats() {
    let policy = RetryPolicy::default();
    assert_eq!(policy.delay_before(8, 0.0), Duration::from_secs(7200));
    assert_eq!(policy.delay_before(50, 0.0), Duration::from_secs(7200));
    assert_eq!(policy.delay_before(0, 0.0), Duration::from_secs(5));
}

#[test]
fn jitter_stays_within_twenty_percent() {
    let policy = RetryPolicy::new(3, vec![Duration::from_secs(100)]).unwrap();
    assert_eq!(policy.delay_before(1, 1.0), Duration::from_secs(120));
    assert_eq!(policy.delay_before(1, -1.0), Duration::from_secs(80));
    assert_eq!(policy.delay_before(1, 5.0), Duration::from_secs(120));
    assert_eq!(policy.delay_before(1, -5.0), Duration::from_secs(80));
    assert_eq!(policy.delay_before(1, f64::NAN), Duration::from_secs(100));
    for step in -10..=10 {
        let delay = policy.delay_before(2, f64::from(step) / 10.0);
        assert!((80.0..=120.0).contains(&delay.as_secs_f64()));
    }
}

#[test]
fn rejects_unusable_policies() {
    assert!(RetryPolicy::new(0, vec![Duration::from_secs(1)]).is_err());
    assert!(RetryPolicy::new(101, vec![Duration::from_secs(1)]).is_err());
    assert!(RetryPolicy::new(3, vec![]).is_err());
    assert!(RetryPolicy::new(3, vec![Duration::ZERO]).is_err());
    assert!(RetryPolicy::new(3, vec![Duration::from_secs(604_801)]).is_err());
}
