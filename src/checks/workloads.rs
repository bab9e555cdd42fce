//! Verdicts from the keyspace sample (`workloads`, and the eviction policy judged against
//! what was seen) and from `CLIENT LIST` (`connections`).

use serde_json::{Value, json};

use super::{check, skipped, timed};
use crate::keyspace::{Analysis, Namespace, Use};
use crate::probe::keyspace::Sample;
use crate::probe::{Findings, Outcome};
use crate::report::{Check, Status};
use crate::text::{grouped, plural};

/// A cache namespace with more than this share of keys without TTL is worth a warning.
const NO_TTL_WARN_PERCENT: u64 = 10;
/// How many namespaces the summary names.
const SHOWN: usize = 4;
/// How many namespaces `data` lists.
const LISTED: usize = 25;

/// The sample, when one was taken and found keys.
pub fn seen(f: &Findings) -> Option<&Sample> {
    f.keyspace.facts().filter(|s| !s.keys.is_empty())
}

/// `1,000 of ~1,000,000 keys` or `12 keys` (every key seen).
fn sampled_words(s: &Sample) -> String {
    if s.analysis.is_estimate() {
        format!(
            "{} of ~{} keys sampled",
            grouped(s.analysis.sampled),
            grouped(s.analysis.total)
        )
    } else {
        let n = s.analysis.sampled;
        format!(
            "all {} {} sampled",
            grouped(n),
            if n == 1 { "key" } else { "keys" }
        )
    }
}

/// `workloads`: the namespaces the sample found, what each is used for, and the checklist
/// items they fail: TTLs on cache keys, sessions and rate-limit counters; a queue next to a cache.
pub fn workloads(f: &Findings) -> Check {
    let s = match &f.keyspace.outcome {
        Outcome::Done(s) => s,
        Outcome::Skipped(why) => return skipped("workloads", why),
        Outcome::Failed(failure, _) => {
            return timed(
                super::failed("workloads", failure, None, serde_json::Map::new()),
                &f.keyspace,
            );
        }
    };
    let a = &s.analysis;
    if a.namespaces.is_empty() {
        let why = if s.unreadable > 0 {
            format!(
                "no key could be read: the ACL refused TYPE or PTTL on {}",
                plural(s.unreadable, "key", "keys")
            )
        } else {
            format!("db {} holds no keys", s.db)
        };
        return timed(
            check("workloads", Status::Pass, why, None, data(s)),
            &f.keyspace,
        );
    }
    let mut status = Status::Pass;
    let mut hints = Vec::new();
    let mut raise = |st: Status, hint: String| {
        status = status.max(st);
        hints.push(hint);
    };
    for n in a.with_use(Use::Cache) {
        if n.without_ttl() * 100 > n.sampled * NO_TTL_WARN_PERCENT {
            raise(
                Status::Warn,
                format!(
                    "{} {} of {} sampled without TTL: stale entries never expire and the cache only grows; set one on every write (SET key value EX seconds)",
                    n.pattern,
                    grouped(n.without_ttl()),
                    grouped(n.sampled)
                ),
            );
        }
    }
    for n in a.with_use(Use::RateLimit) {
        if n.without_ttl() > 0 {
            raise(
                Status::Warn,
                format!(
                    "{}: {} of {} sampled rate-limit counters have no TTL: INCR then EXPIRE is not atomic, and a crash between them leaves a counter that never expires and locks the client out; use SET key 0 EX window NX then INCR, a Lua script, or MULTI",
                    n.label(),
                    grouped(n.without_ttl()),
                    grouped(n.sampled)
                ),
            );
        }
    }
    for n in a.with_use(Use::Session) {
        if n.without_ttl() > 0 {
            raise(
                Status::Warn,
                format!(
                    "{}: {} of {} sampled sessions have no TTL: they never expire, so logged-out and abandoned sessions pile up; give each the session lifetime as TTL",
                    n.label(),
                    grouped(n.without_ttl()),
                    grouped(n.sampled)
                ),
            );
        }
    }
    for n in a.with_use(Use::Lock) {
        if n.without_ttl() > 0 {
            raise(
                Status::Warn,
                format!(
                    "{}: {} of {} sampled locks have no TTL: a holder that crashes never releases them; take locks with SET key token NX PX milliseconds",
                    n.label(),
                    grouped(n.without_ttl()),
                    grouped(n.sampled)
                ),
            );
        }
    }
    let queues: Vec<&Namespace> = a.with_use(Use::Queue).collect();
    let caches: Vec<&Namespace> = a.with_use(Use::Cache).collect();
    if !queues.is_empty() && !caches.is_empty() {
        raise(
            Status::Info,
            format!(
                "{} and {} share this instance: a queue and a cache want opposite eviction policies (noeviction vs allkeys-lru) and compete for memory; give the cache an instance of its own",
                labels(&queues),
                labels(&caches)
            ),
        );
    }
    let mut parts: Vec<String> = a
        .namespaces
        .iter()
        .take(SHOWN)
        .map(|n| {
            let lib = n.library.map_or_else(String::new, |l| format!(", {l}"));
            let share = if n.share_percent < 1.0 {
                "<1%".to_string()
            } else {
                format!("{:.0}%", n.share_percent)
            };
            format!("{} {}{lib} {share}", n.pattern, n.usage.as_str())
        })
        .collect();
    if a.namespaces.len() > SHOWN {
        parts.push(plural(
            a.namespaces.len() - SHOWN,
            "more namespace",
            "more namespaces",
        ));
    }
    let mut summary = format!("{} · {}", parts.join(" · "), sampled_words(s));
    if s.analysis.is_estimate() {
        summary.push_str(" (shares are estimates)");
    }
    if s.unreadable > 0 {
        summary.push_str(&format!(
            " · {} the ACL would not describe",
            plural(s.unreadable, "key", "keys")
        ));
    }
    if f.cluster.facts().is_some() && !s.all_primaries {
        summary.push_str(" · this node only (redcheck keys samples every primary)");
    }
    timed(
        check(
            "workloads",
            status,
            summary,
            (!hints.is_empty()).then(|| hints.join("\n")),
            data(s),
        ),
        &f.keyspace,
    )
}

