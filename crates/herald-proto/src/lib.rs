//! Herald's protobuf messages: the `herald.v1.Event` publishers may send instead of
//! CloudEvents JSON, and the `DeliveryJob` queued for the delivery workers.
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

use std::sync::LazyLock;

use prost_reflect::DescriptorPool;

/// Types generated from proto/herald/v1.
pub mod v1 {
    include!(concat!(env!("OUT_DIR"), "/herald.v1.rs"));
}

/// The encoded `FileDescriptorSet` of proto/herald/v1 and the well-known types it imports.
pub const FILE_DESCRIPTOR_SET: &[u8] =
    include_bytes!(concat!(env!("OUT_DIR"), "/herald_descriptor.bin"));

static POOL: LazyLock<DescriptorPool> = LazyLock::new(|| {
    // The bytes were produced by protox in build.rs from the same sources, so a failure
    // here is a build defect, not an input error.
    #[allow(clippy::expect_used)]
    DescriptorPool::decode(FILE_DESCRIPTOR_SET).expect("embedded descriptor set is valid")
});

/// Descriptors of every `herald.v1` message, decoded once on first use.
pub fn descriptor_pool() -> &'static DescriptorPool {
    &POOL
}

#[cfg(test)]
mod tests {
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
}
