//! Verdicts for `memory` (used vs maxmemory, fragmentation), `eviction` (policy vs `--use`)
//! and `keyspace` (keys and TTLs per database).

use crate::config::Workload;
use crate::text::bytes;
use serde_json::{Value, json};

use super::{Options, check, skipped};
use crate::failure::Reason;
use crate::info::{DbKeys, Info, MemoryFacts};
use crate::probe::Findings;
use crate::report::MemoryNumbers;
use crate::text::plural;
use crate::verdict::{Check, CheckId, Status};

/// Memory use at or above this share of maxmemory is a warning…
const MEMORY_WARN_PERCENT: f64 = 80.0;
/// …and at or above this, a failure.
const MEMORY_FAIL_PERCENT: f64 = 95.0;
/// Fragmentation above this ratio (RSS / used) is worth a word…
const FRAGMENTATION_HIGH: f64 = 1.5;
/// …when RSS and used memory differ by at least this much; small instances always look
/// fragmented (a fresh server holds ~10 MiB of RSS for ~1 MiB of data).
const FRAGMENTATION_MIN_GAP: u64 = 64 << 20;
/// Under volatile-* a cache with more than this share of keys without TTL is at risk.
const NO_TTL_SHARE_WARN: u64 = 10;

/// `memory`: used vs maxmemory, and fragmentation.
pub fn memory(f: &Findings, info: &Info) -> Check {
    let m = info.memory();
    let remote = f
        .target
        .as_ref()
        .and_then(|t| t.host())
        .is_some_and(|h| !h.is_loopback());
    let mut status = Status::Pass;
    let mut hints = Vec::new();
    let mut reason = None;
    let used = m.used_bytes.unwrap_or(0);
    let policy = m.maxmemory_policy.as_deref().unwrap_or("unknown");
    let mut summary = match (m.maxmemory_bytes, m.used_percent()) {
        (Some(max), Some(pct)) if max > 0 => {
            if pct >= MEMORY_FAIL_PERCENT {
                status = Status::Fail;
                reason = Some(Reason::Threshold);
                hints.push(full_hint(policy, pct, true));
            } else if pct >= MEMORY_WARN_PERCENT {
                status = Status::Warn;
                hints.push(full_hint(policy, pct, false));
            }
            format!("{} of {} ({pct:.0}%) · {policy}", bytes(used), bytes(max))
        }
        _ => {
            if remote {
                status = Status::Warn;
                hints.push("no maxmemory: memory grows until the OS kills the server; set maxmemory (and a policy) on the server".into());
            }
            format!("{} used · no maxmemory", bytes(used))
        }
    };
    if let Some(ratio) = m.fragmentation_ratio {
        summary.push_str(&format!(" · fragmentation {ratio:.2}"));
        let rss = m.rss_bytes.unwrap_or(used);
        if ratio > FRAGMENTATION_HIGH && rss.saturating_sub(used) >= FRAGMENTATION_MIN_GAP {
            status = status.max(Status::Warn);
            hints.push(format!("fragmentation {ratio:.2}: the process holds {} of RAM that no data uses; activedefrag yes (jemalloc builds) or a restart in a quiet hour gives it back", bytes(rss - used)));
        } else if ratio < 1.0 && used.saturating_sub(rss) >= FRAGMENTATION_MIN_GAP {
            status = status.max(Status::Warn);
            hints.push(format!("fragmentation {ratio:.2}: {} of what the server allocated is not in RAM — usually swapped out, which makes every command slow; give the server more RAM or lower maxmemory", bytes(used - rss)));
        }
    }
    let mut c = check(
        CheckId::Memory,
        status,
        summary,
        (!hints.is_empty()).then(|| hints.join("\n")),
        memory_data(&m),
    );
    if let Some(r) = reason {
        c.data.insert("reason".into(), json!(r.as_str()));
    }
    c
}

