//! Commands sent ahead of their turn: one flight of commands whose replies the caller will
//! ask for in the same order, so a run of introspection costs one round trip instead of one
//! each. [`Connection::call`] takes a reply from the flight when its command is the next one
//! there; any other command first reads (and drops) the replies still on their way, so a
//! caller that takes another path gets exactly what it would have without the flight.
//!
//! A caller that knows the flight's replies are good (the login succeeded) but has other
//! commands to send first parks them ([`Connection::park_flight`]): each is then served to
//! the first call of the very same command, in any order, until [`Connection::drop_parked`].

use std::io::Write;

use redis::Cmd;

use super::{Connection, WireError};

/// What parked replies may hold: a SCAN of 1,000 names is tens of KiB; a hostile server's
/// megabyte answers are not kept (tests/cases/hostile/replies.rs bounds the whole run).
const PARK_BYTES: usize = 256 * 1024;

/// About the memory a reply holds: its bytes, and a few words per element.
fn size(v: &redis::Value) -> usize {
    use redis::Value;
    const ELEMENT: usize = 32;
    ELEMENT
        + match v {
            Value::BulkString(b) => b.len(),
            Value::SimpleString(s) => s.len(),
            Value::VerbatimString { text, .. } => text.len(),
            Value::Array(items) | Value::Set(items) | Value::Push { data: items, .. } => {
                items.iter().map(size).sum()
            }
            Value::Map(pairs) => pairs.iter().map(|(k, v)| size(k) + size(v)).sum(),
            Value::Attribute { data, attributes } => {
                size(data)
                    + attributes
                        .iter()
                        .map(|(k, v)| size(k) + size(v))
                        .sum::<usize>()
            }
            Value::ServerError(e) => e.code().len() + e.details().map_or(0, str::len),
            _ => 0,
        }
}

impl Connection {
    /// Sends `cmds` in one write; their replies wait on the wire until [`Connection::call`]
    /// asks for the same commands in the same order. Only for commands that change nothing
    /// the caller would not have changed anyway (the caller's own next commands).
    pub fn send_ahead(&mut self, cmds: &[Cmd]) -> Result<(), WireError> {
        if cmds.is_empty() {
            return Ok(());
        }
        self.settle()?;
        let packed: Vec<Vec<u8>> = cmds.iter().map(Cmd::get_packed_command).collect();
        self.arm()?;
        self.io.write_all(&packed.concat()).map_err(WireError::Io)?;
        self.io.flush().map_err(WireError::Io)?;
        self.ahead.extend(packed);
        Ok(())
    }

    /// Whether `cmd` is the flight's next command (its reply is the next on the wire).
    pub fn flight_next_is(&self, cmd: &Cmd) -> bool {
        self.ahead
            .front()
            .is_some_and(|next| *next == cmd.get_packed_command())
    }

    /// The reply of the flight's next command, whichever it is: for a caller reading back, in
    /// order, a flight it knows it sent ([`Connection::flight_next_is`]), without packing each
    /// command again to find it.
    pub fn read_flight(&mut self) -> Result<redis::Value, WireError> {
        if self.ahead.pop_front().is_none() {
            return Err(WireError::Io(std::io::Error::other(
                "no command in flight to read the reply of",
            )));
        }
        super::arm(&self.io, self.deadline, &mut self.armed).map_err(WireError::Io)?;
        self.read()
    }

    /// Reads the flight's replies still on their way and keeps each for the first
    /// [`Connection::call`] of its command, whatever comes in between. Only once the commands
    /// before them have answered as expected: a parked reply is served as if just asked.
    /// Parked replies hold at most [`PARK_BYTES`] in all; a reply that does not fit is
    /// dropped, and its command sent afresh when it is asked for.
    pub fn park_flight(&mut self) -> Result<(), WireError> {
        let mut held: usize = self.parked.iter().map(|(_, r)| size(r)).sum();
        while let Some(packed) = self.ahead.pop_front() {
            match self.read() {
                Ok(reply) => {
                    let n = size(&reply);
                    if held + n <= PARK_BYTES {
                        held += n;
                        self.parked.push_back((packed, reply));
                    }
                }
                Err(e) => {
                    self.ahead.clear();
                    return Err(e);
                }
            }
        }
        Ok(())
    }

