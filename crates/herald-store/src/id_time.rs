//! Time bounds on tables keyed by UUIDv7: the id range narrows the scan to the index, the
//! timestamp column decides.

use chrono::{DateTime, Utc};
use uuid::Uuid;

/// How far a row's timestamp (Postgres's or Herald's clock) may stray from the time in its
/// UUIDv7 id.
const CLOCK_MARGIN: chrono::TimeDelta = chrono::TimeDelta::minutes(5);

/// The smallest UUIDv7 of the millisecond `at`: its first 48 bits are the Unix time in ms.
fn id_at(at: DateTime<Utc>) -> Uuid {
    let millis = at.timestamp_millis().clamp(0, 0xFFFF_FFFF_FFFF) as u128;
    Uuid::from_u128(millis << 80)
}

/// The smallest id a row stamped at `since` or later can have.
pub(crate) fn ids_from(since: DateTime<Utc>) -> Uuid {
    id_at(since - CLOCK_MARGIN)
}

/// An id above every row stamped before `until`.
pub(crate) fn ids_until(until: DateTime<Utc>) -> Uuid {
    id_at(until + CLOCK_MARGIN)
}
