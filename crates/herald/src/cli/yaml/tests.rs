#![allow(clippy::unwrap_used)]
use super::*;

fn env(name: &str) -> Option<String> {
    (name == "TOKEN").then(|| "s3cret".to_owned())
}

#[test]
fn lines_are_those_of_keys_and_items() {
    let text = "subscriptions:\n  - tenant: acme\n    target:\n      url: http://x\n";
    let doc = parse(text, &env).unwrap();
    assert_eq!(doc.line_of("subscriptions[0].tenant"), 2);
    assert_eq!(doc.line_of("subscriptions[0].target"), 3);
    assert_eq!(doc.line_of("subscriptions[0].target.url"), 4);
    assert_eq!(doc.line_of("subscriptions[0].target.nope"), 3);
}

#[test]
fn variables_are_substituted_and_unset_ones_named() {
    let doc = parse("a: Bearer ${TOKEN}\nb: $5\n", &env).unwrap();
    assert_eq!(doc.value["a"], "Bearer s3cret");
    assert_eq!(doc.value["b"], "$5");
    let problems = parse("a: 1\nb: ${MISSING}\n", &env).err().unwrap();
    assert_eq!(problems[0].line, 2);
    assert_eq!(problems[0].path, "b");
    assert!(problems[0].message.contains("MISSING"));
}

#[test]
fn deep_block_nesting_is_refused_not_a_stack_overflow() {
    // A thousand levels of block mappings aborted `herald apply` with a stack overflow.
    let text: String = (0..1000)
        .map(|i| format!("{}a{i}:\n", " ".repeat(i)))
        .collect();
    let problems = parse(&text, &env).err().unwrap();
    assert_eq!(problems[0].line, 65);
    assert!(
        problems[0].message.contains("deeper than 64"),
        "{problems:?}"
    );
    let compact = format!("{}1\n", "- ".repeat(5000));
    assert!(parse(&compact, &env).is_err());
}
