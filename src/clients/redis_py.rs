//! redis-py 8.1.0: `parse_url` and `ConnectionPool.from_url` in redis/connection.py on top of
//! CPython 3.11's `urllib.parse.urlsplit`, then the connection class built from the keyword
//! arguments (`make_connection`), which is where an unknown query parameter raises TypeError
//! on the first command.

use super::model::{Raw, form_pairs, py_float_ok, py_int, py_unquote, whitespace_note};
use crate::secret::Secret;

/// The version the recordings describe.
pub(crate) const VERSION: &str = "8.1.0";

/// redis-py's reading of `Redis.from_url(URL)`.
pub(crate) fn read(url: &str) -> Raw {
    if !["redis://", "rediss://", "unix://"]
        .iter()
        .any(|s| url.starts_with(s))
    {
        return Raw::rejects(
            "ValueError: Redis URL must specify one of the following schemes (redis://, rediss://, unix://)",
        );
    }
    let u = match urlsplit(url) {
        Ok(u) => u,
        Err(e) => return Raw::rejects(format!("ValueError: {e}")),
    };
    let unix = u.scheme == "unix";
    let tls = u.scheme == "rediss";
    let mut kwargs: Vec<(String, String)> = Vec::new();
    let mut db = None;
    let mut protocol = 3;
    // parse_qs drops blank values; the first value of a repeated name wins.
    for (name, value) in form_pairs(&u.query) {
        if value.is_empty() || kwargs.iter().any(|(k, _)| *k == name) {
            continue;
        }
        let parsed_ok = match name.as_str() {
            "db"
            | "socket_read_size"
            | "max_connections"
            | "health_check_interval"
            | "ssl_min_version"
            | "protocol" => py_int(&value).is_some(),
            "socket_timeout" | "socket_connect_timeout" | "timeout" => py_float_ok(&value),
            _ => true,
        };
        if !parsed_ok {
            return Raw::rejects(format!(
                "ValueError: Invalid value for '{name}' in connection URL."
            ));
        }
        match name.as_str() {
            "db" => db = py_int(&value),
            "protocol" => protocol = py_int(&value).unwrap_or(3),
            _ => {}
        }
        kwargs.push((name, value));
    }
    let (userinfo, hostinfo) = match u.netloc.rfind('@') {
        Some(at) => (Some(&u.netloc[..at]), &u.netloc[at + 1..]),
        None => (None, u.netloc.as_str()),
    };
    let (mut user, mut password) = (None, None);
    if let Some(ui) = userinfo {
        let (name, pass) = match ui.split_once(':') {
            Some((n, p)) => (n, Some(p)),
            None => (ui, None),
        };
        user = Some(name.to_string()).filter(|n| !n.is_empty());
        password = pass.filter(|p| !p.is_empty()).map(str::to_string);
    }
    let query_value = |k: &str| kwargs.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    let user = user
        .map(|u| py_unquote(&u))
        .or_else(|| query_value("username"));
    let password = password
        .map(|p| py_unquote(&p))
        .or_else(|| query_value("password"));

    let mut r = Raw {
        tls,
        protocol: 3,
        ..Raw::default()
    };
    if unix {
        r.socket = Some(py_unquote(&u.path));
        r.db = db.unwrap_or(0);
    } else {
        let (hostname, port) = match hostinfo_split(hostinfo) {
            Ok(hp) => hp,
            Err(e) => return Raw::rejects(format!("ValueError: {e}")),
        };
        // The URL's host and port win; `?host=` / `?port=` fill in for missing ones.
        r.host = Some(
            hostname
                .filter(|h| !h.is_empty())
                .map(|h| py_unquote(&h))
                .or_else(|| query_value("host"))
                .unwrap_or_else(|| "localhost".into()),
        );
        r.port = Some(match (port.filter(|p| *p != 0), query_value("port")) {
            (Some(p), _) => p,
            (None, Some(q)) => match py_int(&q) {
                Some(p) => p,
                None => return Raw::rejects("ValueError: invalid literal for int() (port)"),
            },
            (None, None) => 6379,
        });
        r.db = db.unwrap_or_else(|| {
            if u.path.is_empty() {
                0
            } else {
                py_int(&py_unquote(&u.path).replace('/', "")).unwrap_or(0)
            }
        });
    }
    if let Some(p) = kwargs
        .iter()
        .find(|(k, _)| k == "max_connections")
        .and_then(|(_, v)| py_int(v))
        && p < 0
    {
        return Raw::rejects("ValueError: \"max_connections\" must be a positive integer");
    }
    // The connection class takes these keyword arguments and no others.
    // (ConnectionPool takes `max_connections` itself.)
    let accepted = |k: &str| {
        k == "max_connections"
            || ABSTRACT_CONNECTION.contains(&k)
            || (unix && k == "path")
            || (!unix && TCP_CONNECTION.contains(&k))
            || (tls && SSL_CONNECTION.contains(&k))
    };
    if let Some((k, _)) = kwargs.iter().find(|(k, _)| !accepted(k)) {
        return Raw::rejects(format!(
            "TypeError: AbstractConnection.__init__() got an unexpected keyword argument '{k}'"
        ));
    }
    if !(2..=3).contains(&protocol) {
        return Raw::rejects("ConnectionError: protocol must be either 2 or 3");
    }
    if tls
        && let Some(reqs) = query_value("ssl_cert_reqs")
        && !["none", "optional", "required"].contains(&reqs.as_str())
    {
        return Raw::rejects(
            "RedisError: Invalid SSL Certificate Requirements Flag (none, optional or required)",
        );
    }
    r.protocol = u8::try_from(protocol).unwrap_or(3);
    // on_connect: AUTH only when the user name or password is truthy.
    if user.is_some() || password.is_some() {
        r.user = user;
        r.password = password.map(Secret::new);
    }
    if !u.fragment.is_empty() {
        r.ignored.push(format!("#{}", u.fragment));
    }
    whitespace_note(&mut r, url, true);
    r
}

