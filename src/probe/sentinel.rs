//! `sentinel`: what a Sentinel-aware client does before its first command. Every Sentinel of
//! the URL is asked at once (dns, tcp, tls, auth, PING, then `SENTINEL get-master-addr-by-name`,
//! `master`, `ckquorum`, `replicas`, `sentinels`, `masters`); the address most of them announce
//! is the master the rest of the check runs against; the replicas they know are dialled too.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::thread;
use std::time::{Duration, Instant};

use redis::Value;

use crate::config::CheckConfig;
use crate::conn::{Connection, server_error, text};
use crate::deadline::Deadline;
use crate::failure::{Failure, Reason};
use crate::trust::Roots;
use crate::url::sentinel::SentinelSpec;
use crate::url::{Host, Target};

use super::session::{self, SessionError};
use super::{dns, reach, wire_failure};

mod replies;

use self::replies::{flags, list, pairs, peers, strings};

/// A server met along the way: `host:port` as announced, and the flags a Sentinel gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Peer {
    /// `host:port`.
    pub address: String,
    /// Host as announced.
    pub host: String,
    /// Port as announced.
    pub port: u16,
    /// Sentinel flags (`slave`, `s_down`, `disconnected`…).
    pub flags: Vec<String>,
}

/// The master's state as one Sentinel sees it (`SENTINEL master NAME`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MasterState {
    /// `master`, `s_down`, `o_down`, `failover_in_progress`…
    pub flags: Vec<String>,
    /// Sentinels needed to agree the master is down.
    pub quorum: Option<u32>,
    /// Replicas it knows.
    pub num_slaves: Option<u32>,
    /// Other Sentinels it knows.
    pub num_other_sentinels: Option<u32>,
    /// `failover-state` while a failover runs.
    pub failover_state: Option<String>,
}

/// What one Sentinel answered.
#[derive(Debug, Clone, Default)]
pub struct SentinelView {
    /// PING round trip.
    pub rtt: Duration,
    /// Whether the connection uses TLS.
    pub tls: bool,
    /// Whether AUTH was sent.
    pub authenticated: bool,
    /// The master address it announces for the name; `None` when it does not know the name.
    pub master: Option<(String, u16)>,
    /// `SENTINEL master NAME`.
    pub state: Option<MasterState>,
    /// `SENTINEL ckquorum NAME`: `Ok(text)` or `Err(error text)`.
    pub ckquorum: Option<Result<String, String>>,
    /// `SENTINEL replicas NAME`.
    pub replicas: Vec<Peer>,
    /// `SENTINEL sentinels NAME`: the other Sentinels it knows.
    pub sentinels: Vec<Peer>,
    /// `SENTINEL masters`: every name it monitors, with its address.
    pub monitored: Vec<(String, String)>,
}

/// One Sentinel of the URL.
#[derive(Debug, Clone)]
pub struct SentinelNode {
    /// `host:port` as given.
    pub address: String,
    /// Its answers, or the stage it failed at (`dns`, `tcp`, `tls`, `auth`, `sentinel`).
    pub result: Result<SentinelView, (&'static str, Failure)>,
}

/// A replica the Sentinels announce, dialled.
#[derive(Debug, Clone)]
pub struct ReplicaNode {
    /// As announced.
    pub peer: Peer,
    /// Connect + auth + `ROLE`: the round trip and the role it reports, or why not.
    pub reached: Result<(Duration, String), Failure>,
}

/// What the Sentinel stage found.
#[derive(Debug, Clone)]
pub struct SentinelFacts {
    /// The master name asked for.
    pub master_name: String,
    /// Every Sentinel of the URL, in order.
    pub nodes: Vec<SentinelNode>,
    /// The address most answering Sentinels announce, and which announced it.
    pub master: Option<Announced>,
    /// The replicas the Sentinels announce, dialled.
    pub replicas: Vec<ReplicaNode>,
    /// Further replicas announced beyond the number redcheck dials, not tried.
    pub replicas_over_cap: usize,
}

/// The master address a client would use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Announced {
    /// Host as announced.
    pub host: String,
    /// Port as announced.
    pub port: u16,
    /// The Sentinels (as given in the URL) that announced it.
    pub by: Vec<String>,
}

