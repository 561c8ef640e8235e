//! The IANA special-purpose address registries (IPv4 and IPv6, as of 2026), one row per
//! block with the reason shown when an address in it is refused. A block that carries an
//! IPv4 address inside it (mapped, NAT64, 6to4, Teredo) is judged by that address instead:
//! `64:ff9b::808:808` reaches 8.8.8.8, `64:ff9b::a00:1` reaches 10.0.0.1.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use super::cidr::Cidr;

/// One special-purpose block.
#[derive(Debug)]
pub struct Block {
    pub cidr: Cidr,
    /// Completes "10.0.0.1 is …".
    pub reason: &'static str,
    pub embeds: Option<Embedding>,
}

/// Where an IPv6 block keeps the IPv4 address its packets really go to.
#[derive(Debug, Clone, Copy)]
pub enum Embedding {
    /// The last 32 bits (`::ffff:10.0.0.1`, `64:ff9b::10.0.0.1`).
    Last32,
    /// Bits 16 to 48 (`2002:0a00:0001::`, RFC 3056).
    SixToFour,
    /// The client, the last 32 bits inverted (RFC 4380).
    Teredo,
}

impl Embedding {
    pub fn extract(self, ip: Ipv6Addr) -> Ipv4Addr {
        let bits = u128::from(ip);
        // Each shift leaves the 32 wanted bits lowest; `as u32` keeps exactly those.
        match self {
            Embedding::Last32 => Ipv4Addr::from(bits as u32),
            Embedding::SixToFour => Ipv4Addr::from((bits >> 80) as u32),
            Embedding::Teredo => Ipv4Addr::from(!(bits as u32)),
        }
    }
}

const fn block(cidr: Cidr, reason: &'static str) -> Block {
    Block {
        cidr,
        reason,
        embeds: None,
    }
}

const fn embedding(cidr: Cidr, reason: &'static str, embeds: Embedding) -> Block {
    Block {
        cidr,
        reason,
        embeds: Some(embeds),
    }
}

const PRIVATE: &str = "a private address";
const DOCUMENTATION: &str = "a documentation address";
const PROTOCOL: &str = "an IETF protocol assignment";

/// RFC 6890 and its updates; blocks that IANA marks globally reachable but that no webhook
/// receiver lives in (AS112, AMT, the 6to4 relay anycast) are refused as well.
pub static IPV4: [Block; 19] = [
    block(Cidr::v4(0, 0, 0, 0, 8), "a \"this network\" address"),
    block(Cidr::v4(10, 0, 0, 0, 8), PRIVATE),
    block(Cidr::v4(100, 64, 0, 0, 10), "a carrier-grade NAT address"),
    block(Cidr::v4(127, 0, 0, 0, 8), "a loopback address"),
    block(
        Cidr::v4(169, 254, 0, 0, 16),
        "a link-local address (cloud metadata lives there)",
    ),
    block(Cidr::v4(172, 16, 0, 0, 12), PRIVATE),
    block(Cidr::v4(192, 0, 0, 0, 24), PROTOCOL),
    block(Cidr::v4(192, 0, 2, 0, 24), DOCUMENTATION),
    block(Cidr::v4(192, 31, 196, 0, 24), "an AS112 address"),
    block(Cidr::v4(192, 52, 193, 0, 24), "an AMT relay address"),
    block(
        Cidr::v4(192, 88, 99, 0, 24),
        "a deprecated 6to4 relay anycast address",
    ),
    block(Cidr::v4(192, 168, 0, 0, 16), PRIVATE),
    block(Cidr::v4(192, 175, 48, 0, 24), "an AS112 delegation address"),
    block(Cidr::v4(198, 18, 0, 0, 15), "a benchmarking address"),
    block(Cidr::v4(198, 51, 100, 0, 24), DOCUMENTATION),
    block(Cidr::v4(203, 0, 113, 0, 24), DOCUMENTATION),
    block(Cidr::v4(224, 0, 0, 0, 4), "a multicast address"),
    block(Cidr::v4(240, 0, 0, 0, 4), "a reserved address"),
    block(Cidr::v4(255, 255, 255, 255, 32), "the broadcast address"),
];

