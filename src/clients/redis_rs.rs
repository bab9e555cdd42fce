//! redis-rs 1.8.1 with a TLS feature on: `parse_redis_url`, `url_to_tcp_connection_info` and
//! `url_to_unix_connection_info` in src/connection.rs, on the same `url` crate; what
//! `connection_setup_pipeline` then sends (AUTH only with a password, SELECT when db ≠ 0).

use url::Url;

use super::model::{Raw, percent_decode_utf8, whitespace_note};
use crate::secret::Secret;

/// The version the recordings describe.
pub(crate) const VERSION: &str = "1.8.1";

/// redis-rs's reading of `redis::Client::open(URL)`.
pub(crate) fn read(url: &str) -> Raw {
    let parsed = match Url::parse(url) {
        Ok(u) if SCHEMES.contains(&u.scheme()) => u,
        _ => return Raw::rejects("Redis URL did not parse - InvalidClientConfig"),
    };
    let scheme = parsed.scheme();
    let query: Vec<(String, String)> = parsed
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    // A HashMap of the pairs: a repeated name keeps its last value.
    let get = |k: &str| {
        query
            .iter()
            .rev()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.as_str())
    };
    let protocol = match get("protocol") {
        None | Some("2" | "resp2") => 2,
        Some("3" | "resp3") => 3,
        Some(_) => return Raw::rejects("Invalid protocol version - InvalidClientConfig"),
    };
    let mut r = Raw {
        protocol,
        ..Raw::default()
    };
    let (user, password);
    let read_names: &[&str];
    if matches!(scheme, "unix" | "redis+unix" | "valkey+unix") {
        let Ok(path) = parsed.to_file_path() else {
            return Raw::rejects("Missing path - InvalidClientConfig");
        };
        r.socket = Some(path.display().to_string());
        r.db = match get("db") {
            Some(db) => match db.parse::<i64>() {
                Ok(db) => db,
                Err(_) => return Raw::rejects("Invalid database number - InvalidClientConfig"),
            },
            None => 0,
        };
        user = get("user").map(str::to_string);
        password = get("pass").map(str::to_string);
        read_names = &["db", "user", "pass", "protocol"];
    } else {
        let host = match parsed.host() {
            Some(url::Host::Domain(d)) => d.to_string(),
            Some(url::Host::Ipv4(v4)) => v4.to_string(),
            Some(url::Host::Ipv6(v6)) => v6.to_string(),
            None => return Raw::rejects("Missing hostname - InvalidClientConfig"),
        };
        if host == "0.0.0.0" || host == "::" {
            return Raw::rejects(
                "Cannot connect to a wildcard address (0.0.0.0 or ::) - InvalidClientConfig",
            );
        }
        r.host = Some(host);
        r.port = Some(parsed.port().map_or(6379, i64::from));
        r.tls = matches!(scheme, "rediss" | "valkeys");
        if r.tls && parsed.fragment().is_some_and(|f| f != "insecure") {
            return Raw::rejects(
                "only #insecure is supported as URL fragment - InvalidClientConfig",
            );
        }
        r.db = match parsed.path().trim_matches('/') {
            "" => 0,
            p => match p.parse::<i64>() {
                Ok(db) => db,
                Err(_) => return Raw::rejects("Invalid database number - InvalidClientConfig"),
            },
        };
        let decode = percent_decode_utf8;
        user = if parsed.username().is_empty() {
            None
        } else {
            match decode(parsed.username()) {
                Ok(u) => Some(u),
                Err(_) => {
                    return Raw::rejects(
                        "Username is not valid UTF-8 string - InvalidClientConfig",
                    );
                }
            }
        };
        password = match parsed.password() {
            Some(p) => match decode(p) {
                Ok(p) => Some(p),
                Err(_) => {
                    return Raw::rejects(
                        "Password is not valid UTF-8 string - InvalidClientConfig",
                    );
                }
            },
            None => None,
        };
        read_names = &["protocol"];
    }
    // AUTH (or HELLO … AUTH) only with a password, even an empty one; the user goes with it.
    if let Some(p) = password {
        r.user = user;
        r.password = Some(Secret::new(p));
    }
    r.ignored = query
        .iter()
        .map(|(k, _)| k.clone())
        .filter(|k| !read_names.contains(&k.as_str()))
        .collect();
    if !r.tls
        && let Some(f) = parsed.fragment().filter(|f| !f.is_empty())
    {
        r.ignored.push(format!("#{f}"));
    }
    whitespace_note(&mut r, url, true);
    r
}

/// `parse_redis_url`'s schemes.
const SCHEMES: [&str; 7] = [
    "redis",
    "rediss",
    "valkey",
    "valkeys",
    "redis+unix",
    "valkey+unix",
    "unix",
];
