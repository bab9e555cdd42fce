//! The server settings a check reads with `CONFIG GET` (where managed services allow it).

use redis::Value;

use crate::conn::{Connection, server_error, text};

use super::super::pipeline;
use super::{InfoError, SessionError, classify, sanitize};

/// Server settings read with `CONFIG GET`, each `None` when the server does not know it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ServerConfig {
    /// `timeout`: seconds after which the server closes an idle client (0: never).
    pub timeout: Option<u64>,
    /// `tcp-keepalive`: seconds between the server's TCP keep-alive probes (0: off).
    pub tcp_keepalive: Option<u64>,
    /// `client-output-buffer-limit`, as the server prints it
    /// (`normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60`).
    pub output_buffer_limit: Option<String>,
    /// `maxmemory-clients` (Redis ≥ 7.0): the memory all clients together may use.
    pub maxmemory_clients: Option<String>,
}

/// The settings [`read_config`] asks for.
pub const CONFIG_READS: [&str; 4] = [
    "timeout",
    "tcp-keepalive",
    "client-output-buffer-limit",
    "maxmemory-clients",
];

/// Reads [`CONFIG_READS`]: in one `CONFIG GET` (Redis 7 takes several names), or one each
/// where the server wants a single name. A refusal (ACL, a renamed or blocked CONFIG on
/// managed services) is [`InfoError::Forbidden`] with the server's words, which name the
/// permission.
pub fn read_config(conn: &mut Connection) -> Result<ServerConfig, InfoError> {
    let reply = conn
        .call(&pipeline::config_get(&CONFIG_READS))
        .map_err(|e| InfoError::Failed(e.into()))?;
    let replies = match server_error(&reply) {
        // Before Redis 7: `ERR Unknown subcommand or wrong number of arguments for 'get'`.
        Some((_, msg))
            if msg
                .to_ascii_lowercase()
                .contains("wrong number of arguments") =>
        {
            let singles: Vec<redis::Cmd> = CONFIG_READS
                .iter()
                .map(|name| pipeline::config_get(&[name]))
                .collect();
            let _ = conn.send_ahead(&singles);
            let mut replies = Vec::with_capacity(singles.len());
            for cmd in &singles {
                let reply = conn.call(cmd).map_err(|e| InfoError::Failed(e.into()))?;
                config_refusal(&reply)?;
                replies.push(reply);
            }
            replies
        }
        _ => {
            config_refusal(&reply)?;
            vec![reply]
        }
    };
    let value = |name: &str| replies.iter().find_map(|r| config_value(r, name));
    Ok(ServerConfig {
        timeout: value("timeout").and_then(|v| v.trim().parse().ok()),
        tcp_keepalive: value("tcp-keepalive").and_then(|v| v.trim().parse().ok()),
        output_buffer_limit: value("client-output-buffer-limit"),
        maxmemory_clients: value("maxmemory-clients"),
    })
}

/// A `CONFIG GET` error as the failure it is (NOAUTH, LOADING, BUSY) or a refusal.
fn config_refusal(reply: &Value) -> Result<(), InfoError> {
    let Some((code, msg)) = server_error(reply) else {
        return Ok(());
    };
    Err(match code.as_str() {
        "NOAUTH" | "LOADING" | "BUSY" => {
            InfoError::Failed(SessionError::Server(classify(&code, &msg, false)))
        }
        // NOPERM, unknown command (renamed or blocked), or a proxy's refusal.
        _ => InfoError::Forbidden(sanitize(&msg)),
    })
}

/// The value of `name` in a `CONFIG GET` reply: a flat array (RESP2) or a map (RESP3).
fn config_value(reply: &Value, name: &str) -> Option<String> {
    let pairs: Vec<(&Value, &Value)> = match reply {
        Value::Map(m) => m.iter().map(|(k, v)| (k, v)).collect(),
        Value::Array(a) => a.chunks_exact(2).map(|kv| (&kv[0], &kv[1])).collect(),
        _ => return None,
    };
    pairs
        .into_iter()
        .find(|(k, _)| text(k).is_some_and(|k| k.eq_ignore_ascii_case(name)))
        .and_then(|(_, v)| match v {
            Value::Int(i) => Some(i.to_string()),
            other => text(other),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_values_come_from_resp2_arrays_and_resp3_maps() {
        let bulk = |s: &str| Value::BulkString(s.as_bytes().to_vec());
        let resp2 = Value::Array(vec![bulk("timeout"), bulk("300")]);
        assert_eq!(config_value(&resp2, "timeout").as_deref(), Some("300"));
        let resp3 = Value::Map(vec![(bulk("tcp-keepalive"), bulk("0"))]);
        assert_eq!(config_value(&resp3, "tcp-keepalive").as_deref(), Some("0"));
        assert_eq!(config_value(&Value::Array(vec![]), "timeout"), None);
        assert_eq!(config_value(&resp2, "maxmemory-clients"), None);
    }
}
