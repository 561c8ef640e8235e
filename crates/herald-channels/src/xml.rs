//! The event as XML, for receivers that want `application/xml`: the same fields as the JSON.

use std::fmt::Write as _;

use serde_json::Value;

/// `<event>` with one element per field; array items are `<item>`; null is an empty element.
pub fn to_xml(event: &Value) -> String {
    let mut out = String::from(r#"<?xml version="1.0" encoding="UTF-8"?>"#);
    element(&mut out, "event", event);
    out
}

fn element(out: &mut String, name: &str, value: &Value) {
    let name = element_name(name);
    match value {
        Value::Null => {
            let _ = write!(out, "<{name}/>");
        }
        Value::Object(fields) => {
            let _ = write!(out, "<{name}>");
            for (key, value) in fields {
                element(out, key, value);
            }
            let _ = write!(out, "</{name}>");
        }
        Value::Array(items) => {
            let _ = write!(out, "<{name}>");
            for item in items {
                element(out, "item", item);
            }
            let _ = write!(out, "</{name}>");
        }
        Value::String(text) => {
            let _ = write!(out, "<{name}>{}</{name}>", escape(text));
        }
        Value::Bool(_) | Value::Number(_) => {
            let _ = write!(out, "<{name}>{value}</{name}>");
        }
    }
}

/// Keys come from publishers: anything that is not a valid XML name becomes one.
fn element_name(key: &str) -> String {
    let mut name: String = key
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if !name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') {
        name.insert(0, '_');
    }
    name
}

fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '&' => escaped.push_str("&amp;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&apos;"),
            // Control characters other than tab and newlines are not allowed in XML 1.0.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => escaped.push('\u{FFFD}'),
            c => escaped.push(c),
        }
    }
    escaped
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn renders_fields_arrays_and_escapes_publisher_text() {
        let xml = to_xml(&json!({
            "type": "backup.failed",
            "data": {"job_id": "j<1>", "databases": ["a", "b"], "size_bytes": 5, "2fa": null, "a b": true}
        }));
        assert_eq!(
            xml,
            r#"<?xml version="1.0" encoding="UTF-8"?><event><data><_2fa/><a_b>true</a_b><databases><item>a</item><item>b</item></databases><job_id>j&lt;1&gt;</job_id><size_bytes>5</size_bytes></data><type>backup.failed</type></event>"#
        );
    }
}
