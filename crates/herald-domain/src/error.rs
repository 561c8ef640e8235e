use thiserror::Error;

/// Why a single value could not be parsed into a domain type.
///
/// Messages never echo secrets: a bad webhook secret or URL is described, not repeated.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DomainError {
    #[error("{value:?} is not a valid id: expected {prefix} followed by 26 base32 characters")]
    BadId { prefix: &'static str, value: String },
    #[error("{0:?} is not a valid tenant: use 1 to 64 of a-z, 0-9, _ and -")]
    BadTenant(String),
    #[error(
        "{0:?} is not a valid event type: expected dot-separated lowercase segments like transfer.failed"
    )]
    BadEventType(String),
    #[error("{0:?} is not a valid event type pattern: expected an event type, family.* or *")]
    BadEventTypePattern(String),
    #[error("not a valid URL: {0}")]
    BadUrl(String),
    #[error("{0:?} is not a valid email address")]
    BadEmail(String),
    #[error("not a valid webhook secret: {0}")]
    BadSecret(&'static str),
    #[error("{0:?} is not a channel: expected webhook, slack, discord, teams or email")]
    BadChannel(String),
    #[error("{0:?} is not an allowed method: expected POST, PUT or PATCH")]
    BadMethod(String),
    #[error("{0:?} is not an IANA time zone name")]
    BadTimezone(String),
    #[error("not a valid retry policy: {0}")]
    BadRetryPolicy(&'static str),
    #[error("{0:?} is not a duration: write it like 30s, 15m, 4h, 1d or 1h30m")]
    BadDuration(String),
    #[error(
        "{0:?} is not a field path: expected type, source, subject, tenant or data.<field>[.<field>…]"
    )]
    BadFieldPath(String),
}
