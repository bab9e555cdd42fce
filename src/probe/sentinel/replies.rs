//! Sentinel replies, RESP2 (flat `k v k v` arrays) or RESP3 (maps), as plain Rust values,
//! masked as they are read: a Sentinel's text (a replica's `ip`, a master's name) is the
//! server's, and a password in it must neither be shown nor be dialled or looked up in DNS.

use std::collections::BTreeMap;

use redis::Value;

use super::{Peer, join};
use crate::conn::text;
use crate::secret::Masker;

/// The elements of an array reply.
pub(super) fn list(v: &Value) -> Vec<Value> {
    match v {
        Value::Array(a) | Value::Set(a) => a.clone(),
        _ => Vec::new(),
    }
}

/// The text elements of an array reply.
pub(super) fn strings(v: &Value) -> Vec<String> {
    let m = Masker::current();
    list(v)
        .iter()
        .filter_map(text)
        .map(|s| m.foreign(&s).into_owned())
        .collect()
}

/// A flat `k v k v` array (RESP2) or a map (RESP3) as a map.
pub(super) fn pairs(v: &Value) -> BTreeMap<String, String> {
    let kv: Vec<(Value, Value)> = match v {
        Value::Map(m) => m.clone(),
        Value::Array(a) => a
            .chunks_exact(2)
            .map(|c| (c[0].clone(), c[1].clone()))
            .collect(),
        _ => Vec::new(),
    };
    let m = Masker::current();
    kv.iter()
        .filter_map(|(k, v)| {
            let v = match v {
                Value::Int(i) => Some(i.to_string()),
                other => text(other),
            };
            Some((
                m.foreign(&text(k)?).into_owned(),
                m.foreign(&v?).into_owned(),
            ))
        })
        .collect()
}

pub(super) fn flags(v: Option<&String>) -> Vec<String> {
    v.map(|f| f.split(',').map(str::to_string).collect())
        .unwrap_or_default()
}

/// The servers of a `SENTINEL replicas` / `SENTINEL sentinels` reply.
pub(super) fn peers(v: &Value) -> Vec<Peer> {
    list(v)
        .iter()
        .filter_map(|entry| {
            let kv = pairs(entry);
            let host = kv.get("ip")?.clone();
            let port = kv.get("port")?.parse().ok()?;
            Some(Peer {
                address: join(&host, port),
                host,
                port,
                flags: flags(kv.get("flags")),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replies_are_read_in_resp2_and_resp3() {
        let flat = Value::Array(vec![
            Value::BulkString(b"ip".to_vec()),
            Value::BulkString(b"::1".to_vec()),
            Value::BulkString(b"port".to_vec()),
            Value::BulkString(b"6380".to_vec()),
            Value::BulkString(b"flags".to_vec()),
            Value::BulkString(b"slave,s_down".to_vec()),
        ]);
        let got = peers(&Value::Array(vec![flat]));
        assert_eq!(got[0].address, "[::1]:6380");
        assert_eq!(got[0].flags, ["slave", "s_down"]);
        let map = Value::Map(vec![(Value::SimpleString("quorum".into()), Value::Int(2))]);
        assert_eq!(pairs(&map).get("quorum").map(String::as_str), Some("2"));
    }
}
