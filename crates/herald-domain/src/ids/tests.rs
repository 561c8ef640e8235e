use super::*;

#[test]
fn ids_round_trip_through_text_and_serde() {
    let id = SubscriptionId::new();
    let text = id.to_string();
    assert!(text.starts_with("sub_"));
    assert_eq!(text.len(), 4 + 26);
    assert_eq!(text.parse::<SubscriptionId>().unwrap(), id);
    let json = serde_json::to_string(&id).unwrap();
    assert_eq!(json, format!("\"{text}\""));
    assert_eq!(serde_json::from_str::<SubscriptionId>(&json).unwrap(), id);
}

#[test]
fn extreme_uuids_round_trip() {
    for uuid in [Uuid::nil(), Uuid::max()] {
        let id = DeliveryId::from_uuid(uuid);
        assert_eq!(
            id.to_string().parse::<DeliveryId>().unwrap().as_uuid(),
            uuid
        );
    }
    assert_eq!(
        DeliveryId::from_uuid(Uuid::max()).to_string(),
        "dlv_7ZZZZZZZZZZZZZZZZZZZZZZZZZ"
    );
}

#[test]
fn wrong_prefix_or_bad_text_is_rejected() {
    let text = SubscriptionId::new().to_string();
    let as_delivery = text.replacen("sub_", "dlv_", 1);
    assert!(text.parse::<DeliveryId>().is_err());
    assert!(as_delivery.parse::<DeliveryId>().is_ok());
    assert!("sub_".parse::<SubscriptionId>().is_err());
    assert!(
        "sub_01J!0000000000000000000000"
            .parse::<SubscriptionId>()
            .is_err()
    );
    assert!(
        "sub_8ZZZZZZZZZZZZZZZZZZZZZZZZZ"
            .parse::<SubscriptionId>()
            .is_err()
    );
    assert!(serde_json::from_str::<EventId>("\"rej_00000000000000000000000000\"").is_err());
}

#[test]
fn lowercase_input_is_accepted() {
    let id = RejectionId::new();
    let lower = id.to_string().to_lowercase();
    assert_eq!(lower.parse::<RejectionId>().unwrap(), id);
}

#[test]
fn later_ids_sort_after_earlier_ones() {
    let first = EventId::new();
    let second = EventId::new();
    assert!(first < second);
    assert!(first.to_string() < second.to_string());
}
