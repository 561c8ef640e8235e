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

fn key(byte: u8) -> EncryptionKey {
    EncryptionKey::parse(&format!("{byte:02x}").repeat(32)).unwrap()
}

#[test]
fn a_secret_sealed_under_an_old_key_opens_once_that_key_is_listed_as_old() {
    let sealed_under_a = SecretCipher::new(&key(0xa1)).seal(b"whsec_old").unwrap();
    let b_alone = SecretCipher::new(&key(0xb2));
    assert!(matches!(
        b_alone.open(&sealed_under_a),
        Err(SealError::Open)
    ));

    let b_reading_a = SecretCipher::new(&key(0xb2)).with_old_keys(&[key(0xc3), key(0xa1)]);
    assert_eq!(b_reading_a.open(&sealed_under_a).unwrap(), b"whsec_old");
    let sealed_under_b = b_reading_a.seal(b"whsec_new").unwrap();
    assert_eq!(
        b_alone.open(&sealed_under_b).unwrap(),
        b"whsec_new",
        "new secrets use the current key"
    );
}

#[test]
fn reseal_moves_an_old_keys_secret_to_the_current_key_and_leaves_current_ones_alone() {
    let a = SecretCipher::new(&key(0xa1));
    let b_reading_a = SecretCipher::new(&key(0xb2)).with_old_keys(&[key(0xa1)]);
    let sealed_under_a = a.seal(b"s3cr3t").unwrap();

    let resealed = b_reading_a
        .reseal(&sealed_under_a)
        .unwrap()
        .expect("re-sealed");
    assert!(
        matches!(a.open(&resealed), Err(SealError::Open)),
        "A opens it no more"
    );
    assert_eq!(
        SecretCipher::new(&key(0xb2)).open(&resealed).unwrap(),
        b"s3cr3t"
    );
    assert!(
        b_reading_a.reseal(&resealed).unwrap().is_none(),
        "already current"
    );

    let unknown = SecretCipher::new(&key(0xd4)).seal(b"x").unwrap();
    assert!(matches!(b_reading_a.reseal(&unknown), Err(SealError::Open)));
    assert!(matches!(
        b_reading_a.reseal(&[9, 9]),
        Err(SealError::Format)
    ));
}
