//! The SSRF guard: which addresses deliveries may reach. Every address in an IANA
//! special-purpose block (loopback, private, link-local and cloud metadata, carrier-grade NAT,
//! documentation, benchmarking, multicast, …; see `registry`) is refused, unless the operator
//! opened its range (`HERALD_ALLOW_TARGETS=10.1.0.0/16`) or allowed everything
//! (`HERALD_ALLOW_PRIVATE_TARGETS`). The client asks at every connect, about the very
//! addresses it then connects to; the API asks at create about a host written as an address.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;

mod cidr;
mod registry;

pub use cidr::{Cidr, CidrError};
use registry::{Block, special};

/// Which targets deliveries may reach. The default reaches public addresses only.
#[derive(Debug, Clone, Default)]
pub struct TargetPolicy {
    allow_all: bool,
    /// Ranges opened although special; shared by every clone (the client's resolver, the API).
    allowed: Arc<[Cidr]>,
}

impl TargetPolicy {
    /// Public addresses, and those in `allowed`.
    pub fn allowing(allowed: Vec<Cidr>) -> Self {
        Self {
            allow_all: false,
            allowed: allowed.into(),
        }
    }

    /// Every address: development and tests, where receivers live on this machine.
    pub fn allow_all() -> Self {
        Self {
            allow_all: true,
            allowed: Arc::new([]),
        }
    }

    pub fn allows_all(&self) -> bool {
        self.allow_all
    }

    /// Why `ip` may not be reached, if it may not. An IPv6 address carrying an IPv4 one
    /// (mapped, NAT64, 6to4, Teredo) is judged by the IPv4 address, where its packets go.
    pub fn check(&self, ip: IpAddr) -> Result<(), Refusal> {
        if self.allow_all || self.opens(ip) {
            return Ok(());
        }
        let Some(block) = special(ip) else {
            return Ok(());
        };
        let (IpAddr::V6(v6), Some(embedding)) = (ip, block.embeds) else {
            return Err(Refusal {
                ip,
                block,
                carrier: None,
            });
        };
        let embedded = embedding.extract(v6);
        let inner = IpAddr::V4(embedded);
        if self.opens(inner) {
            return Ok(());
        }
        match special(inner) {
            None => Ok(()),
            Some(inner_block) => Err(Refusal {
                ip,
                block: inner_block,
                carrier: Some(Carrier { block, embedded }),
            }),
        }
    }

    /// Why the host of `url` may not be reached, when it is written as an address. The `url`
    /// crate has already read every other spelling of an address (`2130706433`, `0x7f.1`,
    /// `0177.0.0.1`, `127.1`) as the address it means. A name is checked when it is resolved,
    /// at every connect.
    pub fn check_url_host(&self, url: &url::Url) -> Result<(), Refusal> {
        match url.host() {
            Some(url::Host::Ipv4(ip)) => self.check(ip.into()),
            Some(url::Host::Ipv6(ip)) => self.check(ip.into()),
            Some(url::Host::Domain(_)) | None => Ok(()),
        }
    }

    fn opens(&self, ip: IpAddr) -> bool {
        self.allowed.iter().any(|range| range.contains(ip))
    }
}

/// An address the guard refuses, and the block that refuses it; shown as
/// "10.0.0.1 is a private address (10.0.0.0/8)".
#[derive(Debug, Clone)]
pub struct Refusal {
    ip: IpAddr,
    /// The refusing block: for an embedded address, the IPv4 block it is in.
    block: &'static Block,
    carrier: Option<Carrier>,
}

/// The IPv6 block that carried a refused IPv4 address.
#[derive(Debug, Clone)]
struct Carrier {
    block: &'static Block,
    embedded: Ipv4Addr,
}

impl Refusal {
    pub fn ip(&self) -> IpAddr {
        self.ip
    }

    /// The block that decided, e.g. `10.0.0.0/8`.
    pub fn block(&self) -> Cidr {
        self.block.cidr
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Block { cidr, reason, .. } = self.block;
        match &self.carrier {
            None => write!(f, "{} is {reason} ({cidr})", self.ip),
            Some(Carrier { block, embedded }) => write!(
                f,
                "{} is {} ({}) carrying {embedded}, {reason} ({cidr})",
                self.ip, block.reason, block.cidr
            ),
        }
    }
}

#[cfg(test)]
mod tests;
