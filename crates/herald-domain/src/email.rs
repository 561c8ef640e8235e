use std::fmt;

use crate::DomainError;

/// A mail address `local@domain` whose domain is dotted or `localhost`. Characters that could
/// break out of a mail header (spaces, `<>`, `,` …) are refused.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct EmailAddress(String);

const FORBIDDEN_LOCAL: &[char] = &['<', '>', '(', ')', ',', ';', ':', '"', '[', ']', '\\', '@'];

impl EmailAddress {
    pub fn parse(value: &str) -> Result<EmailAddress, DomainError> {
        let bad = || DomainError::BadEmail(value.to_owned());
        let (local, domain) = value.rsplit_once('@').ok_or_else(bad)?;
        let local_ok = (1..=64).contains(&local.len())
            && local
                .chars()
                .all(|c| c.is_ascii_graphic() && !FORBIDDEN_LOCAL.contains(&c));
        let labels_ok = domain.split('.').all(|label| {
            !label.is_empty()
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        });
        let domain_ok =
            labels_ok && (domain.contains('.') || domain.eq_ignore_ascii_case("localhost"));
        if value.len() <= 254 && local_ok && domain_ok {
            Ok(EmailAddress(value.to_owned()))
        } else {
            Err(bad())
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for EmailAddress {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for EmailAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for EmailAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "EmailAddress({:?})", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_plain_addresses_only() {
        for good in [
            "ops@example.com",
            "a.b+tag@mail.example.co.uk",
            "root@localhost",
        ] {
            assert!(EmailAddress::parse(good).is_ok(), "{good:?} rejected");
        }
        for bad in [
            "",
            "ops",
            "@example.com",
            "ops@",
            "ops@example",
            "o ps@example.com",
            "ops@exa mple.com",
            "a<b>@example.com",
            "ops@example..com",
            "ops@-x.com",
            "a,b@example.com",
        ] {
            assert!(EmailAddress::parse(bad).is_err(), "{bad:?} accepted");
        }
    }
}
