//! The stages after INFO: `config` (read-only `CONFIG GET`), `cluster` (when the server is
//! one), the `keyspace` sample, `connections` (CLIENT LIST), `pubsub`, and the opt-in `write`.

use std::hash::{BuildHasher, Hasher};
use std::time::{Duration, Instant};

use crate::config::CheckConfig;
use crate::conn::Connection;
use crate::deadline::Deadline;
use crate::url::Target;

use super::keyspace::{self, Limits, Named, SampleError};
use super::pipeline::{self, Subscribed, Subscriber};
use super::pubsub::{self, PubsubError};
use super::session::{self, InfoError, SessionError};
use super::{Findings, Outcome, ProbeCtx, Stage, cluster, connections, reach, wire_failure, write};

/// Runs the stages the command asked for, in order, on the open connection. `subscriber` is
/// the pub/sub connection when it was opened ahead (`pipeline::Subscriber`).
pub fn run(
    f: &mut Findings,
    t: &Target,
    conn: &mut Connection,
    ctx: ProbeCtx<'_>,
    subscriber: Option<Subscriber>,
) {
    let ProbeCtx {
        cfg,
        roots,
        deadline,
        on_stage,
    } = ctx;
    let not_asked = "not part of this command";
    if cfg.extras.config {
        on_stage("config");
        let started = Instant::now();
        f.config = match session::read_config(conn) {
            Ok(facts) => Stage::done(facts, started.elapsed()),
            Err(InfoError::Forbidden(why)) => {
                Stage::forbidden(format!("CONFIG GET is not allowed: {why}"))
            }
            Err(InfoError::Failed(e)) => Stage::failed(session_failure(e), started.elapsed()),
        };
    } else {
        f.config = Stage::not_asked(not_asked);
    }
    // DBSIZE and the first SCAN came in the first flight, after CONFIG GET.
    let named = sample_names(f, t, conn, cfg, deadline, on_stage);
    if !cfg.extras.cluster {
        f.cluster = Stage::not_asked(not_asked);
    } else if is_cluster(f) {
        on_stage("cluster");
        let started = Instant::now();
        f.cluster = match cluster::fetch(conn) {
            Ok(mut facts) => {
                (facts.nodes, facts.over_cap) = cluster::reach(&facts, t, roots, cfg, deadline);
                Stage::done(facts, started.elapsed())
            }
            Err(InfoError::Forbidden(why)) => {
                Stage::forbidden(format!("CLUSTER is not allowed: {why}"))
            }
            Err(InfoError::Failed(e)) => Stage::failed(session_failure(e), started.elapsed()),
        };
    } else {
        f.cluster = Stage::not_applicable("cluster mode is off");
    }

    // The sample's TYPE/PTTL reads, CLIENT LIST and the PUBLISH share a round trip when the
    // subscriber is ready by then (over a slow path it has been opening since the login).
    let mut pending = subscriber;
    let joined = pending
        .take_if(|s| s.ready_within(wait_for_subscriber(f, deadline)))
        .map(|s| (s.channel.clone(), s.join()));
    let mut flight = named.as_ref().map(|(n, _)| n.reads()).unwrap_or_default();
    let publish = match &joined {
        Some((channel, Ok(sub))) if matches!(sub.subscribed, Ok(None)) && lists_clients(f, cfg) => {
            flight.extend([pipeline::client_list(), pubsub::publish_cmd(channel)]);
            true
        }
        _ => false,
    };
    let at = Instant::now();
    // A failed write shows again, and is judged, at the first read.
    let sent = conn.send_ahead(&flight).is_ok();
    let published = (publish && sent).then_some(at);
    sample_finish(f, conn, named);
    clients(f, conn, cfg, on_stage);

    if cfg.extras.pubsub {
        on_stage("pubsub");
        let started = Instant::now();
        let (channel, opened) = match (joined, pending) {
            (Some(joined), _) => joined,
            (None, Some(s)) => (s.channel.clone(), s.join()),
            (None, None) => {
                let channel = self::channel();
                let opened = reach::session(f, t, roots, cfg, deadline).map(|(mut conn, auth)| {
                    let subscribed = pubsub::subscribe(&mut conn, &channel);
                    Subscribed {
                        conn,
                        auth,
                        id: None,
                        subscribed,
                    }
                });
                (channel, opened)
            }
        };
        // The subscriber may have been open when CLIENT LIST was read: it is redcheck's own.
        if let (Ok(Subscribed { id: Some(id), .. }), Outcome::Done(facts)) =
            (&opened, &mut f.connections.outcome)
        {
            facts.clients.retain(|c| c.id != *id);
        }
        f.pubsub = match opened {
            Err(failure) => Stage::failed(failure, started.elapsed()),
            Ok(Subscribed {
                conn: mut subscriber,
                auth,
                subscribed,
                ..
            }) => {
                let result = subscribed.and_then(|refusal| match refusal {
                    Some(result) => Ok(pubsub::PubsubFacts {
                        channel: channel.clone(),
                        protocol: auth.protocol,
                        result,
                    }),
                    None => pubsub::deliver(
                        conn,
                        &mut subscriber,
                        &channel,
                        auth.protocol,
                        deadline,
                        published,
                    ),
                });
                match result {
                    Ok(facts) => Stage::done(facts, started.elapsed()),
                    Err(PubsubError::Forbidden(why)) => {
                        Stage::forbidden(format!("pub/sub is not allowed: {why}"))
                    }
                    Err(PubsubError::Failed(failure, step)) => Stage {
                        outcome: Outcome::Failed(
                            failure,
                            Some(Box::new(pubsub::PubsubFacts {
                                channel,
                                protocol: auth.protocol,
                                result: pubsub::Delivery::Broken(step),
                            })),
                        ),
                        took: started.elapsed(),
                    },
                }
            }
        };
    } else {
        f.pubsub = Stage::not_asked(not_asked);
    }

    if cfg.extras.write {
        on_stage("write");
        let started = Instant::now();
        let mine = f.cluster.facts().map(cluster::ClusterFacts::my_slots);
        let (key, note) = probe_key(mine.as_deref(), deadline);
        f.write = match write::probe(conn, &key, &random_token()) {
            Ok(facts) => Stage::done(write::WriteFacts { note, ..facts }, started.elapsed()),
            Err(e) => Stage::failed(session_failure(e), started.elapsed()),
        };
    } else {
        f.write = Stage::not_asked(not_asked);
    }
}

