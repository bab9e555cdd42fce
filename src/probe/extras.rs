//! The stages after INFO: `cluster` (when the server is one), `pubsub`, and the opt-in `write`.

use std::hash::{BuildHasher, Hasher};
use std::time::Instant;

use crate::config::CheckConfig;
use crate::conn::Connection;
use crate::deadline::Deadline;
use crate::trust::Roots;
use crate::url::Target;

use super::pubsub::{self, PubsubError};
use super::session::{InfoError, SessionError};
use super::{Findings, Stage, cluster, reach, wire_failure, write};

/// Runs the stages the command asked for, in order, on the open connection.
pub fn run(
    f: &mut Findings,
    t: &Target,
    conn: &mut Connection,
    roots: Option<&Roots>,
    cfg: &CheckConfig,
    deadline: Deadline,
    on_stage: &(dyn Fn(&'static str) + Sync),
) {
    let not_asked = "not part of this command";
    if !cfg.extras.cluster {
        f.cluster = Stage::skipped(not_asked);
    } else if is_cluster(f) {
        on_stage("cluster");
        let started = Instant::now();
        f.cluster = match cluster::fetch(conn) {
            Ok(mut facts) => {
                facts.nodes = cluster::reach(&facts, t, roots, cfg, deadline);
                Stage::done(facts, started.elapsed())
            }
            Err(InfoError::Forbidden(why)) => {
                Stage::skipped(format!("CLUSTER is not allowed: {why}"))
            }
            Err(InfoError::Failed(e)) => Stage::failed(session_failure(e), started.elapsed()),
        };
    } else {
        f.cluster = Stage::skipped("cluster mode is off");
    }

    if cfg.extras.pubsub {
        on_stage("pubsub");
        let started = Instant::now();
        f.pubsub = match reach::session(f, t, roots, cfg, deadline) {
            Err(failure) => Stage::failed(failure, started.elapsed()),
            Ok((mut subscriber, auth)) => {
                let channel = format!("redcheck:pubsub:{}", random_token());
                match pubsub::round_trip(conn, &mut subscriber, &channel, auth.protocol, deadline) {
                    Ok(facts) => Stage::done(facts, started.elapsed()),
                    Err(PubsubError::Forbidden(why)) => {
                        Stage::skipped(format!("pub/sub is not allowed: {why}"))
                    }
                    Err(PubsubError::Failed(failure)) => Stage::failed(failure, started.elapsed()),
                }
            }
        };
    } else {
        f.pubsub = Stage::skipped(not_asked);
    }

    if cfg.extras.write {
        on_stage("write");
        let started = Instant::now();
        let key = probe_key(f);
        f.write = match write::probe(conn, &key, &random_token()) {
            Ok(facts) => Stage::done(facts, started.elapsed()),
            Err(e) => Stage::failed(session_failure(e), started.elapsed()),
        };
    } else {
        f.write = Stage::skipped(not_asked);
    }
}

/// INFO's `cluster_enabled`, or HELLO's `mode` when the ACL forbids INFO.
fn is_cluster(f: &Findings) -> bool {
    match f.info.facts() {
        Some(info) => info.get("cluster_enabled") == Some("1"),
        None => f.auth.facts().is_some_and(|a| {
            a.hello_fields
                .iter()
                .any(|(k, v)| k == "mode" && v == "cluster")
        }),
    }
}

/// A key in a slot this node serves, so a cluster node does not answer MOVED.
fn probe_key(f: &Findings) -> String {
    let mine = f.cluster.facts().map(cluster::ClusterFacts::my_slots);
    loop {
        let key = format!("redcheck:probe:{}", random_token());
        let slot = cluster::key_slot(key.as_bytes());
        match &mine {
            Some(ranges) if !ranges.is_empty() => {
                if ranges.iter().any(|(a, b)| (*a..=*b).contains(&slot)) {
                    return key;
                }
            }
            _ => return key,
        }
    }
}

/// A session error as a classified failure.
fn session_failure(e: SessionError) -> crate::failure::Failure {
    match e {
        SessionError::Server(failure) => failure,
        SessionError::Wire(wire) => wire_failure(&wire),
    }
}

/// 64 random bits in hex, from the standard library's randomly seeded hasher.
pub fn random_token() -> String {
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos()),
    );
    format!("{:016x}", h.finish())
}