impl Announced {
    /// `host:port`, IPv6 in brackets.
    pub fn address(&self) -> String {
        join(&self.host, self.port)
    }
}

/// Asks every Sentinel at once, each within `--connect-timeout` for its connection.
pub fn query(
    spec: &SentinelSpec,
    t: &Target,
    roots: Option<&Roots>,
    cfg: &CheckConfig,
    deadline: Deadline,
) -> SentinelFacts {
    let nodes: Vec<SentinelNode> = thread::scope(|s| {
        let handles: Vec<_> = spec
            .nodes
            .iter()
            .map(|(host, port)| s.spawn(move || ask(host, *port, spec, t, roots, cfg, deadline)))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("a Sentinel query panicked"))
            .collect()
    });
    let master = majority(&nodes);
    SentinelFacts {
        master_name: spec.master.clone(),
        nodes,
        master,
        replicas: Vec::new(),
        replicas_over_cap: 0,
    }
}

/// The address most answering Sentinels announce (ties: the first Sentinel's).
fn majority(nodes: &[SentinelNode]) -> Option<Announced> {
    let mut votes: BTreeMap<(String, u16), Vec<String>> = BTreeMap::new();
    let mut order = Vec::new();
    for n in nodes {
        if let Ok(SentinelView {
            master: Some(addr), ..
        }) = &n.result
        {
            if !votes.contains_key(addr) {
                order.push(addr.clone());
            }
            votes
                .entry(addr.clone())
                .or_default()
                .push(n.address.clone());
        }
    }
    let best = order
        .iter()
        .max_by(|a, b| {
            votes[*a]
                .len()
                .cmp(&votes[*b].len())
                // max_by keeps the last of equals: rank earlier ones higher.
                .then_with(|| {
                    let pa = order.iter().position(|x| x == *a);
                    let pb = order.iter().position(|x| x == *b);
                    pb.cmp(&pa)
                })
        })?
        .clone();
    Some(Announced {
        by: votes[&best].clone(),
        host: best.0,
        port: best.1,
    })
}

fn ask(
    host: &Host,
    port: u16,
    spec: &SentinelSpec,
    t: &Target,
    roots: Option<&Roots>,
    cfg: &CheckConfig,
    deadline: Deadline,
) -> SentinelNode {
    SentinelNode {
        address: format!("{host}:{port}"),
        result: ask_one(host, port, spec, t, roots, cfg, deadline),
    }
}

