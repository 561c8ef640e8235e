//! What every property shares: a time bound per case, and JSON values that reach the corners
//! a publisher's or operator's document can reach (NUL, astral characters, numbers past
//! `i64`, nesting).

use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use proptest::prelude::*;
use serde_json::{Map, Number, Value};

/// Generous for a debug build on a loaded two-core machine; a hang is minutes, not seconds.
const CASE_LIMIT: Duration = Duration::from_secs(10);

/// Runs `f` on its own thread so that a hang fails the case instead of the whole run. A panic
/// in `f` surfaces here as a panic, which proptest shrinks like any other failure.
pub fn within<T: Send + 'static>(what: &str, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (sender, receiver) = mpsc::channel();
    thread::spawn(move || {
        let _ = sender.send(f());
    });
    match receiver.recv_timeout(CASE_LIMIT) {
        Ok(value) => value,
        Err(mpsc::RecvTimeoutError::Timeout) => panic!("{what} took longer than {CASE_LIMIT:?}"),
        Err(mpsc::RecvTimeoutError::Disconnected) => panic!("{what} panicked"),
    }
}

/// Text a person would not expect: NUL, controls, combining marks, astral characters.
pub fn nasty_string() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => any::<String>(),
        1 => Just(String::new()),
        1 => Just("\0".to_owned()),
        1 => Just("a\0b".to_owned()),
        1 => Just("\u{202e}\u{fe0f}\u{1f600}e\u{301}".to_owned()),
        1 => "[\\PC]{200,600}",
        1 => Just("{{".to_owned()),
        1 => Just("${X}".to_owned()),
    ]
}

/// Numbers at and past the edges of every integer type the documents use.
pub fn edge_number() -> impl Strategy<Value = Value> {
    prop_oneof![
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        Just(Value::from(u64::MAX)),
        Just(Value::from(i64::MIN)),
        Just(Value::from(u32::MAX as u64 + 1)),
        Just(Value::from(-1)),
        Just(Value::from(0)),
        any::<f64>().prop_map(|f| Number::from_f64(f).map_or(Value::Null, Value::Number)),
        Just(Value::from(1e308)),
        Just(Value::from(-0.0)),
        Just(Value::from(5e-324)),
    ]
}

/// Any JSON value, up to a few levels deep.
pub fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        edge_number(),
        nasty_string().prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec(("[a-z_]{1,12}|\\PC{0,8}", inner), 0..6)
                .prop_map(|entries| Value::Object(entries.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// JSON whose values survive a trip through text unchanged: serde_json reads floats back
/// to the nearest value only with its `float_roundtrip` feature, which Herald does not use.
pub fn exact_json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<i32>().prop_map(|n| Value::from(f64::from(n) / 4.0)),
        "\\PC{0,24}".prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map("[a-z_]{1,8}", inner, 0..4)
                .prop_map(|map| Value::Object(map.into_iter().collect())),
        ]
    })
}

/// `depth` arrays (or objects) inside each other, around `leaf`.
pub fn nested(depth: usize, as_object: bool, leaf: Value) -> Value {
    (0..depth).fold(leaf, |inner, _| {
        if as_object {
            Value::Object(Map::from_iter([("a".to_owned(), inner)]))
        } else {
            Value::Array(vec![inner])
        }
    })
}

/// The same nesting as text, for depths that `serde_json` itself would refuse to build.
pub fn nested_text(depth: usize, as_object: bool) -> String {
    if as_object {
        format!("{}1{}", "{\"a\":".repeat(depth), "}".repeat(depth))
    } else {
        format!("{}1{}", "[".repeat(depth), "]".repeat(depth))
    }
}

/// One change to a valid document: the near misses a hand-edited document makes.
#[derive(Debug, Clone)]
pub enum Mutation {
    Remove(String),
    Set(String, Value),
}

/// A mutation of one of `keys` (a JSON pointer, `/target/url`), or of a key nobody expects.
pub fn mutation(keys: &'static [&'static str]) -> impl Strategy<Value = Mutation> {
    let key = prop_oneof![
        4 => prop::sample::select(keys).prop_map(str::to_owned),
        1 => "/[a-z_]{1,10}",
    ];
    prop_oneof![
        1 => key.clone().prop_map(Mutation::Remove),
        4 => (key.clone(), json_value()).prop_map(|(k, v)| Mutation::Set(k, v)),
        1 => (key, 1usize..200, any::<bool>())
            .prop_map(|(k, depth, obj)| Mutation::Set(k, nested(depth, obj, Value::Null))),
    ]
}

/// Applies `mutation` at its pointer, creating missing parent objects on the way.
pub fn mutate(mut doc: Value, mutation: &Mutation) -> Value {
    let (pointer, value) = match mutation {
        Mutation::Remove(p) => (p.as_str(), None),
        Mutation::Set(p, v) => (p.as_str(), Some(v.clone())),
    };
    let parts: Vec<&str> = pointer.trim_start_matches('/').split('/').collect();
    let Some((last, parents)) = parts.split_last() else {
        return doc;
    };
    let mut at = &mut doc;
    for part in parents {
        if !at.is_object() {
            *at = Value::Object(Map::new());
        }
        let Value::Object(map) = at else {
            return doc;
        };
        at = map.entry((*part).to_owned()).or_insert(Value::Null);
    }
    if !at.is_object() {
        *at = Value::Object(Map::new());
    }
    if let Value::Object(map) = at {
        match value {
            Some(v) => {
                map.insert((*last).to_owned(), v);
            }
            None => {
                map.remove(*last);
            }
        }
    }
    doc
}
