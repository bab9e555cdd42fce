//! A Redis connection we own end to end: the socket (plain, TLS or Unix), the reply parser
//! (the redis crate's), and one deadline that bounds every read and write.

use std::io::{self, Read, Write};
use std::net::TcpStream;
#[cfg(unix)]
use std::os::unix::net::UnixStream;
use std::time::{Duration, Instant};

use redis::Value;
use rustls::{ClientConnection, StreamOwned};

use crate::deadline::Deadline;

mod ahead;
mod tally;

use tally::Tally;

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

/// A reply may not be larger than this: INFO is a few KiB and `CLUSTER SHARDS` of a
/// 1,000-node cluster about 250 KiB; more means a hostile or broken peer. Parsing holds about
/// six times a reply's size (buffer, values, text), and every target has its own connection,
/// so this keeps four targets fed hostile replies under 64 MiB of memory.
pub const MAX_REPLY_BYTES: usize = 1 << 20;

/// Nor may it hold more elements than this: each costs the parser about 60 bytes, so a 1 MiB
/// reply of `_` after `_` would otherwise become 350,000 values.
pub const MAX_REPLY_ELEMENTS: usize = 150_000;

/// How long socket timeouts set from the deadline are trusted before they are set again.
///
/// A timeout armed at `t` lets a call that starts later block until the deadline plus the time
/// since `t`; re-arming at most this often bounds that overshoot to 1 ms, and spares each round
/// trip the four `setsockopt` calls (two per write, two per read) that otherwise sit inside
/// every latency sample: about 1 µs of an 18 µs loopback `PING`.
const REARM_AFTER: Duration = Duration::from_millis(1);

/// An open connection with a reply parser and a deadline.
pub struct Connection {
    io: Transport,
    parser: redis::Parser,
    /// Where the stream stands in RESP's framing, to count each reply's elements.
    tally: Tally,
    deadline: Deadline,
    /// When the socket timeouts were last set from the deadline.
    armed: Option<Instant>,
    /// Commands sent ahead whose replies are still to be read, in order (`ahead.rs`).
    ahead: std::collections::VecDeque<Vec<u8>>,
    /// Replies of a flight read before their turn, kept for their commands (`ahead.rs`).
    parked: std::collections::VecDeque<(Vec<u8>, Value)>,
}

impl Connection {
    /// Wraps an open transport; every call is bounded by `deadline`.
    pub fn new(io: Transport, deadline: Deadline) -> Self {
        Self {
            io,
            parser: redis::Parser::new(),
            tally: Tally::default(),
            deadline,
            armed: None,
            ahead: std::collections::VecDeque::new(),
            parked: std::collections::VecDeque::new(),
        }
    }

    /// Moves the deadline: a long-lived connection (latency sampling, a subscriber waiting for
    /// its message) bounds each exchange on its own.
    pub fn set_deadline(&mut self, deadline: Deadline) {
        self.deadline = deadline;
        // A new deadline must reach the socket before the next call.
        self.armed = None;
    }

    /// The TCP socket under the connection (plain or TLS); `None` for a Unix socket. `idle`
    /// sets keep-alive on it and peeks at it to see a close or reset arrive while idle.
    pub fn tcp(&self) -> Option<&TcpStream> {
        match &self.io {
            Transport::Plain(s) => Some(s),
            Transport::Tls(s) => Some(&s.sock),
            #[cfg(unix)]
            Transport::Unix(_) => None,
        }
    }

    /// Fails once the deadline has passed, and sets the socket timeouts to the time left when
    /// they are older than [`REARM_AFTER`]. Call it before starting a stopwatch so the sample
    /// holds no `setsockopt`.
    pub fn arm(&mut self) -> Result<(), WireError> {
        // A flight's replies still on the wire come first (`ahead.rs`).
        self.settle()?;
        arm(&self.io, self.deadline, &mut self.armed).map_err(WireError::Io)
    }

    /// Sends a command and reads one reply. Server errors come back as `Value::ServerError`.
    pub fn call(&mut self, cmd: &redis::Cmd) -> Result<Value, WireError> {
        let packed = cmd.get_packed_command();
        if let Some(reply) = self.take_parked(&packed) {
            return Ok(reply);
        }
        if !self.take_ahead(&packed) {
            self.send(&packed)?;
        }
        self.read()
    }

    /// Writes raw bytes (a packed command) within the deadline.
    pub fn send(&mut self, bytes: &[u8]) -> Result<(), WireError> {
        if self.take_ahead(bytes) {
            // Sent in a flight already (`ahead.rs`); the deadline still has its say.
            return arm(&self.io, self.deadline, &mut self.armed).map_err(WireError::Io);
        }
        self.arm()?;
        self.io.write_all(bytes).map_err(WireError::Io)?;
        self.io.flush().map_err(WireError::Io)
    }

