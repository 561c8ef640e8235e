//! Prefixed, time-ordered ids (`sub_…`, `dlv_…`): a uuid v7 shown as 26 Crockford base32
//! characters, so ids sort by creation time both as uuids and as strings.

use uuid::Uuid;

use crate::DomainError;

const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const ENCODED_LEN: usize = 26;

fn encode(value: u128) -> String {
    (0..ENCODED_LEN)
        .rev()
        .map(|i| char::from(ALPHABET[((value >> (i * 5)) & 0x1f) as usize]))
        .collect()
}

fn decode_digit(c: u8) -> Option<u128> {
    let upper = c.to_ascii_uppercase();
    ALPHABET.iter().position(|&a| a == upper).map(|p| p as u128)
}

fn decode(text: &str) -> Option<u128> {
    let bytes = text.as_bytes();
    // 26 digits hold 130 bits; a leading digit above 7 would overflow 128.
    if bytes.len() != ENCODED_LEN || decode_digit(bytes[0])? > 7 {
        return None;
    }
    bytes
        .iter()
        .try_fold(0u128, |acc, &c| Some((acc << 5) | decode_digit(c)?))
}

pub(crate) fn parse_prefixed(prefix: &'static str, value: &str) -> Result<Uuid, DomainError> {
    value
        .strip_prefix(prefix)
        .and_then(decode)
        .map(Uuid::from_u128)
        .ok_or_else(|| DomainError::BadId {
            prefix,
            value: value.to_owned(),
        })
}

pub(crate) fn format_prefixed(prefix: &str, uuid: Uuid) -> String {
    format!("{prefix}{}", encode(uuid.as_u128()))
}

macro_rules! prefixed_id {
    ($(#[$doc:meta])* $name:ident, $prefix:literal) => {
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(Uuid);

        impl $name {
            pub const PREFIX: &'static str = $prefix;

            /// A fresh, time-ordered (v7) id.
            // No `Default`: a default value suggests a fixed one, and every id here is new.
            #[allow(clippy::new_without_default)]
            pub fn new() -> Self {
                Self(Uuid::now_v7())
            }

            pub fn from_uuid(uuid: Uuid) -> Self {
                Self(uuid)
            }

            pub fn as_uuid(&self) -> Uuid {
                self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&format_prefixed(Self::PREFIX, self.0))
            }
        }

        impl std::fmt::Debug for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, "{}({self})", stringify!($name))
            }
        }

        impl std::str::FromStr for $name {
            type Err = DomainError;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                parse_prefixed(Self::PREFIX, s).map(Self)
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.collect_str(self)
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
                text.parse().map_err(serde::de::Error::custom)
            }
        }
    };
}

prefixed_id!(
    /// Identifies a subscription: `sub_…`.
    SubscriptionId,
    "sub_"
);
prefixed_id!(
    /// Identifies one delivery of one event to one subscription; the same across retries: `dlv_…`.
    DeliveryId,
    "dlv_"
);
prefixed_id!(
    /// Herald's own id for an accepted event (the publisher's id is kept on the event): `evt_…`.
    EventId,
    "evt_"
);
prefixed_id!(
    /// Identifies a rejected event kept for inspection: `rej_…`.
    RejectionId,
    "rej_"
);
prefixed_id!(
    /// Identifies a tenant token of the API (not the token itself): `tok_…`.
    TokenId,
    "tok_"
);

#[cfg(test)]
mod tests;
