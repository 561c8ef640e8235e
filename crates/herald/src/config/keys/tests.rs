use crate::config::tests::config;

const A: &str = "a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1";
const B: &str = "b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2";

#[test]
fn earlier_keys_are_a_comma_separated_list_and_may_be_absent() {
    assert!(
        config(&[("encryption_key", B)])
            .unwrap()
            .encryption_keys
            .is_empty()
    );
    let keys = format!(" {A} , {} ,", B.replace("b2", "c3"));
    let config = config(&[("encryption_key", B), ("encryption_keys", &keys)]).unwrap();
    assert_eq!(config.encryption_keys.len(), 2);
}

#[test]
fn a_bad_earlier_key_names_encryption_keys_and_its_position_but_never_the_key() {
    let keys = format!("{A},not-a-key-at-all");
    let error = config(&[("encryption_key", B), ("encryption_keys", &keys)]).unwrap_err();
    assert_eq!(error.key, "HERALD_ENCRYPTION_KEYS");
    let line = error.to_string();
    assert!(
        line.contains("entry 2") && !line.contains("not-a-key") && !line.contains(A),
        "{line}"
    );
    assert_eq!(line.lines().count(), 1);
}

#[test]
fn earlier_keys_without_a_current_one_are_refused() {
    let error = config(&[("encryption_keys", A)]).unwrap_err();
    assert_eq!(error.key, "HERALD_ENCRYPTION_KEYS");
}
