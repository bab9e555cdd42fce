//! The keyspace sample: `SCAN … COUNT ≤ 1000` on the selected database until enough key
//! names or the time budget is spent, and `TYPE` and `PTTL` (and, for `redcheck keys`,
//! `MEMORY USAGE … SAMPLES 5`) pipelined for the keys to read: every key, batch by batch, for
//! `redcheck keys`; a few per namespace, in one flight after the names, for the default check
//! (its server cost stays a few dozen commands however big the keyspace). Never `KEYS`, never
//! a value read.

use std::time::{Duration, Instant};

use redis::{Cmd, Value};

use crate::conn::{Connection, server_error, text};
use crate::deadline::Deadline;
use crate::keyspace::{self, Analysis, Key};

use super::session::{self, SessionError};

mod read;

use read::{Replies, read_cmds, read_replies};

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
    /// Read TYPE and PTTL of at most this many of the keys, spread over the namespaces
    /// (`keyspace::pick_reads`), once the names are in; `None`: of every key, per batch.
    pub read: Option<usize>,
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
    let named = names(conn, db, limits, deadline, progress)?;
    // A failed write shows again, and is judged, at the first read.
    let _ = conn.send_ahead(&named.reads());
    named.finish(conn)
}

/// A sample whose names are in, with the keys whose TYPE and PTTL are still to be read
/// ([`Named::reads`], sent ahead alone or with the caller's next commands, then
/// [`Named::finish`]).
pub struct Named {
    db: u32,
    dbsize: u64,
    keys: Vec<Key>,
    picks: Vec<usize>,
    stop: Stop,
    cursor: u64,
    scans: u32,
    unreadable: u64,
    memory_note: Option<String>,
    pattern: bool,
    /// Wall time of the names (DBSIZE and the SCANs, pauses included).
    took: Duration,
    busy: Duration,
}

/// `DBSIZE`, then `SCAN` until the limits: with [`Limits::read`] only the names, otherwise
/// every batch read as it comes.
pub fn names(
    conn: &mut Connection,
    db: u32,
    limits: &Limits,
    deadline: Deadline,
    progress: &dyn Fn(usize),
) -> Result<Named, SampleError> {
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
        // The first one may be in the check's first flight (pipeline::first_scan): same bytes.
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
        let names = names.into_iter().take(room);
        if limits.read.is_some() {
            keys.extend(names.map(|n| Key::named(String::from_utf8_lossy(&n).into_owned())));
        } else {
            let names: Vec<Vec<u8>> = names.collect();
            if !names.is_empty() {
                let memory: Vec<bool> = (0..names.len())
                    .map(|i| memory_every > 0 && (keys.len() + i).is_multiple_of(memory_every))
                    .collect();
                let cmds = read_cmds(&names, &memory);
                let Replies {
                    read,
                    refused,
                    note,
                    ..
                } = read_replies(conn, &cmds, &names, &memory)?;
                let none_read = keys.is_empty() && read.is_empty();
                keys.extend(read.into_iter().map(|(_, k)| k));
                unreadable += refused;
                if let Some(note) = note {
                    memory_every = 0;
                    memory_note = Some(note);
                }
                if refused == names.len() as u64 && none_read {
                    return Err(SampleError::Forbidden(
                        "TYPE/PTTL: the ACL refuses them on the keys SCAN returned".into(),
                    ));
                }
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
    let picks = limits
        .read
        .map(|n| keyspace::pick_reads(&keys, n))
        .unwrap_or_default();
    Ok(Named {
        db,
        dbsize,
        keys,
        picks,
        stop,
        cursor,
        scans,
        unreadable,
        memory_note,
        pattern: limits.pattern.is_some(),
        took: started.elapsed(),
        busy,
    })
}

impl Named {
    /// `TYPE` and `PTTL` of the picked keys, in the order [`Named::finish`] asks for them.
    /// At most [`MAX_SCAN_COUNT`] keys go in one flight; [`Named::finish`] sends the rest.
    pub fn reads(&self) -> Vec<Cmd> {
        self.batch_cmds(0)
    }

    /// TYPE and PTTL of the `n`-th batch of picked keys.
    fn batch_cmds(&self, n: usize) -> Vec<Cmd> {
        let names: Vec<&[u8]> = self
            .picks
            .chunks(MAX_SCAN_COUNT)
            .nth(n)
            .unwrap_or_default()
            .iter()
            .map(|&i| self.keys[i].name.as_bytes())
            .collect();
        read_cmds(&names, &vec![false; names.len()])
    }

    /// Reads the picked keys' replies (from the flight when [`Named::reads`] was sent ahead)
    /// and analyses the sample. A picked key that expired since SCAN is left out; one the ACL
    /// refuses is counted and keeps its name only (SCAN showed it).
    pub fn finish(mut self, conn: &mut Connection) -> Result<Sample, SampleError> {
        let started = Instant::now();
        if !self.picks.is_empty() {
            let names: Vec<Vec<u8>> = self
                .picks
                .iter()
                .map(|&i| self.keys[i].name.clone().into_bytes())
                .collect();
            let mut refused = 0;
            let mut gone = Vec::new();
            for (n, batch) in names.chunks(MAX_SCAN_COUNT).enumerate() {
                // The first batch is usually in the caller's flight already.
                let cmds = self.batch_cmds(n);
                let replies = read_replies(conn, &cmds, batch, &vec![false; batch.len()])?;
                let first = n * MAX_SCAN_COUNT;
                refused += replies.refused;
                for (at, key) in replies.read {
                    self.keys[self.picks[first + at]] = key;
                }
                gone.extend(replies.gone.iter().map(|&at| self.picks[first + at]));
            }
            self.busy += started.elapsed();
            if refused == names.len() as u64 {
                return Err(SampleError::Forbidden(
                    "TYPE/PTTL: the ACL refuses them on the keys SCAN returned".into(),
                ));
            }
            self.unreadable += refused;
            gone.sort_unstable();
            for i in gone.into_iter().rev() {
                self.keys.remove(i);
            }
        }
        let covered = if self.stop == Stop::Complete {
            1.0
        } else {
            covered(self.cursor, self.dbsize)
        };
        let sampled = self.keys.len() as u64;
        #[allow(
            clippy::cast_precision_loss,
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss
        )]
        let total = match (self.pattern, self.stop) {
            (false, _) => self.dbsize,
            (true, Stop::Complete) => sampled + self.unreadable,
            (true, _) if covered > 0.0 => {
                ((sampled as f64 / covered).round() as u64).min(self.dbsize)
            }
            (true, _) => sampled,
        };
        let analysis = keyspace::analyse(&self.keys, total);
        Ok(Sample {
            db: self.db,
            dbsize: self.dbsize,
            keys: self.keys,
            stop: self.stop,
            covered,
            total,
            scans: self.scans,
            unreadable: self.unreadable,
            memory_note: self.memory_note,
            // The caller may have done other work between the names and the reads.
            took: self.took + started.elapsed(),
            busy: self.busy,
            analysis,
            nodes: 1,
            all_primaries: false,
        })
    }
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
