//! `HERALD_RETENTION_DAYS`: how long finished rows are kept (0: forever). A century is the
//! ceiling, so a typo of a few digits stops the start instead of silently keeping everything.

use super::ConfigError;

const MOST_DAYS: u32 = 36_500;

pub(super) fn days(days: u32) -> Result<u32, ConfigError> {
    if days > MOST_DAYS {
        return Err(ConfigError::new(
            "retention_days",
            "must be from 0 (keep forever) to 36500 days",
        ));
    }
    Ok(days)
}

#[cfg(test)]
mod tests;
