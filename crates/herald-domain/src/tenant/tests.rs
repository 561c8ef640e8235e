use super::*;

#[test]
fn accepts_subject_tokens_only() {
    assert_eq!(Tenant::parse("acme-eu_1").unwrap().as_str(), "acme-eu_1");
    for bad in ["", "Acme", "ac.me", "a b", "*", &"a".repeat(65)] {
        assert!(Tenant::parse(bad).is_err(), "{bad:?} accepted");
    }
    assert!(serde_json::from_str::<Tenant>("\"ACME\"").is_err());
}
