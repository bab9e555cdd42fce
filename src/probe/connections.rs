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
///
/// Each line is walked once: a fleet of checks against one server has every check parse every
/// other check's connections, and a search per field made this a third of redcheck's CPU there.
pub fn parse(body: &str) -> Vec<Client> {
    body.lines().filter_map(parse_line).collect()
}

/// One `CLIENT LIST` line; the first occurrence of a field counts.
fn parse_line(line: &str) -> Option<Client> {
    let mut f = Fields::default();
    for (k, v) in line.split(' ').filter_map(|kv| kv.split_once('=')) {
        let slot = match k {
            "id" => &mut f.id,
            "addr" => &mut f.addr,
            "name" => &mut f.name,
            "age" => &mut f.age,
            "idle" => &mut f.idle,
            "flags" => &mut f.flags,
            "sub" => &mut f.sub,
            "psub" => &mut f.psub,
            "cmd" => &mut f.cmd,
            "lib-name" => &mut f.lib_name,
            "lib-ver" => &mut f.lib_ver,
            _ => continue,
        };
        slot.get_or_insert(v);
    }
    let cmd = f.cmd.unwrap_or_default();
    if cmd == "client|list" || cmd == "client" {
        return None;
    }
    let addr = f.addr?;
    let host = match addr.rsplit_once(':') {
        Some((h, _)) if !h.is_empty() => h.to_string(),
        _ => addr.to_string(),
    };
    let lib = match (f.lib_name, f.lib_ver) {
        (Some(n), Some(v)) if !n.is_empty() && !v.is_empty() => Some(format!("{n} {v}")),
        (Some(n), _) if !n.is_empty() => Some(n.to_string()),
        _ => None,
    };
    let flags = f.flags.unwrap_or_default();
    let num = |v: Option<&str>| v.and_then(|v| v.parse().ok()).unwrap_or(0);
    Some(Client {
        id: num(f.id),
        host,
        lib,
        name: f.name.filter(|n| !n.is_empty()).map(str::to_string),
        age_s: num(f.age),
        idle_s: num(f.idle),
        pubsub: flags.contains('P') || num(f.sub) + num(f.psub) > 0,
        blocked: flags.contains('b'),
    })
}

/// The fields of one `CLIENT LIST` line that [`Client`] is made from.
#[derive(Default)]
struct Fields<'a> {
    id: Option<&'a str>,
    addr: Option<&'a str>,
    name: Option<&'a str>,
    age: Option<&'a str>,
    idle: Option<&'a str>,
    flags: Option<&'a str>,
    sub: Option<&'a str>,
    psub: Option<&'a str>,
    cmd: Option<&'a str>,
    lib_name: Option<&'a str>,
    lib_ver: Option<&'a str>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_client_list_and_leaves_out_the_asker() {
        let body = "id=3 addr=10.0.0.5:41000 laddr=10.0.0.1:6379 fd=8 name= age=120 idle=3 flags=N db=0 sub=0 psub=0 cmd=get lib-name=redis-py lib-ver=5.0.1\n\
                    id=4 addr=10.0.0.6:41001 laddr=10.0.0.1:6379 fd=9 name=worker age=2 idle=0 flags=b db=0 sub=0 psub=0 cmd=blpop\n\
                    id=5 addr=[::1]:5000 fd=10 name= age=0 idle=0 flags=N db=0 sub=0 psub=0 cmd=client|list lib-name= lib-ver=\n\
                    id=6 addr=/tmp/redis.sock:0 fd=11 name=ch age=7 idle=7 flags=N db=0 sub=2 psub=0 cmd=subscribe lib-name=go-redis lib-ver=\n";
        let clients = parse(body);
        assert_eq!(clients.len(), 3);
        assert_eq!(clients[0].host, "10.0.0.5");
        assert_eq!(clients[0].lib.as_deref(), Some("redis-py 5.0.1"));
        assert_eq!(clients[0].age_s, 120);
        assert_eq!(clients[1].name.as_deref(), Some("worker"));
        assert!(clients[1].blocked);
        assert_eq!(clients[1].lib, None);
        assert_eq!(clients[1].id, 4);
        assert!(!clients[0].pubsub && !clients[0].blocked);
        assert_eq!(clients[2].host, "/tmp/redis.sock");
        assert!(clients[2].pubsub);
        assert_eq!(clients[2].lib.as_deref(), Some("go-redis"));
        assert_eq!((clients[2].age_s, clients[2].idle_s), (7, 7));
    }
}
