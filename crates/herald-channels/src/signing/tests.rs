use super::*;

#[test]
fn matches_the_standard_webhooks_test_vector() {
    let key = base64::engine::general_purpose::STANDARD
        .decode("C2FVsBQIhrscChlQIMV+b5sSYspob7oD")
        .unwrap();
    let signature = standard_webhooks_signature(
        &key,
        "msg_27UH4WbU6Z5A5EzD8u03UvzRbpk",
        1649367553,
        br#"{"email":"test@example.com","username":"test_user"}"#,
    );
    assert_eq!(signature, "v1,tZ1I4/hDygAJgO5TYxiSd6Sd0kDW6hPenDe+bTa3Kkw=");
}

#[test]
fn github_style_signature_is_hex_hmac_of_the_body() {
    let signature = github_signature("whsec_abc", b"hello");
    assert!(signature.starts_with("sha256="));
    assert_eq!(signature.len(), "sha256=".len() + 64);
    assert_ne!(signature, github_signature("whsec_abd", b"hello"));
}
