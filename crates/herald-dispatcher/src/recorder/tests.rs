use super::*;

#[test]
fn a_retry_is_due_its_delay_from_now_and_an_ended_delivery_has_no_next_attempt() {
    let now = Utc::now();
    assert_eq!(
        next_attempt_at(&Decision::Retry(Duration::from_millis(2500)), now),
        Some(now + TimeDelta::milliseconds(2500))
    );
    assert_eq!(next_attempt_at(&Decision::Delivered, now), None);
    assert_eq!(
        next_attempt_at(
            &Decision::Failed {
                disable: Some("gone".into())
            },
            now
        ),
        None
    );
}
