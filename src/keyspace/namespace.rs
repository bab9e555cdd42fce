//! Key names → namespaces (`product:1042` → `product:*`), and the shape rules that infer a
//! namespace's use when no library signature matched.

use super::{KeyType, Shape, Use};
use crate::text::grouped;

/// Characters that separate the parts of a key name.
const DELIMITERS: [char; 6] = [':', '/', '.', '|', '{', '}'];
/// A namespace keeps at most this many leading parts: `bull:email:*`, `cache:v2:*`.
const DEPTH: usize = 2;

/// The namespace of a key: its leading parts up to the first id-like one (at most
/// [`DEPTH`]), then `*`. A key with a single part is its own namespace (or `*` when it is an id).
pub fn namespace_of(name: &str) -> String {
    let parts = split(name);
    let first_id = parts
        .iter()
        .position(|(_, text)| is_id_like(text))
        .unwrap_or(parts.len());
    let keep = first_id.min(DEPTH).min(parts.len().saturating_sub(1));
    if keep == 0 {
        return if parts.len() == 1 && !is_id_like(name) {
            name.to_string()
        } else {
            "*".to_string()
        };
    }
    let mut out = String::new();
    for (delim, text) in &parts[..keep] {
        out.push_str(delim);
        out.push_str(text);
    }
    out.push_str(parts[keep].0);
    out.push('*');
    out
}

/// `a:b/c` → `[("", "a"), (":", "b"), ("/", "c")]`; a run of delimiters (`:{`, `}:`) is one.
fn split(name: &str) -> Vec<(&str, &str)> {
    let mut parts = Vec::new();
    let mut delim = 0..0;
    let mut start = 0;
    for (i, c) in name.char_indices() {
        if !DELIMITERS.contains(&c) {
            continue;
        }
        let end = i + c.len_utf8();
        if i == start && (!delim.is_empty() || i == 0) {
            // Another delimiter right after one (or at the very start): the run grows.
            delim = delim.start..end;
        } else {
            parts.push((&name[delim.clone()], &name[start..i]));
            delim = i..end;
        }
        start = end;
    }
    parts.push((&name[delim], &name[start..]));
    parts
}

/// Numbers, UUIDs, hex digests, base64-ish tokens and other opaque ids.
pub fn is_id_like(s: &str) -> bool {
    if s.is_empty() {
        return false;
    }
    let digits = s.bytes().filter(u8::is_ascii_digit).count();
    let letters = s.bytes().filter(u8::is_ascii_alphabetic).count();
    let hex = s.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-');
    let token = s
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'+' | b'=' | b'~'));
    // 42, 1700000000-3, 2024-06-01
    if digits > 0
        && s.bytes()
            .all(|b| b.is_ascii_digit() || b == b'-' || b == b'_')
    {
        return true;
    }
    // UUIDs and hex digests: 9b6e61ee-4b23-…, a2f5cac2e9f34f4d…
    if hex && digits > 0 && s.len() >= 8 {
        return true;
    }
    // Session ids and tokens: long, mixing digits with letters or both cases.
    let upper = s.bytes().any(|b| b.is_ascii_uppercase());
    let lower = s.bytes().any(|b| b.is_ascii_lowercase());
    token && s.len() >= 16 && letters > 0 && (digits > 0 || (upper && lower))
}

/// Lower-case words of a pattern: `bull:email-jobs:*` → `bull`, `email`, `jobs`.
fn words(pattern: &str) -> Vec<String> {
    pattern
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_ascii_lowercase)
        .collect()
}

const SESSION_WORDS: &[&str] = &["sess", "session", "sessions", "sessid", "phpsessid"];
const LOCK_WORDS: &[&str] = &[
    "lock",
    "locks",
    "mutex",
    "lease",
    "leases",
    "redlock",
    "semaphore",
];
const RATE_WORDS: &[&str] = &[
    "rl",
    "rate",
    "ratelimit",
    "ratelimiter",
    "limiter",
    "throttle",
    "throttling",
    "quota",
];
const QUEUE_WORDS: &[&str] = &[
    "queue", "queues", "job", "jobs", "task", "tasks", "worker", "workers", "mq", "inbox",
    "outbox", "pending", "delayed", "backlog", "stream", "events",
];
const CACHE_WORDS: &[&str] = &[
    "cache",
    "cached",
    "caches",
    "views",
    "fragment",
    "fragments",
    "memo",
];

/// How long a rate-limit window usually is at most.
const SHORT_TTL_MS: u64 = 3_600_000;

/// The use of a namespace no library signature matched, from its name and shape, and the
/// rule that decided.
pub fn infer(pattern: &str, s: &Shape<'_>) -> (Use, String) {
    let w = words(pattern);
    let has = |set: &[&str]| w.iter().find(|x| set.contains(&x.as_str())).cloned();
    let count = |t: KeyType| s.types.get(t.as_str()).copied().unwrap_or(0);
    let majority = |n: u64| n * 2 > s.keys;
    let strings = count(KeyType::String);
    let queue_types = count(KeyType::List) + count(KeyType::Stream) + count(KeyType::Zset);
    let ttl_majority = majority(s.with_ttl);
    if let Some(word) = has(SESSION_WORDS) {
        return (Use::Session, format!("the name says '{word}'"));
    }
    if let Some(word) = has(LOCK_WORDS) {
        return (Use::Lock, format!("the name says '{word}'"));
    }
    if let Some(word) = has(RATE_WORDS)
        && majority(strings)
    {
        let short = s.ttl_p50.is_none_or(|t| t <= SHORT_TTL_MS);
        if short {
            return (
                Use::RateLimit,
                format!(
                    "the name says '{word}' and the keys are strings (counters) with a short or no TTL"
                ),
            );
        }
    }
    if let Some(word) = has(QUEUE_WORDS)
        && majority(queue_types)
        && !ttl_majority
    {
        return (
            Use::Queue,
            format!(
                "lists, streams or sorted sets without TTL, and the name says '{word}': queue-shaped"
            ),
        );
    }
    if let Some(word) = has(CACHE_WORDS) {
        return (Use::Cache, format!("the name says '{word}'"));
    }
    if s.keys == 0 {
        return (
            Use::Other,
            "no library signature or telling name, and none of its keys' TYPE and PTTL was read (--sample-read)"
                .into(),
        );
    }
    let plain = strings + count(KeyType::Hash);
    if majority(plain) && ttl_majority {
        return (
            Use::Cache,
            format!(
                "strings or hashes, {} of {} with a TTL: cache-shaped",
                grouped(s.with_ttl),
                grouped(s.keys)
            ),
        );
    }
    if majority(plain) && s.with_ttl > 0 {
        return (
            Use::Cache,
            format!(
                "strings or hashes, some with a TTL ({} of {}): cache-shaped, with TTLs missing",
                grouped(s.with_ttl),
                grouped(s.keys)
            ),
        );
    }
    (
        Use::Other,
        "no library signature and no telling shape (no TTLs, no queue, session or cache name)"
            .into(),
    )
}
