//! The resolver of the outbound client: the system's, with every non-public address dropped
//! unless private targets are allowed (the SSRF guard for hosts given by name).

use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::task::{Context, Poll};

use hyper_util::client::legacy::connect::dns::{GaiResolver, Name};

use crate::guard::is_public;

/// The resolver's refusal of a host that resolves only to private addresses; found again in
/// the connect error's causes by its type.
#[derive(Debug, thiserror::Error)]
#[error("{host} resolves to {shown}, which is not a public address")]
pub(super) struct PrivateHost {
    host: String,
    shown: String,
}

/// Resolves like the system does and, unless private targets are allowed, drops every address
/// that is not public.
#[derive(Clone)]
pub(super) struct Resolver {
    pub(super) public_only: bool,
    pub(super) system: GaiResolver,
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
        let mut system = self.system.clone();
        let public_only = self.public_only;
        Box::pin(async move {
            let host = name.as_str().to_owned();
            let addrs: Vec<SocketAddr> = system
                .call(name)
                .await
                .map_err(|e| -> Self::Error { Box::new(e) })?
                .collect();
            if !public_only {
                return Ok(addrs.into_iter());
            }
            let public: Vec<SocketAddr> = addrs
                .iter()
                .copied()
                .filter(|a| is_public(a.ip()))
                .collect();
            if public.is_empty() {
                let shown = addrs
                    .first()
                    .map(|a| a.ip().to_string())
                    .unwrap_or_else(|| host.clone());
                let refused: Self::Error = Box::new(PrivateHost { host, shown });
                return Err(refused);
            }
            Ok(public.into_iter())
        })
    }
}