    /// Reads one reply within the deadline.
    pub fn read(&mut self) -> Result<Value, WireError> {
        self.tally.restart();
        let mut reader = Bounded {
            io: &mut self.io,
            deadline: self.deadline,
            armed: &mut self.armed,
            tally: &mut self.tally,
            budget: MAX_REPLY_BYTES,
            seen: [0; SEEN],
            seen_len: 0,
            failure: None,
        };
        let result = self.parser.parse_value(&mut reader);
        match (result, reader.failure) {
            (Ok(v), _) => Ok(v),
            (Err(_), Some(Failure::Io(e))) => Err(WireError::Io(e)),
            (Err(_), Some(Failure::Eof)) if reader.seen_len == 0 => Err(WireError::Closed),
            (Err(e), Some(Failure::Eof) | None) => Err(WireError::Protocol {
                message: parse_error_text(&e.to_string()),
                first_bytes: reader.seen[..reader.seen_len].to_vec(),
            }),
            (Err(_), Some(Failure::TooLarge)) => Err(WireError::Protocol {
                message: format!("reply larger than {} MiB", MAX_REPLY_BYTES >> 20),
                first_bytes: reader.seen[..reader.seen_len].to_vec(),
            }),
            (Err(_), Some(Failure::TooMany)) => Err(WireError::Protocol {
                message: format!(
                    "reply of more than {} elements",
                    group_thousands(MAX_REPLY_ELEMENTS)
                ),
                first_bytes: reader.seen[..reader.seen_len].to_vec(),
            }),
        }
    }
}

/// `200000` as `200,000`.
fn group_thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
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

/// Sets `io`'s timeouts to the time left when the last setting is older than [`REARM_AFTER`].
fn arm(io: &Transport, deadline: Deadline, armed: &mut Option<Instant>) -> io::Result<()> {
    let left = deadline.remaining()?;
    if armed.is_none_or(|at| at.elapsed() >= REARM_AFTER) {
        io.set_timeouts(left)?;
        *armed = Some(Instant::now());
    }
    Ok(())
}

/// How many leading bytes of a reply are kept to describe one that is not RESP.
const SEEN: usize = 16;

enum Failure {
    Io(io::Error),
    Eof,
    TooLarge,
    TooMany,
}

/// A reader that keeps the socket timeouts armed from the deadline before every read, caps
/// the bytes and elements a reply may take, and remembers the real error (the parser only
/// sees a copy).
struct Bounded<'a> {
    io: &'a mut Transport,
    deadline: Deadline,
    armed: &'a mut Option<Instant>,
    tally: &'a mut Tally,
    budget: usize,
    seen: [u8; SEEN],
    seen_len: usize,
    failure: Option<Failure>,
}

impl Read for Bounded<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let result = arm(self.io, self.deadline, self.armed).and_then(|()| {
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
            Ok(n) if !self.tally.feed(&buf[..n], MAX_REPLY_ELEMENTS) => {
                self.failure = Some(Failure::TooMany);
                Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    "reply has too many elements",
                ))
            }
            Ok(n) => {
                self.budget -= n;
                let take = n.min(SEEN - self.seen_len);
                self.seen[self.seen_len..self.seen_len + take].copy_from_slice(&buf[..take]);
                self.seen_len += take;
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

#[cfg(test)]
mod tests {
    use std::io::Write;
    use std::net::TcpListener;
    use std::thread;

    use super::*;

    /// A peer that accepts, writes `reply` in parts `gap` apart, then stays silent.
    fn peer(parts: &'static [&'static [u8]], gap: Duration) -> TcpStream {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let addr = listener.local_addr().expect("addr");
        thread::spawn(move || {
            let (mut s, _) = listener.accept().expect("accept");
            for part in parts {
                thread::sleep(gap);
                s.write_all(part).expect("write");
            }
            thread::sleep(Duration::from_secs(5));
        });
        TcpStream::connect(addr).expect("connect")
    }

    #[test]
    fn reads_a_reply_that_arrives_in_parts_after_the_timeouts_were_armed() {
        let sock = peer(&[b"$5\r\nhel", b"lo\r\n"], Duration::from_millis(5));
        let mut conn = Connection::new(
            Transport::Plain(sock),
            Deadline::after(Duration::from_secs(2)),
        );
        let reply = conn.call(redis::cmd("GET").arg("k")).expect("reply");
        assert_eq!(text(&reply).as_deref(), Some("hello"));
    }

    #[test]
    fn a_silent_peer_ends_at_the_deadline_even_mid_reply() {
        const SILENT: &[&[u8]] = &[];
        const HALF_A_REPLY: &[&[u8]] = &[b"$5\r\nhel"];
        for parts in [SILENT, HALF_A_REPLY] {
            let sock = peer(parts, Duration::from_millis(5));
            let budget = Duration::from_millis(200);
            let started = Instant::now();
            let mut conn = Connection::new(Transport::Plain(sock), Deadline::after(budget));
            let err = conn.call(&redis::cmd("PING")).expect_err("no reply");
            let took = started.elapsed();
            assert!(
                matches!(&err, WireError::Io(e) if matches!(e.kind(), io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock)),
                "{err}"
            );
            assert!(
                took >= budget && took < budget + REARM_AFTER + Duration::from_millis(50),
                "{took:?}"
            );
        }
    }
}
