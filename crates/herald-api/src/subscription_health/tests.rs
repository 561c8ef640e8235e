use super::*;

fn standing(standing: Standing, delivered: i64, failed: i64) -> SubscriptionStanding {
    SubscriptionStanding {
        standing,
        failing_since: None,
        last_error: None,
        disabled_reason: None,
        delivered_24h: delivered,
        failed_24h: failed,
    }
}

#[test]
fn the_success_rate_is_delivered_over_ended() {
    let health = SubscriptionHealth::from(&standing(Standing::Failing, 3, 1));
    assert_eq!(health.state, HealthState::Failing);
    assert_eq!(health.success_rate_24h, Some(0.75));
}

#[test]
fn no_ended_delivery_has_no_success_rate() {
    let health = SubscriptionHealth::from(&standing(Standing::Active, 0, 0));
    assert_eq!(health.success_rate_24h, None);
}

#[test]
fn a_subscription_gone_between_two_reads_shows_as_new() {
    let found = HashMap::new();
    let health = pick(&found, SubscriptionId::new(), false);
    assert_eq!(health.state, HealthState::Disabled);
    assert_eq!(health.delivered_24h, 0);
}

#[test]
fn the_state_is_written_in_snake_case() {
    let health = SubscriptionHealth::from(&standing(Standing::Disabled, 0, 2));
    let json = serde_json::to_value(&health).unwrap();
    assert_eq!(json["state"], "disabled");
    assert_eq!(json["success_rate_24h"], 0.0);
}
