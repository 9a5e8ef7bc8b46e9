//! The connection side: the accept loop with its connection cap, one HTTP/1 connection per
//! task with its timeouts, and the handle with which a request can close the connection it
//! arrived on.
//!
//! Against clients that misbehave, on purpose or not:
//!
//! - at most [`Limits::max_connections`] connections are served at once; one more is
//!   answered 503 with a JSON body and `Retry-After: 1` once its request's head has arrived
//!   (or half a second has passed), and closed; one that sent nothing by then is closed
//!   unanswered. At most [`MAX_REFUSALS`] such refusals are under way at once, each for at
//!   most a second; past that a new connection is closed at once;
//! - a request's line and headers must arrive within the header-read timeout (a request of
//!   which something arrived is answered 408, see [`crate::activity`]), and a connection
//!   with no request under way is closed after the idle timeout;
//! - a request's line and headers are at most [`crate::MAX_HEAD_BYTES`], its URI at most
//!   [`crate::MAX_URI_BYTES`];
//! - an error of `accept` (out of file descriptors, say) never stops the loop: it waits a
//!   little and accepts again.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use hyper_util::rt::TokioIo;
use hyper_util::service::TowerToHyperService;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Notify;
use tokio::task::JoinSet;

use crate::activity::{Activity, Expiry, Timeouts, TrackedBody};
use crate::answer::{Answer, MAX_HEADERS};
use crate::refusal;
use crate::socket::{RequestIds, Socket};

/// Most refusals of connections beyond the cap under way at once.
pub(crate) const MAX_REFUSALS: usize = 64;

/// How long the accept loop waits after `accept` fails for want of resources.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(50);

/// The limits of the server.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Limits {
    /// The connection timeouts.
    pub(crate) timeouts: Timeouts,
    /// Most connections served at once.
    pub(crate) max_connections: usize,
}

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
pub(crate) async fn serve(
    listener: TcpListener,
    router: Router,
    request_ids: RequestIds,
    limits: Limits,
) {
    let mut connections = JoinSet::new();
    let mut refusals = JoinSet::new();
    loop {
        tokio::select! {
            // Finished connections leave first, so that their places are free to take.
            biased;
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
            Some(_) = refusals.join_next(), if !refusals.is_empty() => {}
            accepted = listener.accept() => {
                let stream = match accepted {
                    Ok((stream, _)) => stream,
                    Err(error) => {
                        // A connection given up before it was accepted is no reason to
                        // wait; anything else (no file descriptor, no memory) is.
                        if !matches!(
                            error.kind(),
                            std::io::ErrorKind::ConnectionAborted
                                | std::io::ErrorKind::ConnectionReset
                                | std::io::ErrorKind::Interrupted
                        ) {
                            tokio::time::sleep(ACCEPT_BACKOFF).await;
                        }
                        continue;
                    }
                };
                let _ = stream.set_nodelay(true);
                if connections.len() < limits.max_connections {
                    let connection =
                        serve_connection(stream, router.clone(), request_ids.clone(), limits);
                    connections.spawn(connection);
                } else if refusals.len() < MAX_REFUSALS {
                    let answer = Answer::too_many_connections(limits.max_connections);
                    let response = refusal::response(&answer, &request_ids(), None);
                    refusals.spawn(async move {
                        refusal::answer_when_asked(stream, &response).await;
                    });
                }
                // Otherwise the stream is dropped: closed at once.
            }
        }
    }
}

/// How a connection ended.
enum Ending {
    /// hyper finished with it: the client closed it, or hyper refused a request.
    Served,
    /// A request closed it (an injected reset).
    Killed,
    /// It ran out of time.
    Expired(Expiry),
}

/// Serves one connection until the client closes it, a request closes it or it runs out
/// of time.
async fn serve_connection(
    stream: TcpStream,
    router: Router,
    request_ids: RequestIds,
    limits: Limits,
) {
    let stream = Arc::new(stream);
    let activity = Activity::new();
    let kill = Arc::new(Notify::new());
    let service = {
        let (kill, activity) = (kill.clone(), activity.clone());
        hyper::service::service_fn(move |mut request: http::Request<hyper::body::Incoming>| {
            let answering = activity.answering();
            request
                .extensions_mut()
                .insert(ConnectionKill(kill.clone()));
            let service = TowerToHyperService::new(router.clone());
            async move {
                let response = hyper::service::Service::call(&service, request).await?;
                Ok::<_, std::convert::Infallible>(
                    response.map(|body| TrackedBody::new(body, answering)),
                )
            }
        })
    };
    let socket = Socket::new(
        stream.clone(),
        activity.clone(),
        request_ids.clone(),
        crate::MAX_HEAD_BYTES,
    );
    let connection = hyper::server::conn::http1::Builder::new()
        // The read buffer bounds a request's head (and so the memory a slow client holds).
        .max_buf_size(crate::MAX_HEAD_BYTES)
        .max_header_size(crate::MAX_HEAD_BYTES)
        .max_headers(MAX_HEADERS)
        .serve_connection(TokioIo::new(socket), service);
    let ending = tokio::select! {
        _ = connection => Ending::Served,
        () = kill.notified() => Ending::Killed,
        expiry = activity.expired(limits.timeouts) => Ending::Expired(expiry),
    };
    // hyper has let go of the stream.
    let Ok(stream) = Arc::try_unwrap(stream) else {
        return;
    };
    match ending {
        Ending::Expired(Expiry::HeadIncomplete) => {
            let answer = Answer::request_timeout(limits.timeouts.header_read);
            let response = refusal::response(&answer, &request_ids(), None);
            refusal::close_after(stream, Some(&response)).await;
        }
        // The client may still be sending what hyper refused.
        Ending::Served if activity.was_refused() => refusal::close_after(stream, None).await,
        Ending::Served | Ending::Killed | Ending::Expired(Expiry::Silent) => {}
    }
}
