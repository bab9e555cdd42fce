//! `cluster`: `CLUSTER INFO`, the topology the cluster announces (`CLUSTER SHARDS`, or
//! `CLUSTER SLOTS` before 7.0), and whether each announced node can be reached from here.
//!
//! A cluster client connects to the addresses the cluster announces, not to the one in the
//! URL: behind a tunnel, NAT or a configuration endpoint those may be unreachable.

use std::collections::HashSet;
use std::net::{IpAddr, SocketAddr};
use std::thread;
use std::time::{Duration, Instant};

use redis::Value;

use crate::config::CheckConfig;
use crate::conn::{Connection, server_error, text};
use crate::deadline::Deadline;
use crate::failure::Failure;
use crate::info::Info;
use crate::trust::Roots;
use crate::url::{Host, Target};

use super::session::{self, InfoError, SessionError};
use super::{dns, reach};

mod topology;

use topology::{parse_shards, parse_slots};

/// How many nodes are checked at once.
pub const PARALLEL_NODES: usize = 32;

/// How many announced nodes are dialled at most: Redis supports clusters of up to 1,000
/// nodes, and a hostile topology of tens of thousands must not make the check take minutes.
pub const MAX_DIALLED: usize = 1000;

/// A node as the cluster announces it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Node {
    /// Node id.
    pub id: String,
    /// Preferred endpoint: an IP, a host name, `""` (the address the client used) or `"?"`.
    pub endpoint: String,
    /// Plaintext client port.
    pub port: Option<u16>,
    /// TLS client port.
    pub tls_port: Option<u16>,
    /// `master` or `replica`.
    pub role: String,
    /// `online`, `failed` or `loading` (Redis ≥ 7), when reported.
    pub health: Option<String>,
}

/// A primary, its replicas and the slot ranges they serve.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Shard {
    /// Inclusive slot ranges.
    pub slots: Vec<(u16, u16)>,
    /// Primary and replicas.
    pub nodes: Vec<Node>,
}

/// What happened when we tried to reach one announced node.
#[derive(Debug, Clone)]
pub enum Reached {
    /// Connected (and, for TLS, the handshake completed) in this time; a note when the
    /// certificate would not verify but `--insecure` let it pass.
    Yes(Duration, Option<Failure>),
    /// Could not connect, or the handshake failed.
    No(Failure),
    /// Not tried, for this reason.
    NotTried(String),
    /// Not tried: the cluster itself marks the node failed.
    MarkedFailed,
}

impl Reached {
    /// Why a node was not dialled, when it was not.
    pub fn not_tried_why(&self) -> Option<&str> {
        match self {
            Reached::NotTried(why) => Some(why),
            Reached::MarkedFailed => Some("the cluster marks it failed"),
            Reached::Yes(..) | Reached::No(_) => None,
        }
    }
}

/// One announced node and whether it answered.
#[derive(Debug, Clone)]
pub struct NodeReach {
    /// `host:port` as a cluster client would dial it.
    pub address: String,
    /// `master` or `replica`.
    pub role: String,
    /// The outcome.
    pub reached: Reached,
}

/// What the cluster stage found.
#[derive(Debug, Clone, Default)]
pub struct ClusterFacts {
    /// `cluster_state`: `ok` or `fail`.
    pub state: Option<String>,
    /// `cluster_slots_assigned`.
    pub slots_assigned: Option<u32>,
    /// `cluster_slots_ok`.
    pub slots_ok: Option<u32>,
    /// `cluster_known_nodes`.
    pub known_nodes: Option<u32>,
    /// This node's id (`CLUSTER MYID`).
    pub my_id: Option<String>,
    /// The shards that serve slots.
    pub shards: Vec<Shard>,
    /// The announced nodes of those shards (at most [`MAX_DIALLED`]), tried.
    pub nodes: Vec<NodeReach>,
    /// Further distinct nodes announced beyond [`MAX_DIALLED`]: counted, not tried.
    pub over_cap: usize,
}

impl ClusterFacts {
    /// The slot ranges this node serves as a primary.
    pub fn my_slots(&self) -> Vec<(u16, u16)> {
        let Some(me) = &self.my_id else {
            return Vec::new();
        };
        self.shards
            .iter()
            .filter(|s| s.nodes.iter().any(|n| &n.id == me && n.role == "master"))
            .flat_map(|s| s.slots.iter().copied())
            .collect()
    }
}

