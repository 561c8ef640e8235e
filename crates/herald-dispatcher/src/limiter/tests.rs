use super::*;

fn run<T>(admission: Admission<T>) -> (T, TargetSlot<T>) {
    match admission {
        Admission::Run(job, slot) => (job, slot),
        _ => panic!("expected to run"),
    }
}

const QUICK: Option<Duration> = Some(Duration::from_millis(5));

#[test]
fn a_full_target_keeps_its_next_jobs_and_hands_each_a_finished_slot() {
    let limiter = TargetLimiter::new(2);
    let (_, a) = run(limiter.admit("fast:443", 1));
    let (_, _b) = run(limiter.admit("fast:443", 2));
    assert!(matches!(limiter.admit("fast:443", 3), Admission::Waiting));
    assert!(matches!(
        limiter.admit("other:443", 4),
        Admission::Run(4, _)
    ));
    let (next, slot) = a.finish(QUICK).next.expect("job 3 is next");
    assert_eq!(next, 3);
    assert!(slot.finish(QUICK).next.is_none());
    // Two slots again: one held by job 2, one free.
    assert!(matches!(limiter.admit("fast:443", 5), Admission::Run(5, _)));
}

#[test]
fn a_slow_target_keeps_only_what_it_will_take_soon_and_refuses_more() {
    let limiter = TargetLimiter::new(2);
    let (_, a) = run(limiter.admit("slow:443", 0));
    let (_, _b) = run(limiter.admit("slow:443", 0));
    // Before its first answer the target is assumed quick: a burst waits.
    for job in 1..=20 {
        assert!(matches!(limiter.admit("slow:443", job), Admission::Waiting));
    }
    // The first answer took 100 s: none of the backlog would run soon enough.
    let handover = a.finish(Some(Duration::from_secs(100)));
    assert!(handover.next.is_none());
    assert_eq!(handover.evicted.len(), 20);
    assert_eq!(handover.evicted[0], 20, "the newest go back first");
    let (_, _c) = run(limiter.admit("slow:443", 0));
    assert!(matches!(
        limiter.admit("slow:443", 21),
        Admission::Saturated(21)
    ));
}

#[test]
fn a_quick_target_may_queue_many_rounds() {
    let limiter = TargetLimiter::new(2);
    let (_, mut slot) = run(limiter.admit("fast:443", 0));
    let (_, _other) = run(limiter.admit("fast:443", 0));
    for _ in 0..30 {
        assert!(matches!(limiter.admit("fast:443", 1), Admission::Waiting));
        let (_, next) = slot.finish(Some(Duration::from_millis(2))).next.unwrap();
        slot = next;
    }
    // Answers in ~2 ms: hundreds of jobs are a moment's work.
    for _ in 0..500 {
        assert!(matches!(limiter.admit("fast:443", 1), Admission::Waiting));
    }
}

#[test]
fn a_slot_dropped_without_finishing_is_given_back() {
    let limiter = TargetLimiter::new(1);
    let (_, slot) = run(limiter.admit("x:80", 0));
    drop(slot);
    assert!(matches!(limiter.admit("x:80", 1), Admission::Run(1, _)));
}

#[test]
fn a_job_handed_back_again_and_again_stays_away_longer() {
    let base = Duration::from_secs(1);
    assert_eq!(hand_back_delay(base, 1, 0.0), Duration::from_secs(1));
    assert_eq!(hand_back_delay(base, 2, 0.0), Duration::from_secs(2));
    assert_eq!(hand_back_delay(base, 3, 0.0), Duration::from_secs(4));
    assert_eq!(hand_back_delay(base, 40, 0.0), Duration::from_secs(5));
    assert_eq!(hand_back_delay(base, 1, 1.0), Duration::from_millis(1200));
    assert_eq!(hand_back_delay(base, 1, -1.0), Duration::from_millis(800));
}
