use super::*;

#[test]
fn a_saturated_target_refuses_until_a_slot_is_returned() {
    let limiter = TargetLimiter::new(2);
    let a = limiter.try_acquire("slow:443").unwrap();
    let _b = limiter.try_acquire("slow:443").unwrap();
    assert!(limiter.try_acquire("slow:443").is_none());
    assert!(limiter.try_acquire("fast:443").is_some());
    drop(a);
    assert!(limiter.try_acquire("slow:443").is_some());
}
