//! The cluster's topology from `CLUSTER SHARDS` (Redis ≥ 7.0) or `CLUSTER SLOTS`, in RESP2
//! or RESP3 shape.

use std::collections::HashMap;

use redis::Value;

use crate::conn::text;

use super::{Node, Shard};

/// Key/value pairs of a RESP3 map or a RESP2 flat array.
fn fields(v: &Value) -> Vec<(String, &Value)> {
    match v {
        Value::Map(m) => m.iter().filter_map(|(k, v)| Some((text(k)?, v))).collect(),
        Value::Array(a) => a
            .chunks_exact(2)
            .filter_map(|kv| Some((text(&kv[0])?, &kv[1])))
            .collect(),
        _ => Vec::new(),
    }
}

/// An integer reply, or a number written as text.
fn int(v: &Value) -> Option<i64> {
    match v {
        Value::Int(i) => Some(*i),
        other => text(other)?.parse().ok(),
    }
}

/// A client port; 0 means none.
fn port(v: &Value) -> Option<u16> {
    int(v)
        .and_then(|p| u16::try_from(p).ok())
        .filter(|p| *p > 0)
}

/// The elements of an array or set reply.
fn items(v: &Value) -> &[Value] {
    match v {
        Value::Array(a) | Value::Set(a) => a,
        _ => &[],
    }
}

/// The highest hash slot.
const LAST_SLOT: u16 = 16383;

/// `[start, end, start, end…]` as inclusive ranges; ranges no cluster can serve are dropped.
fn slot_ranges(v: &Value) -> Vec<(u16, u16)> {
    items(v)
        .chunks_exact(2)
        .filter_map(|r| slot_range(int(&r[0])?, int(&r[1])?))
        .collect()
}

/// `start..=end` when both are slots and `start <= end`: a hostile or broken reply must not
/// leave a range that no key hashes into.
fn slot_range(start: i64, end: i64) -> Option<(u16, u16)> {
    let start = u16::try_from(start).ok()?;
    let end = u16::try_from(end).ok()?;
    (start <= end && end <= LAST_SLOT).then_some((start, end))
}

/// `CLUSTER SHARDS` (Redis ≥ 7.0).
pub fn parse_shards(reply: &Value) -> Vec<Shard> {
    items(reply)
        .iter()
        .map(|shard| {
            let mut out = Shard::default();
            for (k, v) in fields(shard) {
                match k.as_str() {
                    "slots" => out.slots = slot_ranges(v),
                    "nodes" => out.nodes = items(v).iter().map(parse_node).collect(),
                    _ => {}
                }
            }
            out
        })
        .collect()
}

/// One node of a `CLUSTER SHARDS` shard.
fn parse_node(v: &Value) -> Node {
    let mut node = Node::default();
    let mut ip = None;
    for (k, v) in fields(v) {
        match k.as_str() {
            "id" => node.id = text(v).unwrap_or_default(),
            "port" => node.port = port(v),
            "tls-port" => node.tls_port = port(v),
            "ip" => ip = text(v),
            "endpoint" => node.endpoint = text(v).unwrap_or_default(),
            "role" => node.role = text(v).unwrap_or_default(),
            "health" => node.health = text(v),
            _ => {}
        }
    }
    if node.endpoint.is_empty() {
        node.endpoint = ip.unwrap_or_default();
    }
    node
}

