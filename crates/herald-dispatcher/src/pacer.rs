//! Turns per destination, so no platform ever has to answer 429: per key, the times of its last
//! `count` turns (a sliding window, the way platforms count), shared by the intakes of one
//! process. Turns are given in order: a new one is never earlier than the key's last.
//!
//! A job takes a turn from every bucket of its subscription ([`herald_channels::pace_keys`]) at
//! the latest time any of them allows. When that is near ([`Reservation::Wait`]), the job
//! waits in memory, holding no slot of the process; when it is far, nothing is reserved and the
//! job goes back to NATS until then ([`Reservation::Later`]). Waiting for a turn is never an
//! attempt. A platform's own word (429 `retry_after`, `X-RateLimit-Remaining: 0`) holds the
//! bucket closed until it said.
//!
//! Several dispatcher replicas each keep their own buckets, so together they may send up to
//! the pace times the replicas; a platform's 429 then still holds each replica's bucket, and
//! the delivery is retried after the platform's `retry_after`.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use herald_channels::PaceKey;

/// Buckets not used for this long are forgotten (their windows are long past).
const FORGET_AFTER: Duration = Duration::from_secs(600);
/// Above this many buckets, forgotten ones are swept out.
const SWEEP_ABOVE: usize = 10_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reservation {
    /// Go now.
    Now,
    /// A turn is reserved this far ahead: wait for it, then go.
    Wait(Duration),
    /// The next turn is this far ahead, beyond what is worth waiting for here: nothing was
    /// reserved; come back then.
    Later(Duration),
}

#[derive(Debug, Clone, Default)]
struct Bucket {
    /// The times of the latest turns given, oldest first, at most `count` of them.
    turns: VecDeque<Instant>,
    /// The platform said: nothing before this.
    held_until: Option<Instant>,
}

#[derive(Clone, Default)]
pub struct Pacer {
    buckets: Arc<Mutex<HashMap<String, Bucket>>>,
}

impl Pacer {
    /// Takes a turn from every bucket of `keys` at the earliest moment all allow, when that is
    /// at most `max_wait` away.
    pub fn reserve(&self, keys: &[PaceKey], now: Instant, max_wait: Duration) -> Reservation {
        if keys.is_empty() {
            return Reservation::Now;
        }
        let mut buckets = self.buckets.lock().unwrap_or_else(PoisonError::into_inner);
        let mut at = now;
        for key in keys {
            if let Some(allowed) = buckets.get(&key.key).and_then(|b| allowed_at(b, key)) {
                at = at.max(allowed);
            }
        }
        let wait = at.saturating_duration_since(now);
        if wait > max_wait {
            return Reservation::Later(wait);
        }
        for key in keys {
            let bucket = buckets.entry(key.key.clone()).or_default();
            bucket.turns.push_back(at);
            while bucket.turns.len() > key.pace.count.max(1) as usize {
                bucket.turns.pop_front();
            }
        }
        if buckets.len() > SWEEP_ABOVE {
            buckets.retain(|_, b| {
                b.turns
                    .back()
                    .is_some_and(|last| *last + FORGET_AFTER > now)
            });
        }
        if wait.is_zero() {
            Reservation::Now
        } else {
            Reservation::Wait(wait)
        }
    }

    /// The platform asked for quiet on this bucket until `until`.
    pub fn hold(&self, key: &str, until: Instant) {
        let mut buckets = self.buckets.lock().unwrap_or_else(PoisonError::into_inner);
        let bucket = buckets.entry(key.to_owned()).or_default();
        bucket.held_until = Some(bucket.held_until.map_or(until, |held| held.max(until)));
    }
}

/// The earliest a new turn may start: not before the last one, and once `count` turns were
/// given, not before the oldest of them is `per` old.
fn allowed_at(bucket: &Bucket, key: &PaceKey) -> Option<Instant> {
    let mut at = bucket.turns.back().copied();
    if bucket.turns.len() >= key.pace.count.max(1) as usize
        && let Some(oldest) = bucket.turns.front()
    {
        at = Some(at.map_or(*oldest + key.pace.per, |a| a.max(*oldest + key.pace.per)));
    }
    match (at, bucket.held_until) {
        (Some(at), Some(held)) => Some(at.max(held)),
        (at, held) => at.or(held),
    }
}

#[cfg(test)]
mod tests;