/// `AbstractConnection.__init__`'s keyword arguments a URL can reach.
const ABSTRACT_CONNECTION: &[&str] = &[
    "db",
    "password",
    "socket_timeout",
    "socket_connect_timeout",
    "retry_on_timeout",
    "retry_on_error",
    "encoding",
    "encoding_errors",
    "decode_responses",
    "parser_class",
    "socket_read_size",
    "health_check_interval",
    "client_name",
    "lib_name",
    "lib_version",
    "driver_info",
    "username",
    "retry",
    "redis_connect_func",
    "credential_provider",
    "protocol",
    "legacy_responses",
    "command_packer",
    "event_dispatcher",
    "maint_notifications_config",
    "maint_notifications_pool_handler",
    "maintenance_state",
    "maintenance_notification_hash",
    "orig_host_address",
    "orig_socket_timeout",
    "orig_socket_connect_timeout",
    "oss_cluster_maint_notifications_handler",
    "himport_registry",
];

/// `Connection.__init__`'s own (TCP).
const TCP_CONNECTION: &[&str] = &[
    "host",
    "port",
    "socket_keepalive",
    "socket_keepalive_options",
    "socket_type",
];

/// `SSLConnection.__init__`'s own (rediss://).
const SSL_CONNECTION: &[&str] = &[
    "ssl_keyfile",
    "ssl_certfile",
    "ssl_cert_reqs",
    "ssl_include_verify_flags",
    "ssl_exclude_verify_flags",
    "ssl_ca_certs",
    "ssl_ca_data",
    "ssl_check_hostname",
    "ssl_ca_path",
    "ssl_password",
    "ssl_validate_ocsp",
    "ssl_validate_ocsp_stapled",
    "ssl_ocsp_context",
    "ssl_ocsp_expected_cert",
    "ssl_min_version",
    "ssl_ciphers",
];

/// `urlsplit`'s result.
struct Split {
    scheme: String,
    netloc: String,
    path: String,
    query: String,
    fragment: String,
}

