//! The keyspace sample: `SCAN … COUNT ≤ 1000` on the selected database, with `TYPE` and
//! `PTTL` (and, for `redcheck keys`, `MEMORY USAGE … SAMPLES 5`) pipelined per batch of keys,
//! until enough keys or the time budget is spent. Never `KEYS`, never a value read.

use std::time::{Duration, Instant};

use redis::Value;

use crate::conn::{Connection, server_error, text};
use crate::deadline::Deadline;
use crate::keyspace::{self, Analysis, Key, KeyType};

use super::session::{self, SessionError};

/// The largest `COUNT` a SCAN asks for: bounds the work of one call on the server.
pub const MAX_SCAN_COUNT: usize = 1000;
/// With pacing, the pause after a batch is this many times the batch's round trips, so round
/// trips fill at most 1 / (1 + PACE_FACTOR) of the run; the server's own share of a round trip
/// is smaller still (docs/benchmarks.md measures its CPU time).
pub const PACE_FACTOR: u32 = 14;

/// How much to sample.
#[derive(Debug, Clone, Default)]
pub struct Limits {
    /// Stop after this many keys.
    pub keys: usize,
    /// Stop once this much time has passed (pauses included).
    pub budget: Duration,
    /// Only keys matching this glob (`SCAN … MATCH`).
    pub pattern: Option<String>,
    /// Also read `MEMORY USAGE … SAMPLES 5` of every this-many-th key (0: never); the
    /// namespaces' sizes are scaled from those.
    pub memory_every: usize,
    /// Pause between batches (production-safe pacing, for `redcheck keys`).
    pub pace: bool,
}

/// Why the sample ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Stop {
    /// SCAN came back to cursor 0: every key was seen.
    Complete,
    /// `--sample-keys` keys were read.
    Limit,
    /// The time budget ran out.
    Budget,
}

/// What the sample found in one database.
#[derive(Debug, Clone)]
pub struct Sample {
    /// The database sampled.
    pub db: u32,
    /// `DBSIZE` when the sample started.
    pub dbsize: u64,
    /// The keys read, in SCAN order.
    pub keys: Vec<Key>,
    /// Why it ended.
    pub stop: Stop,
    /// Estimated share of the keyspace SCAN walked (1.0 when complete).
    pub covered: f64,
    /// Keys the sample stands for: DBSIZE, or with a pattern the matches scaled by `covered`.
    pub total: u64,
    /// SCAN calls.
    pub scans: u32,
    /// Keys SCAN returned whose TYPE or PTTL the ACL refused.
    pub unreadable: u64,
    /// Why memory was not read, when it was asked for and refused.
    pub memory_note: Option<String>,
    /// Wall time, pauses included.
    pub took: Duration,
    /// Time spent waiting on replies (what the server and the network cost).
    pub busy: Duration,
    /// Namespaces and inferred uses.
    pub analysis: Analysis,
    /// Databases and servers the sample covers (`redcheck keys` merges its samples).
    pub nodes: usize,
    /// Whether every primary of a cluster was sampled (`redcheck keys`), not just this node.
    pub all_primaries: bool,
}

/// Why there is no sample.
#[derive(Debug)]
pub enum SampleError {
    /// The ACL refuses a command the sample needs (or the server does not know it).
    Forbidden(String),
    /// The connection failed.
    Failed(SessionError),
}

impl From<crate::conn::WireError> for SampleError {
    fn from(e: crate::conn::WireError) -> Self {
        SampleError::Failed(SessionError::Wire(e))
    }
}

/// A server error as a refusal (NOPERM, unknown command) or a classified failure.
fn refusal(command: &str, v: &Value) -> Option<SampleError> {
    let (code, msg) = server_error(v)?;
    let lower = msg.to_ascii_lowercase();
    Some(
        if code == "NOPERM"
            || lower.contains("unknown command")
            || lower.contains("unknown subcommand")
        {
            SampleError::Forbidden(format!("{command}: {}", session::sanitize(&msg)))
        } else {
            SampleError::Failed(SessionError::Server(session::classify(&code, &msg, false)))
        },
    )
}

