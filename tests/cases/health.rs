//! The production checklist against real redis-server instances configured per case: the
//! eviction table, memory thresholds and fragmentation, keyspace, clients, errors,
//! persistence, replication, cluster, version, security, pub/sub, the write probe, a MONITOR
//! proof that the default run writes nothing, and the `memory` and `latency` subcommands.

mod checklist;
mod cluster;
mod commands;
mod durability;
mod probes;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::thread;
use std::time::{Duration, Instant};

use crate::support::resp_cmd;
use crate::support::run::SECRET;

/// How long a server may take to reach a state a test waits for.
const SETTLE: Duration = Duration::from_secs(10);

/// `redis://:SECRET@127.0.0.1:PORT`.
fn url_with_password(port: u16) -> String {
    format!("redis://:{SECRET}@127.0.0.1:{port}")
}

/// A bare RESP2 client for setting servers up: one connection, replies read in order.
struct Raw {
    stream: BufReader<TcpStream>,
}

impl Raw {
    /// Connects to 127.0.0.1:`port`, reads bounded by 10 s.
    fn connect(port: u16) -> Raw {
        let s = TcpStream::connect(("127.0.0.1", port)).expect("connect to the test server");
        s.set_read_timeout(Some(SETTLE))
            .expect("set a read timeout");
        Raw {
            stream: BufReader::new(s),
        }
    }

    /// Connects and authenticates with [`SECRET`].
    fn authed(port: u16) -> Raw {
        let mut raw = Raw::connect(port);
        assert_eq!(raw.cmd(&["AUTH", SECRET]), "OK");
        raw
    }

    /// Sends a command without reading its reply.
    fn send(&mut self, args: &[&str]) {
        self.stream
            .get_mut()
            .write_all(&resp_cmd(args))
            .expect("send a command");
    }

    /// Sends a command and reads its reply as text.
    fn cmd(&mut self, args: &[&str]) -> String {
        self.send(args);
        self.read().expect("a reply")
    }

    /// One reply as text: errors keep their '-', array items one per line, nil as "(nil)".
    /// `None` when nothing arrives within the read timeout.
    fn read(&mut self) -> Option<String> {
        let mut line = String::new();
        match self.stream.read_line(&mut line) {
            Ok(0) | Err(_) => return None,
            Ok(_) => {}
        }
        let line = line.trim_end_matches(['\r', '\n']);
        let (kind, rest) = line.split_at(line.len().min(1));
        Some(match kind {
            "+" | ":" => rest.to_string(),
            "$" => match rest.parse::<usize>() {
                Ok(n) => {
                    let mut buf = vec![0u8; n + 2];
                    self.stream.read_exact(&mut buf).expect("bulk body");
                    String::from_utf8_lossy(&buf[..n]).into_owned()
                }
                Err(_) => "(nil)".into(),
            },
            "*" => {
                let n = rest.parse::<usize>().unwrap_or(0);
                (0..n)
                    .map(|_| self.read().unwrap_or_default())
                    .collect::<Vec<_>>()
                    .join("\n")
            }
            _ => line.to_string(),
        })
    }

    /// Changes the read timeout (e.g. to drain a MONITOR stream).
    fn timeout(&self, d: Duration) {
        self.stream
            .get_ref()
            .set_read_timeout(Some(d))
            .expect("set a read timeout");
    }
}

/// A field of `INFO section` on a server without a password.
fn info_field(port: u16, section: &str, key: &str) -> Option<String> {
    field(&Raw::connect(port).cmd(&["INFO", section]), key)
}

/// `key:value` out of INFO-style text.
fn field(text: &str, key: &str) -> Option<String> {
    text.lines()
        .find_map(|l| l.strip_prefix(key)?.strip_prefix(':'))
        .map(|v| v.trim().to_string())
}

/// Polls `ok` every 20 ms until it holds; panics naming `what` after [`SETTLE`].
fn wait_until(what: &str, mut ok: impl FnMut() -> bool) {
    let start = Instant::now();
    while !ok() {
        assert!(start.elapsed() < SETTLE, "timed out waiting until {what}");
        thread::sleep(Duration::from_millis(20));
    }
}
