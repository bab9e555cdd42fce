//! The second opinion of a `rediss://` URL that gets no TLS answer: a plaintext `PING` on a
//! fresh connection to the same address, started Happy-Eyeballs style while the TLS attempt
//! keeps waiting, once the server has been silent for a few of the connect's round trips.
//!
//! A plaintext Redis reads a ClientHello as the start of an inline command and waits for the
//! rest, so the TLS attempt alone would only learn of the mismatch at the deadline. Whichever
//! answers first decides: TLS bytes continue the handshake (the probe is left to end on its
//! own, within [`PROBE_WINDOW`]), a RESP answer names the mismatch.

use std::net::{SocketAddr, TcpStream};
use std::sync::mpsc::{self, Receiver, TryRecvError};
use std::thread;
use std::time::Duration;

use crate::conn::{Connection, Transport};
use crate::deadline::Deadline;

use super::session;

/// How long a probe of the other transport may take (connect and exchange).
pub const PROBE_WINDOW: Duration = Duration::from_millis(1000);

/// Silence for this many TCP connect times starts the plaintext probe…
const CONNECT_TIMES: u32 = 2;
/// …but not before this (a TLS server answers a ClientHello within a millisecond or two on
/// loopback; a busy one is given this much before it costs a second connection)…
const FLOOR: Duration = Duration::from_millis(50);
/// …nor after this, the fixed window the probe used to wait for.
const CEILING: Duration = Duration::from_millis(1000);

/// How often the TLS attempt looks whether the probe has answered.
pub const POLL: Duration = Duration::from_millis(2);

/// A plaintext probe of `addr`, ready to start.
#[derive(Debug, Clone, Copy)]
pub struct PlainProbe {
    addr: SocketAddr,
    deadline: Deadline,
    /// How long the TLS attempt waits for a first byte before starting the probe.
    pub after: Duration,
}

impl PlainProbe {
    /// A probe of `addr` that starts after [`CONNECT_TIMES`] × `connect` of silence, bounded
    /// by [`FLOOR`] and [`CEILING`].
    pub fn new(addr: SocketAddr, deadline: Deadline, connect: Duration) -> Self {
        Self {
            addr,
            deadline,
            after: (connect * CONNECT_TIMES).clamp(FLOOR, CEILING),
        }
    }

    /// Runs the probe here and now: the first reply line when the port speaks RESP.
    pub fn now(&self) -> Option<String> {
        speaks_resp(self.addr, self.deadline)
    }

    /// Runs the probe on its own thread; here when no thread can be started.
    pub fn start(&self) -> Running {
        let (tx, rx) = mpsc::channel();
        let (addr, deadline) = (self.addr, self.deadline);
        let spawned = thread::Builder::new()
            .name("plain-probe".into())
            .spawn(move || {
                let _ = tx.send(speaks_resp(addr, deadline));
            });
        match spawned {
            Ok(_) => Running(Some(rx)),
            Err(_) => Running(None).answered(self.now()),
        }
    }
}

/// A probe under way.
pub struct Running(Option<Receiver<Option<String>>>);

/// What a running probe has said so far.
pub enum Heard {
    /// Nothing yet.
    Nothing,
    /// The probe ended: the reply line when the port speaks RESP.
    Ended(Option<String>),
}

impl Running {
    fn answered(self, resp: Option<String>) -> Self {
        let (tx, rx) = mpsc::channel();
        let _ = tx.send(resp);
        Running(Some(rx))
    }

    /// What the probe has said, without waiting.
    pub fn poll(&self) -> Heard {
        match self.0.as_ref().map(Receiver::try_recv) {
            Some(Ok(resp)) => Heard::Ended(resp),
            Some(Err(TryRecvError::Empty)) => Heard::Nothing,
            Some(Err(TryRecvError::Disconnected)) | None => Heard::Ended(None),
        }
    }

    /// Waits for the probe's answer (it ends within [`PROBE_WINDOW`] and its deadline).
    pub fn wait(self) -> Option<String> {
        self.0.and_then(|rx| rx.recv().ok()).flatten()
    }
}

/// Opens a fresh plaintext connection, sends `PING` and returns the first reply line if it is RESP.
fn speaks_resp(addr: SocketAddr, deadline: Deadline) -> Option<String> {
    // Connect and exchange share one window, cut short by the deadline.
    let window = deadline.sooner(PROBE_WINDOW);
    let sock = TcpStream::connect_timeout(&addr, window.remaining().ok()?).ok()?;
    let _ = sock.set_nodelay(true);
    let mut conn = Connection::new(Transport::Plain(sock), window);
    let reply = conn.call(&redis::cmd("PING")).ok()?;
    let line = match crate::conn::server_error(&reply) {
        Some((_, msg)) => format!("-{msg}"),
        None => format!(
            "+{}",
            crate::conn::text(&reply).unwrap_or_else(|| "(reply)".into())
        ),
    };
    Some(session::sanitize(&line))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_window_follows_the_connect_time_within_bounds() {
        let addr: SocketAddr = "127.0.0.1:9".parse().unwrap();
        let d = Deadline::after(Duration::from_secs(5));
        let after = |ms| PlainProbe::new(addr, d, Duration::from_millis(ms)).after;
        assert_eq!(after(0), FLOOR);
        assert_eq!(after(40), Duration::from_millis(80));
        assert_eq!(after(5_000), CEILING);
    }
}
