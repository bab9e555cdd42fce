//! Reads every URL of a JSON array on stdin with redis-rs's own `IntoConnectionInfo` (the
//! parser `redis::Client::open` uses) and prints one JSON reading per URL. Never connects.
//!
//! What is "sent" follows `connection_setup_pipeline` in redis-rs 1.8.1 (connection.rs): AUTH
//! only when a password is set (even an empty one), the user name only with it; SELECT when
//! the db is not 0.

use std::io::Read;

use redis::{ConnectionAddr, IntoConnectionInfo, ProtocolVersion};
use serde_json::{Value, json};

fn main() {
    let mut input = String::new();
    std::io::stdin().read_to_string(&mut input).expect("stdin");
    let urls: Vec<String> = serde_json::from_str(&input).expect("a JSON array of URLs");
    let readings: Vec<Value> = urls.iter().map(|u| read(u)).collect();
    println!("{}", serde_json::to_string(&readings).expect("json"));
}

fn read(url: &str) -> Value {
    let info = match url.into_connection_info() {
        Ok(info) => info,
        Err(e) => return json!({ "rejects": e.to_string() }),
    };
    let (tls, host, port, socket) = match info.addr() {
        ConnectionAddr::Tcp(h, p) => (false, Some(h.clone()), Some(*p), None),
        ConnectionAddr::TcpTls { host, port, .. } => (true, Some(host.clone()), Some(*port), None),
        ConnectionAddr::Unix(p) => (false, None, None, Some(p.display().to_string())),
        other => panic!("unexpected address {other:?}"),
    };
    let redis = info.redis_settings();
    let password = redis.password();
    let user = password.and(redis.username());
    // Which query names and fragment the parser read, from the same `url` parse it did.
    let parsed = redis::parse_redis_url(url).expect("parsed above");
    let unix = socket.is_some();
    let read_names: &[&str] = if unix {
        &["db", "user", "pass", "protocol"]
    } else {
        &["protocol"]
    };
    let mut ignored: Vec<String> = parsed
        .query_pairs()
        .map(|(k, _)| k.into_owned())
        .filter(|k| !read_names.contains(&k.as_str()))
        .collect();
    if let Some(f) = parsed.fragment().filter(|f| !f.is_empty())
        && !tls
    {
        ignored.push(format!("#{f}"));
    }
    json!({
        "rejects": null,
        "tls": tls,
        "host": host,
        "port": port,
        "socket": socket,
        "user": user,
        "password": password,
        "db": redis.db(),
        "protocol": match redis.protocol() {
            ProtocolVersion::RESP2 => 2,
            _ => 3,
        },
        "ignored": ignored,
        "misread": [],
    })
}