/// Reads the cluster's state and topology over the open connection.
pub fn fetch(conn: &mut Connection) -> Result<ClusterFacts, InfoError> {
    let info_text = super::session::mask_fields(&call_text(conn, &["CLUSTER", "INFO"])?);
    let info = Info::parse(&info_text);
    let num = |k: &str| info.get(k).and_then(|v| v.parse().ok());
    let mut facts = ClusterFacts {
        state: info.get("cluster_state").map(str::to_string),
        slots_assigned: num("cluster_slots_assigned"),
        slots_ok: num("cluster_slots_ok"),
        known_nodes: num("cluster_known_nodes"),
        my_id: call_text(conn, &["CLUSTER", "MYID"]).ok(),
        ..ClusterFacts::default()
    };
    let reply = call(conn, &["CLUSTER", "SHARDS"])?;
    facts.shards = match server_error(&reply) {
        None => parse_shards(&reply),
        // CLUSTER SHARDS is new in 7.0; SLOTS carries the same endpoints.
        Some(_) => {
            let slots = call(conn, &["CLUSTER", "SLOTS"])?;
            if let Some((code, msg)) = server_error(&slots) {
                return Err(refusal(&code, &msg));
            }
            parse_slots(&slots)
        }
    };
    facts.shards.retain(|s| !s.slots.is_empty());
    Ok(facts)
}

/// Sends `args` as one command.
fn call(conn: &mut Connection, args: &[&str]) -> Result<Value, InfoError> {
    let mut cmd = redis::cmd(args[0]);
    for a in &args[1..] {
        cmd.arg(*a);
    }
    conn.call(&cmd)
        .map_err(|e| InfoError::Failed(SessionError::Wire(e)))
}

/// Sends `args` and expects a text reply; refusals become skips or failures.
fn call_text(conn: &mut Connection, args: &[&str]) -> Result<String, InfoError> {
    let reply = call(conn, args)?;
    if let Some((code, msg)) = server_error(&reply) {
        return Err(refusal(&code, &msg));
    }
    text(&reply).ok_or_else(|| {
        InfoError::Failed(SessionError::Server(Failure::new(
            crate::failure::Reason::Protocol,
            format!("{} was not answered with text", args.join(" ")),
        )))
    })
}

/// NOPERM (or a proxy that hides CLUSTER) skips the check; anything else is a failure.
fn refusal(code: &str, msg: &str) -> InfoError {
    let lower = msg.to_ascii_lowercase();
    if code == "NOPERM" || lower.contains("unknown command") || lower.contains("unknown subcommand")
    {
        InfoError::Forbidden(session::sanitize(msg))
    } else {
        InfoError::Failed(SessionError::Server(session::classify(code, msg, false)))
    }
}

/// Tries the nodes of the slot-serving shards, [`PARALLEL_NODES`] at a time, each within
/// `--connect-timeout`: each address once, at most [`MAX_DIALLED`] of them, none after the
/// deadline. Returns what was found and how many more nodes were left over the cap.
pub fn reach(
    facts: &ClusterFacts,
    t: &Target,
    roots: Option<&Roots>,
    cfg: &CheckConfig,
    deadline: Deadline,
) -> (Vec<NodeReach>, usize) {
    let mut seen = HashSet::new();
    let mut nodes: Vec<&Node> = Vec::new();
    let mut over_cap = 0;
    for node in facts.shards.iter().flat_map(|s| &s.nodes) {
        // One entry per address a client would dial (a node id may be announced twice).
        if !seen.insert(dial_key(node, t.tls)) {
            continue;
        }
        if nodes.len() < MAX_DIALLED {
            nodes.push(node);
        } else {
            over_cap += 1;
        }
    }
    let mut out = Vec::with_capacity(nodes.len());
    for chunk in nodes.chunks(PARALLEL_NODES) {
        if deadline.remaining().is_err() {
            out.extend(chunk.iter().map(|n| NodeReach {
                address: address(n, t),
                role: n.role.clone(),
                reached: Reached::NotTried("the --timeout ran out first".into()),
            }));
            continue;
        }
        thread::scope(|s| {
            // A thread that cannot start (a pids limit, `ulimit -v`) is dialled on this one.
            let handles: Vec<_> = chunk
                .iter()
                .map(|n| {
                    thread::Builder::new()
                        .name("cluster-node".into())
                        .spawn_scoped(s, || reach_one(n, t, roots, cfg, deadline))
                        .map_err(|_| *n)
                })
                .collect();
            out.extend(handles.into_iter().map(|h| match h {
                Ok(h) => h.join().expect("a node check panicked"),
                Err(n) => reach_one(n, t, roots, cfg, deadline),
            }));
        });
    }
    (out, over_cap)
}

