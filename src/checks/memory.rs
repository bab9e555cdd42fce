//! Verdicts for `memory` (used vs maxmemory, fragmentation) and `eviction` (policy vs `--use`).

use serde_json::{Value, json};

use super::{Options, check, skipped};
use crate::failure::Reason;
use crate::info::{Info, MemoryFacts};
use crate::probe::Findings;
use crate::report::{Check, Status};

/// What the database is used for (`--use`), which decides the right eviction policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Workload {
    /// Everything can be recomputed.
    Cache,
    /// Jobs that must not vanish (BullMQ, Sidekiq, Celery…).
    Queue,
    /// Sessions that must not vanish before their TTL.
    Session,
    /// Some of each.
    Mixed,
}

impl Workload {
    fn name(self) -> &'static str {
        match self {
            Workload::Cache => "cache",
            Workload::Queue => "queue",
            Workload::Session => "session",
            Workload::Mixed => "mixed",
        }
    }
}

/// Memory use at or above this share of maxmemory is a warning…
const MEMORY_WARN_PERCENT: f64 = 80.0;
/// …and at or above this, a failure.
const MEMORY_FAIL_PERCENT: f64 = 95.0;
/// Fragmentation matters only above this much memory.
const FRAGMENTATION_MIN_BYTES: u64 = 64 << 20;

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
    let mut summary = match (m.maxmemory_bytes, m.used_percent()) {
        (Some(max), Some(pct)) if max > 0 => {
            let policy = m.maxmemory_policy.as_deref().unwrap_or("unknown");
            if pct >= MEMORY_FAIL_PERCENT {
                status = Status::Fail;
                reason = Some(Reason::Threshold);
                hints.push(full_hint(policy, "at maxmemory"));
            } else if pct >= MEMORY_WARN_PERCENT {
                status = Status::Warn;
                hints.push(full_hint(policy, "close to maxmemory"));
            }
            format!("{} of {} ({pct:.0}%)", bytes(used), bytes(max))
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
        if used >= FRAGMENTATION_MIN_BYTES && ratio > 1.5 {
            status = status.max(Status::Warn);
            hints.push("fragmentation above 1.5: the server holds much more RSS than data; consider activedefrag yes or a restart in a quiet hour".into());
        } else if used >= FRAGMENTATION_MIN_BYTES && ratio < 1.0 {
            status = status.max(Status::Warn);
            hints.push("fragmentation below 1.0: part of the dataset is swapped out, which makes every command slow; give the server more RAM or lower maxmemory".into());
        }
    }
    let mut c = check(
        "memory",
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

fn full_hint(policy: &str, how: &str) -> String {
    if policy == "noeviction" {
        format!(
            "{how} under noeviction: writes will fail with OOM errors — raise maxmemory or shorten TTLs"
        )
    } else {
        format!(
            "{how} under {policy}: keys are being evicted — raise maxmemory or shorten TTLs before evictions drop data you need"
        )
    }
}

fn memory_data(m: &MemoryFacts) -> Value {
    json!({
        "used_bytes": m.used_bytes,
        "maxmemory_bytes": m.maxmemory_bytes,
        "used_percent": m.used_percent().map(|p| (p * 10.0).round() / 10.0),
        "fragmentation_ratio": m.fragmentation_ratio,
        "rss_bytes": m.rss_bytes,
    })
}

/// `eviction`: the policy judged against what the data is for.
pub fn eviction(info: &Info, opts: &Options) -> Check {
    let m = info.memory();
    let Some(policy) = m.maxmemory_policy.clone() else {
        return skipped("eviction", "INFO does not report maxmemory_policy");
    };
    let keyspace = info.keyspace();
    let keys: u64 = keyspace.iter().map(|d| d.keys).sum();
    let without_ttl: u64 = keyspace
        .iter()
        .map(|d| d.keys.saturating_sub(d.expires))
        .sum();
    let capped = m.maxmemory_bytes.is_some_and(|b| b > 0);
    let family = if policy.starts_with("allkeys") {
        "allkeys"
    } else if policy.starts_with("volatile") {
        "volatile"
    } else {
        "noeviction"
    };
    let data = json!({"policy": policy, "workload": opts.workload.map(Workload::name), "keys": keys, "keys_without_ttl": without_ttl, "maxmemory_set": capped});
    let (mut status, hint): (Status, String) = match (family, opts.workload) {
        (_, None) => (Status::Info, trade_off(family).into()),
        ("allkeys", Some(Workload::Cache)) => (Status::Pass, "any key may be evicted when full: right for a cache".into()),
        ("allkeys", Some(w @ (Workload::Queue | Workload::Session))) => (
            Status::Fail,
            format!("{policy} can silently drop {} when memory is full: set maxmemory-policy noeviction (or volatile-* with TTLs only on disposable keys)", if w == Workload::Queue { "jobs" } else { "sessions" }),
        ),
        ("allkeys", Some(_)) if without_ttl > 0 => (
            Status::Fail,
            format!("{without_ttl} keys without TTL can be evicted under {policy}; for mixed data use volatile-lru and put TTLs only on cache keys"),
        ),
        ("allkeys", Some(_)) => (Status::Pass, "every key has a TTL, so eviction drops only expiring data".into()),
        ("volatile", Some(Workload::Cache)) if keys > 0 && without_ttl * 10 > keys => (
            Status::Warn,
            format!("{without_ttl} of {keys} keys have no TTL and can never be evicted: memory may fill with them; set TTLs on cache keys or use allkeys-lru"),
        ),
        ("volatile", Some(Workload::Cache)) => (Status::Pass, "keys with a TTL are evicted when full".into()),
        ("volatile", Some(_)) => (
            Status::Pass,
            "only keys with a TTL are evicted; keys without one (jobs, sessions) are never dropped".into(),
        ),
        (_, Some(Workload::Cache)) => (
            Status::Warn,
            "noeviction on a cache: when memory is full, writes fail with OOM instead of old keys making room; use allkeys-lru".into(),
        ),
        (_, Some(_)) => (Status::Pass, "nothing is ever evicted; writes fail with OOM when full, which a queue can see and retry".into()),
    };
    if status == Status::Fail && !capped {
        status = Status::Warn;
    }
    let mut summary = policy.clone();
    if let Some(w) = opts.workload {
        summary.push_str(&format!(" for a {} workload", w.name()));
    }
    if !capped {
        summary.push_str(" (inactive until maxmemory is set)");
    }
    check("eviction", status, summary, Some(hint), data)
}

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

/// `1.8 GiB`, `512 KiB`.
#[allow(clippy::cast_precision_loss)]
pub fn bytes(n: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut v = n as f64;
    let mut unit = 0;
    while v >= 1024.0 && unit < UNITS.len() - 1 {
        v /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{n} B")
    } else {
        format!("{v:.1} {}", UNITS[unit])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(bytes(512), "512 B");
        assert_eq!(bytes(1536), "1.5 KiB");
        assert_eq!(bytes(2 << 30), "2.0 GiB");
    }
}
