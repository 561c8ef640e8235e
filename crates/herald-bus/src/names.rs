//! Subject and stream names, derived from one prefix so several Herald instances share a NATS.

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("must be 1 to 32 characters of a-z, 0-9, '_' or '-'")]
pub struct PrefixError;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubjectPrefix(String);

impl SubjectPrefix {
    pub fn parse(text: &str) -> Result<Self, PrefixError> {
        let ok = (1..=32).contains(&text.len())
            && text
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-');
        if ok {
            Ok(Self(text.to_owned()))
        } else {
            Err(PrefixError)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The tenant and type tokens of an events subject, unvalidated: validation is ingest's job and
/// a bad token is a rejection, not a parse failure here.
#[derive(Debug, PartialEq, Eq)]
pub struct EventSubject<'a> {
    pub tenant: &'a str,
    pub event_type: &'a str,
}

#[derive(Debug, Clone)]
pub struct Names {
    prefix: SubjectPrefix,
    stream_base: String,
}

impl Names {
    pub fn new(prefix: SubjectPrefix) -> Self {
        let stream_base = prefix.as_str().to_ascii_uppercase().replace('-', "_");
        Self {
            prefix,
            stream_base,
        }
    }

    pub fn prefix(&self) -> &str {
        self.prefix.as_str()
    }

    pub fn events_stream(&self) -> String {
        format!("{}_EVENTS", self.stream_base)
    }

    pub fn deliveries_stream(&self) -> String {
        format!("{}_DELIVERIES", self.stream_base)
    }

    pub fn rejected_stream(&self) -> String {
        format!("{}_REJECTED", self.stream_base)
    }

    pub fn ops_stream(&self) -> String {
        format!("{}_OPS", self.stream_base)
    }

    pub fn ops_wildcard(&self) -> String {
        format!("{}.ops.>", self.prefix())
    }

    pub fn events_wildcard(&self) -> String {
        format!("{}.events.>", self.prefix())
    }

    pub fn deliveries_wildcard(&self) -> String {
        format!("{}.deliveries.>", self.prefix())
    }

    pub fn rejected_wildcard(&self) -> String {
        format!("{}.rejected.>", self.prefix())
    }

    pub fn event_subject(&self, tenant: &str, event_type: &str) -> String {
        format!("{}.events.{tenant}.{event_type}", self.prefix())
    }

    pub fn delivery_subject(&self, channel: &str) -> String {
        format!("{}.deliveries.{channel}", self.prefix())
    }

    /// Where a rejected message is kept. A tenant token that is not a clean subject token (it
    /// came from a bad subject) is filed under `_invalid`.
    pub fn rejected_subject(&self, tenant: &str) -> String {
        let clean = !tenant.is_empty()
            && tenant.len() <= 64
            && tenant
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-');
        let token = if clean { tenant } else { "_invalid" };
        format!("{}.rejected.{token}", self.prefix())
    }

    pub fn ops_subject(&self, tenant: &str) -> String {
        format!("{}.ops.{tenant}", self.prefix())
    }

    /// Splits `{prefix}.events.{tenant}.{type…}`; `None` when the subject is not an events subject
    /// with a tenant and a type.
    pub fn parse_event_subject<'a>(&self, subject: &'a str) -> Option<EventSubject<'a>> {
        let rest = subject
            .strip_prefix(self.prefix())?
            .strip_prefix(".events.")?;
        let (tenant, event_type) = rest.split_once('.')?;
        if tenant.is_empty() || event_type.is_empty() {
            return None;
        }
        Some(EventSubject { tenant, event_type })
    }

    /// The tenant token of `{prefix}.ops.{tenant}`; `None` for any other subject.
    pub fn parse_ops_subject<'a>(&self, subject: &'a str) -> Option<&'a str> {
        let tenant = subject.strip_prefix(self.prefix())?.strip_prefix(".ops.")?;
        (!tenant.is_empty() && !tenant.contains('.')).then_some(tenant)
    }

    /// The tenant token of a subject ingest reads (events or ops), for filing a rejection.
    pub fn subject_tenant<'a>(&self, subject: &'a str) -> Option<&'a str> {
        self.parse_event_subject(subject)
            .map(|s| s.tenant)
            .or_else(|| self.parse_ops_subject(subject))
    }
}

#[cfg(test)]
mod tests;
