//! What a keyspace sample says about how the app uses Redis: keys grouped into namespaces,
//! each with an inferred use (queue, session, cache…) and the evidence for it. Pure: the
//! sample comes from `probe::keyspace`, the verdicts are worded in `checks::workloads`.

mod namespace;
mod signatures;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;

use serde::Serialize;

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

/// One sampled key: its name, TYPE, PTTL and, when asked for, MEMORY USAGE.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Key {
    /// The name (lossy UTF-8).
    pub name: String,
    /// TYPE.
    #[serde(rename = "type")]
    pub kind: KeyType,
    /// PTTL in milliseconds; `None` when the key has no TTL.
    pub ttl_ms: Option<u64>,
    /// MEMORY USAGE in bytes, when it was read.
    pub memory: Option<u64>,
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
    /// Sampled keys by TYPE.
    pub types: BTreeMap<&'static str, u64>,
    /// Sampled keys with a TTL.
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
    /// Sampled keys without a TTL.
    pub fn without_ttl(&self) -> u64 {
        self.sampled - self.with_ttl
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
        for k in &self.keys {
            *types.entry(k.kind.as_str()).or_insert(0) += 1;
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
            keys: n,
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
                    crate::text::grouped(self.signed),
                    crate::text::grouped(n)
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

/// What shape rules look at: counts, TTLs and types of one namespace.
pub struct Shape<'a> {
    /// Keys.
    pub keys: u64,
    /// Keys with a TTL.
    pub with_ttl: u64,
    /// Median TTL of those, in ms.
    pub ttl_p50: Option<u64>,
    /// Keys by TYPE.
    pub types: &'a BTreeMap<&'static str, u64>,
}