fn ask_one(
    host: &Host,
    port: u16,
    spec: &SentinelSpec,
    t: &Target,
    roots: Option<&Roots>,
    cfg: &CheckConfig,
    deadline: Deadline,
) -> Result<SentinelView, (&'static str, Failure)> {
    let node_deadline = deadline.sooner(cfg.connect_timeout.saturating_mul(2));
    let found = dns::resolve(host, port, node_deadline).map_err(|f| ("dns", f))?;
    let addr: SocketAddr = found.addrs[0];
    let settings = t.tls.then(|| reach::tls_settings(t, roots, cfg));
    let (transport, _) =
        reach::transport(&host.as_str(), addr, settings.as_ref(), cfg, node_deadline).map_err(
            |f| {
                let stage = if t.tls && !matches!(f.reason, Reason::Refused | Reason::Timeout) {
                    "tls"
                } else {
                    "tcp"
                };
                (stage, f)
            },
        )?;
    let mut conn = Connection::new(transport, node_deadline);
    let mut view = SentinelView {
        tls: t.tls,
        ..SentinelView::default()
    };
    let wire = |stage: &'static str| move |e| (stage, wire_failure(&e));
    if let Some(pw) = &spec.password {
        let mut cmd = redis::cmd("AUTH");
        if let Some(user) = &spec.username {
            cmd.arg(user);
        }
        cmd.arg(pw.expose());
        let reply = conn.call(&cmd).map_err(wire("auth"))?;
        if let Some((code, msg)) = server_error(&reply) {
            return Err((
                "auth",
                session::classify(&code, &msg, spec.username.is_some()),
            ));
        }
        view.authenticated = true;
    }
    let ping = Instant::now();
    let reply = conn.call(&redis::cmd("PING")).map_err(wire("auth"))?;
    view.rtt = ping.elapsed();
    if let Some((code, msg)) = server_error(&reply) {
        return Err(("auth", session::classify(&code, &msg, false)));
    }
    let name = spec.master.as_str();
    let reply = sentinel(&mut conn, &["get-master-addr-by-name", name])?;
    let parts = strings(&reply);
    view.master = match parts.as_slice() {
        [h, p] => p.parse().ok().map(|p| (h.clone(), p)),
        _ => None,
    };
    view.monitored = monitored(&mut conn);
    if view.master.is_none() {
        return Ok(view);
    }
    let state = pairs(&sentinel(&mut conn, &["master", name])?);
    let num = |k: &str| state.get(k).and_then(|v| v.parse().ok());
    view.state = Some(MasterState {
        flags: flags(state.get("flags")),
        quorum: num("quorum"),
        num_slaves: num("num-slaves"),
        num_other_sentinels: num("num-other-sentinels"),
        failover_state: state.get("failover-state").cloned(),
    });
    let ck = sentinel(&mut conn, &["ckquorum", name])?;
    view.ckquorum = Some(match server_error(&ck) {
        Some((_, msg)) => Err(session::sanitize(&msg)),
        None => Ok(session::sanitize(&text(&ck).unwrap_or_default())),
    });
    view.replicas = peers(&sentinel(&mut conn, &["replicas", name])?);
    view.sentinels = peers(&sentinel(&mut conn, &["sentinels", name])?);
    Ok(view)
}

/// Sends `SENTINEL args…`; a server that does not know SENTINEL is not a Sentinel.
fn sentinel(conn: &mut Connection, args: &[&str]) -> Result<Value, (&'static str, Failure)> {
    let mut cmd = redis::cmd("SENTINEL");
    for a in args {
        cmd.arg(*a);
    }
    let reply = conn
        .call(&cmd)
        .map_err(|e| ("sentinel", wire_failure(&e)))?;
    match server_error(&reply) {
        Some((_, msg)) if msg.to_ascii_lowercase().contains("unknown command") => Err((
            "sentinel",
            Failure::from_server(
                Reason::Protocol,
                format!(
                    "not a Sentinel: SENTINEL is an unknown command here ({})",
                    session::sanitize(&msg)
                ),
            ),
        )),
        Some((code, msg))
            if matches!(code.as_str(), "NOAUTH" | "NOPERM" | "WRONGPASS")
                && args[0] != "ckquorum" =>
        {
            Err(("auth", session::classify(&code, &msg, false)))
        }
        Some((_, msg)) if args[0] != "ckquorum" && args[0] != "get-master-addr-by-name" => Err((
            "sentinel",
            Failure::from_server(
                Reason::Protocol,
                format!("SENTINEL {}: {}", args[0], session::sanitize(&msg)),
            ),
        )),
        _ => Ok(reply),
    }
}

/// The names a Sentinel monitors and their addresses (`SENTINEL masters`), over a connection
/// opened as if to a data node.
pub fn monitored(conn: &mut Connection) -> Vec<(String, String)> {
    let Ok(reply) = sentinel(conn, &["masters"]) else {
        return Vec::new();
    };
    list(&reply)
        .iter()
        .filter_map(|m| {
            let kv = pairs(m);
            let addr = match (kv.get("ip"), kv.get("port").and_then(|p| p.parse().ok())) {
                (Some(h), Some(p)) => join(h, p),
                _ => String::new(),
            };
            Some((kv.get("name")?.clone(), addr))
        })
        .collect()
}

