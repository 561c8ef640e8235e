//! Reading a JSON document while collecting every problem instead of stopping at the first.

use std::fmt::Display;

use serde_json::{Map, Value};

use crate::FieldErrors;
use crate::data_check::json_kind;

pub(crate) type Object = Map<String, Value>;

pub(crate) fn join(prefix: &str, key: &str) -> String {
    if prefix.is_empty() {
        key.to_owned()
    } else {
        format!("{prefix}.{key}")
    }
}

/// A field's value; an explicit `null` counts as absent, as in a JSON merge patch.
pub(crate) fn field<'a>(object: &'a Object, key: &str) -> Option<&'a Value> {
    object.get(key).filter(|v| !v.is_null())
}

pub(crate) fn reject_unknown(
    object: &Object,
    allowed: &[&str],
    prefix: &str,
    errors: &mut FieldErrors,
) {
    for key in object.keys().filter(|k| !allowed.contains(&k.as_str())) {
        errors.add(join(prefix, key), "is not a known field");
    }
}

fn wrong_type(path: String, expected: &str, found: &Value, errors: &mut FieldErrors) {
    errors.add(
        path,
        format!("must be {expected}, found {}", json_kind(found)),
    );
}

pub(crate) fn opt_str<'a>(
    object: &'a Object,
    key: &str,
    prefix: &str,
    errors: &mut FieldErrors,
) -> Option<&'a str> {
    let value = field(object, key)?;
    let text = value.as_str();
    if text.is_none() {
        wrong_type(join(prefix, key), "a string", value, errors);
    }
    text
}

pub(crate) fn req_str<'a>(
    object: &'a Object,
    key: &str,
    prefix: &str,
    errors: &mut FieldErrors,
) -> Option<&'a str> {
    if field(object, key).is_none() {
        errors.add(join(prefix, key), "is required");
        return None;
    }
    opt_str(object, key, prefix, errors)
}

pub(crate) fn opt_bool(
    object: &Object,
    key: &str,
    prefix: &str,
    errors: &mut FieldErrors,
) -> Option<bool> {
    let value = field(object, key)?;
    let flag = value.as_bool();
    if flag.is_none() {
        wrong_type(join(prefix, key), "true or false", value, errors);
    }
    flag
}

pub(crate) fn opt_object<'a>(
    object: &'a Object,
    key: &str,
    prefix: &str,
    errors: &mut FieldErrors,
) -> Option<&'a Object> {
    let value = field(object, key)?;
    let inner = value.as_object();
    if inner.is_none() {
        wrong_type(join(prefix, key), "an object", value, errors);
    }
    inner
}

pub(crate) fn opt_array<'a>(
    object: &'a Object,
    key: &str,
    prefix: &str,
    errors: &mut FieldErrors,
) -> Option<&'a Vec<Value>> {
    let value = field(object, key)?;
    let items = value.as_array();
    if items.is_none() {
        wrong_type(join(prefix, key), "an array", value, errors);
    }
    items
}

/// An integer in `range`, or `None` (with an error) when it is something else.
pub(crate) fn opt_int(
    object: &Object,
    key: &str,
    prefix: &str,
    range: std::ops::RangeInclusive<u64>,
    errors: &mut FieldErrors,
) -> Option<u64> {
    let value = field(object, key)?;
    let number = value.as_u64().filter(|n| range.contains(n));
    if number.is_none() {
        let message = format!(
            "must be an integer from {} to {}",
            range.start(),
            range.end()
        );
        errors.add(join(prefix, key), message);
    }
    number
}

/// Parses `text` with `parse`, recording the parser's message at `path` on failure.
pub(crate) fn parsed<T, E: Display>(
    text: Option<&str>,
    path: impl Into<String>,
    parse: impl FnOnce(&str) -> Result<T, E>,
    errors: &mut FieldErrors,
) -> Option<T> {
    match parse(text?) {
        Ok(value) => Some(value),
        Err(error) => {
            errors.add(path, error.to_string());
            None
        }
    }
}

/// A string→string object such as `labels` or `headers`.
pub(crate) fn string_map<'a>(
    object: &'a Object,
    key: &str,
    prefix: &str,
    errors: &mut FieldErrors,
) -> Vec<(&'a String, &'a str)> {
    let path = join(prefix, key);
    let Some(map) = opt_object(object, key, prefix, errors) else {
        return Vec::new();
    };
    map.iter()
        .filter_map(|(name, value)| match value.as_str() {
            Some(text) => Some((name, text)),
            None => {
                wrong_type(join(&path, name), "a string", value, errors);
                None
            }
        })
        .collect()
}
