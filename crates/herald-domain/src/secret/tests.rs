use super::*;

#[test]
fn generated_secrets_parse_back() {
    let secret = WebhookSecret::generate();
    assert!(secret.expose().starts_with("whsec_"));
    assert_eq!(secret.key_bytes().len(), 32);
    assert_eq!(WebhookSecret::parse(secret.expose()).unwrap(), secret);
    assert_ne!(WebhookSecret::generate(), secret);
    assert_eq!(format!("{secret:?}"), "whsec_****");
}

#[test]
fn rejects_bad_prefix_encoding_and_length() {
    let key = STANDARD.encode([7u8; 32]);
    assert!(WebhookSecret::parse(&key).is_err());
    assert!(WebhookSecret::parse("whsec_not base64!").is_err());
    assert!(WebhookSecret::parse(&format!("whsec_{}", STANDARD.encode([1u8; 16]))).is_err());
    assert!(WebhookSecret::parse(&format!("whsec_{}", STANDARD.encode([1u8; 65]))).is_err());
    assert!(WebhookSecret::parse(&format!("whsec_{}", STANDARD.encode([1u8; 24]))).is_ok());
}