/// What happens next, by policy, when memory is at or near maxmemory.
fn full_hint(policy: &str, pct: f64, at_limit: bool) -> String {
    let fix = "raise maxmemory (or the plan), or store less: shorter TTLs, fewer or smaller keys";
    match (policy, at_limit) {
        ("noeviction", true) => format!(
            "{pct:.0}% of maxmemory under noeviction: OOM errors are coming — writes fail once it is reached; {fix}"
        ),
        ("noeviction", false) => format!(
            "{pct:.0}% of maxmemory under noeviction: writes will fail with OOM when it is reached; {fix}"
        ),
        (p, true) if p.starts_with("volatile") => format!(
            "{pct:.0}% of maxmemory under {p}: evictions of keys with a TTL are under way, and once none is left writes fail with OOM; {fix}"
        ),
        (p, true) => format!(
            "{pct:.0}% of maxmemory under {p}: evictions are under way and drop keys you may still need; {fix}"
        ),
        (p, false) => {
            format!("{pct:.0}% of maxmemory under {p}: evictions start when it is reached; {fix}")
        }
    }
}

/// `data` of the memory check.
fn memory_data(m: &MemoryFacts) -> Value {
    json!({
        "used_bytes": m.used_bytes,
        "maxmemory_bytes": m.maxmemory_bytes,
        "used_percent": m.used_percent().map(|p| (p * 10.0).round() / 10.0),
        "policy": m.maxmemory_policy,
        "fragmentation_ratio": m.fragmentation_ratio,
        "rss_bytes": m.rss_bytes,
    })
}

/// Key totals over every database: (keys, keys without a TTL).
fn key_totals(dbs: &[DbKeys]) -> (u64, u64) {
    // Counts come from the server's text: a hostile INFO must not overflow the sum.
    let keys = dbs.iter().fold(0u64, |sum, d| sum.saturating_add(d.keys));
    let without = dbs.iter().fold(0u64, |sum, d| {
        sum.saturating_add(d.keys.saturating_sub(d.expires))
    });
    (keys, without)
}

/// `eviction`: the policy judged against what the data is for: `--use` when given, else
/// what the keyspace sample saw; the summary says which.
pub fn eviction(f: &Findings, info: &Info, opts: &Options) -> Check {
    let m = info.memory();
    let Some(policy) = m.maxmemory_policy.clone() else {
        return skipped(CheckId::Eviction, "INFO does not report maxmemory_policy");
    };
    let (keys, without_ttl) = key_totals(&info.keyspace());
    let capped = m.maxmemory_bytes.is_some_and(|b| b > 0);
    let family = if policy.starts_with("allkeys") {
        "allkeys"
    } else if policy.starts_with("volatile") {
        "volatile"
    } else {
        "noeviction"
    };
    let sample = super::workloads::seen(f).filter(|_| opts.workload.is_none());
    let from_sample =
        sample.and_then(|s| super::workloads::eviction_from_sample(&s.analysis, family, &policy));
    let source = match (opts.workload, &from_sample) {
        (Some(_), _) => Some("--use"),
        (None, Some(_)) => Some("keyspace-sample"),
        (None, None) => None,
    };
    let data = json!({"policy": policy, "workload": opts.workload.map(Workload::name), "workload_source": source, "keys": keys, "keys_without_ttl": without_ttl, "maxmemory_set": capped});
    let what = |w: Workload| {
        if w == Workload::Queue {
            "jobs"
        } else {
            "sessions"
        }
    };
    let mut seen = None;
    let (mut status, hint): (Status, String) = match (family, opts.workload) {
        (_, None) => match from_sample {
            Some((status, words, hint)) => {
                seen = Some(words);
                (status, hint)
            }
            None => (Status::Info, trade_off(family).into()),
        },
        ("allkeys", Some(Workload::Cache)) => (Status::Pass, "any key may be evicted when memory is full: right for a cache".into()),
        ("allkeys", Some(w @ (Workload::Queue | Workload::Session))) => (
            Status::Fail,
            format!("{policy} can silently drop {} when memory is full: set maxmemory-policy noeviction (or volatile-* with TTLs only on disposable keys)", what(w)),
        ),
        ("allkeys", Some(_)) if without_ttl > 0 => (
            Status::Fail,
            format!("{} without a TTL (jobs, sessions…) can be evicted under {policy}: for mixed data use volatile-lru and put TTLs only on cache keys", plural(without_ttl, "key", "keys")),
        ),
        ("allkeys", Some(_)) => (Status::Pass, "every key has a TTL, so eviction drops only data meant to expire".into()),
        ("volatile", Some(Workload::Cache)) if keys > 0 && without_ttl * NO_TTL_SHARE_WARN > keys => (
            Status::Warn,
            format!("{} and can never be evicted: memory can fill with them and writes then fail with OOM; set TTLs on cache keys or use allkeys-lru", no_ttl_share(without_ttl, keys)),
        ),
        ("volatile", Some(Workload::Cache)) => (Status::Pass, "keys with a TTL are evicted when memory is full; nearly every key has one".into()),
        ("volatile", Some(w @ (Workload::Queue | Workload::Session))) if keys > 0 && without_ttl == 0 => (
            Status::Warn,
            format!("every key has a TTL, so under {policy} any of them — {} included — may be evicted before it expires: use noeviction, or keep TTLs off {}", what(w), what(w)),
        ),
        ("volatile", Some(w @ (Workload::Queue | Workload::Session))) => (
            Status::Pass,
            format!("only keys with a TTL are evicted: the {} without one ({}) {} never dropped", plural(without_ttl, "key", "keys"), what(w), if without_ttl == 1 { "is" } else { "are" }),
        ),
        ("volatile", Some(_)) => (
            Status::Pass,
            format!("only keys with a TTL (the cache part) are evicted; the {} without one {} never dropped", plural(without_ttl, "key", "keys"), if without_ttl == 1 { "is" } else { "are" }),
        ),
        (_, Some(Workload::Cache)) => (
            Status::Warn,
            "noeviction on a cache: when memory is full, writes fail with OOM instead of old keys making room; use allkeys-lru".into(),
        ),
        (_, Some(_)) => (Status::Pass, "nothing is ever evicted; when memory is full writes fail with OOM, which a client sees and can retry".into()),
    };
    // A policy does nothing until maxmemory is set: a wrong one is a risk, not a failure yet.
    if status == Status::Fail && !capped {
        status = Status::Warn;
    }
    let mut summary = policy.clone();
    if let Some(w) = opts.workload {
        summary.push_str(&format!(" for a {} workload (--use)", w.name()));
    } else if let Some(words) = seen {
        summary.push_str(&format!(" · {words}"));
    }
    if !capped {
        summary.push_str(" (inactive until maxmemory is set)");
    }
    let mut c = check(CheckId::Eviction, status, summary, Some(hint), data);
    if status == Status::Fail {
        c.data
            .insert("reason".into(), json!(Reason::EvictionPolicy.as_str()));
    }
    c
}

