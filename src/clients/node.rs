//! The Node.js libraries, both on the WHATWG URL parser (the `url` crate is the same
//! standard): ioredis (`parseURL` in built/utils/index.js, `parseOptions` in built/Redis.js,
//! what `connectHandler` in built/redis/event_handler.js sends) and node-redis
//! (`RedisClient.parseURL` in @redis/client dist/lib/client/index.js, `#getHandshakeCommands`).

use url::Url;

use super::model::{
    Raw, form_pairs, js_decode_uri_component, js_number, js_parse_int, raw_query_names,
    whitespace_note,
};
use crate::secret::Secret;

/// ioredis majors the recordings describe: the current and the previous.
pub(crate) const IOREDIS: [&str; 2] = ["6.0.0", "5.11.1"];
/// node-redis (the `redis` package) majors the recordings describe.
pub(crate) const NODE_REDIS: [&str; 2] = ["6.3.1", "5.12.1"];

/// `Redis.defaultOptions` keys in ioredis 5 (6 adds `protocol` and `replyMapping`), and the
/// options it reads without a default: a query name among them becomes that option.
const IOREDIS_OPTIONS: &[&str] = &[
    "port",
    "host",
    "family",
    "connectTimeout",
    "disconnectTimeout",
    "retryStrategy",
    "keepAlive",
    "noDelay",
    "connectionName",
    "disableClientInfo",
    "clientInfoTag",
    "sentinels",
    "name",
    "role",
    "sentinelRetryStrategy",
    "sentinelReconnectStrategy",
    "natMap",
    "enableTLSForSentinelMode",
    "updateSentinels",
    "failoverDetector",
    "username",
    "password",
    "db",
    "enableOfflineQueue",
    "enableReadyCheck",
    "autoResubscribe",
    "autoResendUnfulfilledCommands",
    "lazyConnect",
    "keyPrefix",
    "reconnectOnError",
    "readOnly",
    "stringNumbers",
    "maxRetriesPerRequest",
    "maxLoadingRetryTime",
    "enableAutoPipelining",
    "autoPipeliningIgnoredCommands",
    "sentinelMaxConnections",
    "blockingTimeoutGrace",
    "tls",
    "path",
];

/// ioredis options whose default is a boolean: any non-empty string turns them on.
const IOREDIS_BOOLEANS: &[&str] = &[
    "keepAlive",
    "noDelay",
    "disableClientInfo",
    "enableTLSForSentinelMode",
    "updateSentinels",
    "failoverDetector",
    "enableOfflineQueue",
    "enableReadyCheck",
    "autoResubscribe",
    "autoResendUnfulfilledCommands",
    "lazyConnect",
    "readOnly",
    "stringNumbers",
    "enableAutoPipelining",
    "tls",
];

