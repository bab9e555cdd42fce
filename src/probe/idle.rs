//! `redcheck idle`: connections left idle on a ladder of times, one PING each when its time
//! comes, and how each one ended — answered, closed cleanly (EOF), reset (RST), or silent.
//!
//! While idle, each TCP socket is peeked without sending anything, so a close or reset that
//! arrives early is seen when it arrives (the server's `timeout` closes at that moment); such a
//! connection is probed at once instead of at its rung, and the run ends when nothing is left.

use std::io::{self, ErrorKind};
use std::net::TcpStream;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use crate::conn::{Connection, WireError, server_error};
use crate::deadline::Deadline;
use crate::failure::Failure;

/// How often idle sockets are looked at, Ctrl-C is checked and the live line is redrawn.
const TICK: Duration = Duration::from_millis(50);

/// How one rung ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fate {
    /// The PING was answered: the connection survived this idle time.
    Alive,
    /// The peer closed the connection cleanly (FIN, EOF): what the server's `timeout` does.
    Closed,
    /// The connection was reset (RST): a middlebox that forgot the flow, or a restarted server.
    Reset,
    /// The PING was never answered within the bound: a middlebox dropped the flow silently.
    Silent,
    /// Something else went wrong (bytes that are not RESP, another socket error).
    Broken,
    /// The connection could not be opened (e.g. maxclients).
    NotOpened,
    /// Ctrl-C came first.
    NotProbed,
}

impl Fate {
    /// The name in JSON and text.
    pub fn as_str(self) -> &'static str {
        match self {
            Fate::Alive => "alive",
            Fate::Closed => "closed",
            Fate::Reset => "reset",
            Fate::Silent => "silent",
            Fate::Broken => "broken",
            Fate::NotOpened => "not-opened",
            Fate::NotProbed => "not-probed",
        }
    }

    /// Whether the path cut the connection.
    pub fn is_cut(self) -> bool {
        matches!(self, Fate::Closed | Fate::Reset | Fate::Silent)
    }
}

/// What arrived on an idle socket before its PING.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sign {
    /// End of stream: the peer closed.
    Eof,
    /// A reset.
    Reset,
    /// Bytes nobody asked for (a TLS close_notify, usually).
    Bytes,
}

impl Sign {
    /// The name in JSON and text.
    pub fn as_str(self) -> &'static str {
        match self {
            Sign::Eof => "eof",
            Sign::Reset => "reset",
            Sign::Bytes => "bytes",
        }
    }
}

/// One rung: its idle time and what became of its connection.
#[derive(Debug, Clone)]
pub struct Rung {
    /// The idle time this connection was meant to wait.
    pub idle: Duration,
    /// How it ended.
    pub fate: Fate,
    /// Idle time when the PING went out (shorter than `idle` when a close arrived first).
    pub probed_after: Option<Duration>,
    /// Idle time when a close, reset or stray bytes arrived while waiting, and which.
    pub noticed: Option<(Duration, Sign)>,
    /// Round trip of an answered PING.
    pub rtt: Option<Duration>,
    /// The error, for `Broken` and `NotOpened`.
    pub detail: Option<String>,
}

/// What the ladder came to.
#[derive(Debug, Clone)]
pub struct Ladder {
    /// One per idle time, shortest first.
    pub rungs: Vec<Rung>,
    /// Whether Ctrl-C ended it.
    pub interrupted: bool,
    /// TCP keep-alive set on every connection.
    pub keepalive: Option<Duration>,
}

/// The state shown on the live line.
#[derive(Debug, Clone, Copy)]
pub struct Status {
    /// Time since the connections were opened.
    pub elapsed: Duration,
    /// The next rung to be probed, and how long until then.
    pub next: Option<(Duration, Duration)>,
    /// Connections still open and waiting.
    pub waiting: usize,
    /// Rungs answered so far.
    pub alive: usize,
    /// Connections held at the start.
    pub held: usize,
}

/// Progress reports while the ladder runs.
pub enum Event<'a> {
    /// Every tick.
    Tick(Status),
    /// A rung ended.
    Finished(&'a Rung),
}

/// Sets TCP keep-alive (first probe after `every` idle, then every `every`) on a connection.
pub fn set_keepalive(conn: &Connection, every: Duration) -> io::Result<()> {
    let Some(sock) = conn.tcp() else {
        return Ok(());
    };
    let params = socket2::TcpKeepalive::new().with_time(every);
    #[cfg(any(target_os = "linux", target_os = "macos", target_os = "windows"))]
    let params = params.with_interval(every);
    socket2::SockRef::from(sock).set_tcp_keepalive(&params)
}

