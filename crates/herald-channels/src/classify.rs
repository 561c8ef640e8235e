//! What an HTTP status means for a delivery (CONTRACT §3).

use std::time::Duration;

use crate::Verdict;

/// 2xx delivered; 3xx (never followed), 408, 409, 425, 429 and 5xx retried; 410 permanent and
/// disabling; any other 4xx permanent. `retry_after` is honoured on 429 and 503 only.
pub fn classify_status(status: u16, retry_after: Option<Duration>) -> Verdict {
    match status {
        200..=299 => Verdict::Delivered,
        410 => Verdict::Permanent {
            disable: Some("the receiver answered 410 Gone".into()),
        },
        429 | 503 => Verdict::Retry { after: retry_after },
        300..=399 | 408 | 409 | 425 | 500..=599 => Verdict::Retry { after: None },
        _ => Verdict::Permanent { disable: None },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_map_to_the_contract() {
        let wait = Some(Duration::from_secs(2));
        assert_eq!(classify_status(204, None), Verdict::Delivered);
        assert_eq!(classify_status(301, wait), Verdict::Retry { after: None });
        for status in [408, 409, 425, 500, 502, 504] {
            assert_eq!(
                classify_status(status, wait),
                Verdict::Retry { after: None },
                "{status}"
            );
        }
        assert_eq!(classify_status(429, wait), Verdict::Retry { after: wait });
        assert_eq!(classify_status(503, wait), Verdict::Retry { after: wait });
        assert_eq!(
            classify_status(400, None),
            Verdict::Permanent { disable: None }
        );
        assert_eq!(
            classify_status(404, None),
            Verdict::Permanent { disable: None }
        );
        assert_eq!(
            classify_status(410, None),
            Verdict::Permanent {
                disable: Some("the receiver answered 410 Gone".into())
            }
        );
    }
}
