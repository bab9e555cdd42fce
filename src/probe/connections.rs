//! `CLIENT LIST`: who holds connections, from which address, with which client library
//! (`lib-name`/`lib-ver`, Redis 7.2+), how old and how idle. redcheck's own connection is left out.

use redis::Value;

use crate::conn::{Connection, server_error, text};

use super::session::{self, InfoError, SessionError};

/// More connections than this and `CLIENT LIST` is not sent: its reply grows by ~300 bytes
/// per connection, and the counts INFO gives are enough to judge that many.
pub const MAX_CONNECTIONS: u64 = 10_000;

/// One connection of `CLIENT LIST`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Client {
    /// Its `id` (redcheck's own pub/sub subscriber is left out by it).
    pub id: u64,
    /// The peer's IP (or socket path), without the port.
    pub host: String,
    /// `lib-name lib-ver` when the client said (`CLIENT SETINFO`).
    pub lib: Option<String>,
    /// `name` (`CLIENT SETNAME`), when set.
    pub name: Option<String>,
    /// Seconds since it connected.
    pub age_s: u64,
    /// Seconds since its last command.
    pub idle_s: u64,
    /// Whether it is subscribed to pub/sub channels.
    pub pubsub: bool,
    /// Whether it waits in a blocking command.
    pub blocked: bool,
}

/// The connections of `CLIENT LIST`, redcheck's own left out.
#[derive(Debug, Clone, Default)]
pub struct ConnectionFacts {
    /// Every other connection.
    pub clients: Vec<Client>,
}

/// Sends `CLIENT LIST` and parses it.
pub fn fetch(conn: &mut Connection) -> Result<ConnectionFacts, InfoError> {
    let reply = conn
        .call(&super::pipeline::client_list())
        .map_err(|e| InfoError::Failed(SessionError::Wire(e)))?;
    if let Some((code, msg)) = server_error(&reply) {
        let lower = msg.to_ascii_lowercase();
        return Err(
            if code == "NOPERM"
                || lower.contains("unknown command")
                || lower.contains("unknown subcommand")
            {
                InfoError::Forbidden(session::sanitize(&msg))
            } else {
                InfoError::Failed(SessionError::Server(session::classify(&code, &msg, false)))
            },
        );
    }
    let body = match &reply {
        Value::Nil => String::new(),
        v => text(v).unwrap_or_default(),
    };
    Ok(ConnectionFacts {
        clients: parse(&body),
    })
}

/// `id=3 addr=127.0.0.1:5012 … cmd=client|list …` lines → clients, without the one that sent
/// this CLIENT LIST (its `cmd` is `client|list`, or `client` before Redis 7).
pub fn parse(body: &str) -> Vec<Client> {
    body.lines()
        .filter_map(|line| {
            let field = |k: &str| {
                line.split(' ')
                    .find_map(|kv| kv.strip_prefix(k).and_then(|v| v.strip_prefix('=')))
            };
            let cmd = field("cmd").unwrap_or_default();
            if cmd == "client|list" || cmd == "client" {
                return None;
            }
            let addr = field("addr")?;
            let host = match addr.rsplit_once(':') {
                Some((h, _)) if !h.is_empty() => h.to_string(),
                _ => addr.to_string(),
            };
            let lib = match (field("lib-name"), field("lib-ver")) {
                (Some(n), Some(v)) if !n.is_empty() && !v.is_empty() => Some(format!("{n} {v}")),
                (Some(n), _) if !n.is_empty() => Some(n.to_string()),
                _ => None,
            };
            let flags = field("flags").unwrap_or_default();
            let num = |k: &str| field(k).and_then(|v| v.parse().ok()).unwrap_or(0);
            Some(Client {
                id: num("id"),
                host,
                lib,
                name: field("name").filter(|n| !n.is_empty()).map(str::to_string),
                age_s: num("age"),
                idle_s: num("idle"),
                pubsub: flags.contains('P') || num("sub") + num("psub") > 0,
                blocked: flags.contains('b'),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_client_list_and_leaves_out_the_asker() {
        let body = "id=3 addr=10.0.0.5:41000 laddr=10.0.0.1:6379 fd=8 name= age=120 idle=3 flags=N db=0 sub=0 psub=0 cmd=get lib-name=redis-py lib-ver=5.0.1\n\
                    id=4 addr=10.0.0.6:41001 laddr=10.0.0.1:6379 fd=9 name=worker age=2 idle=0 flags=b db=0 sub=0 psub=0 cmd=blpop\n\
                    id=5 addr=[::1]:5000 fd=10 name= age=0 idle=0 flags=N db=0 sub=0 psub=0 cmd=client|list lib-name= lib-ver=\n";
        let clients = parse(body);
        assert_eq!(clients.len(), 2);
        assert_eq!(clients[0].host, "10.0.0.5");
        assert_eq!(clients[0].lib.as_deref(), Some("redis-py 5.0.1"));
        assert_eq!(clients[0].age_s, 120);
        assert_eq!(clients[1].name.as_deref(), Some("worker"));
        assert!(clients[1].blocked);
        assert_eq!(clients[1].lib, None);
    }
}
