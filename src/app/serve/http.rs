//! `serve`'s HTTP/1.1: one GET per connection, every resource bounded.
//!
//! One thread accepts; a fixed pool of workers reads, answers and closes. Between them is a
//! queue of fixed size: when it is full the connection gets `503` at once. A request head
//! larger than [`MAX_HEAD`] is refused (`414`/`431`) without reading further, and a client
//! that has not sent its head within [`HEAD_TIMEOUT`] gets `408`: slow or oversized clients
//! cost one worker for a bounded time and a bounded buffer, never memory or threads.

use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::thread;
use std::time::{Duration, Instant};

/// Most bytes of request line and headers read.
pub const MAX_HEAD: usize = 8 * 1024;

/// Most time a client may take to send its request head.
pub const HEAD_TIMEOUT: Duration = Duration::from_secs(3);

/// Most time writing an answer may take.
const WRITE_TIMEOUT: Duration = Duration::from_secs(10);

/// Most headers parsed.
const MAX_HEADERS: usize = 64;

/// A request as the handler sees it.
#[derive(Debug)]
pub struct Request {
    /// `GET` or `HEAD`.
    pub method: String,
    /// The path, without the query.
    pub path: String,
    /// The query string, undecoded, without `?`.
    pub query: String,
    /// Header names (lower case) and values.
    pub headers: Vec<(String, String)>,
    /// When the connection was accepted: a probe's deadline counts from here.
    pub accepted: Instant,
}

impl Request {
    /// The first value of a header, by lower-case name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// An answer.
#[derive(Debug)]
pub struct Response {
    /// Status code.
    pub status: u16,
    /// `Content-Type`.
    pub content_type: &'static str,
    /// Body.
    pub body: String,
}

impl Response {
    /// A plain-text answer; the text ends with a newline.
    pub fn text(status: u16, text: impl Into<String>) -> Response {
        let mut body = text.into();
        if !body.ends_with('\n') {
            body.push('\n');
        }
        Response {
            status,
            content_type: "text/plain; charset=utf-8",
            body,
        }
    }
}

/// Counts the server keeps itself; the handler's `/metrics` shows them.
#[derive(Debug, Default)]
pub struct Counters {
    /// Connections answered `503` because the queue was full.
    pub rejected: AtomicU64,
    /// Requests refused before reaching the handler (`400`, `405`, `408`, `414`, `431`).
    pub malformed: AtomicU64,
}

/// How big the server may grow.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Worker threads.
    pub workers: usize,
    /// Accepted connections waiting for a worker.
    pub queue: usize,
}

/// Serves `listener` until the process ends. `handle` runs on a worker thread.
pub fn serve<H>(listener: TcpListener, limits: Limits, counters: Arc<Counters>, handle: H)
where
    H: Fn(&Request) -> Response + Send + Sync + 'static,
{
    let (tx, rx) = mpsc::sync_channel::<(TcpStream, Instant)>(limits.queue);
    let rx = Arc::new(Mutex::new(rx));
    let handle = Arc::new(handle);
    for i in 0..limits.workers {
        let rx = Arc::clone(&rx);
        let handle = Arc::clone(&handle);
        let counters = Arc::clone(&counters);
        thread::Builder::new()
            .name(format!("serve-{i}"))
            .spawn(move || {
                loop {
                    // The lock is held only while waiting for the next connection.
                    let next = crate::app::serve::lock(&rx).recv();
                    let Ok((stream, accepted)) = next else { return };
                    answer(stream, accepted, &counters, &*handle);
                }
            })
            .expect("spawn a serve worker");
    }
    for conn in listener.incoming() {
        let Ok(stream) = conn else {
            // EMFILE and friends: back off instead of spinning on a full descriptor table.
            thread::sleep(Duration::from_millis(50));
            continue;
        };
        match tx.try_send((stream, Instant::now())) {
            Ok(()) => {}
            Err(mpsc::TrySendError::Full((stream, _))) => {
                counters.rejected.fetch_add(1, Ordering::Relaxed);
                refuse_busy(stream);
            }
            Err(mpsc::TrySendError::Disconnected(_)) => return,
        }
    }
}

/// `503` without waiting: the accept thread must never block on a client.
fn refuse_busy(stream: TcpStream) {
    let _ = stream.set_nonblocking(true);
    let r = Response::text(503, "redcheck serve: too many requests waiting; try again");
    let _ = (&stream).write_all(&encode(&r, false));
    let _ = stream.shutdown(Shutdown::Both);
}

/// Reads one request, answers it, closes.
fn answer(
    mut stream: TcpStream,
    accepted: Instant,
    counters: &Counters,
    handle: &dyn Fn(&Request) -> Response,
) {
    let _ = stream.set_write_timeout(Some(WRITE_TIMEOUT));
    let (response, head_only) = match read_request(&mut stream, accepted) {
        Ok(req) => {
            if req.method == "GET" || req.method == "HEAD" {
                (handle(&req), req.method == "HEAD")
            } else {
                counters.malformed.fetch_add(1, Ordering::Relaxed);
                let r = Response::text(405, format!("{} is not served: use GET", req.method));
                (r, false)
            }
        }
        Err(r) => {
            counters.malformed.fetch_add(1, Ordering::Relaxed);
            (r, false)
        }
    };
    let _ = stream.write_all(&encode(&response, head_only));
    let _ = stream.flush();
    let _ = stream.shutdown(Shutdown::Write);
    // Only a client cut off mid-send has bytes in flight; a silent one (408) costs no more.
    if matches!(response.status, 400 | 405 | 414 | 431) {
        drain(&mut stream);
    }
}

