use super::*;

fn policy() -> RetryPolicy {
    RetryPolicy::new(3, vec![Duration::from_secs(5), Duration::from_secs(30)]).unwrap()
}

#[test]
fn retries_follow_the_policy_until_attempts_run_out() {
    let retry = Verdict::Retry { after: None };
    assert_eq!(
        decide(&retry, 1, &policy(), 0.0),
        Decision::Retry(Duration::from_secs(5))
    );
    assert_eq!(
        decide(&retry, 2, &policy(), 0.0),
        Decision::Retry(Duration::from_secs(30))
    );
    assert_eq!(
        decide(&retry, 3, &policy(), 0.0),
        Decision::Failed { disable: None }
    );
    assert_eq!(
        decide(&retry, 1, &policy(), 1.0),
        Decision::Retry(Duration::from_secs(6))
    );
}

#[test]
fn retry_after_is_honoured_but_capped_by_the_longest_delay() {
    let wish = |s| Verdict::Retry {
        after: Some(Duration::from_secs(s)),
    };
    assert_eq!(
        decide(&wish(2), 1, &policy(), 0.5),
        Decision::Retry(Duration::from_secs(2))
    );
    assert_eq!(
        decide(&wish(3600), 1, &policy(), 0.5),
        Decision::Retry(Duration::from_secs(30))
    );
}

#[test]
fn permanent_failures_end_at_once() {
    assert_eq!(
        decide(
            &Verdict::Permanent {
                disable: Some("gone".into())
            },
            1,
            &policy(),
            0.0
        ),
        Decision::Failed {
            disable: Some("gone".into())
        }
    );
    assert_eq!(
        decide(&Verdict::Delivered, 3, &policy(), 0.0),
        Decision::Delivered
    );
}
