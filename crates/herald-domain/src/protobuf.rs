//! `application/protobuf` events: the `herald.v1.Event` message turned into the same JSON a
//! publisher would have sent, so one set of checks serves both encodings.

use prost_reflect::{DynamicMessage, SerializeOptions};
use serde_json::Value;

use crate::RejectionReason;

const EVENT_MESSAGE: &str = "herald.v1.Event";
const DATA_MEMBERS: [&str; 7] = [
    "transfer", "backup", "snapshot", "restore", "gc", "verify", "custom",
];

pub(crate) fn event_json(body: &[u8]) -> Result<Value, RejectionReason> {
    let bad = |error: String| RejectionReason::BadProtobuf { error };
    let descriptor = herald_proto::descriptor_pool()
        .get_message_by_name(EVENT_MESSAGE)
        .ok_or_else(|| {
            bad(format!(
                "{EVENT_MESSAGE} is missing from the descriptor pool"
            ))
        })?;
    let message = DynamicMessage::decode(descriptor, body).map_err(|e| bad(e.to_string()))?;
    // Proto field names and plain numbers, so the JSON matches what a JSON publisher sends.
    let options = SerializeOptions::new()
        .use_proto_field_name(true)
        .skip_default_fields(true)
        .stringify_64_bit_integers(false);
    let mut json = message
        .serialize_with_options(serde_json::value::Serializer, &options)
        .map_err(|e| bad(e.to_string()))?;
    if let Value::Object(attributes) = &mut json {
        let data = DATA_MEMBERS
            .iter()
            .find_map(|member| attributes.remove(*member));
        if let Some(data) = data {
            attributes.insert("data".into(), data);
        }
    }
    Ok(json)
}