/// CPython 3.11.7 `urlsplit`: strips leading C0/space, removes every tab, CR and LF, then
/// scheme, `//netloc` (to the first '/', '?' or '#'), fragment, query.
fn urlsplit(url: &str) -> Result<Split, &'static str> {
    let url = url.trim_start_matches(|c: char| c <= ' ');
    let url: String = url
        .chars()
        .filter(|c| !matches!(c, '\t' | '\r' | '\n'))
        .collect();
    let (scheme, mut rest) = match url.find(':') {
        Some(i)
            if i > 0
                && url.as_bytes()[0].is_ascii_alphabetic()
                && url[..i]
                    .bytes()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'+' | b'-' | b'.')) =>
        {
            (url[..i].to_ascii_lowercase(), url[i + 1..].to_string())
        }
        _ => (String::new(), url.clone()),
    };
    let mut netloc = String::new();
    if let Some(after) = rest.strip_prefix("//") {
        let end = after.find(['/', '?', '#']).unwrap_or(after.len());
        netloc = after[..end].to_string();
        rest = after[end..].to_string();
        if netloc.contains('[') != netloc.contains(']') {
            return Err("Invalid IPv6 URL");
        }
        if netloc.contains('[') {
            let inside = netloc
                .split_once('[')
                .map(|(_, b)| b.split(']').next().unwrap_or_default())
                .unwrap_or_default();
            check_bracketed_host(inside)?;
        }
    }
    let (rest, fragment) = match rest.split_once('#') {
        Some((a, f)) => (a.to_string(), f.to_string()),
        None => (rest, String::new()),
    };
    let (path, query) = match rest.split_once('?') {
        Some((a, q)) => (a.to_string(), q.to_string()),
        None => (rest, String::new()),
    };
    if !netloc.is_ascii() && nfkc_breaks_netloc(&netloc) {
        return Err("netloc contains invalid characters under NFKC normalization");
    }
    Ok(Split {
        scheme,
        netloc,
        path,
        query,
        fragment,
    })
}

/// `_checknetloc` refuses non-ASCII that NFKC turns into URL syntax; the corpus holds none,
/// and without a Unicode table here only the ASCII look-alike forms are caught.
fn nfkc_breaks_netloc(netloc: &str) -> bool {
    netloc.chars().any(|c| {
        matches!(
            c,
            '\u{FF0F}' | '\u{FF1F}' | '\u{FF03}' | '\u{FF20}' | '\u{FF1A}'
        )
    })
}

/// `_check_bracketed_host`: an IPv6 address (a `%zone` allowed) or IPvFuture, never IPv4.
fn check_bracketed_host(host: &str) -> Result<(), &'static str> {
    if let Some(rest) = host.strip_prefix('v') {
        let ok = rest.split_once('.').is_some_and(|(hex, tail)| {
            !hex.is_empty() && hex.bytes().all(|b| b.is_ascii_hexdigit()) && !tail.is_empty()
        });
        return if ok {
            Ok(())
        } else {
            Err("IPvFuture address is invalid")
        };
    }
    let addr = host.split('%').next().unwrap_or_default();
    if addr.parse::<std::net::Ipv6Addr>().is_ok() {
        Ok(())
    } else if addr.parse::<std::net::Ipv4Addr>().is_ok() {
        Err("An IPv4 address cannot be in brackets")
    } else {
        Err("does not appear to be an IPv4 or IPv6 address")
    }
}

/// `SplitResult.hostname` and `.port` from the host part of the netloc.
fn hostinfo_split(hostinfo: &str) -> Result<(Option<String>, Option<i64>), &'static str> {
    let (hostname, port) = match hostinfo.split_once('[') {
        Some((_, bracketed)) => {
            let (h, after) = bracketed.split_once(']').unwrap_or((bracketed, ""));
            (h, after.split_once(':').map_or("", |(_, p)| p))
        }
        None => hostinfo.split_once(':').unwrap_or((hostinfo, "")),
    };
    let hostname = (!hostname.is_empty()).then(|| match hostname.split_once('%') {
        Some((h, zone)) => format!("{}%{zone}", h.to_lowercase()),
        None => hostname.to_lowercase(),
    });
    if port.is_empty() {
        return Ok((hostname, None));
    }
    if !port.bytes().all(|b| b.is_ascii_digit()) {
        return Err("Port could not be cast to integer value");
    }
    match port.parse::<i64>() {
        Ok(p) if (0..=65535).contains(&p) => Ok((hostname, Some(p))),
        _ => Err("Port out of range 0-65535"),
    }
}
