//! `HERALD_SMTP_*`: the relay email and digests go through. Unset host: no relay, and email
//! deliveries fail saying so; a host without a sender address stops the start.

use std::time::Duration;

use herald_channels::{Mailbox, SmtpSecurity, SmtpSettings};

use super::{ConfigError, RawConfig, non_empty};

pub(super) fn settings(raw: &RawConfig) -> Result<Option<SmtpSettings>, ConfigError> {
    let security = match raw.smtp_security.as_str() {
        "none" => SmtpSecurity::None,
        "starttls" => SmtpSecurity::StartTls,
        "tls" => SmtpSecurity::Tls,
        _ => {
            return Err(ConfigError::new(
                "smtp_security",
                "must be none, starttls or tls",
            ));
        }
    };
    if !(1..=300).contains(&raw.smtp_timeout_secs) {
        return Err(ConfigError::new(
            "smtp_timeout_secs",
            "must be from 1 to 300 seconds",
        ));
    }
    let Some(host) = non_empty(raw.smtp_host.clone()) else {
        return Ok(None);
    };
    if raw.smtp_port == 0 {
        return Err(ConfigError::new("smtp_port", "must be from 1 to 65535"));
    }
    let from = non_empty(raw.smtp_from.clone()).ok_or_else(|| {
        ConfigError::new(
            "smtp_from",
            "required when HERALD_SMTP_HOST is set: the sender, e.g. Herald <herald@example.com>",
        )
    })?;
    let from: Mailbox = from.parse().map_err(|_| {
        ConfigError::new(
            "smtp_from",
            "must be an address like herald@example.com or Herald <herald@example.com>",
        )
    })?;
    let credentials = match (
        non_empty(raw.smtp_username.clone()),
        non_empty(raw.smtp_password.clone()),
    ) {
        (Some(username), Some(password)) => Some((username, password)),
        (None, None) => None,
        (Some(_), None) => {
            return Err(ConfigError::new(
                "smtp_password",
                "required with HERALD_SMTP_USERNAME",
            ));
        }
        (None, Some(_)) => {
            return Err(ConfigError::new(
                "smtp_username",
                "required with HERALD_SMTP_PASSWORD",
            ));
        }
    };
    Ok(Some(SmtpSettings {
        host,
        port: raw.smtp_port,
        security,
        credentials,
        from,
        timeout: Duration::from_secs(raw.smtp_timeout_secs),
    }))
}
