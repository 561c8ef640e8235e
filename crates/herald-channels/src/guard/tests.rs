use std::net::IpAddr;

use super::*;

/// What the guard should say about a target: allowed, or refused by this block.
enum Expect {
    Allowed,
    Refused(&'static str),
}
use Expect::{Allowed, Refused};

/// Addresses and URLs (whose host the `url` crate reads as an address, WHATWG-style) with the
/// answer of a guard that allows nothing special.
const TABLE: &[(&str, Expect)] = &[
    // IPv4 special-purpose blocks.
    ("0.0.0.0", Refused("0.0.0.0/8")),
    ("0.1.2.3", Refused("0.0.0.0/8")),
    ("10.0.0.1", Refused("10.0.0.0/8")),
    ("10.255.255.255", Refused("10.0.0.0/8")),
    ("100.64.0.1", Refused("100.64.0.0/10")),
    ("100.127.255.254", Refused("100.64.0.0/10")),
    ("127.0.0.1", Refused("127.0.0.0/8")),
    ("127.255.0.9", Refused("127.0.0.0/8")),
    ("169.254.169.254", Refused("169.254.0.0/16")),
    ("172.16.0.1", Refused("172.16.0.0/12")),
    ("172.31.255.255", Refused("172.16.0.0/12")),
    ("192.0.0.8", Refused("192.0.0.0/24")),
    ("192.0.2.10", Refused("192.0.2.0/24")),
    ("192.31.196.1", Refused("192.31.196.0/24")),
    ("192.52.193.1", Refused("192.52.193.0/24")),
    ("192.88.99.1", Refused("192.88.99.0/24")),
    ("192.168.1.1", Refused("192.168.0.0/16")),
    ("192.175.48.6", Refused("192.175.48.0/24")),
    ("198.18.0.1", Refused("198.18.0.0/15")),
    ("198.19.255.255", Refused("198.18.0.0/15")),
    ("198.51.100.7", Refused("198.51.100.0/24")),
    ("203.0.113.9", Refused("203.0.113.0/24")),
    ("224.0.0.1", Refused("224.0.0.0/4")),
    ("239.255.255.250", Refused("224.0.0.0/4")),
    ("240.0.0.1", Refused("240.0.0.0/4")),
    ("255.255.255.255", Refused("255.255.255.255/32")),
    // Public IPv4, including the neighbours of special blocks.
    ("8.8.8.8", Allowed),
    ("93.184.216.34", Allowed),
    ("100.63.255.255", Allowed),
    ("100.128.0.0", Allowed),
    ("172.15.255.255", Allowed),
    ("172.32.0.0", Allowed),
    ("198.17.255.255", Allowed),
    ("198.20.0.0", Allowed),
    ("223.255.255.255", Allowed),
    // IPv6 special-purpose blocks.
    ("::", Refused("::/128")),
    ("::1", Refused("::1/128")),
    ("::127.0.0.1", Refused("::/96")),
    ("::8.8.8.8", Refused("::/96")),
    ("64:ff9b:1::a00:1", Refused("64:ff9b:1::/48")),
    ("100::1", Refused("100::/64")),
    ("100:0:0:1::1", Refused("100:0:0:1::/64")),
    ("2001:2::1", Refused("2001:2::/48")),
    ("2001:20::1", Refused("2001::/23")),
    ("2001:db8::1", Refused("2001:db8::/32")),
    ("3fff::1", Refused("3fff::/20")),
    ("5f00::1", Refused("5f00::/16")),
    ("fc00::1", Refused("fc00::/7")),
    ("fd12:3456::1", Refused("fc00::/7")),
    ("fe80::1", Refused("fe80::/10")),
    ("fec0::1", Refused("fec0::/10")),
    ("ff02::1", Refused("ff00::/8")),
    // IPv6 carrying IPv4: judged by the IPv4 address.
    ("::ffff:127.0.0.1", Refused("127.0.0.0/8")),
    ("::ffff:169.254.169.254", Refused("169.254.0.0/16")),
    ("::ffff:8.8.8.8", Allowed),
    ("64:ff9b::10.0.0.1", Refused("10.0.0.0/8")),
    ("64:ff9b::192.168.0.1", Refused("192.168.0.0/16")),
    ("64:ff9b::8.8.8.8", Allowed),
    ("2002:a00:1::1", Refused("10.0.0.0/8")),
    ("2002:7f00:1::", Refused("127.0.0.0/8")),
    ("2002:808:808::1", Allowed),
    // Teredo: the client 10.0.0.1 is stored inverted (f5ff:fffe).
    (
        "2001:0:4136:e378:8000:63bf:f5ff:fffe",
        Refused("10.0.0.0/8"),
    ),
    ("2001:0:4136:e378:8000:63bf:f7f7:f7f7", Allowed),
    // Public IPv6.
    ("2606:4700::1111", Allowed),
    ("2a00:1450:4001::200e", Allowed),
    ("2001:db9::1", Allowed),
    // Other spellings of loopback and metadata, as a URL's host.
    ("http://2130706433/", Refused("127.0.0.0/8")),
    ("http://0177.0.0.1/", Refused("127.0.0.0/8")),
    ("http://0x7f.0.0.1/", Refused("127.0.0.0/8")),
    ("http://0x7f000001/", Refused("127.0.0.0/8")),
    ("http://017700000001/", Refused("127.0.0.0/8")),
    ("http://127.1/", Refused("127.0.0.0/8")),
    ("http://127.0.1/", Refused("127.0.0.0/8")),
    ("http://127.0.0.1./", Refused("127.0.0.0/8")),
    ("http://0/", Refused("0.0.0.0/8")),
    ("http://%31%32%37.0.0.1/", Refused("127.0.0.0/8")),
    ("http://１２７.０.０.１/", Refused("127.0.0.0/8")),
    (
        "http://2852039166/latest/meta-data",
        Refused("169.254.0.0/16"),
    ),
    ("http://0xa9.0xfe.0xa9.0xfe/", Refused("169.254.0.0/16")),
    ("http://10.1/", Refused("10.0.0.0/8")),
    ("http://[::ffff:7f00:1]/", Refused("127.0.0.0/8")),
    ("http://[::ffff:a9fe:a9fe]/", Refused("169.254.0.0/16")),
    ("http://[0:0:0:0:0:0:0:1]/", Refused("::1/128")),
    ("https://134744072/", Allowed),
    ("https://0x08.0x08.0x08.0x08/", Allowed),
];

#[test]
fn every_target_of_the_table_gets_its_answer() {
    let guard = TargetPolicy::default();
    assert!(TABLE.len() >= 40, "the table keeps at least 40 targets");
    let mut wrong = Vec::new();
    for (target, expected) in TABLE {
        let ip = address_of(target);
        match (guard.check(ip), expected) {
            (Ok(()), Allowed) => {}
            (Err(refusal), Refused(block)) if refusal.block().to_string() == *block => {
                // The reason names the block, as the API and the attempt record show it.
                assert!(refusal.to_string().ends_with(&format!("({block})")));
            }
            (got, _) => wrong.push(format!("{target} ({ip}): {got:?}")),
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn a_refusal_says_why_in_one_sentence() {
    let guard = TargetPolicy::default();
    let shown = |ip: &str| guard.check(ip.parse().unwrap()).unwrap_err().to_string();
    assert_eq!(
        shown("10.0.0.1"),
        "10.0.0.1 is a private address (10.0.0.0/8)"
    );
    assert_eq!(
        shown("64:ff9b::a00:1"),
        "64:ff9b::a00:1 is a NAT64 address (64:ff9b::/96) carrying 10.0.0.1, \
         a private address (10.0.0.0/8)"
    );
}

#[test]
fn allowed_ranges_open_exactly_what_they_name() {
    let guard = TargetPolicy::allowing(Cidr::parse_list("10.1.0.0/16, fd00:1::/32").unwrap());
    for open in [
        "10.1.0.1",
        "10.1.255.255",
        "fd00:1::5",
        "::ffff:10.1.2.3",
        "8.8.8.8",
    ] {
        assert!(guard.check(open.parse().unwrap()).is_ok(), "{open}");
    }
    for still_refused in ["10.0.255.255", "10.2.0.0", "127.0.0.1", "fd00:2::1", "::1"] {
        assert!(
            guard.check(still_refused.parse().unwrap()).is_err(),
            "{still_refused}"
        );
    }
}

#[test]
fn allowing_everything_allows_every_special_address() {
    let guard = TargetPolicy::allow_all();
    for (target, _) in TABLE {
        assert!(guard.check(address_of(target)).is_ok(), "{target}");
    }
}

#[test]
fn blocks_parse_strictly_so_a_typo_is_caught_at_start() {
    assert_eq!(Cidr::parse_list("").unwrap(), vec![]);
    assert_eq!(Cidr::parse_list(" , ").unwrap(), vec![]);
    let parsed = Cidr::parse_list("10.1.0.0/16,127.0.0.1,::1,fd00::/8").unwrap();
    let shown: Vec<String> = parsed.iter().map(ToString::to_string).collect();
    assert_eq!(
        shown,
        ["10.1.0.0/16", "127.0.0.1/32", "::1/128", "fd00::/8"]
    );
    assert_eq!(
        Cidr::parse_list("10.1.2.0/8").unwrap_err().to_string(),
        "10.1.2.0/8 has bits set past its prefix: write 10.0.0.0/8"
    );
    assert!(matches!(
        "10.0.0.0/33".parse::<Cidr>(),
        Err(CidrError::PrefixTooLong { max: 32, .. })
    ));
    assert!(matches!(
        "fd00::/129".parse::<Cidr>(),
        Err(CidrError::PrefixTooLong { max: 128, .. })
    ));
    for malformed in ["10.1.0.0/", "/8", "10.1/16", "localhost", "10.0.0.0/x"] {
        assert!(
            matches!(malformed.parse::<Cidr>(), Err(CidrError::Malformed(_))),
            "{malformed}"
        );
    }
    let everything: Cidr = "0.0.0.0/0".parse().unwrap();
    assert!(everything.contains("203.0.113.1".parse().unwrap()));
    assert!(!everything.contains("::1".parse().unwrap()));
}

/// The address a table entry names: itself, or the host of its URL as the client sees it.
fn address_of(target: &str) -> IpAddr {
    if !target.contains("://") {
        return target.parse().unwrap();
    }
    match url::Url::parse(target).unwrap().host() {
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip),
        other => panic!("{target}: the url crate reads the host as {other:?}"),
    }
}
