//! Per-target concurrency: a receiver that is slow or down may hold only so many slots, so it
//! never starves the others. Its extra jobs go back to NATS with a short delay instead.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

#[derive(Clone)]
pub struct TargetLimiter {
    per_target: usize,
    in_flight: Arc<Mutex<HashMap<String, usize>>>,
}

/// Holds one slot of a target until dropped.
pub struct TargetSlot {
    limiter: TargetLimiter,
    key: String,
}

impl TargetLimiter {
    pub fn new(per_target: usize) -> Self {
        Self {
            per_target: per_target.max(1),
            in_flight: Arc::default(),
        }
    }

    /// A slot for `key`, or `None` when the target is saturated.
    pub fn try_acquire(&self, key: &str) -> Option<TargetSlot> {
        let mut in_flight = self
            .in_flight
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let count = in_flight.entry(key.to_owned()).or_insert(0);
        if *count >= self.per_target {
            return None;
        }
        *count += 1;
        Some(TargetSlot {
            limiter: self.clone(),
            key: key.to_owned(),
        })
    }
}

impl Drop for TargetSlot {
    fn drop(&mut self) {
        let mut in_flight = self
            .limiter
            .in_flight
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if let Some(count) = in_flight.get_mut(&self.key) {
            *count = count.saturating_sub(1);
            if *count == 0 {
                in_flight.remove(&self.key);
            }
        }
    }
}

#[cfg(test)]
mod tests;
