//! A Redis connection we own end to end: the socket (plain, TLS or Unix), the reply parser
//! (the redis crate's), and one deadline that bounds every read and write.

use std::io::{self, Read, Write};
use std::net::TcpStream;
#[cfg(unix)]
use std::os::unix::net::UnixStream;
use std::time::Duration;

use redis::Value;
use rustls::{ClientConnection, StreamOwned};

use crate::deadline::Deadline;

/// The byte stream under a connection.
pub enum Transport {
    /// Plain TCP.
    Plain(TcpStream),
    /// TLS over TCP.
    Tls(Box<StreamOwned<ClientConnection, TcpStream>>),
    /// A Unix domain socket.
    #[cfg(unix)]
    Unix(UnixStream),
}

impl Transport {
    fn set_timeouts(&self, t: Duration) -> io::Result<()> {
        match self {
            Transport::Plain(s) => {
                s.set_read_timeout(Some(t))?;
                s.set_write_timeout(Some(t))
            }
            Transport::Tls(s) => {
                s.sock.set_read_timeout(Some(t))?;
                s.sock.set_write_timeout(Some(t))
            }
            #[cfg(unix)]
            Transport::Unix(s) => {
                s.set_read_timeout(Some(t))?;
                s.set_write_timeout(Some(t))
            }
        }
    }
}

impl Read for Transport {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Transport::Plain(s) => s.read(buf),
            Transport::Tls(s) => s.read(buf),
            #[cfg(unix)]
            Transport::Unix(s) => s.read(buf),
        }
    }
}

impl Write for Transport {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Transport::Plain(s) => s.write(buf),
            Transport::Tls(s) => s.write(buf),
            #[cfg(unix)]
            Transport::Unix(s) => s.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Transport::Plain(s) => s.flush(),
            Transport::Tls(s) => s.flush(),
            #[cfg(unix)]
            Transport::Unix(s) => s.flush(),
        }
    }
}

/// Why a command got no reply.
#[derive(Debug)]
pub enum WireError {
    /// The socket failed or the deadline passed (the original error, for classification).
    Io(io::Error),
    /// The peer closed the connection cleanly.
    Closed,
    /// The bytes were not RESP; the first few are kept for diagnosis.
    Protocol {
        message: String,
        first_bytes: Vec<u8>,
    },
}

impl std::fmt::Display for WireError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WireError::Io(e) => write!(f, "{e}"),
            WireError::Closed => f.write_str("the server closed the connection"),
            WireError::Protocol { message, .. } => write!(f, "not a Redis reply: {message}"),
        }
    }
}

/// A reply may not be larger than this: INFO is a few KiB; more means a hostile or broken peer.
pub const MAX_REPLY_BYTES: usize = 16 << 20;

/// An open connection with a reply parser and a deadline.
pub struct Connection {
    io: Transport,
    parser: redis::Parser,
    deadline: Deadline,
}

impl Connection {
    /// Wraps an open transport; every call is bounded by `deadline`.
    pub fn new(io: Transport, deadline: Deadline) -> Self {
        Self {
            io,
            parser: redis::Parser::new(),
            deadline,
        }
    }

    /// Moves the deadline: a long-lived connection (latency sampling, a subscriber waiting for
    /// its message) bounds each exchange on its own.
    pub fn set_deadline(&mut self, deadline: Deadline) {
        self.deadline = deadline;
    }

    /// Sends a command and reads one reply. Server errors come back as `Value::ServerError`.
    pub fn call(&mut self, cmd: &redis::Cmd) -> Result<Value, WireError> {
        self.send(&cmd.get_packed_command())?;
        self.read()
    }

    /// Writes raw bytes (a packed command) within the deadline.
    pub fn send(&mut self, bytes: &[u8]) -> Result<(), WireError> {
        let left = self.deadline.remaining().map_err(WireError::Io)?;
        self.io.set_timeouts(left).map_err(WireError::Io)?;
        self.io.write_all(bytes).map_err(WireError::Io)?;
        self.io.flush().map_err(WireError::Io)
    }

    /// Reads one reply within the deadline.
    pub fn read(&mut self) -> Result<Value, WireError> {
        let mut reader = Bounded {
            io: &mut self.io,
            deadline: self.deadline,
            budget: MAX_REPLY_BYTES,
            seen: Vec::new(),
            failure: None,
        };
        let result = self.parser.parse_value(&mut reader);
        match (result, reader.failure) {
            (Ok(v), _) => Ok(v),
            (Err(_), Some(Failure::Io(e))) => Err(WireError::Io(e)),
            (Err(_), Some(Failure::Eof)) if reader.seen.is_empty() => Err(WireError::Closed),
            (Err(e), Some(Failure::Eof) | None) => Err(WireError::Protocol {
                message: parse_error_text(&e.to_string()),
                first_bytes: reader.seen,
            }),
            (Err(_), Some(Failure::TooLarge)) => Err(WireError::Protocol {
                message: format!("reply larger than {} MiB", MAX_REPLY_BYTES >> 20),
                first_bytes: reader.seen,
            }),
        }
    }
}

/// The parser's error in words a user can act on.
fn parse_error_text(raw: &str) -> String {
    if raw.contains("recursion depth") {
        "arrays nested deeper than the parser allows".into()
    } else if raw.contains("nexpected end") {
        "the reply was cut off".into()
    } else {
        "malformed RESP".into()
    }
}

enum Failure {
    Io(io::Error),
    Eof,
    TooLarge,
}

/// A reader that re-arms the socket timeout from the deadline before every read, caps the
/// bytes a reply may take, and remembers the real error (the parser only sees a copy).
struct Bounded<'a> {
    io: &'a mut Transport,
    deadline: Deadline,
    budget: usize,
    seen: Vec<u8>,
    failure: Option<Failure>,
}

impl Read for Bounded<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let result = self
            .deadline
            .remaining()
            .and_then(|left| self.io.set_timeouts(left))
            .and_then(|()| {
                let cap = buf.len().min(self.budget.max(1));
                self.io.read(&mut buf[..cap])
            });
        match result {
            Ok(0) => {
                self.failure = Some(Failure::Eof);
                Ok(0)
            }
            Ok(n) if n > self.budget => {
                self.failure = Some(Failure::TooLarge);
                Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    "reply too large",
                ))
            }
            Ok(n) => {
                self.budget -= n;
                if self.seen.len() < 16 {
                    let take = n.min(16 - self.seen.len());
                    self.seen.extend_from_slice(&buf[..take]);
                }
                Ok(n)
            }
            Err(e) => {
                let copy = io::Error::new(e.kind(), e.to_string());
                self.failure = Some(Failure::Io(e));
                Err(copy)
            }
        }
    }
}

/// Reads a reply as text: simple, bulk and verbatim strings.
pub fn text(v: &Value) -> Option<String> {
    match v {
        Value::SimpleString(s) => Some(s.clone()),
        Value::Okay => Some("OK".into()),
        Value::BulkString(b) => Some(String::from_utf8_lossy(b).into_owned()),
        Value::VerbatimString { text, .. } => Some(text.clone()),
        _ => None,
    }
}

/// A server error reply as `(CODE, full message)`, e.g. `("WRONGPASS", "WRONGPASS invalid …")`.
pub fn server_error(v: &Value) -> Option<(String, String)> {
    match v {
        Value::ServerError(e) => {
            let code = e.code().to_string();
            let msg = match e.details() {
                Some(d) => format!("{code} {d}"),
                None => code.clone(),
            };
            Some((code, msg))
        }
        _ => None,
    }
}
