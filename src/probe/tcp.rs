//! `tcp`: connect to each address in order until one answers.

use std::io;
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use crate::deadline::Deadline;
use crate::failure::{Failure, Reason};

/// One connection attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attempt {
    /// The address tried.
    pub addr: SocketAddr,
    /// `None` when it connected, else what went wrong.
    pub error: Option<String>,
    /// How long the attempt took.
    pub took: Duration,
}

/// What the connect stage found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TcpFacts {
    /// The peer that answered (address or socket path).
    pub peer: String,
    /// Every attempt, failed ones first.
    pub attempts: Vec<Attempt>,
}

/// Connects to the first address that answers within `per_attempt` (and the deadline).
pub fn connect(
    addrs: &[SocketAddr],
    per_attempt: Duration,
    deadline: Deadline,
) -> Result<(TcpStream, TcpFacts), (Failure, Vec<Attempt>)> {
    let mut attempts = Vec::new();
    let mut worst = Reason::Refused;
    for addr in addrs {
        let Ok(limit) = deadline.capped(per_attempt) else {
            worst = Reason::Timeout;
            break;
        };
        let start = Instant::now();
        match TcpStream::connect_timeout(addr, limit) {
            Ok(stream) => {
                let _ = stream.set_nodelay(true);
                attempts.push(Attempt {
                    addr: *addr,
                    error: None,
                    took: start.elapsed(),
                });
                return Ok((
                    stream,
                    TcpFacts {
                        peer: addr.to_string(),
                        attempts,
                    },
                ));
            }
            Err(e) => {
                let (reason, text) = classify(&e, limit);
                if reason != Reason::Refused {
                    worst = reason;
                }
                attempts.push(Attempt {
                    addr: *addr,
                    error: Some(text),
                    took: start.elapsed(),
                });
            }
        }
    }
    let cause = if attempts.is_empty() {
        "no time left to connect".to_string()
    } else {
        attempts
            .iter()
            .map(|a| format!("{}: {}", a.addr, a.error.as_deref().unwrap_or("ok")))
            .collect::<Vec<_>>()
            .join("; ")
    };
    Err((Failure::new(worst, cause), attempts))
}

fn classify(e: &io::Error, limit: Duration) -> (Reason, String) {
    match e.kind() {
        io::ErrorKind::ConnectionRefused => (
            Reason::Refused,
            "refused (nothing listens on that port)".into(),
        ),
        io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock => (
            Reason::Timeout,
            format!("no answer within {} ms", limit.as_millis()),
        ),
        io::ErrorKind::HostUnreachable | io::ErrorKind::NetworkUnreachable => {
            (Reason::Unreachable, format!("unreachable ({e})"))
        }
        _ => (Reason::Unreachable, e.to_string()),
    }
}