/// What tells two announced nodes apart for dialling: the endpoint and the port used.
fn dial_key(node: &Node, tls: bool) -> (&str, Option<u16>) {
    (node.endpoint.as_str(), client_port(node, tls))
}

/// The port a client dials: the TLS port over TLS, else the plaintext one.
fn client_port(node: &Node, tls: bool) -> Option<u16> {
    if tls {
        node.tls_port.or(node.port)
    } else {
        node.port.or(node.tls_port)
    }
}

/// The host a client dials: an empty endpoint means "the address you used".
fn dial_host(node: &Node, t: &Target) -> String {
    if node.endpoint.is_empty() {
        t.host().map(Host::as_str).unwrap_or_default()
    } else {
        node.endpoint.clone()
    }
}

/// `host:port` as a cluster client would dial it.
fn address(node: &Node, t: &Target) -> String {
    let host = dial_host(node, t);
    match (client_port(node, t.tls), host.parse::<IpAddr>()) {
        (Some(p), Ok(IpAddr::V6(ip))) => format!("[{ip}]:{p}"),
        (Some(p), _) => format!("{host}:{p}"),
        (None, _) => host,
    }
}

/// Dials one announced node within `--connect-timeout`.
fn reach_one(
    node: &Node,
    t: &Target,
    roots: Option<&Roots>,
    cfg: &CheckConfig,
    deadline: Deadline,
) -> NodeReach {
    // An empty endpoint means "the address you used"; clients then keep the URL's host.
    let same_host = node.endpoint.is_empty();
    let host = dial_host(node, t);
    let port = client_port(node, t.tls);
    let address = address(node, t);
    let not_tried = |why: &str| NodeReach {
        address: address.clone(),
        role: node.role.clone(),
        reached: Reached::NotTried(why.to_string()),
    };
    if node.endpoint == "?" {
        return not_tried("the cluster does not know its address");
    }
    if node.health.as_deref() == Some("fail") {
        return NodeReach {
            reached: Reached::MarkedFailed,
            ..not_tried("")
        };
    }
    let Some(port) = port else {
        return not_tried("no client port announced");
    };
    let node_deadline = deadline.sooner(cfg.connect_timeout);
    let started = Instant::now();
    let host_kind = host
        .parse::<IpAddr>()
        .map_or_else(|_| Host::Name(host.clone()), Host::Ip);
    let reached = match dns::resolve(&host_kind, port, node_deadline) {
        Err(failure) => Reached::No(failure),
        Ok(found) => {
            let addr: SocketAddr = found.addrs[0];
            let mut settings = t.tls.then(|| reach::tls_settings(t, roots, cfg));
            if let Some(s) = settings.as_mut().filter(|_| !same_host) {
                // --sni names the URL's host through a tunnel; announced hosts are dialled as is.
                s.sni = None;
            }
            match reach::transport(&host, addr, settings.as_ref(), cfg, node_deadline) {
                Ok((_, tls)) => {
                    Reached::Yes(started.elapsed(), tls.and_then(|f| f.verification.err()))
                }
                Err(failure) => Reached::No(failure),
            }
        }
    };
    NodeReach {
        address,
        role: node.role.clone(),
        reached,
    }
}

/// The hash slot of a key, as a cluster client computes it (CRC16/XMODEM, hash tags honoured).
pub fn key_slot(key: &[u8]) -> u16 {
    let hashed = key
        .iter()
        .position(|&b| b == b'{')
        .and_then(|open| {
            let close = key[open + 1..].iter().position(|&b| b == b'}')?;
            (close > 0).then(|| &key[open + 1..open + 1 + close])
        })
        .unwrap_or(key);
    crc16(hashed) % 16384
}

/// CRC16/XMODEM, the checksum the cluster hashes keys with.
fn crc16(data: &[u8]) -> u16 {
    let mut crc: u16 = 0;
    for &b in data {
        crc ^= u16::from(b) << 8;
        for _ in 0..8 {
            crc = if crc & 0x8000 == 0 {
                crc << 1
            } else {
                (crc << 1) ^ 0x1021
            };
        }
    }
    crc
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_match_the_cluster_spec() {
        assert_eq!(crc16(b"123456789"), 0x31C3);
        assert_eq!(key_slot(b"foo"), 12182);
        assert_eq!(key_slot(b"{user1000}.following"), key_slot(b"user1000"));
        assert_eq!(key_slot(b"foo{}{bar}"), key_slot(b"foo{}{bar}"));
        assert_ne!(
            key_slot(b"foo{}{bar}"),
            key_slot(b"bar"),
            "an empty tag hashes the whole key"
        );
    }
}
