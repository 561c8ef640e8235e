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
    DescriptorPool::decode(FILE_DESCRIPTOR_SET).expect("embedded descriptor set is valid") // ok: build-time bytes, decoded in tests
});

/// Descriptors of every `herald.v1` message, decoded once on first use.
pub fn descriptor_pool() -> &'static DescriptorPool {
    &POOL
}

#[cfg(test)]
mod tests;
