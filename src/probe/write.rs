//! `write` (opt-in, `--write-probe`): `SET` a random key with a 30 s TTL, `GET` it back, `DEL`
//! it. The only stage that writes; the default run never reaches it.

use std::time::{Duration, Instant};

use redis::Value;

use crate::conn::{Connection, server_error, text};
use crate::failure::{Failure, Reason};

use super::session::{SessionError, classify};

/// Seconds the probe key lives if the `DEL` never arrives.
pub const PROBE_TTL_SECONDS: u64 = 30;

/// Timings of the three commands.
#[derive(Debug, Clone)]
pub struct WriteFacts {
    /// The key written.
    pub key: String,
    /// `SET … EX 30`.
    pub set: Duration,
    /// `GET`.
    pub get: Duration,
    /// `DEL`.
    pub del: Duration,
    /// Something to know about the key (it may not be in this node's slots).
    pub note: Option<String>,
}

/// Writes, reads back and deletes `key`; a refused write is classified (READONLY, OOM,
/// MISCONF, NOPERM…).
pub fn probe(conn: &mut Connection, key: &str, value: &str) -> Result<WriteFacts, SessionError> {
    let (set, _) = timed(
        conn,
        redis::cmd("SET")
            .arg(key)
            .arg(value)
            .arg("EX")
            .arg(PROBE_TTL_SECONDS),
    )?;
    let (get, reply) = timed(conn, redis::cmd("GET").arg(key))?;
    if text(&reply).as_deref() != Some(value) {
        return Err(SessionError::Server(Failure::new(
            Reason::Protocol,
            format!("GET {key} right after SET did not return the value written"),
        )));
    }
    let (del, _) = timed(conn, redis::cmd("DEL").arg(key))?;
    Ok(WriteFacts {
        key: key.to_string(),
        set,
        get,
        del,
        note: None,
    })
}

/// Runs one command and times it; a server error is classified.
fn timed(conn: &mut Connection, cmd: &redis::Cmd) -> Result<(Duration, Value), SessionError> {
    let start = Instant::now();
    let reply = conn.call(cmd)?;
    let took = start.elapsed();
    match server_error(&reply) {
        Some((code, msg)) => Err(SessionError::Server(classify(&code, &msg, false))),
        None => Ok((took, reply)),
    }
}
