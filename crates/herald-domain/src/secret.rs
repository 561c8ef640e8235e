use std::fmt;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use crate::DomainError;

const PREFIX: &str = "whsec_";

/// The key that signs webhook deliveries (Standard Webhooks): `whsec_` + base64 of the key.
#[derive(Clone, PartialEq, Eq)]
pub struct WebhookSecret {
    text: String,
    key: Vec<u8>,
}

impl WebhookSecret {
    /// A fresh secret of 32 random bytes.
    pub fn generate() -> WebhookSecret {
        let key: [u8; 32] = rand::random();
        WebhookSecret {
            text: format!("{PREFIX}{}", STANDARD.encode(key)),
            key: key.to_vec(),
        }
    }

    pub fn parse(value: &str) -> Result<WebhookSecret, DomainError> {
        let encoded = value
            .strip_prefix(PREFIX)
            .ok_or(DomainError::BadSecret("it must start with whsec_"))?;
        let key = STANDARD
            .decode(encoded)
            .map_err(|_| DomainError::BadSecret("the part after whsec_ must be standard base64"))?;
        if !(24..=64).contains(&key.len()) {
            return Err(DomainError::BadSecret(
                "the key must be 24 to 64 bytes long",
            ));
        }
        Ok(WebhookSecret {
            text: value.to_owned(),
            key,
        })
    }

    /// The decoded key, for HMAC.
    pub fn key_bytes(&self) -> &[u8] {
        &self.key
    }

    /// The full `whsec_…` text; shown only on create and rotation.
    pub fn expose(&self) -> &str {
        &self.text
    }
}

impl AsRef<str> for WebhookSecret {
    fn as_ref(&self) -> &str {
        &self.text
    }
}

impl fmt::Debug for WebhookSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("whsec_****")
    }
}

#[cfg(test)]
mod tests;
