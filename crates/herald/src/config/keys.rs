//! The encryption keys: the current one (`encryption_key`), which seals, and the earlier ones
//! (`encryption_keys`, comma-separated), which only open what they sealed before a rotation.

use herald_store::EncryptionKey;

use super::{Config, ConfigError, non_empty};

/// The current key, when set, and the earlier ones in the order given. An error names the key
/// and, for the list, the entry's position: never the text of a key.
pub(super) fn parse(
    current: Option<String>,
    old: &str,
) -> Result<(Option<EncryptionKey>, Vec<EncryptionKey>), ConfigError> {
    let current = non_empty(current)
        .map(|k| EncryptionKey::parse(&k))
        .transpose()
        .map_err(|e| ConfigError::new("encryption_key", e.to_string()))?;
    let old = old
        .split(',')
        .map(str::trim)
        .filter(|entry| !entry.is_empty())
        .enumerate()
        .map(|(index, entry)| {
            EncryptionKey::parse(entry).map_err(|e| {
                ConfigError::new("encryption_keys", format!("entry {}: {e}", index + 1))
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    if current.is_none() && !old.is_empty() {
        return Err(ConfigError::new(
            "encryption_keys",
            "needs HERALD_ENCRYPTION_KEY: the earlier keys only open, the current one seals",
        ));
    }
    Ok((current, old))
}

impl Config {
    pub fn require_encryption_key(&self) -> Result<&EncryptionKey, ConfigError> {
        self.encryption_key.as_ref().ok_or_else(|| {
            ConfigError::new(
                "encryption_key",
                "required: 32 bytes as 64 hex characters or base64 (e.g. `openssl rand -hex 32`)",
            )
        })
    }
}

#[cfg(test)]
mod tests;