/// RFC 6890 and its updates. IPv4-compatible addresses (`::10.0.0.1`) are refused whole:
/// deprecated since 2006 and never a real receiver. The local-use NAT64 prefix is refused
/// whole too: where it keeps the IPv4 address is the local network's choice.
pub static IPV6: [Block; 19] = [
    block(Cidr::v6([0; 8], 128), "the unspecified address"),
    block(
        Cidr::v6([0, 0, 0, 0, 0, 0, 0, 1], 128),
        "the loopback address",
    ),
    embedding(
        Cidr::v6([0, 0, 0, 0, 0, 0xffff, 0, 0], 96),
        "an IPv4-mapped address",
        Embedding::Last32,
    ),
    block(Cidr::v6([0; 8], 96), "a deprecated IPv4-compatible address"),
    embedding(
        Cidr::v6([0x64, 0xff9b, 0, 0, 0, 0, 0, 0], 96),
        "a NAT64 address",
        Embedding::Last32,
    ),
    block(
        Cidr::v6([0x64, 0xff9b, 1, 0, 0, 0, 0, 0], 48),
        "a local-use NAT64 address",
    ),
    block(
        Cidr::v6([0x100, 0, 0, 0, 0, 0, 0, 0], 64),
        "a discard-only address",
    ),
    block(
        Cidr::v6([0x100, 0, 0, 1, 0, 0, 0, 0], 64),
        "a dummy address",
    ),
    block(Cidr::v6([0x2001, 0, 0, 0, 0, 0, 0, 0], 23), PROTOCOL),
    embedding(
        Cidr::v6([0x2001, 0, 0, 0, 0, 0, 0, 0], 32),
        "a Teredo address",
        Embedding::Teredo,
    ),
    block(
        Cidr::v6([0x2001, 2, 0, 0, 0, 0, 0, 0], 48),
        "a benchmarking address",
    ),
    block(
        Cidr::v6([0x2001, 0xdb8, 0, 0, 0, 0, 0, 0], 32),
        DOCUMENTATION,
    ),
    embedding(
        Cidr::v6([0x2002, 0, 0, 0, 0, 0, 0, 0], 16),
        "a 6to4 address",
        Embedding::SixToFour,
    ),
    block(Cidr::v6([0x3fff, 0, 0, 0, 0, 0, 0, 0], 20), DOCUMENTATION),
    block(
        Cidr::v6([0x5f00, 0, 0, 0, 0, 0, 0, 0], 16),
        "a segment-routing (SRv6 SID) address",
    ),
    block(
        Cidr::v6([0xfc00, 0, 0, 0, 0, 0, 0, 0], 7),
        "a unique-local address",
    ),
    block(
        Cidr::v6([0xfe80, 0, 0, 0, 0, 0, 0, 0], 10),
        "a link-local address",
    ),
    block(
        Cidr::v6([0xfec0, 0, 0, 0, 0, 0, 0, 0], 10),
        "a deprecated site-local address",
    ),
    block(
        Cidr::v6([0xff00, 0, 0, 0, 0, 0, 0, 0], 8),
        "a multicast address",
    ),
];

/// The most specific block `ip` is in, if any (Teredo's /32 rather than the /23 around it;
/// the tables' order does not matter). A public address is in none.
pub fn special(ip: IpAddr) -> Option<&'static Block> {
    let table: &'static [Block] = match ip {
        IpAddr::V4(_) => &IPV4,
        IpAddr::V6(_) => &IPV6,
    };
    table
        .iter()
        .filter(|block| block.cidr.contains(ip))
        .max_by_key(|block| block.cidr.prefix())
}