    /// Forgets the parked replies nobody asked for, so a later command is sent afresh.
    pub fn drop_parked(&mut self) {
        self.parked.clear();
    }

    /// The parked reply of `packed`, if there is one.
    pub(super) fn take_parked(&mut self, packed: &[u8]) -> Option<redis::Value> {
        let at = self.parked.iter().position(|(p, _)| p == packed)?;
        self.parked.remove(at).map(|(_, reply)| reply)
    }

    /// Whether replies of a flight are still to be read.
    pub fn has_flight(&self) -> bool {
        !self.ahead.is_empty()
    }

    /// Whether `packed` is the next command of the flight (its reply is the next on the wire).
    pub(super) fn take_ahead(&mut self, packed: &[u8]) -> bool {
        if self.ahead.front().is_some_and(|next| next == packed) {
            self.ahead.pop_front();
            true
        } else {
            false
        }
    }

    /// Reads and drops the replies of the flight still on their way, so the next reply on
    /// the wire is the next command's.
    pub(super) fn settle(&mut self) -> Result<(), WireError> {
        while !self.ahead.is_empty() {
            let read = self.read();
            self.ahead.pop_front();
            if let Err(e) = read {
                self.ahead.clear();
                return Err(e);
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::io::Read;
    use std::net::{TcpListener, TcpStream};
    use std::sync::mpsc;
    use std::thread;
    use std::time::Duration;

    use super::*;
    use crate::conn::{Transport, text};
    use crate::deadline::Deadline;

    /// A peer that answers each one-word command with `+WORD` and reports every command it
    /// read, in order.
    fn echo_peer() -> (TcpStream, mpsc::Receiver<String>) {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let addr = listener.local_addr().expect("addr");
        let (tx, rx) = mpsc::channel();
        thread::spawn(move || {
            let (mut s, _) = listener.accept().expect("accept");
            let mut seen = String::new();
            let mut buf = [0u8; 1024];
            while let Ok(n) = s.read(&mut buf) {
                if n == 0 {
                    break;
                }
                seen.push_str(&String::from_utf8_lossy(&buf[..n]));
                // Whole commands are `*1\r\n$N\r\nWORD\r\n`: five pieces, the last one empty.
                while seen.matches("\r\n").count() >= 3 {
                    let mut parts = seen.splitn(4, "\r\n");
                    let (_, _, word) = (parts.next(), parts.next(), parts.next().unwrap_or(""));
                    let word = word.to_string();
                    seen = parts.next().unwrap_or("").to_string();
                    let _ = tx.send(word.clone());
                    let _ = s.write_all(format!("+{word}\r\n").as_bytes());
                }
            }
        });
        (TcpStream::connect(addr).expect("connect"), rx)
    }

    fn conn() -> (Connection, mpsc::Receiver<String>) {
        let (sock, rx) = echo_peer();
        let deadline = Deadline::after(Duration::from_secs(5));
        (Connection::new(Transport::Plain(sock), deadline), rx)
    }

    #[test]
    fn a_flight_is_read_in_order_and_never_sent_twice() {
        let (mut c, seen) = conn();
        c.send_ahead(&[redis::cmd("A"), redis::cmd("B")])
            .expect("flight");
        let a = c.call(&redis::cmd("A")).expect("A");
        assert_eq!(text(&a).as_deref(), Some("A"));
        let b = c.call(&redis::cmd("B")).expect("B");
        assert_eq!(text(&b).as_deref(), Some("B"));
        // A raw send of the flight's next command is not written again either.
        c.send_ahead(&[redis::cmd("P")]).expect("flight");
        c.send(&redis::cmd("P").get_packed_command()).expect("send");
        assert_eq!(text(&c.read().expect("P")).as_deref(), Some("P"));
        let c2 = c.call(&redis::cmd("C")).expect("C");
        assert_eq!(text(&c2).as_deref(), Some("C"));
        let got: Vec<String> = seen.try_iter().collect();
        assert_eq!(got, ["A", "B", "P", "C"]);
    }

    #[test]
    fn a_flight_read_back_in_order_needs_no_packing_and_ends_with_an_error() {
        let (mut c, seen) = conn();
        c.send_ahead(&[redis::cmd("A"), redis::cmd("B")])
            .expect("flight");
        assert!(c.flight_next_is(&redis::cmd("A")));
        assert!(!c.flight_next_is(&redis::cmd("B")));
        assert_eq!(text(&c.read_flight().expect("A")).as_deref(), Some("A"));
        assert_eq!(text(&c.read_flight().expect("B")).as_deref(), Some("B"));
        // Nothing left in flight: an error, never some other reply.
        assert!(c.read_flight().is_err());
        let got: Vec<String> = seen.try_iter().collect();
        assert_eq!(got, ["A", "B"]);
    }

    #[test]
    fn parked_replies_serve_their_own_command_once_in_any_order() {
        let (mut c, seen) = conn();
        c.send_ahead(&[redis::cmd("A"), redis::cmd("B"), redis::cmd("C")])
            .expect("flight");
        c.park_flight().expect("park");
        assert!(!c.has_flight());
        // Another command goes out and is answered; the parked ones wait for theirs.
        let ask = |c: &mut Connection, w: &str| text(&c.call(&redis::cmd(w)).expect(w));
        assert_eq!(ask(&mut c, "X").as_deref(), Some("X"));
        assert_eq!(ask(&mut c, "C").as_deref(), Some("C"));
        assert_eq!(ask(&mut c, "A").as_deref(), Some("A"));
        // Served once: a second A is sent; after drop_parked, B is sent afresh too.
        assert_eq!(ask(&mut c, "A").as_deref(), Some("A"));
        c.drop_parked();
        assert_eq!(ask(&mut c, "B").as_deref(), Some("B"));
        let got: Vec<String> = seen.try_iter().collect();
        assert_eq!(got, ["A", "B", "C", "X", "A", "B"]);
    }

    #[test]
    fn parking_keeps_small_replies_and_drops_big_ones() {
        let (mut c, seen) = conn();
        // The peer echoes the command's name: this one's reply is bigger than the budget.
        let big = "W".repeat(PARK_BYTES + 1);
        c.send_ahead(&[redis::cmd(&big), redis::cmd("S")])
            .expect("flight");
        c.park_flight().expect("park");
        assert_eq!(
            text(&c.call(&redis::cmd("S")).expect("S")).as_deref(),
            Some("S")
        );
        // The big reply was read and dropped: asking again sends the command again.
        let again = c.call(&redis::cmd(&big)).expect("big");
        assert_eq!(text(&again).map(|t| t.len()), Some(big.len()));
        let got: Vec<usize> = seen.try_iter().map(|w| w.len()).collect();
        assert_eq!(got, [big.len(), 1, big.len()]);
    }

    #[test]
    fn another_path_drops_the_flights_replies_and_gets_its_own() {
        let (mut c, seen) = conn();
        c.send_ahead(&[redis::cmd("A"), redis::cmd("B"), redis::cmd("C")])
            .expect("flight");
        assert_eq!(
            text(&c.call(&redis::cmd("A")).expect("A")).as_deref(),
            Some("A")
        );
        // X is not the flight's next: B's and C's replies are read and dropped first.
        assert_eq!(
            text(&c.call(&redis::cmd("X")).expect("X")).as_deref(),
            Some("X")
        );
        // C is sent again now, and answered in turn.
        assert_eq!(
            text(&c.call(&redis::cmd("C")).expect("C")).as_deref(),
            Some("C")
        );
        // Before a PING sample (`arm`), nothing of a flight is left on the wire.
        c.send_ahead(&[redis::cmd("D")]).expect("flight");
        c.arm().expect("arm");
        assert_eq!(
            text(&c.call(&redis::cmd("Y")).expect("Y")).as_deref(),
            Some("Y")
        );
        let got: Vec<String> = seen.try_iter().collect();
        assert_eq!(got, ["A", "B", "C", "X", "C", "D", "Y"]);
    }
}