/// Samples the selected database (`db` is only recorded); `progress` is told the keys read
/// after each batch.
pub fn sample(
    conn: &mut Connection,
    db: u32,
    limits: &Limits,
    deadline: Deadline,
    progress: &dyn Fn(usize),
) -> Result<Sample, SampleError> {
    let started = Instant::now();
    let mut busy = Duration::ZERO;
    let reply = conn.call(&redis::cmd("DBSIZE"))?;
    busy += started.elapsed();
    if let Some(e) = refusal("DBSIZE", &reply) {
        return Err(e);
    }
    let dbsize = match reply {
        Value::Int(n) => u64::try_from(n).unwrap_or(0),
        _ => 0,
    };
    let mut keys: Vec<Key> = Vec::new();
    let mut cursor: u64 = 0;
    let mut scans = 0u32;
    let mut unreadable = 0u64;
    let mut memory_every = limits.memory_every;
    let mut memory_note = None;
    let stop = loop {
        if keys.len() >= limits.keys {
            break Stop::Limit;
        }
        if started.elapsed() >= limits.budget || deadline.remaining().is_err() {
            break Stop::Budget;
        }
        let batch_started = Instant::now();
        let count = if limits.pattern.is_some() {
            MAX_SCAN_COUNT
        } else {
            (limits.keys - keys.len()).clamp(10, MAX_SCAN_COUNT)
        };
        let mut scan = redis::cmd("SCAN");
        scan.arg(cursor);
        if let Some(p) = &limits.pattern {
            scan.arg("MATCH").arg(p);
        }
        scan.arg("COUNT").arg(count);
        // The first one may be in the flight after PING (pipeline::first_scan): same bytes.
        debug_assert!(
            cursor != 0
                || !keys.is_empty()
                || limits.pattern.is_some()
                || scan.get_packed_command()
                    == super::pipeline::first_scan(limits.keys).get_packed_command()
        );
        let reply = conn.call(&scan)?;
        scans += 1;
        if let Some(e) = refusal("SCAN", &reply) {
            return Err(e);
        }
        let (next, names) = scan_reply(&reply).ok_or_else(|| {
            SampleError::Failed(SessionError::Server(crate::failure::Failure::new(
                crate::failure::Reason::Protocol,
                "SCAN answered something other than [cursor, keys]",
            )))
        })?;
        cursor = next;
        let room = limits.keys - keys.len();
        let names = &names[..names.len().min(room)];
        if !names.is_empty() {
            let (read, refused, note) = describe(conn, names, memory_every, keys.len())?;
            keys.extend(read);
            unreadable += refused;
            if let Some(note) = note {
                memory_every = 0;
                memory_note = Some(note);
            }
            if refused == names.len() as u64 && keys.is_empty() {
                return Err(SampleError::Forbidden(
                    "TYPE/PTTL: the ACL refuses them on the keys SCAN returned".into(),
                ));
            }
        }
        let batch = batch_started.elapsed();
        busy += batch;
        progress(keys.len());
        if cursor == 0 {
            break Stop::Complete;
        }
        if limits.pace && keys.len() < limits.keys {
            let left = limits.budget.saturating_sub(started.elapsed());
            std::thread::sleep((batch * PACE_FACTOR).min(left));
        }
    };
    let covered = if stop == Stop::Complete {
        1.0
    } else {
        covered(cursor, dbsize)
    };
    #[allow(
        clippy::cast_precision_loss,
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss
    )]
    let total = match (&limits.pattern, stop) {
        (None, _) => dbsize,
        (Some(_), Stop::Complete) => keys.len() as u64 + unreadable,
        (Some(_), _) if covered > 0.0 => ((keys.len() as f64 / covered).round() as u64).min(dbsize),
        (Some(_), _) => keys.len() as u64,
    };
    let analysis = keyspace::analyse(&keys, total);
    Ok(Sample {
        db,
        dbsize,
        keys,
        stop,
        covered,
        total,
        scans,
        unreadable,
        memory_note,
        took: started.elapsed(),
        busy,
        analysis,
        nodes: 1,
        all_primaries: false,
    })
}

/// `[cursor, [key…]]`.
fn scan_reply(v: &Value) -> Option<(u64, Vec<Vec<u8>>)> {
    let Value::Array(parts) = v else { return None };
    let [cursor, Value::Array(names)] = parts.as_slice() else {
        return None;
    };
    let cursor = text(cursor)?.parse().ok()?;
    let names = names
        .iter()
        .filter_map(|n| match n {
            Value::BulkString(b) => Some(b.clone()),
            Value::SimpleString(s) => Some(s.clone().into_bytes()),
            _ => None,
        })
        .collect();
    Some((cursor, names))
}

