//! `auth`, `ping` and `INFO` over an open connection.
//!
//! Authentication judges what the user's application will see: a password-only URL is sent
//! as `AUTH <password>` (what most clients do), never hidden behind `HELLO … AUTH default`.

use std::time::{Duration, Instant};

use redis::Value;

use crate::conn::{Connection, WireError, server_error, text};
use crate::failure::{Failure, Reason};
use crate::secret::Masker;
use crate::url::Target;

use super::pipeline;

mod config;

pub use config::{CONFIG_READS, ServerConfig, read_config};

/// Why a session step failed: a classified server answer, or the wire itself.
#[derive(Debug)]
pub enum SessionError {
    /// The server answered with an error we classified.
    Server(Failure),
    /// No usable answer: timeout, reset, close, or bytes that are not RESP.
    Wire(WireError),
}

impl From<WireError> for SessionError {
    fn from(e: WireError) -> Self {
        SessionError::Wire(e)
    }
}

/// What authentication established.
#[derive(Debug, Clone, Default)]
pub struct AuthFacts {
    /// The user the connection runs as (`ACL WHOAMI`, else the URL's, else `default`).
    pub user: String,
    /// RESP version in use.
    pub protocol: u8,
    /// Whether the server knows `HELLO` (Redis ≥ 6).
    pub hello: bool,
    /// Whether AUTH was sent at all.
    pub authenticated: bool,
    /// Fields of the HELLO reply (server, version, mode, role…), for when INFO is forbidden.
    pub hello_fields: Vec<(String, String)>,
    /// Things worth saying that are not failures.
    pub notes: Vec<String>,
}

/// Authenticates, negotiates the protocol, names the user and selects the database.
pub fn authenticate(conn: &mut Connection, target: &Target) -> Result<AuthFacts, SessionError> {
    let mut facts = AuthFacts {
        protocol: 2,
        ..AuthFacts::default()
    };
    let wanted = pipeline::wanted_protocol(target);
    match (&target.username, &target.password) {
        (Some(user), Some(pass)) => {
            let reply = conn.call(&pipeline::hello(wanted, Some((user, pass.expose()))))?;
            facts.authenticated = true;
            match server_error(&reply) {
                None => take_hello(&mut facts, &reply, wanted),
                Some((_, msg)) if is_unknown_command(&msg) || msg.starts_with("NOPROTO") => {
                    let reply = conn.call(&pipeline::auth(Some(user), pass.expose()))?;
                    check_auth(&reply, true)?;
                }
                Some((code, msg)) => return Err(SessionError::Server(classify(&code, &msg, true))),
            }
        }
        (None, Some(pass)) => {
            let reply = conn.call(&pipeline::auth(None, pass.expose()))?;
            facts.authenticated = true;
            check_auth(&reply, false)?;
            negotiate(conn, &mut facts, wanted)?;
        }
        (user, None) => {
            if let Some(u) = user {
                facts.notes.push(format!(
                    "user '{u}' has no password in the URL; connecting as default"
                ));
            }
            negotiate(conn, &mut facts, wanted)?;
        }
    }
    facts.user = whoami(conn, &mut facts, target)?;
    if target.db != 0 {
        let reply = conn.call(&pipeline::select(target.db))?;
        if let Some((code, msg)) = server_error(&reply) {
            let failure = if msg.contains("out of range")
                || msg.contains("not allowed")
                || msg.contains("invalid")
            {
                Failure::new(Reason::InvalidDb, format!("SELECT {}: {msg}", target.db))
            } else {
                classify(&code, &msg, false)
            };
            return Err(SessionError::Server(failure));
        }
    }
    Ok(facts)
}

/// `HELLO <proto>` without credentials; RESP2 when the server or a proxy does not know it.
fn negotiate(conn: &mut Connection, facts: &mut AuthFacts, wanted: u8) -> Result<(), SessionError> {
    let reply = conn.call(&pipeline::hello(wanted, None))?;
    match server_error(&reply) {
        None => take_hello(facts, &reply, wanted),
        Some((_, msg)) if is_unknown_command(&msg) || msg.starts_with("NOPROTO") => {
            facts
                .notes
                .push("the server does not know HELLO (Redis < 6 or a proxy): using RESP2".into());
        }
        Some((code, msg)) => return Err(SessionError::Server(classify(&code, &msg, false))),
    }
    Ok(())
}

fn take_hello(facts: &mut AuthFacts, reply: &Value, wanted: u8) {
    facts.hello = true;
    facts.protocol = wanted;
    let pairs: Vec<(&Value, &Value)> = match reply {
        Value::Map(m) => m.iter().map(|(k, v)| (k, v)).collect(),
        Value::Array(a) => a.chunks_exact(2).map(|kv| (&kv[0], &kv[1])).collect(),
        _ => Vec::new(),
    };
    for (k, v) in pairs {
        let value = match v {
            Value::Int(i) => Some(i.to_string()),
            other => text(other),
        };
        if let (Some(k), Some(v)) = (text(k), value) {
            facts.hello_fields.push((k, v));
        }
    }
}

