//! Checks the data of a known event type against its family's proto message, naming the
//! offending field so a publisher can fix it.

use prost_reflect::{DeserializeOptions, DynamicMessage, Kind, MessageDescriptor};
use serde_json::{Map, Value};

use crate::{EventType, Family, RejectionReason};

pub(crate) fn check_known_data(
    event_type: &EventType,
    family: Family,
    data: Option<&Value>,
) -> Result<(), RejectionReason> {
    let field = family.required_field();
    let missing = || RejectionReason::MissingDataField {
        field,
        event_type: event_type.as_str().to_owned(),
    };
    let object = match data {
        None | Some(Value::Null) => return Err(missing()),
        Some(Value::Object(object)) => object,
        Some(other) => {
            return Err(RejectionReason::BadData {
                field: "data".into(),
                problem: format!("must be a JSON object, found {}", json_kind(other)),
            });
        }
    };
    match object.get(field) {
        None | Some(Value::Null) => return Err(missing()),
        Some(Value::String(s)) if s.is_empty() => return Err(missing()),
        Some(_) => {}
    }
    let descriptor = herald_proto::descriptor_pool()
        .get_message_by_name(family.proto_message())
        .ok_or_else(|| RejectionReason::BadData {
            field: "data".into(),
            problem: format!("cannot be checked: {} is unknown", family.proto_message()),
        })?;
    check_object(&descriptor, object, "data")
}

fn deserialize(descriptor: &MessageDescriptor, value: &Value) -> Result<(), String> {
    let options = DeserializeOptions::new().deny_unknown_fields(false);
    DynamicMessage::deserialize_with_options(descriptor.clone(), value, &options)
        .map(drop)
        .map_err(|e| e.to_string())
}

/// Deserializing the whole object only says *that* something is wrong; each field is then
/// tried alone (descending into nested messages) to say *which* one.
fn check_object(
    descriptor: &MessageDescriptor,
    object: &Map<String, Value>,
    path: &str,
) -> Result<(), RejectionReason> {
    let Err(whole) = deserialize(descriptor, &Value::Object(object.clone())) else {
        return Ok(());
    };
    for (key, value) in object {
        let Some(field) = descriptor
            .get_field_by_name(key)
            .or_else(|| descriptor.get_field_by_json_name(key))
        else {
            continue;
        };
        let single = Value::Object(Map::from_iter([(key.clone(), value.clone())]));
        if deserialize(descriptor, &single).is_ok() {
            continue;
        }
        let field_path = format!("{path}.{key}");
        if let (Kind::Message(inner), Value::Object(inner_object), false) =
            (field.kind(), value, field.is_map())
        {
            check_object(&inner, inner_object, &field_path)?;
        }
        if let (Value::Array(items), true) = (value, field.is_list()) {
            for (i, item) in items.iter().enumerate() {
                let one = Value::Object(Map::from_iter([(
                    key.clone(),
                    Value::from(vec![item.clone()]),
                )]));
                if deserialize(descriptor, &one).is_err() {
                    return Err(wrong_type(
                        format!("{field_path}[{i}]"),
                        expected(&field.kind()),
                        item,
                    ));
                }
            }
        }
        let expected = if field.is_map() {
            "an object".to_owned()
        } else if field.is_list() {
            "an array".to_owned()
        } else {
            expected(&field.kind())
        };
        return Err(wrong_type(field_path, expected, value));
    }
    Err(RejectionReason::BadData {
        field: path.to_owned(),
        problem: format!("does not fit its schema: {whole}"),
    })
}

fn wrong_type(field: String, expected: String, found: &Value) -> RejectionReason {
    RejectionReason::BadData {
        field,
        problem: format!(
            "has the wrong type: expected {expected}, found {}",
            json_kind(found)
        ),
    }
}

/// The JSON one value of `kind` takes, in the words of the proto3 JSON mapping.
fn expected(kind: &Kind) -> String {
    match kind {
        Kind::String => "a string".to_owned(),
        Kind::Bool => "a boolean".to_owned(),
        Kind::Double | Kind::Float => "a number".to_owned(),
        Kind::Uint32 | Kind::Fixed32 | Kind::Uint64 | Kind::Fixed64 => {
            "a non-negative integer".to_owned()
        }
        Kind::Int32
        | Kind::Sint32
        | Kind::Sfixed32
        | Kind::Int64
        | Kind::Sint64
        | Kind::Sfixed64 => "an integer".to_owned(),
        Kind::Bytes => "a base64 string".to_owned(),
        Kind::Enum(e) => format!("one of the {} names", e.name()),
        Kind::Message(m) if m.full_name() == "google.protobuf.Timestamp" => {
            "an RFC 3339 timestamp".to_owned()
        }
        Kind::Message(_) => "an object".to_owned(),
    }
}

pub(crate) fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}
