use std::fmt;

/// Why an incoming event was not accepted, with its publisher id when it could be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{reason}")]
pub struct Rejection {
    pub reason: RejectionReason,
    pub event_id: Option<String>,
}

/// The reason for a rejection; `code()` is the stable name used in the
/// `Herald-Rejection` header and metrics, `Display` the sentence for people.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RejectionReason {
    TooLarge {
        size: usize,
        max_bytes: usize,
    },
    Empty,
    UnsupportedContentType {
        content_type: String,
    },
    BadProtobuf {
        error: String,
    },
    NotUtf8,
    NotJson {
        error: String,
    },
    NotObject {
        found: &'static str,
    },
    MissingAttribute {
        name: &'static str,
    },
    BadAttribute {
        name: &'static str,
        problem: String,
    },
    BadSpecversion {
        found: String,
    },
    BadTenant {
        tenant: String,
    },
    BadType {
        event_type: String,
    },
    TenantMismatch {
        subject: String,
        event: String,
    },
    TypeMismatch {
        subject: String,
        event: String,
    },
    MissingDataField {
        field: &'static str,
        event_type: String,
    },
    BadData {
        field: String,
        problem: String,
    },
    /// The database refused the event itself (a data or constraint error, or one that kept
    /// coming back for this event alone). `error` names the cause.
    Unstorable {
        error: String,
    },
    /// The event was delivered this many times and never stored; `error` is the last cause.
    TooManyDeliveries {
        deliveries: u64,
        error: String,
    },
}

impl RejectionReason {
    pub fn code(&self) -> &'static str {
        match self {
            RejectionReason::TooLarge { .. } => "too_large",
            RejectionReason::Empty => "empty",
            RejectionReason::UnsupportedContentType { .. } => "unsupported_content_type",
            RejectionReason::BadProtobuf { .. } => "bad_protobuf",
            RejectionReason::NotUtf8 => "not_utf8",
            RejectionReason::NotJson { .. } => "not_json",
            RejectionReason::NotObject { .. } => "not_object",
            RejectionReason::MissingAttribute { .. } => "missing_attribute",
            RejectionReason::BadAttribute { .. } => "bad_attribute",
            RejectionReason::BadSpecversion { .. } => "bad_specversion",
            RejectionReason::BadTenant { .. } => "bad_tenant",
            RejectionReason::BadType { .. } => "bad_type",
            RejectionReason::TenantMismatch { .. } => "tenant_mismatch",
            RejectionReason::TypeMismatch { .. } => "type_mismatch",
            RejectionReason::MissingDataField { .. } => "missing_data_field",
            RejectionReason::BadData { .. } => "bad_data",
            RejectionReason::Unstorable { .. } => "unstorable",
            RejectionReason::TooManyDeliveries { .. } => "too_many_deliveries",
        }
    }
}

impl fmt::Display for RejectionReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RejectionReason::TooLarge { size, max_bytes } => {
                write!(
                    f,
                    "the event is {size} bytes, over the limit of {max_bytes} bytes"
                )
            }
            RejectionReason::Empty => f.write_str("the event body is empty"),
            RejectionReason::UnsupportedContentType { content_type } => write!(
                f,
                "content type {content_type:?} is not supported: use application/cloudevents+json, application/json or application/protobuf"
            ),
            RejectionReason::BadProtobuf { error } => {
                write!(
                    f,
                    "the body is not a herald.v1.Event protobuf message: {error}"
                )
            }
            RejectionReason::NotUtf8 => f.write_str("the body is not valid UTF-8"),
            RejectionReason::NotJson { error } => write!(f, "the body is not JSON: {error}"),
            RejectionReason::NotObject { found } => {
                write!(f, "the event must be a JSON object, found {found}")
            }
            RejectionReason::MissingAttribute { name } => {
                write!(f, "the {name} attribute is required")
            }
            RejectionReason::BadAttribute { name, problem } => {
                write!(f, "the {name} attribute {problem}")
            }
            RejectionReason::BadSpecversion { found } => {
                write!(f, "specversion must be \"1.0\", found {found}")
            }
            RejectionReason::BadTenant { tenant } => write!(
                f,
                "the subject's tenant {tenant:?} is not valid: use 1 to 64 of a-z, 0-9, _ and -"
            ),
            RejectionReason::BadType { event_type } => write!(
                f,
                "the type attribute {event_type:?} is not a valid event type like transfer.failed"
            ),
            RejectionReason::TenantMismatch { subject, event } => write!(
                f,
                "the tenant attribute {event:?} does not match the subject's tenant {subject:?}"
            ),
            RejectionReason::TypeMismatch { subject, event } => write!(
                f,
                "the type attribute {event:?} does not match the subject's type {subject:?}"
            ),
            RejectionReason::MissingDataField { field, event_type } => {
                write!(f, "data.{field} is required for {event_type}")
            }
            RejectionReason::BadData { field, problem } => write!(f, "{field} {problem}"),
            RejectionReason::Unstorable { error } => {
                write!(f, "the database refused the event: {error}")
            }
            RejectionReason::TooManyDeliveries { deliveries, error } => write!(
                f,
                "the event was delivered {deliveries} times and never stored; the last error: {error}"
            ),
        }
    }
}
