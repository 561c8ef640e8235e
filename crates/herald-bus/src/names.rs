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
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names() -> Names {
        Names::new(SubjectPrefix::parse("t-42").unwrap())
    }

    #[test]
    fn stream_names_are_upper_case_without_dashes() {
        assert_eq!(names().events_stream(), "T_42_EVENTS");
        assert_eq!(names().deliveries_stream(), "T_42_DELIVERIES");
        assert_eq!(names().rejected_stream(), "T_42_REJECTED");
    }

    #[test]
    fn event_subjects_split_into_tenant_and_dotted_type() {
        let subject = names().event_subject("acme", "transfer.failed");
        assert_eq!(subject, "t-42.events.acme.transfer.failed");
        assert_eq!(
            names().parse_event_subject(&subject),
            Some(EventSubject {
                tenant: "acme",
                event_type: "transfer.failed"
            })
        );
        assert_eq!(names().parse_event_subject("t-42.events.acme"), None);
        assert_eq!(names().parse_event_subject("other.events.acme.x.y"), None);
    }

    #[test]
    fn prefixes_are_single_lower_case_tokens() {
        assert!(SubjectPrefix::parse("herald").is_ok());
        assert_eq!(SubjectPrefix::parse("Herald"), Err(PrefixError));
        assert_eq!(SubjectPrefix::parse("a.b"), Err(PrefixError));
        assert_eq!(SubjectPrefix::parse(""), Err(PrefixError));
    }

    #[test]
    fn rejected_subject_files_bad_tenants_apart() {
        assert_eq!(names().rejected_subject("acme"), "t-42.rejected.acme");
        assert_eq!(names().rejected_subject("ACME*"), "t-42.rejected._invalid");
    }
}