/// Dials every replica at once: connect, authenticate as the data nodes do, `ROLE`.
pub fn dial_replicas(
    peers: &[Peer],
    t: &Target,
    roots: Option<&Roots>,
    cfg: &CheckConfig,
    deadline: Deadline,
) -> Vec<ReplicaNode> {
    let one = |p: &Peer| ReplicaNode {
        peer: p.clone(),
        reached: dial(&p.host, p.port, t, roots, cfg, deadline),
    };
    let mut out = Vec::with_capacity(peers.len());
    // As many at once as the cluster check dials; a thread that cannot start is dialled here.
    for chunk in peers.chunks(crate::probe::cluster::PARALLEL_NODES) {
        thread::scope(|s| {
            let handles: Vec<_> = chunk
                .iter()
                .map(|p| {
                    thread::Builder::new()
                        .name("replica".into())
                        .spawn_scoped(s, move || one(p))
                        .map_err(|_| p)
                })
                .collect();
            out.extend(handles.into_iter().map(|h| match h {
                Ok(h) => h.join().expect("a replica check panicked"),
                Err(p) => one(p),
            }));
        });
    }
    out
}

/// Connects to a data node, authenticates with the URL's credentials and asks its `ROLE`.
pub fn dial(
    host: &str,
    port: u16,
    t: &Target,
    roots: Option<&Roots>,
    cfg: &CheckConfig,
    deadline: Deadline,
) -> Result<(Duration, String), Failure> {
    let node_deadline = deadline.sooner(cfg.connect_timeout.saturating_mul(2));
    let started = Instant::now();
    let host_kind = host_of(host);
    let node = t.at(host_kind.clone(), port);
    let found = dns::resolve(&host_kind, port, node_deadline)?;
    let settings = t.tls.then(|| reach::tls_settings(&node, roots, cfg));
    let (transport, _) =
        reach::transport(host, found.addrs[0], settings.as_ref(), cfg, node_deadline)?;
    let mut conn = Connection::new(transport, node_deadline);
    session::authenticate(&mut conn, &node).map_err(|e| match e {
        SessionError::Server(f) => f,
        SessionError::Wire(w) => wire_failure(&w),
    })?;
    let reply = conn
        .call(&redis::cmd("ROLE"))
        .map_err(|e| wire_failure(&e))?;
    if let Some((code, msg)) = server_error(&reply) {
        return Err(session::classify(&code, &msg, false));
    }
    let role = list(&reply)
        .first()
        .and_then(text)
        .unwrap_or_else(|| "unknown".into());
    Ok((started.elapsed(), role))
}

/// A host as announced: an IP literal or a name.
pub fn host_of(s: &str) -> Host {
    s.parse()
        .map_or_else(|_| Host::Name(s.to_ascii_lowercase()), Host::Ip)
}

/// `host:port`, IPv6 in brackets.
pub fn join(host: &str, port: u16) -> String {
    if host.contains(':') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(address: &str, master: Option<(&str, u16)>) -> SentinelNode {
        SentinelNode {
            address: address.into(),
            result: Ok(SentinelView {
                master: master.map(|(h, p)| (h.to_string(), p)),
                ..SentinelView::default()
            }),
        }
    }

    #[test]
    fn the_majority_address_wins_and_ties_go_to_the_first() {
        let nodes = [
            node("s1", Some(("10.0.0.1", 6379))),
            node("s2", Some(("10.0.0.2", 6379))),
            node("s3", Some(("10.0.0.2", 6379))),
            node("s4", None),
        ];
        let m = majority(&nodes).unwrap();
        assert_eq!(
            (m.address(), m.by),
            ("10.0.0.2:6379".into(), vec!["s2".into(), "s3".into()])
        );
        let tie = majority(&nodes[..2]).unwrap();
        assert_eq!(tie.address(), "10.0.0.1:6379");
        assert_eq!(majority(&nodes[3..]), None);
    }
}