/// What the policy family means, for a run without `--use`.
fn trade_off(family: &str) -> &'static str {
    match family {
        "allkeys" => {
            "any key may be evicted when full: right for a cache, wrong for queues or sessions (say --use cache|queue|session|mixed)"
        }
        "volatile" => {
            "only keys with a TTL are evicted: keys without one are kept, and can fill memory (say --use cache|queue|session|mixed)"
        }
        _ => {
            "nothing is evicted: writes fail with OOM when full — right for queues, wrong for a cache (say --use cache|queue|session|mixed)"
        }
    }
}

/// How many databases the summary names before "… and N more".
const SHOWN_DBS: usize = 4;

/// `1 of 3 keys has no TTL`, `2 of 3 keys have no TTL`.
fn no_ttl_share(without_ttl: u64, keys: u64) -> String {
    let verb = if without_ttl == 1 { "has" } else { "have" };
    format!(
        "{without_ttl} of {} {verb} no TTL",
        plural(keys, "key", "keys")
    )
}

/// `keyspace`: keys and keys with a TTL per database.
pub fn keyspace(f: &Findings, info: &Info, opts: &Options) -> Check {
    let dbs = info.keyspace();
    if dbs.is_empty() && info.section("keyspace").is_none() {
        return skipped(CheckId::Keyspace, "INFO has no keyspace section");
    }
    let (keys, without_ttl) = key_totals(&dbs);
    let url_db = f.target.as_ref().map_or(0, |t| t.db);
    let data = json!({
        "databases": dbs,
        "keys": keys,
        "keys_with_ttl": keys.saturating_sub(without_ttl),
        "keys_without_ttl": without_ttl,
        "url_db": url_db,
    });
    if keys == 0 {
        return check(CheckId::Keyspace, Status::Pass, "no keys", None, data);
    }
    let mut parts: Vec<String> = dbs
        .iter()
        .take(SHOWN_DBS)
        .map(|d| {
            format!(
                "db{} {} ({} with TTL)",
                d.db,
                plural(d.keys, "key", "keys"),
                d.expires
            )
        })
        .collect();
    if dbs.len() > SHOWN_DBS {
        parts.push(format!(
            "{} more",
            plural(dbs.len() - SHOWN_DBS, "database", "databases")
        ));
    }
    let mut status = Status::Pass;
    let mut hints = Vec::new();
    if !dbs.iter().any(|d| d.db == url_db && d.keys > 0) {
        status = Status::Info;
        let busiest = dbs.iter().max_by_key(|d| d.keys).map_or(0, |d| d.db);
        hints.push(format!("the URL selects db {url_db}, which holds no keys; they live in db {busiest}: check the database in the URL (/{busiest} or ?db={busiest})"));
    }
    if dbs.len() > 1 {
        status = Status::Info;
        hints.push(format!("{} logical databases in use: cluster mode and many proxies offer only db 0, and SELECT does not isolate memory or eviction; prefer key prefixes or separate instances", dbs.len()));
    }
    if opts.workload == Some(Workload::Cache) && without_ttl > 0 {
        status = Status::Info;
        hints.push(format!("{}: give every cache key one (SET key value EX seconds) so stale entries expire on their own", no_ttl_share(without_ttl, keys)));
    }
    check(
        CheckId::Keyspace,
        status,
        parts.join(" · "),
        (!hints.is_empty()).then(|| hints.join("\n")),
        data,
    )
}