/// The keyspace sample's names (`keyspace::names`) of the URL's database, within
/// `--sample-keys` and `--sample-budget`, with how long they took; the stage is set here when
/// there is no sample to finish.
fn sample_names(
    f: &mut Findings,
    t: &Target,
    conn: &mut Connection,
    cfg: &CheckConfig,
    deadline: Deadline,
    on_stage: &(dyn Fn(&'static str) + Sync),
) -> Option<(Named, Duration)> {
    let n = match cfg.extras.sample_keys {
        None => {
            f.keyspace = Stage::not_asked("not part of this command");
            return None;
        }
        Some(0) => {
            f.keyspace = Stage::not_asked("turned off (--sample-keys 0)");
            return None;
        }
        Some(n) => n,
    };
    on_stage("keyspace");
    let started = Instant::now();
    let limits = Limits {
        keys: n,
        read: Some(cfg.extras.sample_read),
        budget: cfg.extras.sample_budget,
        ..Limits::default()
    };
    match keyspace::names(conn, t.db, &limits, deadline, &|_| {}) {
        Ok(named) => Some((named, started.elapsed())),
        Err(e) => {
            f.keyspace = sample_failed(e, started.elapsed());
            None
        }
    }
}

/// The sample's TYPE/PTTL reads (sent ahead by the caller) and its analysis.
/// The stage's time leaves out what ran between the names and the reads (the cluster stage).
fn sample_finish(f: &mut Findings, conn: &mut Connection, named: Option<(Named, Duration)>) {
    if let Some((named, took)) = named {
        let started = Instant::now();
        f.keyspace = match named.finish(conn) {
            Ok(s) => Stage::done(s, took + started.elapsed()),
            Err(e) => sample_failed(e, took + started.elapsed()),
        };
    }
}

fn sample_failed(e: SampleError, took: Duration) -> Stage<keyspace::Sample> {
    match e {
        SampleError::Forbidden(why) => Stage::forbidden(format!(
            "the keyspace sample needs SCAN, TYPE, PTTL and DBSIZE, which are not allowed: {why}"
        )),
        SampleError::Failed(e) => Stage::failed(session_failure(e), took),
    }
}

/// `CLIENT LIST`, unless INFO counts more connections than it is worth listing.
fn clients(
    f: &mut Findings,
    conn: &mut Connection,
    cfg: &CheckConfig,
    on_stage: &(dyn Fn(&'static str) + Sync),
) {
    if !cfg.extras.connections {
        f.connections = Stage::not_asked("not part of this command");
        return;
    }
    let connected = connected(f);
    if let Some(n) = connected.filter(|n| *n > connections::MAX_CONNECTIONS) {
        f.connections = Stage::not_applicable(format!(
            "{n} connections: CLIENT LIST is not sent above {} (its reply would be megabytes)",
            connections::MAX_CONNECTIONS
        ));
        return;
    }
    on_stage("connections");
    let started = Instant::now();
    f.connections = match connections::fetch(conn) {
        Ok(facts) => Stage::done(facts, started.elapsed()),
        Err(InfoError::Forbidden(why)) => {
            Stage::forbidden(format!("CLIENT LIST is not allowed: {why}"))
        }
        Err(InfoError::Failed(e)) => Stage::failed(session_failure(e), started.elapsed()),
    };
}

/// INFO's count of connected clients.
fn connected(f: &Findings) -> Option<u64> {
    f.info.facts().and_then(|i| i.clients().connected)
}

/// Whether [`clients`] will send `CLIENT LIST`.
fn lists_clients(f: &Findings, cfg: &CheckConfig) -> bool {
    cfg.extras.connections && connected(f).is_none_or(|n| n <= connections::MAX_CONNECTIONS)
}

/// How long CLIENT LIST waits for the subscriber to share its round trip with the PUBLISH: two
/// median PING round trips and a little (a subscriber that is late is one TLS handshake or one
/// login behind; waiting for it never costs more than not, short of a hung one), and not at all
/// when the deadline is near.
fn wait_for_subscriber(f: &Findings, deadline: Deadline) -> Duration {
    let mut samples = f.ping.facts().cloned().unwrap_or_default();
    samples.sort();
    let rtt = samples.get(samples.len() / 2).copied().unwrap_or_default();
    let wait = rtt * 2 + Duration::from_millis(5);
    match deadline.remaining() {
        Ok(left) if left > wait + rtt * 4 => wait,
        _ => Duration::ZERO,
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

/// How many random keys to try for one in this node's slots; a range of a single slot is hit
/// within this many draws all but once in e^6.
const MAX_KEY_DRAWS: u32 = 100_000;

/// A key in a slot this node serves, so a cluster node does not answer MOVED. When none turns
/// up within [`MAX_KEY_DRAWS`] draws or the deadline, any key, with a note that says so.
fn probe_key(mine: Option<&[(u16, u16)]>, deadline: Deadline) -> (String, Option<String>) {
    let draw = || format!("redcheck:probe:{}", random_token());
    let Some(ranges) = mine.filter(|r| !r.is_empty()) else {
        return (draw(), None);
    };
    for n in 0..MAX_KEY_DRAWS {
        if n % 1024 == 0 && deadline.remaining().is_err() {
            break;
        }
        let key = draw();
        let slot = cluster::key_slot(key.as_bytes());
        if ranges.iter().any(|(a, b)| (*a..=*b).contains(&slot)) {
            return (key, None);
        }
    }
    (
        draw(),
        Some("no key hashing into this node's announced slots was found; the probe key may be redirected (MOVED)".into()),
    )
}

/// A session error as a classified failure.
fn session_failure(e: SessionError) -> crate::failure::Failure {
    match e {
        SessionError::Server(failure) => failure,
        SessionError::Wire(wire) => wire_failure(&wire),
    }
}

/// A fresh pub/sub channel no application listens on.
pub fn channel() -> String {
    format!("redcheck:pubsub:{}", random_token())
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    const LONG: Duration = Duration::from_secs(30);

    #[test]
    fn the_probe_key_hashes_into_this_nodes_slots() {
        let (key, note) = probe_key(Some(&[(100, 200)]), Deadline::after(LONG));
        assert!(
            (100..=200).contains(&cluster::key_slot(key.as_bytes())),
            "{key}"
        );
        assert_eq!(note, None);
        assert_eq!(probe_key(None, Deadline::after(LONG)).1, None);
        assert_eq!(probe_key(Some(&[]), Deadline::after(LONG)).1, None);
    }

    #[test]
    fn slots_no_key_hashes_into_end_the_search_with_a_note() {
        for hostile in [[(20_000, 30_000)], [(500, 400)]] {
            let (key, note) = probe_key(Some(&hostile), Deadline::after(LONG));
            assert!(key.starts_with("redcheck:probe:"));
            assert!(note.is_some_and(|n| n.contains("MOVED")));
        }
    }

    #[test]
    fn the_search_stops_at_the_deadline() {
        let started = std::time::Instant::now();
        let (_, note) = probe_key(Some(&[(20_000, 30_000)]), Deadline::after(Duration::ZERO));
        assert!(note.is_some());
        assert!(started.elapsed() < Duration::from_millis(50));
    }
}