/// `CLUSTER SLOTS`: `[start, end, [endpoint, port, id, …], replicas…]` per range.
pub fn parse_slots(reply: &Value) -> Vec<Shard> {
    let mut shards: Vec<Shard> = Vec::new();
    // The shard of each primary id: a linear search per range was quadratic in hostile replies.
    let mut by_primary: HashMap<Option<String>, usize> = HashMap::new();
    for range in items(reply) {
        let parts = items(range);
        let (Some(start), Some(end)) = (parts.first().and_then(int), parts.get(1).and_then(int))
        else {
            continue;
        };
        let Some((start, end)) = slot_range(start, end) else {
            continue;
        };
        let nodes: Vec<Node> = parts
            .iter()
            .skip(2)
            .enumerate()
            .map(|(i, n)| {
                let n = items(n);
                Node {
                    endpoint: n.first().and_then(text).unwrap_or_default(),
                    // The port of the transport the command came over (TLS when it did).
                    port: n.get(1).and_then(port),
                    id: n.get(2).and_then(text).unwrap_or_default(),
                    role: if i == 0 { "master" } else { "replica" }.into(),
                    ..Node::default()
                }
            })
            .collect();
        let primary = nodes.first().map(|n| n.id.clone());
        match by_primary.get(&primary) {
            Some(&i) => shards[i].slots.push((start, end)),
            None => {
                by_primary.insert(primary, shards.len());
                shards.push(Shard {
                    slots: vec![(start, end)],
                    nodes,
                });
            }
        }
    }
    shards
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::probe::cluster::ClusterFacts;

    /// A bulk string reply.
    fn bulk(s: &str) -> Value {
        Value::BulkString(s.as_bytes().to_vec())
    }

    #[test]
    fn impossible_slot_ranges_are_dropped() {
        let ints = |v: &[i64]| Value::Array(v.iter().map(|n| Value::Int(*n)).collect());
        assert_eq!(
            slot_ranges(&ints(&[0, 100, 16384, 20000, 500, 400, -1, 5, 200, 16383])),
            [(0, 100), (200, 16383)]
        );
        let node = Value::Array(vec![bulk("10.0.0.1"), Value::Int(6379), bulk("a")]);
        let slots = Value::Array(vec![
            Value::Array(vec![Value::Int(9000), Value::Int(70000), node.clone()]),
            Value::Array(vec![Value::Int(10), Value::Int(5), node.clone()]),
            Value::Array(vec![Value::Int(5), Value::Int(10), node]),
        ]);
        let parsed = parse_slots(&slots);
        assert_eq!(parsed.len(), 1);
        assert_eq!(parsed[0].slots, [(5, 10)]);
    }

    #[test]
    fn shards_and_slots_replies_give_the_same_topology() {
        // RESP2 shape of CLUSTER SHARDS from redis-server 7.0.15 with tls-cluster yes.
        let node = Value::Array(vec![
            bulk("id"),
            bulk("2bf4"),
            bulk("port"),
            Value::Int(7301),
            bulk("tls-port"),
            Value::Int(7302),
            bulk("ip"),
            bulk("127.0.0.1"),
            bulk("endpoint"),
            bulk("127.0.0.1"),
            bulk("role"),
            bulk("master"),
            bulk("replication-offset"),
            Value::Int(0),
            bulk("health"),
            bulk("online"),
        ]);
        let shards = Value::Array(vec![Value::Array(vec![
            bulk("slots"),
            Value::Array(vec![Value::Int(0), Value::Int(16383)]),
            bulk("nodes"),
            Value::Array(vec![node]),
        ])]);
        let parsed = parse_shards(&shards);
        assert_eq!(parsed.len(), 1);
        assert_eq!(parsed[0].slots, [(0, 16383)]);
        let n = &parsed[0].nodes[0];
        assert_eq!(
            (n.endpoint.as_str(), n.port, n.tls_port, n.role.as_str()),
            ("127.0.0.1", Some(7301), Some(7302), "master")
        );
        let slots = Value::Array(vec![
            Value::Array(vec![
                Value::Int(0),
                Value::Int(8191),
                Value::Array(vec![bulk("10.0.0.1"), Value::Int(6379), bulk("a")]),
                Value::Array(vec![bulk("10.0.0.2"), Value::Int(6379), bulk("b")]),
            ]),
            Value::Array(vec![
                Value::Int(8192),
                Value::Int(16383),
                Value::Array(vec![bulk(""), Value::Int(6380), bulk("c")]),
            ]),
            Value::Array(vec![
                Value::Int(100),
                Value::Int(100),
                Value::Array(vec![bulk("10.0.0.1"), Value::Int(6379), bulk("a")]),
            ]),
        ]);
        let parsed = parse_slots(&slots);
        assert_eq!(parsed.len(), 2, "ranges of one primary are one shard");
        assert_eq!(parsed[0].slots, [(0, 8191), (100, 100)]);
        assert_eq!(parsed[0].nodes[1].role, "replica");
        assert_eq!(parsed[1].nodes[0].endpoint, "");
        let facts = ClusterFacts {
            my_id: Some("c".into()),
            shards: parsed,
            ..ClusterFacts::default()
        };
        assert_eq!(facts.my_slots(), [(8192, 16383)]);
    }
}
