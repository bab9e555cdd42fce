//! `dns`: every A/AAAA address of the host, bounded by the deadline.

use std::net::{SocketAddr, ToSocketAddrs};
use std::sync::mpsc;
use std::thread;

use crate::deadline::Deadline;
use crate::failure::{Failure, Reason};
use crate::url::Host;

/// What resolution found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DnsFacts {
    /// Addresses in the order the resolver gave them (the order clients try them).
    pub addrs: Vec<SocketAddr>,
    /// Whether the host was already an address literal.
    pub literal: bool,
}

/// Resolves `host:port`. The system resolver cannot be cancelled, so it runs on a helper
/// thread and we stop waiting at the deadline.
pub fn resolve(host: &Host, port: u16, deadline: Deadline) -> Result<DnsFacts, Failure> {
    let name = match host {
        Host::Ip(ip) => {
            return Ok(DnsFacts {
                addrs: vec![SocketAddr::new(*ip, port)],
                literal: true,
            });
        }
        Host::Name(n) => n.clone(),
    };
    let (tx, rx) = mpsc::channel();
    let lookup = name.clone();
    thread::Builder::new()
        .name("dns".into())
        .spawn(move || {
            let _ = tx.send(
                (lookup.as_str(), port)
                    .to_socket_addrs()
                    .map(Iterator::collect::<Vec<_>>),
            );
        })
        .map_err(|e| {
            Failure::new(
                Reason::DnsFailed,
                format!("could not start the resolver: {e}"),
            )
        })?;
    let wait = deadline
        .remaining()
        .map_err(|_| Failure::new(Reason::Timeout, format!("no time left to resolve {name}")))?;
    match rx.recv_timeout(wait) {
        Ok(Ok(addrs)) if !addrs.is_empty() => Ok(DnsFacts {
            addrs: dedup(addrs),
            literal: false,
        }),
        Ok(Ok(_)) => Err(Failure::new(
            Reason::DnsFailed,
            format!("{name} has no A or AAAA records"),
        )),
        Ok(Err(e)) => Err(Failure::new(
            Reason::DnsFailed,
            classify(&name, &e.to_string()),
        )),
        Err(_) => Err(Failure::new(
            Reason::Timeout,
            format!("the resolver did not answer for {name} within the deadline"),
        )),
    }
}

fn dedup(addrs: Vec<SocketAddr>) -> Vec<SocketAddr> {
    let mut out: Vec<SocketAddr> = Vec::with_capacity(addrs.len());
    for a in addrs {
        if !out.contains(&a) {
            out.push(a);
        }
    }
    out
}

fn classify(name: &str, err: &str) -> String {
    let lower = err.to_ascii_lowercase();
    if lower.contains("temporary failure") || lower.contains("try again") {
        format!("the resolver could not be reached or timed out for {name} (EAI_AGAIN)")
    } else if lower.contains("not known")
        || lower.contains("no address")
        || lower.contains("nodename")
    {
        format!("{name} does not exist in DNS (NXDOMAIN)")
    } else {
        format!("{name}: {err}")
    }
}
