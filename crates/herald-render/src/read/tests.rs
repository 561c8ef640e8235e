use serde_json::json;

use super::*;

#[test]
fn cleaning_drops_controls_and_reordering() {
    assert_eq!(
        clean("  a\r\nb\rc\u{7}\u{202E}d\t \n").as_deref(),
        Some("a\nb\ncd")
    );
    assert_eq!(clean(" \u{0} "), None);
}

#[test]
fn numbers_may_be_strings() {
    assert_eq!(number(Some(&json!(5))), Some(5.0));
    assert_eq!(number(Some(&json!(" 52428800 "))), Some(52_428_800.0));
    assert_eq!(number(Some(&json!("many"))), None);
    assert_eq!(number(None), None);
}

#[test]
fn counts_keep_their_digits() {
    assert_eq!(count(Some(&json!(120))).as_deref(), Some("120"));
    assert_eq!(
        count(Some(&json!("9007199254740993"))).as_deref(),
        Some("9007199254740993")
    );
    assert_eq!(count(Some(&json!(2.5))).as_deref(), Some("2.5"));
}

#[test]
fn times_are_rfc3339_or_unix_seconds() {
    let expected = DateTime::parse_from_rfc3339("2026-03-01T09:30:00Z").unwrap();
    assert_eq!(
        time(Some(&json!("2026-03-01T10:30:00+01:00"))),
        Some(expected.into())
    );
    assert_eq!(time(Some(&json!(1_772_357_400))), Some(expected.into()));
    assert_eq!(time(Some(&json!("yesterday"))), None);
}

#[test]
fn lists_and_pairs() {
    assert_eq!(list(Some(&json!(["a", 1, null, {}]))), ["a", "1"]);
    assert_eq!(list(Some(&json!("one"))), ["one"]);
    assert_eq!(
        pairs(Some(&json!({ "team": "data", "env": "prod" }))).as_deref(),
        Some("env=prod, team=data")
    );
    assert_eq!(pairs(Some(&json!({}))), None);
}

#[test]
fn one_line_joins_lines() {
    assert_eq!(one_line("a\n  b\tc".to_owned()), "a b c");
    assert_eq!(one_line("a  b".to_owned()), "a  b");
}
