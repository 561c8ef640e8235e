//! Where a delivery stands (CONTRACT §4): `pending` until its first attempt, `retrying` after an
//! attempt that did not deliver, then `delivered` or `failed` for good. A subscription's noise
//! controls (issue 12) add three: `held` while it waits for its group's message or for quiet
//! hours to end, then `grouped` once that message covers it; `suppressed` when quiet hours
//! with `during: drop` left it to the digest.

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DeliveryStatus {
    Pending,
    Retrying,
    Delivered,
    Failed,
    /// Not attempted: waiting to be sent as part of one grouped message.
    Held,
    /// Sent as part of a grouped message (`herald.group`), not on its own.
    Grouped,
    /// Not sent: it fell in quiet hours that drop deliveries.
    Suppressed,
}

impl DeliveryStatus {
    pub const ALL: [DeliveryStatus; 7] = [
        DeliveryStatus::Pending,
        DeliveryStatus::Retrying,
        DeliveryStatus::Delivered,
        DeliveryStatus::Failed,
        DeliveryStatus::Held,
        DeliveryStatus::Grouped,
        DeliveryStatus::Suppressed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryStatus::Pending => "pending",
            DeliveryStatus::Retrying => "retrying",
            DeliveryStatus::Delivered => "delivered",
            DeliveryStatus::Failed => "failed",
            DeliveryStatus::Held => "held",
            DeliveryStatus::Grouped => "grouped",
            DeliveryStatus::Suppressed => "suppressed",
        }
    }

    pub fn parse(text: &str) -> Option<DeliveryStatus> {
        DeliveryStatus::ALL.into_iter().find(|s| s.as_str() == text)
    }

    /// Delivered, failed, grouped or suppressed: nothing more will be attempted.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            DeliveryStatus::Delivered
                | DeliveryStatus::Failed
                | DeliveryStatus::Grouped
                | DeliveryStatus::Suppressed
        )
    }

    /// Whether a job arriving for this delivery has nothing to attempt: it is final, or held
    /// (the releaser, not its job, decides when it goes).
    pub fn needs_no_attempt(self) -> bool {
        self.is_final() || self == DeliveryStatus::Held
    }

    /// `pending, retrying, …, suppressed`: the values an API filter accepts, for its 422.
    pub fn listed() -> String {
        let names: Vec<&str> = DeliveryStatus::ALL.iter().map(|s| s.as_str()).collect();
        names.join(", ")
    }
}

impl fmt::Display for DeliveryStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::DeliveryStatus;

    #[test]
    fn every_status_reads_back_and_only_held_waits_without_being_final() {
        for status in DeliveryStatus::ALL {
            assert_eq!(DeliveryStatus::parse(status.as_str()), Some(status));
        }
        let waiting: Vec<_> = DeliveryStatus::ALL
            .into_iter()
            .filter(|s| s.needs_no_attempt() && !s.is_final())
            .collect();
        assert_eq!(waiting, [DeliveryStatus::Held]);
        assert!(!DeliveryStatus::Pending.needs_no_attempt());
        assert!(!DeliveryStatus::Retrying.needs_no_attempt());
    }
}
