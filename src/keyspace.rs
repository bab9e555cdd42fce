//! What a keyspace sample says about how the app uses Redis: keys grouped into namespaces,
//! each with an inferred use (queue, session, cache…) and the evidence for it. Pure: the
//! sample comes from `probe::keyspace`, the verdicts are worded in `checks::workloads`.

mod namespace;
mod signatures;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;

use serde::Serialize;

use crate::text::grouped;

pub use namespace::namespace_of;
pub use signatures::Signature;

/// A key's TYPE.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum KeyType {
    /// A string (also counters and bitmaps).
    String,
    /// A list.
    List,
    /// A hash.
    Hash,
    /// A set.
    Set,
    /// A sorted set.
    Zset,
    /// A stream.
    Stream,
    /// A module type, or a key that expired between SCAN and TYPE (`none`).
    Other,
}

impl KeyType {
    /// The TYPE reply as a type.
    pub fn parse(s: &str) -> KeyType {
        match s {
            "string" => KeyType::String,
            "list" => KeyType::List,
            "hash" => KeyType::Hash,
            "set" => KeyType::Set,
            "zset" => KeyType::Zset,
            "stream" => KeyType::Stream,
            _ => KeyType::Other,
        }
    }

    /// The TYPE name.
    pub fn as_str(self) -> &'static str {
        match self {
            KeyType::String => "string",
            KeyType::List => "list",
            KeyType::Hash => "hash",
            KeyType::Set => "set",
            KeyType::Zset => "zset",
            KeyType::Stream => "stream",
            KeyType::Other => "other",
        }
    }
}

/// One sampled key: its name and, when they were read, its TYPE, PTTL and MEMORY USAGE.
/// The default check reads TYPE and PTTL of a few keys per namespace (`--sample-read`);
/// `redcheck keys` reads them for every key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Key {
    /// The name (lossy UTF-8).
    pub name: String,
    /// TYPE, read together with PTTL; `None` when only the name was sampled.
    #[serde(rename = "type")]
    pub kind: Option<KeyType>,
    /// PTTL in milliseconds; `None` when the key has no TTL, or was not read.
    pub ttl_ms: Option<u64>,
    /// MEMORY USAGE in bytes, when it was read.
    pub memory: Option<u64>,
}

impl Key {
    /// A key of which only the name was sampled.
    pub fn named(name: String) -> Key {
        Key {
            name,
            kind: None,
            ttl_ms: None,
            memory: None,
        }
    }
}

/// What a namespace is used for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Use {
    /// Jobs or messages waiting to be processed: must never be evicted.
    Queue,
    /// Sessions: must live until their TTL.
    Session,
    /// Recomputable data.
    Cache,
    /// Rate-limit counters.
    RateLimit,
    /// Locks.
    Lock,
    /// Nothing recognisable.
    Other,
}

impl Use {
    /// The word used in output.
    pub fn as_str(self) -> &'static str {
        match self {
            Use::Queue => "queue",
            Use::Session => "session",
            Use::Cache => "cache",
            Use::RateLimit => "rate-limit",
            Use::Lock => "lock",
            Use::Other => "other",
        }
    }

    /// Whether evicting this data loses something that cannot be recomputed.
    pub fn must_not_be_evicted(self) -> bool {
        matches!(self, Use::Queue | Use::Session)
    }
}

/// One namespace of the sample, with its inferred use.
#[derive(Debug, Clone, Serialize)]
pub struct Namespace {
    /// The pattern, e.g. `bull:email:*`.
    pub pattern: String,
    /// Keys of the sample in it.
    pub sampled: u64,
    /// Estimated keys in the database (scaled from the sample).
    pub estimated: u64,
    /// Share of the sampled keys, in percent.
    pub share_percent: f64,
    /// Sampled keys whose TYPE and PTTL were read: all of them in `redcheck keys`, a few per
    /// namespace in the default check (`--sample-read`).
    pub read: u64,
    /// Read keys by TYPE.
    pub types: BTreeMap<&'static str, u64>,
    /// Read keys with a TTL.
    pub with_ttl: u64,
    /// Median TTL of the keys that have one, in ms.
    pub ttl_p50_ms: Option<u64>,
    /// 90th percentile TTL, in ms.
    pub ttl_p90_ms: Option<u64>,
    /// MEMORY USAGE summed over the sampled keys that report it.
    pub sampled_bytes: Option<u64>,
    /// That sum scaled to the estimated keys.
    pub estimated_bytes: Option<u64>,
    /// The inferred use.
    #[serde(rename = "use")]
    pub usage: Use,
    /// The library whose key layout matched, when one did.
    pub library: Option<&'static str>,
    /// Why: the signature or the shape rule that decided.
    pub evidence: String,
}