/// Reads what a refused client still sends (bounded: 500 ms, 256 KiB), so closing does not
/// reset the connection before it has read the answer.
fn drain(stream: &mut TcpStream) {
    let until = Instant::now() + Duration::from_millis(500);
    let mut buf = [0u8; 4096];
    let mut total = 0usize;
    while total < 256 * 1024 {
        let left = until.saturating_duration_since(Instant::now());
        if left.is_zero() || stream.set_read_timeout(Some(left)).is_err() {
            return;
        }
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => return,
            Ok(n) => total += n,
        }
    }
}

/// Reads the request head within [`HEAD_TIMEOUT`] of the accept and [`MAX_HEAD`]; the error
/// is the answer. Counting from the accept, not from now, lets a queue full of idle
/// connections drain in one timeout rather than one per connection.
fn read_request(stream: &mut TcpStream, accepted: Instant) -> Result<Request, Response> {
    let deadline = accepted + HEAD_TIMEOUT;
    let mut buf = vec![0u8; MAX_HEAD];
    let mut len = 0;
    let mut first = true;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        // Once past the deadline, a head that already arrived is still read (1 ms).
        let left = if first {
            left.max(Duration::from_millis(1))
        } else {
            left
        };
        first = false;
        if left.is_zero() || stream.set_read_timeout(Some(left)).is_err() {
            return Err(Response::text(408, "request head not received in time"));
        }
        match stream.read(&mut buf[len..]) {
            Ok(0) => return Err(Response::text(400, "connection closed mid-request")),
            Ok(n) => len += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                ) =>
            {
                return Err(Response::text(408, "request head not received in time"));
            }
            Err(_) => return Err(Response::text(400, "could not read the request")),
        }
        let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
        let mut req = httparse::Request::new(&mut headers);
        match req.parse(&buf[..len]) {
            Ok(httparse::Status::Complete(_)) => {
                let target = req.path.unwrap_or("/");
                let (path, query) = target.split_once('?').unwrap_or((target, ""));
                return Ok(Request {
                    method: req.method.unwrap_or("").to_string(),
                    path: path.to_string(),
                    query: query.to_string(),
                    headers: req
                        .headers
                        .iter()
                        .map(|h| {
                            (
                                h.name.to_ascii_lowercase(),
                                String::from_utf8_lossy(h.value).into_owned(),
                            )
                        })
                        .collect(),
                    accepted,
                });
            }
            Ok(httparse::Status::Partial) if len == buf.len() => {
                return Err(if buf[..len].contains(&b'\n') {
                    Response::text(431, format!("request headers over {MAX_HEAD} bytes"))
                } else {
                    Response::text(414, format!("request line over {MAX_HEAD} bytes"))
                });
            }
            Ok(httparse::Status::Partial) => {}
            Err(httparse::Error::TooManyHeaders) => {
                return Err(Response::text(431, format!("over {MAX_HEADERS} headers")));
            }
            Err(e) => return Err(Response::text(400, format!("malformed request: {e}"))),
        }
    }
}

/// The bytes of an answer; one request per connection, so always `Connection: close`.
fn encode(r: &Response, head_only: bool) -> Vec<u8> {
    let mut out = format!(
        "HTTP/1.1 {} {}\r\nContent-Type: {}\r\nContent-Length: {}\r\nConnection: close\r\n",
        r.status,
        reason(r.status),
        r.content_type,
        r.body.len()
    );
    if r.status == 405 {
        out.push_str("Allow: GET, HEAD\r\n");
    }
    out.push_str("\r\n");
    let mut bytes = out.into_bytes();
    if !head_only {
        bytes.extend_from_slice(r.body.as_bytes());
    }
    bytes
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        414 => "URI Too Long",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "",
    }
}

/// The value of query parameter `name`, percent-decoded (`+` is a space, as forms write it);
/// `Err` when it is given more than once.
pub fn query_param(query: &str, name: &str) -> Result<Option<String>, ()> {
    let mut found = None;
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        if crate::url::decode(&k.replace('+', " ")) == name {
            if found.is_some() {
                return Err(());
            }
            found = Some(crate::url::decode(&v.replace('+', " ")));
        }
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_parameters_are_decoded_and_unique() {
        let q = "module=x&target=redis%3A%2F%2Fh%3A6379&empty=";
        assert_eq!(
            query_param(q, "target"),
            Ok(Some("redis://h:6379".to_string()))
        );
        assert_eq!(query_param(q, "empty"), Ok(Some(String::new())));
        assert_eq!(query_param(q, "nope"), Ok(None));
        assert_eq!(query_param("target=a+b", "target"), Ok(Some("a b".into())));
        assert_eq!(query_param("target=a&target=b", "target"), Err(()));
    }

    #[test]
    fn answers_close_the_connection_and_head_has_no_body() {
        let r = Response::text(404, "no");
        let full = String::from_utf8(encode(&r, false)).unwrap();
        assert!(full.starts_with("HTTP/1.1 404 Not Found\r\n"), "{full}");
        assert!(full.contains("Content-Length: 3\r\nConnection: close\r\n\r\nno\n"));
        let head = String::from_utf8(encode(&r, true)).unwrap();
        assert!(head.ends_with("\r\n\r\n"), "{head}");
    }
}
