//! When a message that keeps failing is the message's fault, and when it is the database's.
//!
//! Ingest and the dispatcher both take messages in batches and write them in one statement.
//! When that statement fails, the answer depends on why:
//! * transient (the database is away, busy, or lost a race): the whole batch goes back to NATS
//!   and comes again; nothing is the messages' fault, so nothing is given up, however long
//!   the outage lasts;
//! * data (the database refused the rows): the batch is split until each message that fails
//!   alone is known; those are given up at once (rejected, or failed) with the database's
//!   reason, the rest go through;
//! * unexplained: treated as transient until the same messages come back with it
//!   [`REPEATS`] times while the database works for others, then like data.
//!
//! And a net for what nobody foresaw: a message delivered more than `max_deliveries` times
//! that fails alone while the database works for others is given up with its last error.
//! "Works for others" is [`StoreHealth`]: some write of this process succeeded lately.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use crate::{FailureKind, StoreError};

/// Deliveries after which an unexplained failure of one message alone counts as its own.
pub const REPEATS: u64 = 3;

/// How recent a success must be for the database to count as working for others.
const WORKING_WITHIN: Duration = Duration::from_secs(60);

/// A store failure as a batch's messages share it: its kind and its words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub kind: FailureKind,
    pub message: String,
}

impl From<&StoreError> for Failure {
    fn from(error: &StoreError) -> Self {
        Self {
            kind: error.kind(),
            message: error.to_string(),
        }
    }
}

#[derive(Debug, Clone, Copy)]
pub struct PoisonPolicy {
    /// Deliveries after which a message that still fails alone is given up (the net).
    pub max_deliveries: u64,
}

impl Default for PoisonPolicy {
    fn default() -> Self {
        Self { max_deliveries: 20 }
    }
}

impl PoisonPolicy {
    /// Whether a message that failed alone on its `delivered`-th delivery never will go in:
    /// reject the event, or fail the delivery, with the failure as the reason. For a whole
    /// batch (`delivered` its highest count), whether it is worth splitting to find out.
    pub fn gives_up(&self, kind: FailureKind, delivered: u64, store_works: bool) -> bool {
        match kind {
            FailureKind::Data => true,
            FailureKind::Unexplained => delivered >= REPEATS && store_works,
            FailureKind::Transient => delivered > self.max_deliveries && store_works,
        }
    }

    /// Whether giving up on a message delivered `delivered` times is the net's doing (as
    /// opposed to the database refusing it outright): the reason then says how often it came.
    pub fn is_net(&self, kind: FailureKind, delivered: u64) -> bool {
        kind == FailureKind::Transient
            || (kind == FailureKind::Unexplained && delivered > self.max_deliveries)
    }
}

/// When a write of this process last succeeded: whether the database works for others.
#[derive(Debug, Clone)]
pub struct StoreHealth {
    started: Instant,
    /// Milliseconds after `started` of the last success, plus one (0: never).
    last_success: Arc<AtomicU64>,
}

impl Default for StoreHealth {
    fn default() -> Self {
        Self {
            started: Instant::now(),
            last_success: Arc::new(AtomicU64::new(0)),
        }
    }
}

impl StoreHealth {
    pub fn succeeded(&self) {
        let millis = u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX);
        self.last_success
            .store(millis.saturating_add(1), Ordering::Relaxed);
    }

    pub fn works(&self) -> bool {
        match self.last_success.load(Ordering::Relaxed) {
            0 => false,
            stamp => {
                let last = Duration::from_millis(stamp - 1);
                self.started.elapsed().saturating_sub(last) <= WORKING_WITHIN
            }
        }
    }
}

#[cfg(test)]
mod tests;