impl Namespace {
    /// Read keys without a TTL.
    pub fn without_ttl(&self) -> u64 {
        self.read - self.with_ttl
    }

    /// `3 of 40 sampled sessions`, or when only some keys were read `2 of the 3 sessions read
    /// (40 sampled)`: `part` counts read keys, `noun` names them (or is empty).
    pub fn of_read(&self, part: u64, noun: &str) -> String {
        let noun = if noun.is_empty() {
            String::new()
        } else {
            format!(" {noun}")
        };
        if self.read == self.sampled {
            format!(
                "{} of {} sampled{noun}",
                grouped(part),
                grouped(self.sampled)
            )
        } else {
            format!(
                "{} of the {}{noun} read ({} sampled)",
                grouped(part),
                grouped(self.read),
                grouped(self.sampled)
            )
        }
    }

    /// `bull:email:* (BullMQ queue)`, `product:* (cache)`.
    pub fn label(&self) -> String {
        match self.library {
            Some(lib) => format!("{} ({lib} {})", self.pattern, self.usage.as_str()),
            None => format!("{} ({})", self.pattern, self.usage.as_str()),
        }
    }
}

/// The whole analysis of one database's sample.
#[derive(Debug, Clone, Serialize)]
pub struct Analysis {
    /// Keys sampled.
    pub sampled: u64,
    /// Of those, keys whose TYPE and PTTL were read.
    pub read: u64,
    /// Keys the scaling is based on (DBSIZE, or the estimate for a `--pattern`).
    pub total: u64,
    /// Namespaces, biggest first.
    pub namespaces: Vec<Namespace>,
}

impl Analysis {
    /// Whether the counts are estimates (the sample did not see every key).
    pub fn is_estimate(&self) -> bool {
        self.sampled < self.total
    }

    /// Namespaces inferred as `u`.
    pub fn with_use(&self, u: Use) -> impl Iterator<Item = &Namespace> {
        self.namespaces.iter().filter(move |n| n.usage == u)
    }
}

/// Which of `keys` (sampled by name) to read TYPE and PTTL of, at most `n`: one key of each
/// namespace in turn, the biggest namespaces first, so a small budget still sees every
/// namespace that matters. Namespaces are told by name alone here (a library's layout
/// matches on its names); SCAN order is the hash table's, so the first keys of a namespace
/// are as good as any. Returns indexes into `keys`, ascending.
pub fn pick_reads(keys: &[Key], n: usize) -> Vec<usize> {
    let context = signatures::Context::of(keys);
    let mut groups: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, key) in keys.iter().enumerate() {
        let pattern = match signatures::match_key(key, &context) {
            Some((pattern, _)) => pattern,
            None => namespace_of(&key.name),
        };
        groups.entry(pattern).or_default().push(i);
    }
    let mut groups: Vec<Vec<usize>> = groups.into_values().collect();
    // Biggest first; equal sizes keep the patterns' order (the map's), so picks are stable.
    groups.sort_by_key(|g| std::cmp::Reverse(g.len()));
    let mut picked = Vec::with_capacity(n.min(keys.len()));
    let mut round = 0;
    while picked.len() < n {
        let before = picked.len();
        for g in &groups {
            if picked.len() == n {
                break;
            }
            if let Some(&i) = g.get(round) {
                picked.push(i);
            }
        }
        if picked.len() == before {
            break;
        }
        round += 1;
    }
    picked.sort_unstable();
    picked
}

