use super::*;

const HEX_KEY: &str = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

#[test]
fn key_parses_from_hex_and_base64_and_nothing_else() {
    assert!(EncryptionKey::parse(HEX_KEY).is_ok());
    let b64 = base64::engine::general_purpose::STANDARD.encode([7u8; 32]);
    assert!(EncryptionKey::parse(&b64).is_ok());
    assert_eq!(
        EncryptionKey::parse("short").err(),
        Some(KeyError::Malformed)
    );
    let b64_short = base64::engine::general_purpose::STANDARD.encode([7u8; 16]);
    assert_eq!(
        EncryptionKey::parse(&b64_short).err(),
        Some(KeyError::Malformed)
    );
    assert_eq!(
        format!("{:?}", EncryptionKey::parse(HEX_KEY).unwrap()),
        "EncryptionKey(****)"
    );
}

#[test]
fn sealed_text_hides_the_plaintext_and_opens_only_with_its_key() {
    let cipher = SecretCipher::new(&EncryptionKey::parse(HEX_KEY).unwrap());
    let sealed = cipher.seal(b"whsec_top_secret").unwrap();
    assert!(!sealed.windows(6).any(|w| w == b"whsec_"));
    assert_eq!(cipher.open(&sealed).unwrap(), b"whsec_top_secret");
    assert_ne!(cipher.seal(b"same").unwrap(), cipher.seal(b"same").unwrap());

    let other = SecretCipher::new(&EncryptionKey::parse(&"ff".repeat(32)).unwrap());
    assert!(matches!(other.open(&sealed), Err(SealError::Open)));
    assert!(matches!(cipher.open(&sealed[..10]), Err(SealError::Format)));
}
