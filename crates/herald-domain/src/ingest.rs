//! Turns one incoming message into an [`Event`] or a [`Rejection`] (CONTRACT §1).

use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

use crate::data_check::{check_known_data, json_kind};
use crate::{
    Event, EventLimits, EventType, Incoming, Rejection, RejectionReason, Tenant, protobuf,
};

const MAX_ID_CHARS: usize = 128;

/// Attributes Herald reads or sets itself; every other one is an extension, kept as sent.
const STANDARD_ATTRIBUTES: &[&str] = &[
    "specversion",
    "id",
    "source",
    "type",
    "time",
    "subject",
    "datacontenttype",
    "tenant",
    "data",
    "data_base64",
];

enum Encoding {
    Json,
    Protobuf,
}

fn encoding(content_type: Option<&str>) -> Result<Encoding, RejectionReason> {
    let Some(raw) = content_type else {
        return Ok(Encoding::Json);
    };
    let media_type = raw.split(';').next().unwrap_or_default().trim();
    match media_type.to_ascii_lowercase().as_str() {
        "" | "application/cloudevents+json" | "application/json" => Ok(Encoding::Json),
        "application/protobuf" | "application/x-protobuf" => Ok(Encoding::Protobuf),
        _ => Err(RejectionReason::UnsupportedContentType {
            content_type: raw.to_owned(),
        }),
    }
}

fn reject(reason: RejectionReason) -> Rejection {
    Rejection {
        reason,
        event_id: None,
    }
}

pub fn parse_event(incoming: &Incoming, limits: &EventLimits) -> Result<Event, Rejection> {
    let body = incoming.body;
    if body.len() > limits.max_bytes {
        return Err(reject(RejectionReason::TooLarge {
            size: body.len(),
            max_bytes: limits.max_bytes,
        }));
    }
    if body.is_empty() {
        return Err(reject(RejectionReason::Empty));
    }
    let json = match encoding(incoming.content_type).map_err(reject)? {
        Encoding::Protobuf => protobuf::event_json(body).map_err(reject)?,
        Encoding::Json => {
            let text = std::str::from_utf8(body).map_err(|_| reject(RejectionReason::NotUtf8))?;
            serde_json::from_str(text).map_err(|e| {
                reject(RejectionReason::NotJson {
                    error: e.to_string(),
                })
            })?
        }
    };
    let Value::Object(attributes) = json else {
        return Err(reject(RejectionReason::NotObject {
            found: json_kind(&json),
        }));
    };
    let event_id = readable_id(&attributes);
    from_attributes(incoming, attributes).map_err(|reason| Rejection {
        reason,
        event_id: event_id.clone(),
    })
}

/// The id as a rejection can report it: only a string of acceptable length.
fn readable_id(attributes: &Map<String, Value>) -> Option<String> {
    attributes
        .get("id")
        .and_then(Value::as_str)
        .filter(|id| !id.is_empty() && id.chars().count() <= MAX_ID_CHARS)
        .map(str::to_owned)
}

fn from_attributes(
    incoming: &Incoming,
    mut attributes: Map<String, Value>,
) -> Result<Event, RejectionReason> {
    match present(&attributes, "specversion") {
        None => {
            return Err(RejectionReason::MissingAttribute {
                name: "specversion",
            });
        }
        Some(Value::String(v)) if v == "1.0" => {}
        Some(other) => {
            return Err(RejectionReason::BadSpecversion {
                found: other.to_string(),
            });
        }
    }
    let id = required_string(&attributes, "id")?;
    if id.chars().count() > MAX_ID_CHARS {
        return Err(RejectionReason::BadAttribute {
            name: "id",
            problem: format!("is longer than {MAX_ID_CHARS} characters"),
        });
    }
    let source = required_string(&attributes, "source")?;
    let type_text = required_string(&attributes, "type")?;
    let event_type = EventType::parse(&type_text).map_err(|_| RejectionReason::BadType {
        event_type: type_text.clone(),
    })?;
    let tenant =
        Tenant::parse(incoming.subject_tenant).map_err(|_| RejectionReason::BadTenant {
            tenant: incoming.subject_tenant.to_owned(),
        })?;
    if let Some(claimed) = optional_string(&attributes, "tenant")?
        && claimed != tenant.as_str()
    {
        return Err(RejectionReason::TenantMismatch {
            subject: tenant.as_str().to_owned(),
            event: claimed,
        });
    }
    if type_text != incoming.subject_type {
        return Err(RejectionReason::TypeMismatch {
            subject: incoming.subject_type.to_owned(),
            event: type_text,
        });
    }
    let time = match optional_string(&attributes, "time")? {
        None => incoming.received_at,
        Some(text) => DateTime::parse_from_rfc3339(&text)
            .map_err(|e| RejectionReason::BadAttribute {
                name: "time",
                problem: format!("is not an RFC 3339 timestamp: {e}"),
            })?
            .with_timezone(&Utc),
    };
    let subject = optional_string(&attributes, "subject")?;
    for (name, value) in [
        ("id", Some(&id)),
        ("source", Some(&source)),
        ("subject", subject.as_ref()),
    ] {
        if value.is_some_and(|v| v.contains('\0')) {
            return Err(RejectionReason::BadAttribute {
                name,
                problem: "contains U+0000, which cannot be stored".into(),
            });
        }
    }
    if present(&attributes, "data_base64").is_some() {
        return Err(RejectionReason::BadAttribute {
            name: "data_base64",
            problem: "is not supported: send data as a JSON object".into(),
        });
    }
    let data = attributes.remove("data");
    let data = match event_type.known_family() {
        Some(family) => {
            check_known_data(&event_type, family, data.as_ref())?;
            data.unwrap_or_default()
        }
        None => custom_data(data)?,
    };
    for known in STANDARD_ATTRIBUTES {
        attributes.remove(*known);
    }
    Ok(Event {
        tenant,
        id,
        source,
        event_type,
        time,
        subject,
        data,
        extensions: attributes
            .into_iter()
            .filter(|(_, value)| !value.is_null())
            .collect(),
    })
}

/// An attribute with a non-null value; CloudEvents treats null as absent.
fn present<'a>(attributes: &'a Map<String, Value>, name: &str) -> Option<&'a Value> {
    attributes.get(name).filter(|v| !v.is_null())
}

fn required_string(
    attributes: &Map<String, Value>,
    name: &'static str,
) -> Result<String, RejectionReason> {
    match optional_string(attributes, name)? {
        None => Err(RejectionReason::MissingAttribute { name }),
        Some(text) if text.is_empty() => Err(RejectionReason::BadAttribute {
            name,
            problem: "must not be empty".into(),
        }),
        Some(text) => Ok(text),
    }
}

fn optional_string(
    attributes: &Map<String, Value>,
    name: &'static str,
) -> Result<Option<String>, RejectionReason> {
    match present(attributes, name) {
        None => Ok(None),
        Some(Value::String(text)) => Ok(Some(text.clone())),
        Some(other) => Err(RejectionReason::BadAttribute {
            name,
            problem: format!("must be a string, found {}", json_kind(other)),
        }),
    }
}

fn custom_data(data: Option<Value>) -> Result<Value, RejectionReason> {
    match data {
        None | Some(Value::Null) => Ok(Value::Null),
        Some(object @ Value::Object(_)) => Ok(object),
        Some(other) => Err(RejectionReason::BadData {
            field: "data".into(),
            problem: format!("must be a JSON object, found {}", json_kind(&other)),
        }),
    }
}

#[cfg(test)]
mod attribute_tests;
#[cfg(test)]
mod tests;
