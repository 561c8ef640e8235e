//! Secrets at rest: subscription specs are sealed with XChaCha20-Poly1305.
//!
//! Sealed layout: one format byte, the 24-byte random nonce, then ciphertext and tag. The format
//! byte leaves room for a new layout without guessing what an old row holds.
//!
//! Key rotation: one current key seals; older keys only open. The sealed bytes name no key: an
//! AEAD tag fails on any key but its own, so trying each key in turn is exact, and costs one
//! tag check per key on rows not yet re-sealed (`herald rekey`).

use base64::Engine as _;
use chacha20poly1305::aead::{Aead, Generate, KeyInit};
use chacha20poly1305::{Key, XChaCha20Poly1305, XNonce};

const FORMAT_V1: u8 = 1;
const NONCE_LEN: usize = 24;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum KeyError {
    #[error("must be 32 bytes written as 64 hex characters or as base64")]
    Malformed,
}

#[derive(Debug, thiserror::Error)]
pub enum SealError {
    #[error("sealed secret is truncated or of an unknown format")]
    Format,
    #[error(
        "sealed secret opens with neither HERALD_ENCRYPTION_KEY nor HERALD_ENCRYPTION_KEYS (wrong key?)"
    )]
    Open,
    #[error("sealing failed")]
    Seal,
}

/// The 32-byte key under which secrets are sealed. Its Debug output never shows the key.
#[derive(Clone)]
pub struct EncryptionKey([u8; 32]);

impl EncryptionKey {
    pub fn parse(text: &str) -> Result<Self, KeyError> {
        let text = text.trim();
        let bytes = if text.len() == 64 && text.bytes().all(|b| b.is_ascii_hexdigit()) {
            hex::decode(text).map_err(|_| KeyError::Malformed)?
        } else {
            base64::engine::general_purpose::STANDARD
                .decode(text)
                .map_err(|_| KeyError::Malformed)?
        };
        let key: [u8; 32] = bytes.try_into().map_err(|_| KeyError::Malformed)?;
        Ok(Self(key))
    }
}

impl std::fmt::Debug for EncryptionKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("EncryptionKey(****)")
    }
}

#[derive(Clone)]
pub struct SecretCipher {
    cipher: XChaCha20Poly1305,
    /// Keys that sealed rows before the current one; they open, never seal.
    old: Vec<XChaCha20Poly1305>,
}

impl SecretCipher {
    pub fn new(key: &EncryptionKey) -> Self {
        Self {
            cipher: XChaCha20Poly1305::new(&Key::from(key.0)),
            old: Vec::new(),
        }
    }

    /// Also opens what `keys` sealed, tried after the current key, in order.
    pub fn with_old_keys(mut self, keys: &[EncryptionKey]) -> Self {
        self.old = keys
            .iter()
            .map(|key| XChaCha20Poly1305::new(&Key::from(key.0)))
            .collect();
        self
    }

    pub fn seal(&self, plaintext: &[u8]) -> Result<Vec<u8>, SealError> {
        let nonce = XNonce::generate();
        let ciphertext = self
            .cipher
            .encrypt(&nonce, plaintext)
            .map_err(|_| SealError::Seal)?;
        let mut sealed = Vec::with_capacity(1 + NONCE_LEN + ciphertext.len());
        sealed.push(FORMAT_V1);
        sealed.extend_from_slice(nonce.as_slice());
        sealed.extend_from_slice(&ciphertext);
        Ok(sealed)
    }

    /// Opens with the current key, else with the first old key that fits.
    pub fn open(&self, sealed: &[u8]) -> Result<Vec<u8>, SealError> {
        self.open_sealed(sealed).map(|(plaintext, _)| plaintext)
    }

    /// `None` when the current key sealed it already; otherwise the same secret sealed anew
    /// with the current key (what `herald rekey` writes back).
    pub fn reseal(&self, sealed: &[u8]) -> Result<Option<Vec<u8>>, SealError> {
        match self.open_sealed(sealed)? {
            (_, Sealer::Current) => Ok(None),
            (plaintext, Sealer::Old) => self.seal(&plaintext).map(Some),
        }
    }

    fn open_sealed(&self, sealed: &[u8]) -> Result<(Vec<u8>, Sealer), SealError> {
        let (format, rest) = sealed.split_first().ok_or(SealError::Format)?;
        if *format != FORMAT_V1 || rest.len() < NONCE_LEN {
            return Err(SealError::Format);
        }
        let (nonce, ciphertext) = rest.split_at(NONCE_LEN);
        let nonce = XNonce::try_from(nonce).map_err(|_| SealError::Format)?;
        if let Ok(plaintext) = self.cipher.decrypt(&nonce, ciphertext) {
            return Ok((plaintext, Sealer::Current));
        }
        self.old
            .iter()
            .find_map(|old| old.decrypt(&nonce, ciphertext).ok())
            .map(|plaintext| (plaintext, Sealer::Old))
            .ok_or(SealError::Open)
    }
}

/// Which key a sealed secret opened with.
enum Sealer {
    Current,
    Old,
}

#[cfg(test)]
mod tests;