/// ioredis `new Redis(URL)` for a major version (5 or 6).
pub(crate) fn ioredis(url: &str, major: u8) -> Raw {
    // `isInt(url)`: a bare port number.
    let trimmed = url.trim_matches(|c: char| c.is_whitespace());
    if !trimmed.is_empty()
        && trimmed
            .parse::<f64>()
            .is_ok_and(|f| f.fract() == 0.0 && f.abs() < 2.1e9)
    {
        let mut r = base_ioredis(major);
        r.host = Some("localhost".into());
        r.port = js_parse_int(url);
        return r;
    }
    let has_protocol = {
        let l = url.get(..9).unwrap_or(url).to_ascii_lowercase();
        l.starts_with("redis://") || l.starts_with("rediss://")
    };
    let relative = url.starts_with("//");
    // option name → string value, in the order lodash `defaults` sees them.
    let mut o: Vec<(String, String)> = Vec::new();
    let set = |o: &mut Vec<(String, String)>, k: &str, v: String| {
        if !o.iter().any(|(n, _)| n == k) {
            o.push((k.to_string(), v));
        }
    };
    if url.starts_with('/') && !relative {
        let (path, query) = url.split_once('?').unwrap_or((url, ""));
        set(&mut o, "path", path.to_string());
        for (k, v) in last_wins(form_pairs(query)) {
            set(&mut o, &k, v);
        }
    } else {
        let text = if has_protocol {
            url.to_string()
        } else if relative {
            format!("redis:{url}")
        } else {
            format!("redis://{url}")
        };
        let Ok(parsed) = Url::parse(&text) else {
            return Raw::rejects("TypeError: Invalid URL");
        };
        let query = last_wins(form_pairs(parsed.query().unwrap_or_default()));
        if !parsed.username().is_empty() || parsed.password().is_some_and(|p| !p.is_empty()) {
            let (Some(u), Some(p)) = (
                js_decode_uri_component(parsed.username()),
                js_decode_uri_component(parsed.password().unwrap_or_default()),
            ) else {
                return Raw::rejects("URIError: URI malformed");
            };
            set(&mut o, "username", u);
            set(&mut o, "password", p);
        }
        let path = parsed.path();
        if !path.is_empty() && path != "/" {
            if has_protocol || relative {
                set(&mut o, "db", path[1..].to_string());
            } else {
                set(&mut o, "path", path.to_string());
            }
        }
        if let Some(h) = parsed.host_str().filter(|h| !h.is_empty()) {
            set(
                &mut o,
                "host",
                h.trim_start_matches('[').trim_end_matches(']').to_string(),
            );
        }
        if let Some(p) = parsed.port() {
            set(&mut o, "port", p.to_string());
        }
        for (k, v) in query {
            set(&mut o, &k, v);
        }
    }
    if url.starts_with("rediss://") {
        set(&mut o, "tls", "true".into());
    }
    let get = |k: &str| o.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    let mut r = base_ioredis(major);
    // A non-empty string is truthy, whatever it says.
    r.tls = get("tls").is_some_and(|v| !v.is_empty());
    if let Some(path) = get("path").filter(|p| !p.is_empty()) {
        r.socket = Some(path.to_string());
    } else {
        r.host = Some(get("host").unwrap_or("localhost").to_string());
        r.port = Some(get("port").map_or(6379, |p| js_parse_int(p).unwrap_or(-1)));
    }
    r.db = get("db").and_then(js_parse_int).unwrap_or(0);
    let user = get("username").filter(|u| !u.is_empty());
    let password = get("password");
    // condition.auth = username ? [username, password] : password; sent when truthy.
    match (user, password) {
        (Some(u), p) => {
            r.user = Some(u.to_string());
            r.password = Some(Secret::new(p.unwrap_or_default()));
        }
        (None, Some(p)) if !p.is_empty() => r.password = Some(Secret::new(p)),
        _ => {}
    }
    // `condition.protocol === 3`: any `?protocol=` string, even "3", means RESP2.
    if major >= 6 && get("protocol").is_some() {
        r.protocol = 2;
    }
    let names = raw_query_names(url);
    let known = |n: &str| {
        IOREDIS_OPTIONS.contains(&n) || (major >= 6 && matches!(n, "protocol" | "replyMapping"))
    };
    r.ignored = names.iter().filter(|n| !known(n)).cloned().collect();
    r.misread = names
        .iter()
        .filter(|n| {
            known(n)
                && o.iter().any(|(k, _)| k == *n)
                && ((major >= 6 && n.as_str() == "protocol")
                    || (IOREDIS_BOOLEANS.contains(&n.as_str())
                        && get(n).is_some_and(|v| {
                            ["false", "0", "no", "off"].contains(&v.to_ascii_lowercase().as_str())
                        })))
        })
        .cloned()
        .collect();
    if let Some(f) = whatwg_fragment(url) {
        r.ignored.push(format!("#{f}"));
    }
    whitespace_note(&mut r, url, true);
    r
}

fn base_ioredis(major: u8) -> Raw {
    Raw {
        protocol: if major >= 6 { 3 } else { 2 },
        ..Raw::default()
    }
}

/// `searchParams.forEach` into an object: a repeated name keeps its last value.
fn last_wins(pairs: Vec<(String, String)>) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for (k, v) in pairs {
        match out.iter_mut().find(|(n, _)| *n == k) {
            Some(slot) => slot.1 = v,
            None => out.push((k, v)),
        }
    }
    out
}

/// The fragment as `new URL(url).hash` has it, when the URL parses and it is not empty.
fn whatwg_fragment(url: &str) -> Option<String> {
    Url::parse(url)
        .ok()
        .and_then(|u| u.fragment().map(str::to_string))
        .filter(|f| !f.is_empty())
}

