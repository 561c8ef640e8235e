use serde_json::json;

use super::*;

#[test]
fn finds_nul_in_nested_strings_and_keys() {
    assert!(!contains_nul(&json!({"a": ["b", 1, null, {"c": "d"}]})));
    assert!(contains_nul(&json!({"a": ["b", {"c": "d\u{0}e"}]})));
    assert!(contains_nul(&json!({"a\u{0}": 1})));
}

#[test]
fn replacing_keeps_everything_else() {
    let value = json!({"name": "a\u{0}b", "n": 3, "k\u{0}": [true, "\u{0}"]});
    assert_eq!(
        replace_nul(&value),
        json!({"name": "a\u{FFFD}b", "n": 3, "k\u{FFFD}": [true, "\u{FFFD}"]})
    );
    assert!(!contains_nul(&replace_nul(&value)));
}
