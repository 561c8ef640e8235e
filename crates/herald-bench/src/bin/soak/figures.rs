//! The soak's arithmetic: percentiles of a window, and the verdict on memory over the run.

/// RSS growth from the first third of the run to the last that still counts as flat: a
/// process that warms caches or pools grows a little early on and then stays.
pub const FLAT_GROWTH_PERCENT: f64 = 10.0;

/// The `q` quantile (0..=1) of `values` by nearest rank; `None` when empty. Sorts `values`.
pub fn quantile(values: &mut [u64], q: f64) -> Option<u64> {
    if values.is_empty() {
        return None;
    }
    values.sort_unstable();
    let rank = (q * values.len() as f64).ceil() as usize;
    Some(values[rank.clamp(1, values.len()) - 1])
}

pub fn median(values: &[f64]) -> Option<f64> {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(sorted[n / 2]),
        _ => Some((sorted[n / 2 - 1] + sorted[n / 2]) / 2.0),
    }
}

/// Median of the first third of `samples` against the median of the last third.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Growth {
    pub first: f64,
    pub last: f64,
    pub percent: f64,
}

impl Growth {
    /// `None` with fewer than three samples: there are no thirds to compare.
    pub fn of(samples: &[f64]) -> Option<Growth> {
        let third = samples.len() / 3;
        if third == 0 {
            return None;
        }
        let first = median(&samples[..third])?;
        let last = median(&samples[samples.len() - third..])?;
        let percent = if first > 0.0 {
            (last - first) / first * 100.0
        } else {
            0.0
        };
        Some(Growth {
            first,
            last,
            percent,
        })
    }

    pub fn is_flat(&self) -> bool {
        self.percent <= FLAT_GROWTH_PERCENT
    }
}

#[cfg(test)]
#[path = "figures/tests.rs"]
mod tests;
