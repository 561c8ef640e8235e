//! The resolver of the outbound client: the system's, with every address the target policy
//! refuses dropped (the SSRF guard for hosts given by name).
//!
//! The connector connects to exactly the addresses this returns, and asks again for each new
//! connection: the address checked is the address connected to. A DNS answer that changes
//! between two lookups (rebinding) is checked again as the new answer it is.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use futures::future::BoxFuture;
use hyper_util::client::legacy::connect::dns::{GaiResolver, Name};

use crate::guard::{Refusal, TargetPolicy};

/// The resolver's refusal of a host that resolves only to refused addresses; found again in
/// the connect error's causes by its type.
#[derive(Debug, thiserror::Error)]
#[error("{host} resolves to no allowed address: {refusal}")]
pub(super) struct PrivateHost {
    host: String,
    refusal: Refusal,
}

/// Where the addresses of a name come from: the system's resolver, or a test's answers.
pub(super) type Lookup =
    Arc<dyn Fn(Name) -> BoxFuture<'static, io::Result<Vec<SocketAddr>>> + Send + Sync>;

/// `getaddrinfo` on hyper's blocking pool.
pub(super) fn system_lookup() -> Lookup {
    let gai = GaiResolver::new();
    Arc::new(move |name| {
        let mut gai = gai.clone();
        Box::pin(async move {
            Ok(tower_service::Service::call(&mut gai, name)
                .await?
                .collect())
        })
    })
}

/// Resolves with `lookup` and drops every address `policy` refuses.
#[derive(Clone)]
pub(super) struct Resolver {
    pub(super) policy: TargetPolicy,
    pub(super) lookup: Lookup,
}

type Resolved = Result<std::vec::IntoIter<SocketAddr>, Box<dyn std::error::Error + Send + Sync>>;

impl tower_service::Service<Name> for Resolver {
    type Response = std::vec::IntoIter<SocketAddr>;
    type Error = Box<dyn std::error::Error + Send + Sync>;
    type Future = Pin<Box<dyn Future<Output = Resolved> + Send>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, name: Name) -> Self::Future {
        let policy = self.policy.clone();
        let lookup = (self.lookup)(name.clone());
        Box::pin(async move {
            let addrs = lookup.await?;
            let mut allowed = Vec::with_capacity(addrs.len());
            let mut first_refusal = None;
            for addr in addrs {
                match policy.check(addr.ip()) {
                    Ok(()) => allowed.push(addr),
                    Err(refusal) => {
                        first_refusal.get_or_insert(refusal);
                    }
                }
            }
            match first_refusal {
                Some(refusal) if allowed.is_empty() => {
                    let host = name.as_str().to_owned();
                    Err(Box::new(PrivateHost { host, refusal }) as Self::Error)
                }
                _ => Ok(allowed.into_iter()),
            }
        })
    }
}
