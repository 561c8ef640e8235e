//! An event as it is sent: its CloudEvents JSON document, and that document's compact bytes,
//! made once and shared by every delivery of the event (a fan-out of fifty signs fifty times
//! but serializes once).

use bytes::Bytes;
use serde_json::Value;

#[derive(Debug, Clone, PartialEq)]
pub struct EventDocument {
    value: Value,
    json: Bytes,
}

impl EventDocument {
    pub fn new(value: Value) -> Self {
        // Writing a `Value` to memory cannot fail: its map keys are always strings.
        let json = Bytes::from(serde_json::to_vec(&value).unwrap_or_default());
        Self { value, json }
    }

    pub fn value(&self) -> &Value {
        &self.value
    }

    /// The document as compact JSON.
    pub fn json(&self) -> &Bytes {
        &self.json
    }
}
