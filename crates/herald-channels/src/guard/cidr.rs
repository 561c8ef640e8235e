//! A block of addresses written as `10.1.0.0/16` or `fd00::/8`: the guard's registry and the
//! operator's allowed ranges. Small enough not to need a crate for it.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::str::FromStr;

/// An address block: `addr` with every bit past `prefix` zero (checked when parsed, so a
/// typo such as `10.1.2.0/8` is caught rather than silently meaning `10.0.0.0/8`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cidr {
    addr: IpAddr,
    prefix: u8,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CidrError {
    #[error("{0} is not an address or a block like 10.1.0.0/16 or fd00::/8")]
    Malformed(String),
    #[error("{block}: the prefix of an {family} block is at most /{max}")]
    PrefixTooLong {
        block: String,
        family: &'static str,
        max: u8,
    },
    #[error("{block} has bits set past its prefix: write {network}")]
    HostBits { block: String, network: Cidr },
}

impl Cidr {
    pub(super) const fn v4(a: u8, b: u8, c: u8, d: u8, prefix: u8) -> Self {
        Self {
            addr: IpAddr::V4(Ipv4Addr::new(a, b, c, d)),
            prefix,
        }
    }

    pub(super) const fn v6(segments: [u16; 8], prefix: u8) -> Self {
        let [a, b, c, d, e, f, g, h] = segments;
        Self {
            addr: IpAddr::V6(Ipv6Addr::new(a, b, c, d, e, f, g, h)),
            prefix,
        }
    }

    pub fn prefix(&self) -> u8 {
        self.prefix
    }

    /// Whether `ip` is in this block; an IPv4 address is never in an IPv6 block, nor the
    /// reverse (embedded addresses are the guard's business, not the block's).
    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.addr, ip) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = mask::<u32>(self.prefix, 32);
                u32::from(ip) & mask == u32::from(net)
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let mask = mask::<u128>(self.prefix, 128);
                u128::from(ip) & mask == u128::from(net)
            }
            _ => false,
        }
    }

    /// Blocks separated by commas (`HERALD_ALLOW_TARGETS`); blanks around them are ignored,
    /// and an empty list is no block.
    pub fn parse_list(list: &str) -> Result<Vec<Cidr>, CidrError> {
        list.split(',')
            .map(str::trim)
            .filter(|item| !item.is_empty())
            .map(str::parse)
            .collect()
    }
}

/// The first `prefix` of `bits` bits set.
fn mask<T>(prefix: u8, bits: u32) -> T
where
    T: From<u8> + std::ops::Not<Output = T> + std::ops::Shl<u32, Output = T> + Copy,
{
    let all = !T::from(0);
    match bits - u32::from(prefix) {
        shift if shift >= bits => T::from(0),
        shift => all << shift,
    }
}

impl FromStr for Cidr {
    type Err = CidrError;

    /// A bare address is a block of that one address.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let malformed = || CidrError::Malformed(text.to_owned());
        let (addr, prefix) = match text.split_once('/') {
            Some((addr, prefix)) => {
                let addr: IpAddr = addr.parse().map_err(|_| malformed())?;
                let prefix: u8 = prefix.parse().map_err(|_| malformed())?;
                (addr, prefix)
            }
            None => {
                let addr: IpAddr = text.parse().map_err(|_| malformed())?;
                (addr, if addr.is_ipv4() { 32 } else { 128 })
            }
        };
        let (family, max) = match addr {
            IpAddr::V4(_) => ("IPv4", 32),
            IpAddr::V6(_) => ("IPv6", 128),
        };
        if prefix > max {
            return Err(CidrError::PrefixTooLong {
                block: text.to_owned(),
                family,
                max,
            });
        }
        let network = Cidr {
            addr: match addr {
                IpAddr::V4(v4) => {
                    IpAddr::V4(Ipv4Addr::from(u32::from(v4) & mask::<u32>(prefix, 32)))
                }
                IpAddr::V6(v6) => {
                    IpAddr::V6(Ipv6Addr::from(u128::from(v6) & mask::<u128>(prefix, 128)))
                }
            },
            prefix,
        };
        if network.addr != addr {
            return Err(CidrError::HostBits {
                block: text.to_owned(),
                network,
            });
        }
        Ok(network)
    }
}

impl fmt::Display for Cidr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.addr, self.prefix)
    }
}