/// Groups `keys` into namespaces, infers each one's use, and scales counts to `total` keys.
#[allow(
    clippy::cast_precision_loss,
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss
)]
pub fn analyse(keys: &[Key], total: u64) -> Analysis {
    let context = signatures::Context::of(keys);
    let mut groups: BTreeMap<String, Group> = BTreeMap::new();
    for key in keys {
        let (pattern, sig) = match signatures::match_key(key, &context) {
            Some((pattern, sig)) => (pattern, Some(sig)),
            None => (namespace_of(&key.name), None),
        };
        let g = groups.entry(pattern).or_default();
        g.keys.push(key);
        if let Some(sig) = sig {
            // The most specific signature wins: BullMQ's markers over Bull's shared layout.
            if g.signature.is_none_or(|s| sig.rank < s.rank) {
                g.signature = Some(sig);
            }
            g.signed += 1;
        }
    }
    let sampled = keys.len() as u64;
    let total = total.max(sampled);
    let scale = if sampled == 0 {
        0.0
    } else {
        total as f64 / sampled as f64
    };
    let mut namespaces: Vec<Namespace> = groups
        .into_iter()
        .map(|(pattern, g)| g.summarise(pattern, scale, sampled))
        .collect();
    namespaces.sort_by(|a, b| b.sampled.cmp(&a.sampled).then(a.pattern.cmp(&b.pattern)));
    Analysis {
        sampled,
        read: namespaces.iter().map(|n| n.read).sum(),
        total,
        namespaces,
    }
}

/// The keys of one namespace while they are gathered.
#[derive(Default)]
struct Group<'a> {
    keys: Vec<&'a Key>,
    signature: Option<&'static Signature>,
    signed: u64,
}

impl Group<'_> {
    #[allow(
        clippy::cast_precision_loss,
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss
    )]
    fn summarise(self, pattern: String, scale: f64, sampled_all: u64) -> Namespace {
        let n = self.keys.len() as u64;
        let mut types = BTreeMap::new();
        let mut read = 0;
        for kind in self.keys.iter().filter_map(|k| k.kind) {
            *types.entry(kind.as_str()).or_insert(0) += 1;
            read += 1;
        }
        let mut ttls: Vec<u64> = self.keys.iter().filter_map(|k| k.ttl_ms).collect();
        ttls.sort_unstable();
        let pct = |p: f64| -> Option<u64> {
            (!ttls.is_empty()).then(|| ttls[((ttls.len() - 1) as f64 * p).round() as usize])
        };
        let sizes: Vec<u64> = self.keys.iter().filter_map(|k| k.memory).collect();
        let sampled_bytes = (!sizes.is_empty()).then(|| sizes.iter().sum::<u64>());
        let estimated = (n as f64 * scale).round() as u64;
        let estimated_bytes = sampled_bytes.map(|b| {
            // Scale by the keys whose size was read, then to the estimate.
            (b as f64 / sizes.len() as f64 * estimated as f64).round() as u64
        });
        let stats = Shape {
            keys: read,
            with_ttl: ttls.len() as u64,
            ttl_p50: pct(0.5),
            types: &types,
        };
        let with_ttl = stats.with_ttl;
        let (usage, library, evidence) = match self.signature {
            Some(sig) => (
                sig.usage,
                Some(sig.library),
                format!(
                    "{} key layout ({}; {} of {} sampled match)",
                    sig.library,
                    sig.layout,
                    grouped(self.signed),
                    grouped(n)
                ),
            ),
            None => {
                let (u, why) = namespace::infer(&pattern, &stats);
                (u, None, why)
            }
        };
        Namespace {
            pattern,
            sampled: n,
            estimated,
            share_percent: if sampled_all == 0 {
                0.0
            } else {
                (n as f64 * 1000.0 / sampled_all as f64).round() / 10.0
            },
            read,
            types,
            with_ttl,
            ttl_p50_ms: pct(0.5),
            ttl_p90_ms: pct(0.9),
            sampled_bytes,
            estimated_bytes,
            usage,
            library,
            evidence,
        }
    }
}

/// What shape rules look at: counts, TTLs and types of one namespace's read keys.
pub struct Shape<'a> {
    /// Keys read (TYPE and PTTL).
    pub keys: u64,
    /// Keys with a TTL.
    pub with_ttl: u64,
    /// Median TTL of those, in ms.
    pub ttl_p50: Option<u64>,
    /// Keys by TYPE.
    pub types: &'a BTreeMap<&'static str, u64>,
}