/// TYPE, PTTL (and MEMORY USAGE) of `names`, pipelined: the keys read, how many the ACL
/// refused, and why memory could not be read when it was refused. MEMORY USAGE goes to every
/// `memory_every`-th key, counting from `offset` (keys read before this batch).
fn describe(
    conn: &mut Connection,
    names: &[Vec<u8>],
    memory_every: usize,
    offset: usize,
) -> Result<(Vec<Key>, u64, Option<String>), SampleError> {
    let sized = |i: usize| memory_every > 0 && (offset + i).is_multiple_of(memory_every);
    let mut out = Vec::with_capacity(names.len() * 48);
    for (i, name) in names.iter().enumerate() {
        let memory = sized(i);
        out.extend(redis::cmd("TYPE").arg(name.as_slice()).get_packed_command());
        out.extend(redis::cmd("PTTL").arg(name.as_slice()).get_packed_command());
        if memory {
            out.extend(
                redis::cmd("MEMORY")
                    .arg("USAGE")
                    .arg(name.as_slice())
                    .arg("SAMPLES")
                    .arg(5)
                    .get_packed_command(),
            );
        }
    }
    conn.send(&out)?;
    let mut keys = Vec::with_capacity(names.len());
    let mut refused = 0;
    let mut note = None;
    // Every reply is read, refused or not, so the connection stays in step.
    for (i, name) in names.iter().enumerate() {
        let kind = conn.read()?;
        let ttl = conn.read()?;
        let size = if sized(i) { Some(conn.read()?) } else { None };
        if server_error(&kind).is_some() || server_error(&ttl).is_some() {
            refused += 1;
            continue;
        }
        let kind = KeyType::parse(&text(&kind).unwrap_or_default());
        let ttl_ms = match ttl {
            // -2: the key expired or was deleted since SCAN returned it.
            Value::Int(-2) => continue,
            Value::Int(n) if n >= 0 => Some(n.unsigned_abs()),
            _ => None,
        };
        let memory = match &size {
            Some(Value::Int(n)) => Some(n.unsigned_abs()),
            Some(v) => {
                if let Some((_, msg)) = server_error(v) {
                    note.get_or_insert_with(|| {
                        format!("MEMORY USAGE: {}", session::sanitize(&msg))
                    });
                }
                None
            }
            None => None,
        };
        keys.push(Key {
            name: String::from_utf8_lossy(name).into_owned(),
            kind,
            ttl_ms,
            memory,
        });
    }
    Ok((keys, refused, note))
}

/// The share of the table a SCAN cursor has walked. SCAN visits buckets in reverse-binary
/// order, so with a table of 2^n buckets the cursor's low n bits, reversed, count the buckets
/// done. The table holds at least DBSIZE slots, rounded up to a power of two.
#[allow(clippy::cast_precision_loss)]
fn covered(cursor: u64, dbsize: u64) -> f64 {
    if cursor == 0 {
        return 0.0;
    }
    let table_bits = 64 - dbsize.max(1).saturating_sub(1).leading_zeros();
    let cursor_bits = 64 - cursor.leading_zeros();
    let n = table_bits.max(cursor_bits).min(63);
    let reversed = cursor.reverse_bits() >> (64 - n);
    reversed as f64 / (1u64 << n) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coverage_follows_the_reversed_cursor() {
        // 8 buckets: cursor 4 (binary 100) is bucket 001 reversed → 1/8 walked.
        assert!((covered(4, 8) - 0.125).abs() < 1e-9);
        // cursor 1 (001) reversed is 100: half walked.
        assert!((covered(1, 8) - 0.5).abs() < 1e-9);
        assert!((covered(0, 8)).abs() < 1e-9);
        // A cursor wider than DBSIZE suggests means a bigger table.
        assert!(covered(1 << 20, 8) > 0.0);
    }

    #[test]
    fn scan_replies_parse() {
        let v = Value::Array(vec![
            Value::BulkString(b"17".to_vec()),
            Value::Array(vec![Value::BulkString(b"a:1".to_vec())]),
        ]);
        assert_eq!(scan_reply(&v), Some((17, vec![b"a:1".to_vec()])));
        assert_eq!(scan_reply(&Value::Int(3)), None);
    }
}
