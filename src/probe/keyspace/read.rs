//! Reading sampled keys: `TYPE`, `PTTL` and `MEMORY USAGE` per key, sent as one flight and
//! read back in the same order.

use redis::{Cmd, Value};

use crate::conn::{Connection, server_error, text};
use crate::keyspace::{Key, KeyType};

use super::super::session;
use super::SampleError;

/// TYPE and PTTL of each of `names`, and MEMORY USAGE where `memory` says so.
pub(super) fn read_cmds(names: &[impl AsRef<[u8]>], memory: &[bool]) -> Vec<Cmd> {
    let mut cmds = Vec::with_capacity(names.len() * 2);
    for (name, &sized) in names.iter().zip(memory) {
        let name = name.as_ref();
        cmds.push(redis::cmd("TYPE").arg(name).clone());
        cmds.push(redis::cmd("PTTL").arg(name).clone());
        if sized {
            cmds.push(
                redis::cmd("MEMORY")
                    .arg("USAGE")
                    .arg(name)
                    .arg("SAMPLES")
                    .arg(5)
                    .clone(),
            );
        }
    }
    cmds
}

/// What [`read_replies`] found.
pub(super) struct Replies {
    /// The keys read, with their position in `names`.
    pub(super) read: Vec<(usize, Key)>,
    /// Keys whose TYPE or PTTL the ACL refused.
    pub(super) refused: u64,
    /// Positions of keys that expired (or were deleted) since SCAN returned them.
    pub(super) gone: Vec<usize>,
    /// Why memory could not be read, when MEMORY USAGE was refused.
    pub(super) note: Option<String>,
}

/// The replies to `cmds` ([`read_cmds`] of the same `names` and `memory`): from the flight
/// when they are its next commands (sent ahead by the caller), otherwise sent here first.
pub(super) fn read_replies(
    conn: &mut Connection,
    cmds: &[Cmd],
    names: &[Vec<u8>],
    memory: &[bool],
) -> Result<Replies, SampleError> {
    if let Some(first) = cmds.first()
        && !conn.flight_next_is(first)
    {
        conn.send_ahead(cmds)?;
    }
    let mut keys = Vec::with_capacity(names.len());
    let mut refused = 0;
    let mut gone = Vec::new();
    let mut note = None;
    // Every reply is read, refused or not, so the connection stays in step.
    for (i, (name, &sized)) in names.iter().zip(memory).enumerate() {
        let kind = conn.read_flight()?;
        let ttl = conn.read_flight()?;
        let size = if sized {
            Some(conn.read_flight()?)
        } else {
            None
        };
        if server_error(&kind).is_some() || server_error(&ttl).is_some() {
            refused += 1;
            continue;
        }
        let kind = KeyType::parse(&text(&kind).unwrap_or_default());
        let ttl_ms = match ttl {
            // -2: the key expired or was deleted since SCAN returned it.
            Value::Int(-2) => {
                gone.push(i);
                continue;
            }
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
        keys.push((
            i,
            Key {
                name: String::from_utf8_lossy(name).into_owned(),
                kind: Some(kind),
                ttl_ms,
                memory,
            },
        ));
    }
    Ok(Replies {
        read: keys,
        refused,
        gone,
        note,
    })
}
