//! The accept loop of the API and admin listeners, with the limits a connection lives under.
//!
//! Not `axum::serve`: it runs hyper without a timer, so hyper's header-read timeout never
//! fires, and a client that sends its request head a byte every few seconds (slowloris), or
//! opens a connection and sends nothing, holds it and its task for ever. Here every
//! connection has `HEADER_READ_TIMEOUT` to send a complete head, and a kept-alive one as long
//! to start its next request. HTTP/1.1 only: the limits are HTTP/1's, and no client of the
//! API speaks cleartext HTTP/2 (a proxy in front may speak it to browsers).

use std::io;
use std::time::Duration;

use axum::Router;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

/// A connection that has not sent a complete request head this long after it opened (or
/// after its previous answer) is closed.
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// A request head larger than this is answered 431 and its connection closed. Also the most
/// hyper buffers of one connection's input.
pub const MAX_HEAD_BYTES: usize = 64 * 1024;
/// A request with more header lines than this is answered 431.
pub const MAX_HEADERS: usize = 100;

/// Serves `router` on `listener` until `shutdown`, then lets open requests finish.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    shutdown: CancellationToken,
) -> io::Result<()> {
    // Tracks every connection's task so shutdown waits for their requests to finish.
    let connections = TaskTracker::new();
    loop {
        let accepted = tokio::select! {
            () = shutdown.cancelled() => break,
            accepted = listener.accept() => accepted,
        };
        let stream = match accepted {
            Ok((stream, _)) => stream,
            // The peer gave up before it was accepted: nothing is wrong with the listener.
            Err(error) if is_connection_error(&error) => continue,
            Err(error) => {
                // Out of file descriptors, most likely: accepting again at once would spin.
                tracing::warn!(%error, "Cannot accept a connection; trying again in 1 s.");
                tokio::time::sleep(Duration::from_secs(1)).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let service = TowerToHyperService::new(router.clone());
        let shutdown = shutdown.clone();
        connections.spawn(async move {
            let mut builder = http1::Builder::new();
            builder
                .timer(TokioTimer::new())
                .header_read_timeout(HEADER_READ_TIMEOUT)
                .max_header_size(MAX_HEAD_BYTES)
                // A head still unfinished at this size is refused as well (hyper's own
                // limit, ~400 KB, would otherwise apply until it is complete).
                .max_buf_size(MAX_HEAD_BYTES)
                .max_headers(MAX_HEADERS);
            let connection = builder.serve_connection(TokioIo::new(stream), service);
            tokio::pin!(connection);
            let result = tokio::select! {
                result = connection.as_mut() => result,
                () = shutdown.cancelled() => {
                    connection.as_mut().graceful_shutdown();
                    connection.await
                }
            };
            if let Err(error) = result {
                // A client's fault (a timeout, a malformed or oversized head, a reset): hyper
                // has answered what it could; nothing for the operator to do.
                tracing::debug!(%error, "Connection ended with an error.");
            }
        });
    }
    connections.close();
    connections.wait().await;
    Ok(())
}

fn is_connection_error(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        io::ErrorKind::ConnectionRefused
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
    )
}
