use std::time::Duration;

use crate::DomainError;

/// How often and how long to wait between attempts of one delivery.
#[derive(Debug, Clone, PartialEq)]
pub struct RetryPolicy {
    max_attempts: u32,
    delays: Vec<Duration>,
}

/// ±20 %: spreads retries of many deliveries that failed together.
const JITTER_SHARE: f64 = 0.2;
pub(crate) const MAX_DELAY_SECONDS: f64 = 604_800.0;
pub(crate) const MAX_ATTEMPTS: u32 = 100;

impl RetryPolicy {
    pub fn new(max_attempts: u32, delays: Vec<Duration>) -> Result<RetryPolicy, DomainError> {
        if !(1..=MAX_ATTEMPTS).contains(&max_attempts) {
            return Err(DomainError::BadRetryPolicy("max_attempts must be 1 to 100"));
        }
        if delays.is_empty() {
            return Err(DomainError::BadRetryPolicy(
                "at least one delay is required",
            ));
        }
        if delays
            .iter()
            .any(|d| d.is_zero() || d.as_secs_f64() > MAX_DELAY_SECONDS)
        {
            return Err(DomainError::BadRetryPolicy(
                "each delay must be above 0 and at most 604800 seconds",
            ));
        }
        Ok(RetryPolicy {
            max_attempts,
            delays,
        })
    }

    pub fn max_attempts(&self) -> u32 {
        self.max_attempts
    }

    pub fn delays(&self) -> &[Duration] {
        &self.delays
    }

    /// The wait after attempt `attempt_number_that_failed` (1-based); past the list the last
    /// delay repeats. `jitter` in [-1, 1] moves it by up to ±20 %.
    pub fn delay_before(&self, attempt_number_that_failed: u32, jitter: f64) -> Duration {
        let index = (attempt_number_that_failed.saturating_sub(1) as usize)
            .min(self.delays.len().saturating_sub(1));
        let base = self.delays.get(index).copied().unwrap_or_default();
        let jitter = if jitter.is_finite() {
            jitter.clamp(-1.0, 1.0)
        } else {
            0.0
        };
        base.mul_f64(1.0 + JITTER_SHARE * jitter)
    }

    /// The longest configured delay, which also caps a receiver's `Retry-After`.
    pub fn max_delay(&self) -> Duration {
        self.delays.iter().copied().max().unwrap_or_default()
    }
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 8,
            delays: [5, 30, 120, 600, 1800, 3600, 7200]
                .into_iter()
                .map(Duration::from_secs)
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests;
