use super::*;

#[test]
fn private_and_special_addresses_are_not_public() {
    for blocked in [
        "127.0.0.1",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "169.254.169.254",
        "100.64.0.1",
        "0.0.0.0",
        "224.0.0.1",
        "255.255.255.255",
        "::1",
        "fd00::1",
        "fe80::1",
        "::ffff:127.0.0.1",
    ] {
        assert!(!is_public(blocked.parse().unwrap()), "{blocked}");
    }
    for open in ["93.184.216.34", "8.8.8.8", "2606:4700::1111"] {
        assert!(is_public(open.parse().unwrap()), "{open}");
    }
}