fn check_auth(reply: &Value, with_user: bool) -> Result<(), SessionError> {
    match server_error(reply) {
        None => Ok(()),
        Some((code, msg)) => Err(SessionError::Server(classify(&code, &msg, with_user))),
    }
}

fn whoami(
    conn: &mut Connection,
    facts: &mut AuthFacts,
    target: &Target,
) -> Result<String, SessionError> {
    let fallback = target.username.clone().unwrap_or_else(|| "default".into());
    let reply = conn.call(&pipeline::whoami())?;
    match (server_error(&reply), text(&reply)) {
        (None, Some(user)) => Ok(user),
        (Some((code, msg)), _) if code == "NOAUTH" => {
            Err(SessionError::Server(classify(&code, &msg, false)))
        }
        (Some((code, _)), _) if code == "NOPERM" => {
            facts.notes.push("the user may not run ACL WHOAMI".into());
            Ok(fallback)
        }
        (Some((code, msg)), _)
            if matches!(code.as_str(), "LOADING" | "DENIED") || msg.contains("max number") =>
        {
            Err(SessionError::Server(classify(&code, &msg, false)))
        }
        _ => Ok(fallback),
    }
}

fn is_unknown_command(msg: &str) -> bool {
    let m = msg.to_ascii_lowercase();
    m.contains("unknown command") || m.contains("unknown subcommand")
}

/// Names a server error: the session reasons of the JSON contract.
pub fn classify(code: &str, msg: &str, with_user: bool) -> Failure {
    let lower = msg.to_ascii_lowercase();
    let reason = match code {
        "DENIED" => Reason::ProtectedMode,
        "LOADING" => Reason::Loading,
        "BUSY" => Reason::Busy,
        "MASTERDOWN" => Reason::MasterLinkDown,
        "NOAUTH" => Reason::Noauth,
        "WRONGPASS" => Reason::Wrongpass,
        "NOPERM" => Reason::Noperm,
        "READONLY" => Reason::Readonly,
        "MISCONF" => Reason::Misconf,
        "OOM" => Reason::Oom,
        "MOVED" | "ASK" => Reason::Moved,
        "CLUSTERDOWN" => Reason::ClusterDown,
        _ if lower.contains("max number of clients") => Reason::MaxClients,
        _ if lower.contains("no password is set")
            || lower.contains("without any password configured") =>
        {
            Reason::NoPasswordSet
        }
        _ if lower.contains("invalid password") || lower.contains("invalid username-password") => {
            Reason::Wrongpass
        }
        _ if with_user && lower.contains("wrong number of arguments") => Reason::AuthArity,
        _ => Reason::Protocol,
    };
    // NOAUTH texts run to 200 characters of advice about HELLO; say it in one line.
    let cause = match reason {
        Reason::Noauth => "the server requires a password, and none was sent (NOAUTH)".to_string(),
        _ => sanitize(msg),
    };
    Failure::from_server(reason, cause)
}

/// `key:value` text from the server (INFO, CLUSTER INFO) with the password taken out of every
/// key and value, before any of it is parsed: a field that equals the password (a
/// `maxmemory_policy`, a `master_host`, an `errorstat_` name) never reaches a report.
pub fn mask_fields(text: &str) -> String {
    let masker = Masker::current();
    if masker.is_empty() {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        let body = line.trim_end_matches(['\r', '\n']);
        let end = &line[body.len()..];
        match body.split_once(':') {
            Some((k, v)) => {
                out.push_str(&masker.foreign(k));
                out.push(':');
                out.push_str(&masker.foreign(v));
            }
            None => out.push_str(&masker.foreign(body)),
        }
        out.push_str(end);
    }
    out
}

/// Server text for display: one line, printable, bounded. The password goes first, so that
/// neither the cut nor the clean-up can leave a piece of it.
pub fn sanitize(msg: &str) -> String {
    const MAX: usize = 160;
    let clean: String = Masker::current()
        .foreign(msg)
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let clean = clean.trim();
    if clean.chars().count() > MAX {
        format!(
            "{}…",
            clean.chars().take(MAX).collect::<String>().trim_end()
        )
    } else {
        clean.to_string()
    }
}

/// Round-trip samples of `PING` on the open connection.
pub fn ping(conn: &mut Connection, samples: usize) -> Result<Vec<Duration>, SessionError> {
    let packed = redis::cmd("PING").get_packed_command();
    let mut out = Vec::with_capacity(samples);
    for _ in 0..samples {
        // Timeouts first, so the sample is the round trip alone.
        conn.arm()?;
        let start = Instant::now();
        conn.send(&packed)?;
        let reply = conn.read()?;
        let took = start.elapsed();
        match (server_error(&reply), text(&reply)) {
            (None, Some(p)) if p == "PONG" => out.push(took),
            (Some((code, msg)), _) => {
                return Err(SessionError::Server(classify(&code, &msg, false)));
            }
            (None, _) => {
                return Err(SessionError::Server(Failure::new(
                    Reason::Protocol,
                    format!("PING was answered with {}", describe(&reply)),
                )));
            }
        }
    }
    Ok(out)
}