/// node-redis `createClient({ url })` for a major version (5 or 6).
pub(crate) fn node_redis(url: &str, major: u8) -> Raw {
    let resp3 = major >= 6;
    let mut r = Raw {
        protocol: if resp3 { 3 } else { 2 },
        ..Raw::default()
    };
    let (user, password);
    if major >= 6 && url.starts_with("unix:") {
        let Some(m) = unix_url(url) else {
            return Raw::rejects("TypeError: Invalid unix URL");
        };
        let Some(path) = js_decode_uri_component(m.path) else {
            return Raw::rejects("URIError: URI malformed");
        };
        r.socket = Some(path);
        let dec = |s: Option<&str>| -> Result<Option<String>, ()> {
            match s.filter(|s| !s.is_empty()) {
                Some(s) => js_decode_uri_component(s).map(Some).ok_or(()),
                None => Ok(None),
            }
        };
        let (Ok(u), Ok(p)) = (dec(m.user), dec(m.password)) else {
            return Raw::rejects("URIError: URI malformed");
        };
        (user, password) = (u, p);
        if let Some(q) = m.query.filter(|q| !q.is_empty()) {
            let pairs = form_pairs(q);
            if let Some((_, db)) = pairs.iter().find(|(k, _)| k == "db") {
                let Some(db) = js_number(db) else {
                    return Raw::rejects("TypeError: Invalid db query parameter");
                };
                r.db = db;
            }
        }
        r.ignored = raw_query_names(url)
            .into_iter()
            .filter(|n| n != "db")
            .collect();
    } else {
        let Ok(parsed) = Url::parse(url) else {
            return Raw::rejects("TypeError: Invalid URL");
        };
        match parsed.scheme() {
            "redis" => {}
            "rediss" => r.tls = true,
            s => {
                return Raw::rejects(if major >= 6 {
                    format!(
                        "TypeError: Protocol - {s}: - is not a valid Redis protocol. Expected redis: or rediss:"
                    )
                } else {
                    "TypeError: Invalid protocol".to_string()
                });
            }
        }
        let host = parsed.host_str().unwrap_or_default();
        let host = match host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
            Some(v6) if v6.bytes().all(|b| b.is_ascii_hexdigit() || b == b':') => v6,
            _ => host,
        };
        r.host = Some(if host.is_empty() { "localhost" } else { host }.to_string());
        r.port = Some(parsed.port().map_or(6379, i64::from));
        let dec = |s: &str| -> Result<Option<String>, ()> {
            if s.is_empty() {
                Ok(None)
            } else {
                js_decode_uri_component(s).map(Some).ok_or(())
            }
        };
        let (Ok(u), Ok(p)) = (
            dec(parsed.username()),
            dec(parsed.password().unwrap_or_default()),
        ) else {
            return Raw::rejects("URIError: URI malformed");
        };
        (user, password) = (u, p);
        let path = parsed.path();
        if path.len() > 1 {
            let Some(db) = js_number(&path[1..]) else {
                return Raw::rejects("TypeError: Invalid pathname");
            };
            r.db = db;
        }
        r.ignored = raw_query_names(url);
    }
    // RESP3: HELLO … AUTH only with a password; RESP2: AUTH with either (password `?? ''`).
    let (user, password) = (
        user.filter(|u| !u.is_empty()),
        password.filter(|p| !p.is_empty()),
    );
    if resp3 {
        if let Some(p) = password {
            r.user = user;
            r.password = Some(Secret::new(p));
        }
    } else if user.is_some() || password.is_some() {
        r.user = user;
        r.password = Some(Secret::new(password.unwrap_or_default()));
    }
    if let Some(f) = whatwg_fragment(url) {
        r.ignored.push(format!("#{f}"));
    }
    whitespace_note(&mut r, url, true);
    r
}

/// The parts of `unix://[user[:password]@]/path[?query][#fragment]`.
struct UnixUrl<'a> {
    user: Option<&'a str>,
    password: Option<&'a str>,
    path: &'a str,
    query: Option<&'a str>,
}

/// node-redis 6's `#parseUnixURL` regex:
/// `^unix:\/\/(?:([^:@/]*)(?::([^@/]*))?@)?(\/[^?#]*)(?:\?([^#]*))?(?:#.*)?$`, and a path of
/// exactly "/" is refused.
fn unix_url(url: &str) -> Option<UnixUrl<'_>> {
    let rest = url.strip_prefix("unix://")?;
    // The user info is optional and cannot hold '/', so it ends at the first '@' before any '/'.
    let slash = rest.find('/')?;
    let (user, password, rest) = match rest[..slash].find('@') {
        Some(at) => {
            let info = &rest[..at];
            let (u, p) = match info.split_once(':') {
                Some((u, p)) => (u, Some(p)),
                None => (info, None),
            };
            if u.contains(':') || p.is_some_and(|p| p.contains('@')) {
                return None;
            }
            if at + 1 != slash {
                return None;
            }
            (Some(u), p, &rest[at + 1..])
        }
        None if slash == 0 => (None, None, rest),
        None => return None,
    };
    let path_end = rest.find(['?', '#']).unwrap_or(rest.len());
    let path = &rest[..path_end];
    let tail = &rest[path_end..];
    let (query, frag) = match tail.strip_prefix('?') {
        Some(q) => match q.split_once('#') {
            Some((q, f)) => (Some(q), Some(f)),
            None => (Some(q), None),
        },
        None => (None, tail.strip_prefix('#')),
    };
    // `.` does not match line terminators: a newline in the fragment fails the match.
    if frag.is_some_and(|f| f.contains(['\n', '\r', '\u{2028}', '\u{2029}'])) || path == "/" {
        return None;
    }
    Some(UnixUrl {
        user,
        password,
        path,
        query,
    })
}
