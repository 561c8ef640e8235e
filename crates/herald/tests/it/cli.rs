//! The binary's own behaviour: configuration errors stop the start with one line.

use std::process::Command;

#[test]
fn a_bad_config_value_exits_64_with_one_line_naming_the_key() {
    let output = Command::new(env!("CARGO_BIN_EXE_herald"))
        .args(["serve"])
        .env("HERALD_ENCRYPTION_KEY", "not-a-key")
        .env("HERALD_ADMIN_TOKEN", "x")
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(64));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("HERALD_ENCRYPTION_KEY"), "{stderr}");
}

#[test]
fn a_missing_required_key_exits_64_naming_it() {
    let output = Command::new(env!("CARGO_BIN_EXE_herald"))
        .args(["serve", "--target", "api"])
        .env("HERALD_ENCRYPTION_KEY", crate::support::ENCRYPTION_KEY)
        .env_remove("HERALD_ADMIN_TOKEN")
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(64));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("HERALD_ADMIN_TOKEN"), "{stderr}");
}