/// The numbers behind the memory verdicts (`redcheck memory`), when INFO was read.
pub fn numbers(f: &Findings) -> Option<MemoryNumbers> {
    let info = f.info.facts()?;
    let memory = info.memory();
    Some(MemoryNumbers {
        used_percent: memory.used_percent().map(|p| (p * 10.0).round() / 10.0),
        memory,
        keyspace: info.keyspace(),
        clients: info.clients(),
    })
}

/// `1.8 GiB`, `512 KiB`.
#[allow(clippy::cast_precision_loss)]
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_totals_saturate_on_hostile_counts() {
        let db = |db, keys, expires| DbKeys {
            db,
            keys,
            expires,
            avg_ttl_ms: None,
        };
        let dbs = [db(0, u64::MAX, 0), db(1, u64::MAX, 1), db(2, 5, 2)];
        assert_eq!(key_totals(&dbs), (u64::MAX, u64::MAX));
        assert_eq!(key_totals(&[db(0, 10, 4), db(1, 3, 3)]), (13, 6));
    }

    #[test]
    fn hostile_keyspace_lines_total_without_overflow() {
        let text = format!(
            "# Keyspace\r\ndb0:keys={m},expires=0,avg_ttl=0\r\ndb1:keys={m},expires={m},avg_ttl=0\r\n",
            m = u64::MAX
        );
        let info = Info::parse(&text);
        assert_eq!(key_totals(&info.keyspace()).0, u64::MAX);
    }

    #[test]
    fn sizes() {
        assert_eq!(bytes(512), "512 B");
        assert_eq!(bytes(1536), "1.5 KiB");
        assert_eq!(bytes(2 << 30), "2.0 GiB");
    }

    #[test]
    fn shares_of_keys_without_ttl_agree_in_number() {
        assert_eq!(no_ttl_share(1, 3), "1 of 3 keys has no TTL");
        assert_eq!(no_ttl_share(2, 3), "2 of 3 keys have no TTL");
        assert_eq!(no_ttl_share(1, 1), "1 of 1 key has no TTL");
    }

    /// The captured INFO (11 keys in db0 and db3, 8 without TTL) under `policy`, with
    /// maxmemory set or not.
    fn info(policy: &str, capped: bool) -> String {
        include_str!("../../tests/fixtures/info/redis-7.0.txt")
            .replace(
                "maxmemory_policy:noeviction",
                &format!("maxmemory_policy:{policy}"),
            )
            .replace(
                "maxmemory:0",
                if capped {
                    "maxmemory:104857600"
                } else {
                    "maxmemory:0"
                },
            )
    }

    fn judge(policy: &str, capped: bool, workload: Option<Workload>, sampled: bool) -> Check {
        let mut b = crate::checks::testing::Build::healthy("redis://127.0.0.1:6379")
            .info(&info(policy, capped));
        if !sampled {
            b = b.with(|f| f.keyspace = crate::probe::Stage::not_asked("not part of this command"));
        }
        let f = b.done();
        let opts = Options {
            workload,
            ..Options::default()
        };
        eviction(&f, f.info.facts().expect("INFO"), &opts)
    }

    #[test]
    fn eviction_judges_the_policy_against_use() {
        use Workload::{Cache, Mixed, Queue, Session};
        // (policy, maxmemory set, --use, status, words of the hint)
        let cases = [
            (
                "allkeys-lru",
                true,
                Cache,
                Status::Pass,
                "right for a cache",
            ),
            (
                "allkeys-lru",
                true,
                Queue,
                Status::Fail,
                "allkeys-lru can silently drop jobs",
            ),
            (
                "allkeys-lfu",
                true,
                Session,
                Status::Fail,
                "allkeys-lfu can silently drop sessions",
            ),
            (
                "allkeys-lru",
                false,
                Queue,
                Status::Warn,
                "silently drop jobs",
            ),
            (
                "allkeys-lru",
                true,
                Mixed,
                Status::Fail,
                "8 keys without a TTL (jobs, sessions…) can be evicted",
            ),
            (
                "volatile-lru",
                true,
                Cache,
                Status::Warn,
                "8 of 11 keys have no TTL and can never be evicted",
            ),
            (
                "volatile-ttl",
                true,
                Queue,
                Status::Pass,
                "the 8 keys without one (jobs) are never dropped",
            ),
            (
                "volatile-lru",
                true,
                Mixed,
                Status::Pass,
                "(the cache part) are evicted",
            ),
            (
                "noeviction",
                true,
                Cache,
                Status::Warn,
                "noeviction on a cache",
            ),
            (
                "noeviction",
                true,
                Session,
                Status::Pass,
                "nothing is ever evicted",
            ),
        ];
        for (policy, capped, workload, status, hint) in cases {
            let c = judge(policy, capped, Some(workload), true);
            let case = format!("{policy} capped={capped} --use {}", workload.name());
            assert_eq!(c.status, status, "{case}: {}", c.summary);
            assert!(
                c.hint.as_deref().unwrap_or("").contains(hint),
                "{case}: {:?}",
                c.hint
            );
            let mut summary = format!("{policy} for a {} workload (--use)", workload.name());
            if !capped {
                summary.push_str(" (inactive until maxmemory is set)");
            }
            assert_eq!(
                c.summary, summary,
                "{case}: the sample is not consulted under --use"
            );
            assert_eq!(c.data["workload_source"], "--use", "{case}");
            assert_eq!(c.data["workload"], workload.name(), "{case}");
            assert_eq!(
                c.data.get("reason").and_then(Value::as_str),
                (status == Status::Fail).then_some("eviction-policy"),
                "{case}"
            );
        }
    }

    #[test]
    fn eviction_without_use_is_judged_on_the_keyspace_sample_or_explains_the_trade_off() {
        // The sample holds a queue (jobs:email) and a cache (cache:product:*).
        let c = judge("allkeys-lru", true, None, true);
        assert_eq!(c.status, Status::Fail);
        assert_eq!(c.data["workload_source"], "keyspace-sample");
        assert_eq!(c.data["workload"], Value::Null);
        assert_eq!(c.data["reason"], "eviction-policy");
        assert!(
            c.summary
                .starts_with("allkeys-lru · from the keyspace sample: jobs:* (queue)"),
            "{}",
            c.summary
        );
        assert!(c.hint.unwrap().contains("evictions can drop jobs"));
        // Without maxmemory the same mix is a risk, not a failure yet.
        let c = judge("allkeys-lru", false, None, true);
        assert_eq!(c.status, Status::Warn);
        assert!(
            c.summary.ends_with("(inactive until maxmemory is set)"),
            "{}",
            c.summary
        );
        assert!(c.data.get("reason").is_none());
        // No sample and no --use: the trade-off, and how to say what the data is for.
        let c = judge("allkeys-lru", true, None, false);
        assert_eq!(
            (c.status, c.summary.as_str()),
            (Status::Info, "allkeys-lru")
        );
        assert_eq!(c.data["workload_source"], Value::Null);
        assert!(
            c.hint
                .unwrap()
                .contains("say --use cache|queue|session|mixed")
        );
    }
}