/// `bull:email:* (BullMQ queue), jobs:* (queue)`.
fn labels(ns: &[&Namespace]) -> String {
    let mut out: Vec<String> = ns.iter().take(3).map(|n| n.label()).collect();
    if ns.len() > 3 {
        out.push(plural(ns.len() - 3, "more", "more"));
    }
    out.join(", ")
}

/// `data` of the workloads check.
fn data(s: &Sample) -> Value {
    json!({
        "db": s.db,
        "dbsize": s.dbsize,
        "sampled": s.analysis.sampled,
        "estimated_total": s.analysis.total,
        "estimate": s.analysis.is_estimate(),
        "stopped": s.stop,
        "scans": s.scans,
        "unreadable": s.unreadable,
        "namespaces": s.analysis.namespaces.iter().take(LISTED).collect::<Vec<_>>(),
    })
}

/// The eviction verdict from what the sample saw, when `--use` was not given: the status,
/// the summary's addition and the hint. `None` when the sample recognised nothing.
pub fn eviction_from_sample(
    a: &Analysis,
    family: &str,
    policy: &str,
) -> Option<(Status, String, String)> {
    let keep: Vec<&Namespace> = a
        .namespaces
        .iter()
        .filter(|n| n.usage.must_not_be_evicted())
        .collect();
    let caches: Vec<&Namespace> = a.with_use(Use::Cache).collect();
    let known = a.namespaces.iter().any(|n| n.usage != Use::Other);
    if !known {
        return None;
    }
    let seen = {
        let mut all: Vec<&Namespace> = keep.clone();
        all.extend(caches.iter().copied());
        if all.is_empty() {
            all = a
                .namespaces
                .iter()
                .filter(|n| n.usage != Use::Other)
                .collect();
        }
        format!("from the keyspace sample: {}", labels(&all))
    };
    let what = |ns: &[&Namespace]| {
        let q = ns.iter().any(|n| n.usage == Use::Queue);
        let s = ns.iter().any(|n| n.usage == Use::Session);
        match (q, s) {
            (true, true) => "jobs and sessions",
            (true, false) => "jobs",
            _ => "sessions",
        }
    };
    Some(match family {
        "allkeys" if !keep.is_empty() => {
            let verb = if keep.len() == 1 { "shares" } else { "share" };
            let hint = if caches.is_empty() {
                format!(
                    "{} {} in an {policy} instance: evictions can drop {} when memory is full — use noeviction here",
                    labels(&keep),
                    if keep.len() == 1 { "lives" } else { "live" },
                    what(&keep)
                )
            } else {
                format!(
                    "{} {verb} an {policy} instance with {}: evictions can drop {} — use noeviction here and put the cache in its own instance",
                    labels(&keep),
                    labels(&caches),
                    what(&keep)
                )
            };
            (Status::Fail, seen, hint)
        }
        "allkeys" => (
            Status::Pass,
            seen,
            "only cache data was seen, and any of it may be evicted when memory is full: right for a cache".into(),
        ),
        "volatile" => {
            let bare: Vec<&Namespace> = caches
                .iter()
                .copied()
                .filter(|n| n.without_ttl() * 100 > n.sampled * NO_TTL_WARN_PERCENT)
                .collect();
            if bare.is_empty() {
                (
                    Status::Pass,
                    seen,
                    "only keys with a TTL are evicted, and the cache keys seen have one".into(),
                )
            } else {
                let n = bare[0];
                (
                    Status::Warn,
                    seen,
                    format!(
                        "under {policy} only keys with a TTL can be evicted, and {} {} of {} sampled have none: they can never be evicted, so memory fills and writes fail with OOM instead; set TTLs on cache keys",
                        labels(&bare),
                        grouped(n.without_ttl()),
                        grouped(n.sampled)
                    ),
                )
            }
        }
        _ if !caches.is_empty() && keep.is_empty() => (
            Status::Warn,
            seen,
            "noeviction with only cache data: when memory is full, writes fail with OOM instead of old entries making room; use allkeys-lru for a cache".into(),
        ),
        _ => (
            Status::Pass,
            seen,
            "nothing is ever evicted: right for queues and sessions; when memory is full writes fail with OOM, which a client sees".into(),
        ),
    })
}