/// How latency was measured when the ACL forbids PING.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PingDenied {
    /// The server's refusal, as it said it (names the permission).
    pub refusal: String,
    /// What was timed instead: `ECHO`, or the refused `PING`'s own round trip.
    pub via: &'static str,
}

/// Latency for a user the ACL does not allow to PING: `ECHO` round trips when allowed, else
/// the round trips of the refused `PING` itself (the server still reads, checks and answers
/// it, so the reply times the path the same way).
pub fn ping_denied(
    conn: &mut Connection,
    samples: usize,
    refusal: String,
) -> Result<(Vec<Duration>, PingDenied), SessionError> {
    let echo = redis::cmd("ECHO").arg("redcheck").get_packed_command();
    let ping = redis::cmd("PING").get_packed_command();
    let mut out = Vec::with_capacity(samples);
    let mut via = "ECHO";
    let mut packed = &echo;
    while out.len() < samples {
        conn.arm()?;
        let start = Instant::now();
        conn.send(packed)?;
        let reply = conn.read()?;
        let took = start.elapsed();
        match server_error(&reply) {
            None => out.push(took),
            Some((code, _)) if code == "NOPERM" && via == "ECHO" => {
                via = "the refused PING's round trip";
                packed = &ping;
            }
            Some((code, _)) if code == "NOPERM" => out.push(took),
            Some((code, msg)) => return Err(SessionError::Server(classify(&code, &msg, false))),
        }
    }
    Ok((out, PingDenied { refusal, via }))
}

/// Why INFO gave no facts, when that is not a failure of the target.
#[derive(Debug)]
pub enum InfoError {
    /// ACL or a proxy forbids it: the dependent checks are skipped with this reason.
    Forbidden(String),
    /// A real failure.
    Failed(SessionError),
}

/// One `INFO`: the text of every default section.
pub fn info(conn: &mut Connection) -> Result<String, InfoError> {
    let reply = conn
        .call(&redis::cmd("INFO"))
        .map_err(|e| InfoError::Failed(e.into()))?;
    match (server_error(&reply), text(&reply)) {
        (None, Some(t)) => Ok(mask_fields(&t)),
        (Some((code, msg)), _) if code == "NOPERM" || is_unknown_command(&msg) => {
            Err(InfoError::Forbidden(sanitize(&msg)))
        }
        (Some((code, msg)), _) => Err(InfoError::Failed(SessionError::Server(classify(
            &code, &msg, false,
        )))),
        (None, None) => Err(InfoError::Failed(SessionError::Server(Failure::new(
            Reason::Protocol,
            format!("INFO was answered with {}", describe(&reply)),
        )))),
    }
}

/// A short description of an unexpected reply.
fn describe(v: &Value) -> String {
    match v {
        Value::Nil => "nil".into(),
        Value::Int(i) => format!("the integer {i}"),
        Value::Array(a) => format!("an array of {}", a.len()),
        Value::Map(m) => format!("a map of {}", m.len()),
        other => text(other).map_or_else(
            || "an unexpected reply type".into(),
            |t| format!("'{}'", sanitize(&t)),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_server_errors() {
        let cases = [
            (
                "DENIED",
                "DENIED Redis is running in protected mode because …",
                false,
                Reason::ProtectedMode,
            ),
            (
                "ERR",
                "ERR max number of clients reached",
                false,
                Reason::MaxClients,
            ),
            (
                "LOADING",
                "LOADING Redis is loading the dataset in memory",
                false,
                Reason::Loading,
            ),
            (
                "NOAUTH",
                "NOAUTH Authentication required.",
                false,
                Reason::Noauth,
            ),
            (
                "WRONGPASS",
                "WRONGPASS invalid username-password pair or user is disabled.",
                true,
                Reason::Wrongpass,
            ),
            ("ERR", "ERR invalid password", false, Reason::Wrongpass),
            (
                "ERR",
                "ERR Client sent AUTH, but no password is set",
                false,
                Reason::NoPasswordSet,
            ),
            (
                "ERR",
                "ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?",
                false,
                Reason::NoPasswordSet,
            ),
            (
                "ERR",
                "ERR wrong number of arguments for 'auth' command",
                true,
                Reason::AuthArity,
            ),
            (
                "NOPERM",
                "NOPERM this user has no permissions to run the 'info' command",
                false,
                Reason::Noperm,
            ),
            (
                "READONLY",
                "READONLY You can't write against a read only replica.",
                false,
                Reason::Readonly,
            ),
            ("MOVED", "MOVED 3999 127.0.0.1:6381", false, Reason::Moved),
            ("ERR", "ERR something else", false, Reason::Protocol),
        ];
        for (code, msg, user, want) in cases {
            assert_eq!(classify(code, msg, user).reason, want, "{msg}");
        }
    }

    #[test]
    fn sanitizes_server_text() {
        assert_eq!(sanitize("a\r\nb\x07"), "a  b");
        assert_eq!(sanitize(&"x".repeat(500)).chars().count(), 161);
    }
}
