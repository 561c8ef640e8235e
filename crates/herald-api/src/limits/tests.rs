use super::*;

#[test]
fn a_token_gets_its_burst_then_the_steady_rate() {
    let limiter = RateLimiter::new(5);
    let now = Instant::now();
    for _ in 0..10 {
        assert!(limiter.take("t", now).is_ok());
    }
    let wait = limiter.take("t", now).unwrap_err();
    assert_eq!(wait, Duration::from_millis(200));
    assert!(limiter.take("other", now).is_ok(), "each token has its own");
    assert!(limiter.take("t", now + Duration::from_millis(200)).is_ok());
}