/// How many connections from one address mean a pool without a limit, or a client per request.
const CONNECTIONS_PER_HOST_WARN: usize = 200;
/// Connections younger than this many seconds count as new…
const YOUNG_SECONDS: u64 = 5;
/// …and when more than half of at least this many are, the app connects per request.
const YOUNG_MIN_CONNECTIONS: usize = 20;

/// `connections`: who holds connections (by address and client library), their ages and
/// idle times.
#[allow(clippy::cast_precision_loss)]
pub fn connections(f: &Findings) -> Check {
    let facts = match &f.connections.outcome {
        Outcome::Done(c) => c,
        Outcome::Skipped(why) => return skipped("connections", why),
        Outcome::Failed(failure, _) => {
            return timed(
                super::failed("connections", failure, None, serde_json::Map::new()),
                &f.connections,
            );
        }
    };
    let clients = &facts.clients;
    if clients.is_empty() {
        return timed(
            check(
                "connections",
                Status::Pass,
                "no other client is connected",
                None,
                json!({"connections": 0, "groups": []}),
            ),
            &f.connections,
        );
    }
    let mut groups: Vec<(String, Option<String>, usize, u64)> = Vec::new();
    for c in clients {
        match groups
            .iter_mut()
            .find(|(h, l, _, _)| *h == c.host && *l == c.lib)
        {
            Some(g) => {
                g.2 += 1;
                g.3 = g.3.max(c.age_s);
            }
            None => groups.push((c.host.clone(), c.lib.clone(), 1, c.age_s)),
        }
    }
    groups.sort_by(|a, b| b.2.cmp(&a.2).then(a.0.cmp(&b.0)));
    let mut idle: Vec<u64> = clients.iter().map(|c| c.idle_s).collect();
    idle.sort_unstable();
    let pct = |p: f64| idle[((idle.len() - 1) as f64 * p).round() as usize];
    let young = clients.iter().filter(|c| c.age_s < YOUNG_SECONDS).count();
    let hosts = {
        let mut h: Vec<&str> = clients.iter().map(|c| c.host.as_str()).collect();
        h.sort_unstable();
        h.dedup();
        h.len()
    };
    let mut status = Status::Pass;
    let mut hints = Vec::new();
    let mut per_host: Vec<(&str, usize)> = Vec::new();
    for c in clients {
        match per_host.iter_mut().find(|(h, _)| *h == c.host) {
            Some(e) => e.1 += 1,
            None => per_host.push((c.host.as_str(), 1)),
        }
    }
    for (host, n) in &per_host {
        if *n >= CONNECTIONS_PER_HOST_WARN {
            status = Status::Warn;
            hints.push(format!("{host} holds {n} connections: a pool without a limit, or a client created per request; cap the pool (e.g. 10–50 per process) and create the client once at start-up"));
        }
    }
    if clients.len() >= YOUNG_MIN_CONNECTIONS && young * 2 > clients.len() {
        status = Status::Warn;
        hints.push(format!("{young} of {} connections are younger than {YOUNG_SECONDS} s: the app opens a connection per request or job; create the client once and reuse it", clients.len()));
    }
    let shown: Vec<String> = groups
        .iter()
        .take(3)
        .map(|(h, l, n, _)| match l {
            Some(lib) => format!("{h} ×{n} ({lib})"),
            None => format!("{h} ×{n}"),
        })
        .collect();
    let summary = format!(
        "{} from {} · {} · idle p50 {} s, p90 {} s, max {} s",
        plural(clients.len(), "connection", "connections"),
        plural(hosts, "address", "addresses"),
        shown.join(", "),
        pct(0.5),
        pct(0.9),
        idle[idle.len() - 1]
    );
    let data = json!({
        "connections": clients.len(),
        "addresses": hosts,
        "younger_than_5s": young,
        "idle_seconds": {"p50": pct(0.5), "p90": pct(0.9), "max": idle[idle.len() - 1]},
        "groups": groups.iter().take(LISTED).map(|(h, l, n, age)| json!({"address": h, "lib": l, "connections": n, "oldest_age_seconds": age})).collect::<Vec<_>>(),
    });
    timed(
        check(
            "connections",
            status,
            summary,
            (!hints.is_empty()).then(|| hints.join("\n")),
            data,
        ),
        &f.connections,
    )
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::checks::testing::findings;
    use crate::keyspace::{Key, KeyType, analyse};
    use crate::probe::Stage;
    use crate::probe::connections::{Client, ConnectionFacts};
    use crate::probe::keyspace::Stop;

    fn keys(prefix: &str, n: usize, kind: KeyType, ttl_ms: Option<u64>) -> Vec<Key> {
        (0..n)
            .map(|i| Key {
                name: format!("{prefix}:{i}"),
                kind,
                ttl_ms,
                memory: None,
            })
            .collect()
    }

    fn sample(keys: Vec<Key>) -> Sample {
        let n = keys.len() as u64;
        Sample {
            db: 0,
            dbsize: n,
            analysis: analyse(&keys, n),
            keys,
            stop: Stop::Complete,
            covered: 1.0,
            total: n,
            scans: 1,
            unreadable: 0,
            memory_note: None,
            took: Duration::ZERO,
            busy: Duration::ZERO,
            nodes: 1,
            all_primaries: false,
        }
    }

    #[test]
    fn stop_reasons_serialise_in_kebab_case() {
        assert_eq!(json!(Stop::Complete), json!("complete"));
    }

    #[test]
    fn eviction_is_judged_on_what_the_sample_saw() {
        let mut mixed = keys("bull:email", 3, KeyType::Hash, None);
        mixed.extend(keys("product", 10, KeyType::String, Some(60_000)));
        let a = sample(mixed).analysis;
        let (status, seen, hint) = eviction_from_sample(&a, "allkeys", "allkeys-lru").unwrap();
        assert_eq!(status, Status::Fail);
        assert!(seen.starts_with("from the keyspace sample: "), "{seen}");
        assert_eq!(
            hint,
            "bull:email:* (Bull queue) shares an allkeys-lru instance with product:* (cache): evictions can drop jobs — use noeviction here and put the cache in its own instance"
        );
        assert_eq!(
            eviction_from_sample(&a, "noeviction", "noeviction")
                .unwrap()
                .0,
            Status::Pass
        );

        let bare = sample(keys("product", 10, KeyType::String, None)).analysis;
        // Strings without any TTL and no telling name: nothing recognised, nothing judged.
        assert!(eviction_from_sample(&bare, "allkeys", "allkeys-lru").is_none());

        let mut cache = keys("product", 9, KeyType::String, None);
        cache.extend(
            keys("product", 1, KeyType::String, Some(1000))
                .into_iter()
                .map(|mut k| {
                    k.name.push('x');
                    k
                }),
        );
        let a = sample(cache).analysis;
        let (status, _, hint) = eviction_from_sample(&a, "volatile", "volatile-lru").unwrap();
        assert_eq!(status, Status::Warn);
        assert!(
            hint.contains("product:* (cache) 9 of 10 sampled have none"),
            "{hint}"
        );
        let (status, _, hint) = eviction_from_sample(&a, "noeviction", "noeviction").unwrap();
        assert_eq!(status, Status::Warn);
        assert!(hint.contains("only cache data"), "{hint}");
    }

    #[test]
    fn workloads_warn_for_each_missing_ttl_and_note_a_queue_beside_a_cache() {
        let mut all = keys("rl", 4, KeyType::String, None);
        all.extend(keys("sess", 2, KeyType::String, None));
        all.extend(keys("lock", 2, KeyType::String, None));
        all.extend(keys("jobs", 3, KeyType::List, None));
        all.extend(keys("product", 5, KeyType::String, Some(5000)));
        let mut f = findings("redis://localhost", None);
        f.keyspace = Stage::done(sample(all), Duration::ZERO);
        let c = workloads(&f);
        assert_eq!(c.status, Status::Warn);
        let hint = c.hint.unwrap();
        for says in [
            "INCR then EXPIRE is not atomic",
            "sessions have no TTL",
            "locks have no TTL",
            "jobs:* (queue) and product:* (cache) share this instance",
        ] {
            assert!(hint.contains(says), "{says}: {hint}");
        }
        assert!(c.summary.contains("all 16 keys sampled"), "{}", c.summary);

        let mut f = findings("redis://localhost", None);
        f.keyspace = Stage::skipped("turned off (--sample-keys 0)");
        assert_eq!(workloads(&f).status, Status::Skip);
    }

    #[test]
    fn connections_warn_for_a_crowded_address_and_for_young_connections() {
        let client = |host: &str, age_s: u64| Client {
            host: host.into(),
            lib: Some("ioredis 5.4.1".into()),
            name: None,
            age_s,
            idle_s: age_s / 2,
            pubsub: false,
            blocked: false,
        };
        let mut f = findings("redis://localhost", None);
        let mut clients: Vec<Client> = (0..200).map(|_| client("10.0.0.5", 600)).collect();
        clients.push(client("10.0.0.6", 600));
        f.connections = Stage::done(ConnectionFacts { clients }, Duration::ZERO);
        let c = connections(&f);
        assert_eq!(c.status, Status::Warn);
        assert!(
            c.summary.contains("10.0.0.5 ×200 (ioredis 5.4.1)"),
            "{}",
            c.summary
        );
        assert!(c.hint.unwrap().contains("10.0.0.5 holds 200 connections"));

        let clients: Vec<Client> = (0..30).map(|i| client("10.0.0.7", i % 3)).collect();
        f.connections = Stage::done(ConnectionFacts { clients }, Duration::ZERO);
        let c = connections(&f);
        assert_eq!(c.status, Status::Warn);
        assert!(
            c.hint
                .unwrap()
                .contains("30 of 30 connections are younger than 5 s")
        );

        let clients: Vec<Client> = (0..30).map(|_| client("10.0.0.7", 900)).collect();
        f.connections = Stage::done(ConnectionFacts { clients }, Duration::ZERO);
        assert_eq!(connections(&f).status, Status::Pass);
    }
}