/// Waits out the ladder: `conns[i]` (opened just before, idle since) is probed after
/// `idle[i]`, or as soon as something arrives on it. Ctrl-C (`stop`) ends the wait.
pub fn run(
    idle: &[Duration],
    conns: Vec<Result<Connection, Failure>>,
    keepalive: Option<Duration>,
    answer_within: Duration,
    stop: &AtomicBool,
    on_event: &mut dyn FnMut(Event<'_>),
) -> Ladder {
    let started = Instant::now();
    let held = conns.iter().filter(|c| c.is_ok()).count();
    let mut rungs: Vec<Option<Rung>> = vec![None; idle.len()];
    let mut open: Vec<Option<Connection>> = Vec::with_capacity(idle.len());
    let mut noticed: Vec<Option<(Duration, Sign)>> = vec![None; idle.len()];
    for (i, c) in conns.into_iter().enumerate() {
        match c {
            Ok(conn) => {
                if let Some(sock) = conn.tcp() {
                    // Peeking must not block; the probe sets blocking mode back.
                    let _ = sock.set_nonblocking(true);
                }
                open.push(Some(conn));
            }
            Err(failure) => {
                let rung = Rung {
                    idle: idle[i],
                    fate: Fate::NotOpened,
                    probed_after: None,
                    noticed: None,
                    rtt: None,
                    detail: Some(failure.cause),
                };
                on_event(Event::Finished(&rung));
                rungs[i] = Some(rung);
                open.push(None);
            }
        }
    }
    let mut interrupted = false;
    loop {
        if stop.load(Ordering::Relaxed) {
            interrupted = true;
            break;
        }
        let now = started.elapsed();
        for i in 0..idle.len() {
            let Some(conn) = open[i].as_mut() else {
                continue;
            };
            if noticed[i].is_none()
                && let Some(sock) = conn.tcp()
            {
                noticed[i] = peek(sock).map(|sign| (now, sign));
            }
            if now >= idle[i] || noticed[i].is_some() {
                let rung = probe(conn, idle[i], now, noticed[i], answer_within);
                on_event(Event::Finished(&rung));
                rungs[i] = Some(rung);
                open[i] = None;
            }
        }
        let waiting: Vec<usize> = (0..idle.len()).filter(|i| open[*i].is_some()).collect();
        if waiting.is_empty() {
            break;
        }
        let elapsed = started.elapsed();
        on_event(Event::Tick(Status {
            elapsed,
            next: waiting
                .first()
                .map(|i| (idle[*i], idle[*i].saturating_sub(elapsed))),
            waiting: waiting.len(),
            alive: rungs
                .iter()
                .flatten()
                .filter(|r| r.fate == Fate::Alive)
                .count(),
            held,
        }));
        let next_due = waiting
            .iter()
            .map(|i| idle[*i].saturating_sub(elapsed))
            .min()
            .unwrap_or(TICK);
        thread::sleep(next_due.clamp(Duration::from_millis(1), TICK));
    }
    let rungs = rungs
        .into_iter()
        .enumerate()
        .map(|(i, r)| {
            r.unwrap_or(Rung {
                idle: idle[i],
                fate: Fate::NotProbed,
                probed_after: None,
                noticed: noticed[i],
                rtt: None,
                detail: None,
            })
        })
        .collect();
    Ladder {
        rungs,
        interrupted,
        keepalive,
    }
}

/// Looks at an idle socket without reading: end of stream, a reset, stray bytes, or nothing.
fn peek(sock: &TcpStream) -> Option<Sign> {
    let mut one = [0u8; 1];
    match sock.peek(&mut one) {
        Ok(0) => Some(Sign::Eof),
        Ok(_) => Some(Sign::Bytes),
        Err(e) if is_reset(&e) => Some(Sign::Reset),
        Err(_) => None,
    }
}

fn is_reset(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        ErrorKind::ConnectionReset | ErrorKind::ConnectionAborted | ErrorKind::BrokenPipe
    )
}

/// Sends the one PING and names what came back.
fn probe(
    conn: &mut Connection,
    idle: Duration,
    now: Duration,
    noticed: Option<(Duration, Sign)>,
    answer_within: Duration,
) -> Rung {
    if let Some(sock) = conn.tcp() {
        let _ = sock.set_nonblocking(false);
    }
    conn.set_deadline(Deadline::after(answer_within));
    let sent = Instant::now();
    let (fate, rtt, detail) = match conn.call(&redis::cmd("PING")) {
        // Any reply, an ACL refusal included, means the connection is alive.
        Ok(reply) => {
            let detail = server_error(&reply).map(|(_, msg)| super::session::sanitize(&msg));
            (Fate::Alive, Some(sent.elapsed()), detail)
        }
        Err(WireError::Closed) => (Fate::Closed, None, None),
        Err(WireError::Io(e)) if e.kind() == ErrorKind::UnexpectedEof => (Fate::Closed, None, None),
        Err(WireError::Io(e)) if is_reset(&e) => (Fate::Reset, None, Some(e.to_string())),
        Err(WireError::Io(e)) if super::tls::is_timeout(&e) => (Fate::Silent, None, None),
        Err(e) => (Fate::Broken, None, Some(e.to_string())),
    };
    Rung {
        idle,
        fate,
        probed_after: Some(now),
        noticed,
        rtt,
        detail,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::conn::Transport;
    use std::net::TcpListener;

    #[test]
    fn keepalive_reaches_the_socket() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let sock = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let conn = Connection::new(
            Transport::Plain(sock),
            Deadline::after(Duration::from_secs(1)),
        );
        set_keepalive(&conn, Duration::from_secs(7)).unwrap();
        let sock = socket2::SockRef::from(conn.tcp().unwrap());
        assert!(sock.keepalive().unwrap());
        #[cfg(any(target_os = "linux", target_os = "macos"))]
        assert_eq!(sock.tcp_keepalive_time().unwrap(), Duration::from_secs(7));
    }

    #[test]
    fn a_closed_or_reset_idle_socket_is_seen_without_sending() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let sock = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        sock.set_nonblocking(true).unwrap();
        let (peer, _) = listener.accept().unwrap();
        assert_eq!(peek(&sock), None);
        drop(peer);
        let started = Instant::now();
        while peek(&sock).is_none() && started.elapsed() < Duration::from_secs(2) {
            thread::sleep(Duration::from_millis(5));
        }
        assert_eq!(peek(&sock), Some(Sign::Eof));
    }
}
