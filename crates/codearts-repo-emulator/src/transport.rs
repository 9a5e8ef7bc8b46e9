//! The connection side: the accept loop, one HTTP/1 connection per task, and the handle
//! with which a request can close the connection it arrived on.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use hyper_util::rt::TokioIo;
use hyper_util::service::TowerToHyperService;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Notify;
use tokio::task::JoinSet;

/// Closes the connection a request arrived on, without an answer. Every request carries
/// one in its extensions.
#[derive(Clone)]
pub(crate) struct ConnectionKill(Arc<Notify>);

impl ConnectionKill {
    /// Closes the connection; whatever it was answering is dropped.
    pub(crate) fn close(&self) {
        self.0.notify_one();
    }
}

/// Accepts connections until the task is aborted; aborting it closes every connection.
pub(crate) async fn serve(listener: TcpListener, router: Router) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else {
                    // Out of file descriptors and the like: wait a little instead of spinning.
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    continue;
                };
                let _ = stream.set_nodelay(true);
                let router = router.clone();
                connections.spawn(serve_connection(stream, router));
            }
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
}

/// Serves one connection until the client closes it or a request closes it.
async fn serve_connection(stream: TcpStream, router: Router) {
    let kill = Arc::new(Notify::new());
    let service = {
        let kill = kill.clone();
        hyper::service::service_fn(move |mut request: http::Request<hyper::body::Incoming>| {
            request
                .extensions_mut()
                .insert(ConnectionKill(kill.clone()));
            let service = TowerToHyperService::new(router.clone());
            async move { hyper::service::Service::call(&service, request).await }
        })
    };
    // No header read timeout: an idle keep-alive connection stays open until the client
    // closes it (so pooled client connections are never closed under a request), and a
    // slow client only holds its own connection's task.
    let connection =
        hyper::server::conn::http1::Builder::new().serve_connection(TokioIo::new(stream), service);
    tokio::select! {
        _ = connection => {}
        () = kill.notified() => {}
    }
}
