//! Applying the faults drawn for a request that are not plain answers: closing its
//! connection without an answer, and cutting short or stalling the body of its answer.

use std::convert::Infallible;

use axum::body::{Body, Bytes};
use tokio::time::Instant;

use crate::faults::BodyFault;
use crate::transport::ConnectionKill;

/// Waits until `at`, then closes the request's connection. Never returns: the connection
/// task drops this future together with the connection.
pub(crate) async fn reset(connection: Option<ConnectionKill>, at: Instant) -> Infallible {
    tokio::time::sleep_until(at).await;
    if let Some(connection) = connection {
        connection.close();
    }
    std::future::pending().await
}

/// The body of an answer as `fault` leaves it.
pub(crate) fn body(body: Vec<u8>, fault: BodyFault) -> Body {
    let length = body.len();
    match fault {
        BodyFault::None => Body::from(body),
        BodyFault::Truncate => {
            let mut sent = body;
            sent.truncate(length / 2);
            let chunks = futures::stream::iter([Ok::<_, Infallible>(Bytes::from(sent))]);
            // Pause once so the partial body is flushed before the stream ends short of the
            // announced length, which makes the server close the connection.
            let pause = futures::stream::once(async {
                tokio::task::yield_now().await;
                Ok::<_, Infallible>(Bytes::new())
            });
            Body::from_stream(futures::StreamExt::chain(chunks, pause))
        }
        BodyFault::Stall(duration) => {
            let mut first = Bytes::from(body);
            let second = first.split_off(length / 2);
            let head = futures::stream::iter([Ok::<_, Infallible>(first)]);
            let tail = futures::stream::once(async move {
                tokio::time::sleep(duration).await;
                Ok::<_, Infallible>(second)
            });
            Body::from_stream(futures::StreamExt::chain(head, tail))
        }
    }
}
