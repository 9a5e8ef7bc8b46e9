//! The socket hyper serves a connection on: it notes what arrives for the connection's
//! timeouts, and replaces the empty-bodied refusals hyper writes itself (400, 414, 431)
//! with JSON ones.
//!
//! It shares the stream with the connection task, which gets it back once hyper is done
//! with it to write a refusal of its own or to close it gently.

use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, ready};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;

use crate::activity::Activity;
use crate::refusal;

/// Makes the request id of a refusal.
pub(crate) type RequestIds = Arc<dyn Fn() -> String + Send + Sync>;

/// A connection's stream as hyper reads and writes it.
pub(crate) struct Socket {
    stream: Arc<TcpStream>,
    activity: Arc<Activity>,
    request_ids: RequestIds,
    /// Size limit of a request's line and headers, for the message of a 431.
    max_head: usize,
    /// A JSON refusal written instead of hyper's, and how much of it is written.
    replacement: Option<(Vec<u8>, usize)>,
}

impl Socket {
    /// The socket of `stream`, noting what arrives in `activity`.
    pub(crate) fn new(
        stream: Arc<TcpStream>,
        activity: Arc<Activity>,
        request_ids: RequestIds,
        max_head: usize,
    ) -> Self {
        Self {
            stream,
            activity,
            request_ids,
            max_head,
            replacement: None,
        }
    }

    /// Writes what is left of the replacement refusal.
    fn poll_replacement(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if let Some((bytes, written)) = &mut self.replacement {
            while *written < bytes.len() {
                match ready!(poll_write(&self.stream, cx, &bytes[*written..]))? {
                    0 => return Poll::Ready(Err(io::ErrorKind::WriteZero.into())),
                    n => *written += n,
                }
            }
        }
        Poll::Ready(Ok(()))
    }
}

/// Writes some of `bytes` once the stream can take them.
fn poll_write(stream: &TcpStream, cx: &mut Context<'_>, bytes: &[u8]) -> Poll<io::Result<usize>> {
    loop {
        ready!(stream.poll_write_ready(cx))?;
        match stream.try_write(bytes) {
            Err(error) if error.kind() == io::ErrorKind::WouldBlock => continue,
            result => return Poll::Ready(result),
        }
    }
}

impl AsyncRead for Socket {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        loop {
            ready!(this.stream.poll_read_ready(cx))?;
            match this.stream.try_read(buf.initialize_unfilled()) {
                Ok(n) => {
                    buf.advance(n);
                    if n > 0 {
                        this.activity.received();
                    }
                    return Poll::Ready(Ok(()));
                }
                Err(error) if error.kind() == io::ErrorKind::WouldBlock => continue,
                Err(error) => return Poll::Ready(Err(error)),
            }
        }
    }
}

impl AsyncWrite for Socket {
    /// Writes `buf`, unless it ends with a refusal of hyper's: then what comes before it is
    /// written first, and the refusal is taken whole and replaced. (Not being vectored,
    /// this socket gets every head whole from hyper.)
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        ready!(this.poll_replacement(cx))?;
        let Some(found) = refusal::hyper_refusal(buf) else {
            return poll_write(&this.stream, cx, buf);
        };
        if found.start > 0 {
            return poll_write(&this.stream, cx, &buf[..found.start]);
        }
        let request_id = (this.request_ids)();
        this.replacement = Some((refusal::instead_of(&found, &request_id, this.max_head), 0));
        this.activity.refused();
        // What the stream does not take now, flush and shutdown write.
        if let Poll::Ready(Err(error)) = this.poll_replacement(cx) {
            return Poll::Ready(Err(error));
        }
        Poll::Ready(Ok(buf.len()))
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.get_mut().poll_replacement(cx)
    }

    /// Finishes the replacement refusal; the connection task closes the stream.
    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.get_mut().poll_replacement(cx)
    }
}
