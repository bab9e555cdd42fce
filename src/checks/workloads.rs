//! Verdicts from the keyspace sample: `workloads`, and the eviction policy judged against
//! what was seen.

use serde_json::{Value, json};

use super::{check, skipped, timed};
use crate::keyspace::{Analysis, Namespace, Use};
use crate::probe::keyspace::Sample;
use crate::probe::{Findings, Outcome};
use crate::text::{grouped, plural};
use crate::verdict::{Check, CheckId, Status};

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

/// `1,000 of ~1,000,000 keys sampled, 8 read` or `all 12 keys sampled` (every key seen and
/// read).
fn sampled_words(s: &Sample) -> String {
    let a = &s.analysis;
    let words = counted_words(s);
    if a.read < a.sampled {
        format!("{words}, {} read", grouped(a.read))
    } else {
        words
    }
}

/// `1,000 of ~1,000,000 keys sampled` or `all 12 keys sampled`.
fn counted_words(s: &Sample) -> String {
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
        Outcome::Skipped(why) => return skipped(CheckId::Workloads, why),
        Outcome::Failed(failure, _) => {
            return timed(
                super::failed(CheckId::Workloads, failure, None, serde_json::Map::new()),
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
            check(CheckId::Workloads, Status::Pass, why, None, data(s)),
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
        if n.without_ttl() * 100 > n.read * NO_TTL_WARN_PERCENT {
            raise(
                Status::Warn,
                format!(
                    "{} {} without TTL: stale entries never expire and the cache only grows; set one on every write (SET key value EX seconds)",
                    n.pattern,
                    n.of_read(n.without_ttl(), "")
                ),
            );
        }
    }
    for n in a.with_use(Use::RateLimit) {
        if n.without_ttl() > 0 {
            raise(
                Status::Warn,
                format!(
                    "{}: {} have no TTL: INCR then EXPIRE is not atomic, and a crash between them leaves a counter that never expires and locks the client out; use SET key 0 EX window NX then INCR, a Lua script, or MULTI",
                    n.label(),
                    n.of_read(n.without_ttl(), "rate-limit counters")
                ),
            );
        }
    }
    for n in a.with_use(Use::Session) {
        if n.without_ttl() > 0 {
            raise(
                Status::Warn,
                format!(
                    "{}: {} have no TTL: they never expire, so logged-out and abandoned sessions pile up; give each the session lifetime as TTL",
                    n.label(),
                    n.of_read(n.without_ttl(), "sessions")
                ),
            );
        }
    }
    for n in a.with_use(Use::Lock) {
        if n.without_ttl() > 0 {
            raise(
                Status::Warn,
                format!(
                    "{}: {} have no TTL: a holder that crashes never releases them; take locks with SET key token NX PX milliseconds",
                    n.label(),
                    n.of_read(n.without_ttl(), "locks")
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
            CheckId::Workloads,
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
        "read": s.analysis.read,
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
                .filter(|n| n.without_ttl() * 100 > n.read * NO_TTL_WARN_PERCENT)
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
                        "under {policy} only keys with a TTL can be evicted, and {} {} have none: they can never be evicted, so memory fills and writes fail with OOM instead; set TTLs on cache keys",
                        labels(&bare),
                        n.of_read(n.without_ttl(), "")
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

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::checks::testing::findings;
    use crate::keyspace::{Key, KeyType, analyse};
    use crate::probe::Stage;
    use crate::probe::keyspace::Stop;

    fn keys(prefix: &str, n: usize, kind: KeyType, ttl_ms: Option<u64>) -> Vec<Key> {
        (0..n)
            .map(|i| Key {
                name: format!("{prefix}:{i}"),
                kind: Some(kind),
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
        f.keyspace = Stage::not_asked("turned off (--sample-keys 0)");
        assert_eq!(workloads(&f).status, Status::Skip);
    }

    #[test]
    fn an_empty_or_unreadable_database_passes_and_says_which() {
        let mut f = findings("redis://localhost/4", None);
        let mut empty = sample(Vec::new());
        empty.db = 4;
        f.keyspace = Stage::done(empty.clone(), Duration::from_millis(2));
        let c = workloads(&f);
        assert_eq!(
            (c.status, c.summary.as_str()),
            (Status::Pass, "db 4 holds no keys")
        );
        assert_eq!(c.duration_ms, Some(2.0));
        empty.unreadable = 12;
        f.keyspace = Stage::done(empty, Duration::ZERO);
        let c = workloads(&f);
        assert_eq!(
            (c.status, c.summary.as_str()),
            (
                Status::Pass,
                "no key could be read: the ACL refused TYPE or PTTL on 12 keys"
            )
        );
        f.keyspace = Stage::failed(
            crate::failure::Failure::new(
                crate::failure::Reason::Noperm,
                "NOPERM this user has no permissions to run the 'scan' command",
            ),
            Duration::ZERO,
        );
        let c = workloads(&f);
        assert_eq!(c.status, Status::Fail);
        assert_eq!(c.data["reason"], "noperm");
    }

    #[test]
    fn a_partial_sample_of_one_cluster_node_says_so_in_the_summary() {
        let mut s = sample(keys("product", 40, KeyType::String, Some(60_000)));
        s.total = 4000;
        s.analysis = analyse(&s.keys, 4000);
        s.unreadable = 1;
        let mut f = findings("redis://localhost", None);
        f.keyspace = Stage::done(s.clone(), Duration::ZERO);
        f.cluster = Stage::done(
            crate::probe::cluster::ClusterFacts::default(),
            Duration::ZERO,
        );
        let c = workloads(&f);
        assert_eq!(c.status, Status::Pass, "{:?}", c.hint);
        assert_eq!(
            c.summary,
            "product:* cache 100% · 40 of ~4,000 keys sampled (shares are estimates) · 1 key the ACL would not describe · this node only (redcheck keys samples every primary)"
        );
        // `redcheck keys` sampled every primary: no caveat.
        s.all_primaries = true;
        f.keyspace = Stage::done(s, Duration::ZERO);
        assert!(!workloads(&f).summary.contains("this node only"));
    }
}
