//! Per-target concurrency: a receiver may hold only so many slots, so a slow or dead one never
//! starves the others.
//!
//! A job for a target whose slots are all taken waits in memory, without a slot of the process,
//! when the target is expected to take it soon (its recent answer time × the queue ahead of it
//! ÷ its slots is under [`MAX_EXPECTED_WAIT`]); an attempt that finishes hands its slot straight
//! to the next waiting job. Otherwise the job goes back to NATS for a while
//! ([`hand_back_delay`]). So a burst to one fast receiver runs at that receiver's pace, and a
//! slow receiver's backlog stays mostly in NATS while enough of it waits here to keep the
//! receiver busy until the rest comes back.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

/// The longest a job may be expected to wait in memory for its target: as long as a
/// handed-back job stays away at most, so a slow receiver's queue lasts until they return.
/// Under AckWait / 3 (10 s by default), after which a waiting job goes back anyway.
const MAX_EXPECTED_WAIT: Duration = LONGEST_HAND_BACK;
/// What a target's answers are assumed to take before the first one is timed: optimistic, so a
/// first burst waits in memory; a slow target's first answers shrink its queue at once.
const FIRST_GUESS: Duration = Duration::from_millis(10);
/// Weight of the newest answer time in a target's running average.
const NEWEST_WEIGHT: f64 = 0.2;
/// The longest a handed-back job stays away (before jitter).
const LONGEST_HAND_BACK: Duration = Duration::from_secs(5);

/// How long a job handed back for its target stays in NATS: `base` the first time, doubling
/// with each time NATS has handed out the job (`delivered`, from 1), at most
/// [`LONGEST_HAND_BACK`], ±20 % (`jitter` in -1..=1). A slow receiver's backlog so comes back
/// ever less often instead of all of it every second, and not all at the same instant.
pub fn hand_back_delay(base: Duration, delivered: i64, jitter: f64) -> Duration {
    let doublings = u32::try_from(delivered.saturating_sub(1).clamp(0, 16)).unwrap_or(16);
    let delay = base.saturating_mul(1 << doublings).min(LONGEST_HAND_BACK);
    delay.mul_f64(1.0 + 0.2 * jitter.clamp(-1.0, 1.0))
}

/// Keeps one small entry per receiver seen since the start, so a receiver's pace is known when
/// its next burst comes.
pub struct TargetLimiter<T> {
    per_target: usize,
    targets: Arc<Mutex<HashMap<String, TargetState<T>>>>,
}

impl<T> Clone for TargetLimiter<T> {
    fn clone(&self) -> Self {
        Self {
            per_target: self.per_target,
            targets: self.targets.clone(),
        }
    }
}

struct TargetState<T> {
    running: usize,
    waiting: VecDeque<T>,
    /// Running average of how long an attempt against this target takes, in seconds.
    typical_secs: f64,
}

/// What became of a job offered to its target.
pub enum Admission<T> {
    /// It may run now, on this slot.
    Run(T, TargetSlot<T>),
    /// It waits for a slot; an attempt that finishes will hand it one.
    Waiting,
    /// The target is busy for longer than a job should wait in memory.
    Saturated(T),
}

/// One slot of a target, held while an attempt runs.
pub struct TargetSlot<T> {
    limiter: TargetLimiter<T>,
    key: String,
    /// False once the slot was handed on or given back.
    held: bool,
}

impl<T> TargetLimiter<T> {
    pub fn new(per_target: usize) -> Self {
        Self {
            per_target: per_target.max(1),
            targets: Arc::default(),
        }
    }

    pub fn admit(&self, key: &str, job: T) -> Admission<T> {
        let mut targets = self.lock();
        let target = targets
            .entry(key.to_owned())
            .or_insert_with(|| TargetState {
                running: 0,
                waiting: VecDeque::new(),
                typical_secs: FIRST_GUESS.as_secs_f64(),
            });
        if target.running < self.per_target {
            target.running += 1;
            return Admission::Run(job, self.slot(key));
        }
        let rounds_ahead = (target.waiting.len() + 1) as f64 / self.per_target as f64;
        if rounds_ahead * target.typical_secs <= MAX_EXPECTED_WAIT.as_secs_f64() {
            target.waiting.push_back(job);
            Admission::Waiting
        } else {
            Admission::Saturated(job)
        }
    }

    fn slot(&self, key: &str) -> TargetSlot<T> {
        TargetSlot {
            limiter: self.clone(),
            key: key.to_owned(),
            held: true,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, TargetState<T>>> {
        self.targets.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// What a finished attempt leaves to do: the next waiting job of its target, if any, now
/// holding the slot; and the jobs that no longer fit the target's pace, to hand back to NATS.
pub struct Handover<T> {
    pub next: Option<(T, TargetSlot<T>)>,
    pub evicted: Vec<T>,
}

impl<T> TargetSlot<T> {
    /// Done with this slot after an attempt whose answer took `took` (`None`: no request).
    pub fn finish(mut self, took: Option<Duration>) -> Handover<T> {
        self.held = false;
        let mut handover = Handover {
            next: None,
            evicted: Vec::new(),
        };
        let mut targets = self.limiter.lock();
        let Some(target) = targets.get_mut(&self.key) else {
            return handover;
        };
        if let Some(took) = took {
            target.typical_secs =
                NEWEST_WEIGHT * took.as_secs_f64() + (1.0 - NEWEST_WEIGHT) * target.typical_secs;
            // A target slower than it seemed keeps only what it will take soon.
            let fits = MAX_EXPECTED_WAIT.as_secs_f64() / target.typical_secs.max(f64::EPSILON)
                * self.limiter.per_target as f64;
            while target.waiting.len() as f64 > fits.floor() {
                match target.waiting.pop_back() {
                    Some(job) => handover.evicted.push(job),
                    None => break,
                }
            }
        }
        match target.waiting.pop_front() {
            Some(next) => handover.next = Some((next, self.limiter.slot(&self.key))),
            None => target.running = target.running.saturating_sub(1),
        }
        handover
    }
}

impl<T> Drop for TargetSlot<T> {
    /// A slot dropped without `finish` (a task that ended early) is given back; jobs still
    /// waiting are taken by the target's next attempt, or come back from NATS after AckWait.
    fn drop(&mut self) {
        if !self.held {
            return;
        }
        let mut targets = self.limiter.lock();
        if let Some(target) = targets.get_mut(&self.key) {
            target.running = target.running.saturating_sub(1);
        }
    }
}

#[cfg(test)]
mod tests;
