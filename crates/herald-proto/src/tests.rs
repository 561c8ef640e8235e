use prost::Message;

use super::*;

#[test]
fn delivery_job_round_trips_through_bytes() {
    let job = v1::DeliveryJob {
        delivery_id: "dlv_01JD0000000000000000000000".into(),
        event_id: "evt_01JD0000000000000000000000".into(),
        subscription_id: "sub_01JD0000000000000000000000".into(),
        tenant: "acme".into(),
        channel: "webhook".into(),
        event_type: "transfer.failed".into(),
    };
    let decoded = v1::DeliveryJob::decode(job.encode_to_vec().as_slice()).unwrap();
    assert_eq!(decoded, job);
}

#[test]
fn pool_knows_every_family_message() {
    let pool = descriptor_pool();
    for name in [
        "herald.v1.Event",
        "herald.v1.TransferData",
        "herald.v1.BackupData",
        "herald.v1.SnapshotData",
        "herald.v1.RestoreData",
        "herald.v1.GcData",
        "herald.v1.VerifyData",
    ] {
        assert!(pool.get_message_by_name(name).is_some(), "{name} missing");
    }
}

#[test]
fn event_keeps_its_data_oneof() {
    let event = v1::Event {
        specversion: "1.0".into(),
        id: "e-1".into(),
        data: Some(v1::event::Data::Transfer(v1::TransferData {
            transfer_id: Some("t-1".into()),
            ..Default::default()
        })),
        ..Default::default()
    };
    let decoded = v1::Event::decode(event.encode_to_vec().as_slice()).unwrap();
    assert_eq!(decoded, event);
}
