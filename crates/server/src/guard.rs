//! Overlong request lines answered as JSON, like every other refusal.
//!
//! hyper refuses a request line longer than 64 KiB itself, with an empty 414, before any of
//! our code sees the request. So the server answers a request line longer than
//! [`MAX_URI_BYTES`] first: [`uri_too_long`] (a layer) for requests hyper parsed, and
//! [`GuardedListener`] for a connection's first request, whose line it reads before hyper does.
//! A later request on a kept-alive connection with a line over 64 KiB still gets hyper's
//! empty 414: telling where that request starts would mean parsing HTTP framing here.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use std::io;
use std::pin::Pin;
use std::task::{ready, Context, Poll};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};

/// The longest URI (path and query) answered: what common servers accept (nginx: 8 KiB).
pub const MAX_URI_BYTES: usize = 8 * 1024;

/// The refusal's reason, in both places.
const TOO_LONG: &str = "The address is too long (at most 8 KiB).";

/// The layer's half: a parsed request whose URI is over the limit.
pub async fn uri_too_long(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let uri = request.uri();
    let length = uri.path().len() + uri.query().map_or(0, |query| query.len() + 1);
    if length > MAX_URI_BYTES {
        return (
            StatusCode::URI_TOO_LONG,
            Json(serde_json::json!({ "error": TOO_LONG })),
        )
            .into_response();
    }
    next.run(request).await
}

/// A TCP listener whose connections answer an overlong first request line themselves.
pub struct GuardedListener(pub TcpListener);

impl axum::serve::Listener for GuardedListener {
    type Io = FirstLineGuard<TcpStream>;
    type Addr = std::net::SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        let (stream, address) = axum::serve::Listener::accept(&mut self.0).await;
        (FirstLineGuard::new(stream), address)
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        self.0.local_addr()
    }
}

/// Passes a connection through, except when its first request line is longer than the limit:
/// then it answers 414 as JSON, reads the rest of the request head (so closing does not reset
/// the connection before the client reads the answer) and ends the stream for hyper.
pub struct FirstLineGuard<S> {
    inner: S,
    state: State,
}

enum State {
    /// Still in the first request line, `seen` bytes of it so far.
    FirstLine {
        seen: usize,
    },
    Passing,
    /// Writing the refusal; `written` bytes of it so far. `drain`: the head has not ended yet,
    /// and `last` are its last 3 bytes read.
    Refusing {
        written: usize,
        drain: bool,
        last: [u8; 3],
    },
    /// Reading what is left of the head (up to the blank line), `last` its last 3 bytes.
    Draining {
        read: usize,
        last: [u8; 3],
    },
    Done,
}

/// How much of an overlong head is read away before the connection closes regardless.
const MAX_DRAIN_BYTES: usize = 1024 * 1024;

/// The whole 414 answer, as written on the connection.
static REFUSAL: std::sync::LazyLock<Vec<u8>> = std::sync::LazyLock::new(|| {
    let body = serde_json::json!({ "error": TOO_LONG }).to_string();
    format!(
        "HTTP/1.1 414 URI Too Long\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\
         x-content-type-options: nosniff\r\nconnection: close\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
});

impl<S> FirstLineGuard<S> {
    pub fn new(inner: S) -> FirstLineGuard<S> {
        FirstLineGuard {
            inner,
            state: State::FirstLine { seen: 0 },
        }
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin> AsyncRead for FirstLineGuard<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = &mut *self;
        loop {
            match &mut this.state {
                State::Passing => return Pin::new(&mut this.inner).poll_read(cx, buf),
                State::FirstLine { seen } => {
                    let before = buf.filled().len();
                    ready!(Pin::new(&mut this.inner).poll_read(cx, buf))?;
                    let new = &buf.filled()[before..];
                    match new.iter().position(|byte| *byte == b'\n') {
                        Some(at) if *seen + at <= MAX_URI_BYTES + 64 => {
                            this.state = State::Passing;
                            return Poll::Ready(Ok(()));
                        }
                        None if *seen + new.len() <= MAX_URI_BYTES + 64 => {
                            *seen += new.len();
                            return Poll::Ready(Ok(()));
                        }
                        _ => {
                            // hyper never sees this request: it gets the end of the stream.
                            this.state = State::Refusing {
                                written: 0,
                                drain: !head_ended(new),
                                last: last_three(new),
                            };
                            buf.set_filled(before);
                        }
                    }
                }
                State::Refusing {
                    written,
                    drain,
                    last,
                } => {
                    let answer = REFUSAL.as_slice();
                    while *written < answer.len() {
                        let n =
                            ready!(Pin::new(&mut this.inner).poll_write(cx, &answer[*written..]))?;
                        if n == 0 {
                            return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
                        }
                        *written += n;
                    }
                    ready!(Pin::new(&mut this.inner).poll_flush(cx))?;
                    this.state = if *drain {
                        State::Draining {
                            read: 0,
                            last: *last,
                        }
                    } else {
                        State::Done
                    };
                }
                State::Draining { read, last } => {
                    let mut scratch = [0u8; 8192];
                    let mut scratch = ReadBuf::new(&mut scratch);
                    ready!(Pin::new(&mut this.inner).poll_read(cx, &mut scratch))?;
                    let new = scratch.filled();
                    let mut joined = last.to_vec();
                    joined.extend_from_slice(new);
                    *read += new.len();
                    if new.is_empty() || head_ended(&joined) || *read > MAX_DRAIN_BYTES {
                        this.state = State::Done;
                    } else {
                        *last = last_three(&joined);
                    }
                }
                State::Done => return Poll::Ready(Ok(())),
            }
        }
    }
}

/// Whether `bytes` hold the blank line that ends a request head.
fn head_ended(bytes: &[u8]) -> bool {
    bytes.windows(4).any(|window| window == b"\r\n\r\n")
}

fn last_three(bytes: &[u8]) -> [u8; 3] {
    let mut last = [0u8; 3];
    let tail = &bytes[bytes.len().saturating_sub(3)..];
    last[3 - tail.len()..].copy_from_slice(tail);
    last
}

impl<S: AsyncRead + AsyncWrite + Unpin> AsyncWrite for FirstLineGuard<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, data)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }
}
