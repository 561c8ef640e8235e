use super::*;

#[test]
fn sizes_in_binary_units() {
    assert_eq!(bytes(52_428_800.0), "50 MiB");
    assert_eq!(bytes(1536.0), "1.5 KiB");
    assert_eq!(bytes(0.0), "0 B");
    assert_eq!(bytes(1_048_575.0), "1 MiB");
    assert_eq!(bytes(1_073_741_824.0), "1 GiB");
}

#[test]
fn durations_in_their_two_largest_units() {
    assert_eq!(duration(1800.0), "30 min");
    assert_eq!(duration(3900.0), "1 h 5 min");
    assert_eq!(duration(45.0), "45 s");
    assert_eq!(duration(0.25), "250 ms");
    assert_eq!(duration(0.0), "0 s");
    assert_eq!(duration(183_600.0), "2 d 3 h");
}

#[test]
fn numbers_as_written() {
    assert_eq!(number(120.0), "120");
    assert_eq!(number(1.5), "1.5");
}

#[test]
fn keys_read_as_labels() {
    assert_eq!(label("snapshots_deleted"), "Snapshots deleted");
    assert_eq!(label("lastError"), "Last error");
    assert_eq!(label("subscription_id"), "Subscription ID");
    assert_eq!(label("environment region"), "Environment region");
    assert_eq!(label("__"), "");
}

#[test]
fn bullets_are_bounded() {
    let items: Vec<String> = ["a", "b", "c"].map(String::from).to_vec();
    assert_eq!(bullets(&items, 5).unwrap(), "• a\n• b\n• c");
    assert_eq!(bullets(&items, 2).unwrap(), "• a\n• b\n…and 1 more");
    assert_eq!(bullets(&[], 2), None);
}
