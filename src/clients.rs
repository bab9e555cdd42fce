//! How each major client library reads the same URL, from the "How client libraries read a
//! Redis URL" table in FIELD-NOTES.md and the parsers it names.
//!
//! Pure: one function per client, working from redcheck's parse ([`Target`]) and the spelling
//! details it keeps ([`crate::url::Written`]). No client code runs; nothing touches the network.
//! A user name that may really be a password (`secret@host`) is shown as `****`.

use serde::Serialize;

mod draft;
mod explain;
mod sentinel;

use crate::url::Target;

pub use self::explain::explain;

use self::draft::{Draft, is_unix, param, reject, scheme_is, unknown_params};

/// How a client's reading compares with redcheck's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// Reads it as redcheck does.
    Same,
    /// Accepts it but reads or ignores something differently.
    Differs,
    /// Refuses it.
    Rejects,
}

/// What one client makes of the URL.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reading {
    /// The client library or tool.
    pub client: &'static str,
    /// Compared with redcheck's reading.
    pub verdict: Verdict,
    /// Whether it uses TLS (null when it rejects the URL).
    pub tls: Option<bool>,
    /// The user name it sends, `****` when it may be a password.
    pub user: Option<String>,
    /// Whether it sends a password.
    pub password: Option<bool>,
    /// The database it selects.
    pub db: Option<u32>,
    /// Query parameters and fragment it ignores.
    pub ignored: Vec<String>,
    /// Why it rejects the URL, or what it reads differently.
    pub notes: Vec<String>,
}

/// Every client, in the order shown.
pub fn read_all(t: &Target) -> Vec<Reading> {
    vec![
        redis_cli(t),
        redis_py(t),
        ioredis(t),
        node_redis(t),
        go_redis(t),
        redis_rs(t),
        jedis(t),
        lettuce(t),
    ]
}

/// The clients that know a scheme redcheck does not parse (e.g. Lettuce's `redis+ssl`).
pub fn knowing_scheme(scheme: &str) -> Vec<&'static str> {
    let s = scheme.to_ascii_lowercase();
    let mut out = Vec::new();
    if LETTUCE_SCHEMES.contains(&scheme) {
        out.push("Lettuce");
    }
    if s == "redis-sentinel" || s == "rediss-sentinel" {
        out.push("redis-py (Sentinel helpers, not from_url)");
    }
    out
}

/// redis-cli 7.0 (`parseRedisUri` in cliCommon.c): `redis`/`rediss` in any case; the user
/// info ends at the *first* `@`; `secret@` is a password; `:pw@` sends an empty user name;
/// the db is `atoi` of the path; query parameters are not read.
pub fn redis_cli(t: &Target) -> Reading {
    const NAME: &str = "redis-cli";
    if is_unix(t) || !scheme_is(t, &["redis", "rediss"], false) {
        return reject(
            NAME,
            format!(
                "'{}://' is not a redis-cli scheme: it takes redis:// and rediss:// (a socket is -s PATH)",
                t.written.scheme
            ),
        );
    }
    let mut d = Draft::base(t);
    if t.written.user.is_none() && t.written.password && !t.written.bare_userinfo {
        d.user = Some(String::new());
        d.note("':password@' sends an empty user name (AUTH \"\" …): WRONGPASS");
    }
    d.ignore_params(t, &[]);
    d.ignore_fragment(t);
    d.finish(NAME, t)
}

/// redis-py (`parse_url`): exactly `redis://`, `rediss://` or `unix://`; user info after the
/// last `@`, cut at a raw `#`; `secret@` is a user; `?db=` overrides the path; typed params,
/// any other name is passed to the connection class as a string.
pub fn redis_py(t: &Target) -> Reading {
    const NAME: &str = "redis-py";
    if !["redis", "rediss", "unix"].contains(&t.written.scheme.as_str()) {
        return reject(
            NAME,
            format!(
                "ValueError: the URL must start with redis://, rediss:// or unix:// in lower case, not '{}://'",
                t.written.scheme
            ),
        );
    }
    let mut d = Draft::base(t);
    d.bare_is_user(t);
    d.query_credentials(t);
    d.query_db(t, &["db"]);
    let mut known: Vec<&str> = REDIS_PY_PARAMS.to_vec();
    if t.tls {
        known.extend(REDIS_PY_SSL_PARAMS);
    }
    let unknown = unknown_params(t, &known);
    if !unknown.is_empty() {
        d.note(format!(
            "passes {} to the connection as keyword arguments: a name it does not take raises TypeError",
            unknown.join(", ")
        ));
    }
    d.ignore_fragment(t);
    d.finish(NAME, t)
}

/// ioredis (`parseURL` + `parseOptions`): any scheme; TLS only when the string starts with
/// lower-case `rediss://`; for a scheme other than redis/rediss the path is a socket path;
/// `secret@` is a user; the path's db wins over `?db=`; query names become options.
pub fn ioredis(t: &Target) -> Reading {
    const NAME: &str = "ioredis";
    let mut d = Draft::base(t);
    d.tls = t.written.scheme == "rediss";
    if t.tls && !d.tls {
        d.note(format!(
            "TLS stays off: only a URL starting with lower-case rediss:// turns it on, not '{}://'",
            t.written.scheme
        ));
    }
    let plain_scheme = ["redis", "rediss"].contains(&t.scheme.as_str());
    if !plain_scheme && !is_unix(t) && t.written.path_db.is_some() {
        d.db = 0;
        d.note(format!(
            "reads the path of a '{}://' URL as a Unix socket path, so it never connects to the host",
            t.written.scheme
        ));
    }
    d.bare_is_user(t);
    d.query_credentials(t);
    if t.written.path_db.is_none() {
        d.query_db(t, &["db"]);
    }
    d.ignore_params(t, &["db", "password", "username", "family"]);
    d.ignore_fragment(t);
    d.finish(NAME, t)
}

/// node-redis v4/v5 (`RedisClient.parseURL`, WHATWG URL): `redis:`/`rediss:` in any case,
/// anything else throws "Invalid protocol"; `secret@` is a user; every query parameter is
/// ignored. FIELD-NOTES also lists `unix`, but parseURL throws for it: a socket goes in
/// `socket.path`, so it is reported as rejected.
pub fn node_redis(t: &Target) -> Reading {
    const NAME: &str = "node-redis";
    if is_unix(t) || !scheme_is(t, &["redis", "rediss"], false) {
        return reject(
            NAME,
            format!(
                "TypeError: Invalid protocol '{}:' (redis: and rediss: only; a socket goes in socket.path)",
                t.written.scheme
            ),
        );
    }
    let mut d = Draft::base(t);
    d.bare_is_user(t);
    d.ignore_params(t, &[]);
    d.ignore_fragment(t);
    d.finish(NAME, t)
}

/// go-redis v9 (`ParseURL`, Go's net/url): `redis`/`rediss`/`unix`; `secret@` is a user;
/// `?db=` overrides the path; an unknown query parameter is an error.
pub fn go_redis(t: &Target) -> Reading {
    const NAME: &str = "go-redis";
    if !scheme_is(t, &["redis", "rediss", "unix"], false) {
        return reject(
            NAME,
            format!("redis: invalid URL scheme: {}", t.written.scheme),
        );
    }
    let mut known: Vec<&str> = GO_REDIS_PARAMS.to_vec();
    if t.tls {
        known.push("skip_verify");
    }
    let mut unknown = unknown_params(t, &known);
    if !unknown.is_empty() {
        unknown.sort();
        unknown.dedup();
        return reject(
            NAME,
            format!("redis: unexpected option: {}", unknown.join(", ")),
        );
    }
    let mut d = Draft::base(t);
    d.bare_is_user(t);
    d.query_db(t, &["db"]);
    d.ignore_fragment(t);
    d.finish(NAME, t)
}

/// redis-rs (`parse_redis_url`): redis, rediss, valkey, valkeys, redis+unix, valkey+unix,
/// unix; `secret@` is a user; on TLS only `#insecure` may follow; `?protocol=` is read,
/// other TCP parameters are ignored (sockets read `db`, `user`, `pass`).
pub fn redis_rs(t: &Target) -> Reading {
    const NAME: &str = "redis-rs";
    let schemes = [
        "redis",
        "rediss",
        "valkey",
        "valkeys",
        "redis+unix",
        "valkey+unix",
        "unix",
    ];
    if !scheme_is(t, &schemes, false) {
        return reject(
            NAME,
            format!("'{}://' is not a redis-rs scheme", t.written.scheme),
        );
    }
    let fragment = t.written.fragment.as_deref().filter(|f| !f.is_empty());
    if t.tls
        && let Some(f) = fragment
        && f != "insecure"
    {
        return reject(
            NAME,
            format!("only #insecure is supported as a URL fragment, not '#{f}'"),
        );
    }
    let mut d = Draft::base(t);
    d.bare_is_user(t);
    if is_unix(t) {
        d.query_db(t, &["db"]);
        if !d.password && param(t, "pass").is_some() {
            d.password = true;
        }
        if d.user.is_none()
            && let Some(u) = param(t, "user")
        {
            d.user = Some(u.to_string());
        }
        d.ignore_params(t, &["db", "user", "pass", "protocol"]);
    } else {
        d.ignore_params(t, &["protocol"]);
    }
    if !t.tls {
        d.ignore_fragment(t);
    }
    d.finish(NAME, t)
}

/// Jedis (`JedisURIHelper`, java.net.URI): the port is mandatory; TLS only for the exact
/// scheme `rediss`; user info without `:` throws; the db is the path; only `?protocol=`.
pub fn jedis(t: &Target) -> Reading {
    const NAME: &str = "Jedis";
    if is_unix(t) {
        return reject(
            NAME,
            "a socket URL has no host: Jedis takes host and port only",
        );
    }
    if !t.written.port {
        return reject(
            NAME,
            "InvalidURIException: Jedis needs the port written out (host:6379)",
        );
    }
    if t.written.bare_userinfo {
        return reject(
            NAME,
            "user info without ':' throws in getPassword: write :password@ or user:password@",
        );
    }
    let mut d = Draft::base(t);
    d.tls = t.written.scheme == "rediss";
    if t.tls && !d.tls {
        d.note(format!(
            "TLS stays off: Jedis compares the scheme with lower-case 'rediss', not '{}'",
            t.written.scheme
        ));
    }
    d.ignore_params(t, &["protocol"]);
    d.ignore_fragment(t);
    d.finish(NAME, t)
}

/// Lettuce (`RedisURI.create`, java.net.URI): case-sensitive schemes (redis, rediss,
/// redis+ssl, redis+tls, redis-socket, redis-sentinel…); `secret@` is a password; `?database=`
/// / `?db=` override the path; `timeout`, `clientName`, `verifyPeer` and a few more.
pub fn lettuce(t: &Target) -> Reading {
    const NAME: &str = "Lettuce";
    let written = t.written.scheme.as_str();
    if !LETTUCE_SCHEMES.contains(&written) {
        let why = if LETTUCE_SCHEMES.contains(&t.scheme.as_str()) {
            ": schemes are compared case-sensitively"
        } else if is_unix(t) {
            ": sockets are redis-socket://"
        } else {
            ""
        };
        return reject(
            NAME,
            format!("IllegalArgumentException: Scheme {written} not supported{why}"),
        );
    }
    let mut d = Draft::base(t);
    d.query_db(t, &["database", "db"]);
    d.ignore_params(t, LETTUCE_PARAMS);
    d.ignore_fragment(t);
    d.finish(NAME, t)
}

/// Lettuce's schemes, compared case-sensitively.
const LETTUCE_SCHEMES: [&str; 8] = [
    "redis",
    "rediss",
    "redis+ssl",
    "redis+tls",
    "redis-socket",
    "redis+socket",
    "redis-sentinel",
    "rediss-sentinel",
];

/// Query parameters Lettuce reads.
const LETTUCE_PARAMS: &[&str] = &[
    "timeout",
    "database",
    "db",
    "clientname",
    "libraryname",
    "libraryversion",
    "sentinelmasterid",
    "verifypeer",
];

/// Query parameters redis-py types or passes to every connection class.
const REDIS_PY_PARAMS: &[&str] = &[
    "db",
    "username",
    "password",
    "socket_timeout",
    "socket_connect_timeout",
    "socket_keepalive",
    "retry_on_timeout",
    "retry_on_error",
    "max_connections",
    "health_check_interval",
    "timeout",
    "protocol",
    "client_name",
    "encoding",
    "decode_responses",
];

/// Query parameters only redis-py's SSL connection takes.
const REDIS_PY_SSL_PARAMS: &[&str] = &[
    "ssl_cert_reqs",
    "ssl_ca_certs",
    "ssl_ca_path",
    "ssl_ca_data",
    "ssl_certfile",
    "ssl_keyfile",
    "ssl_password",
    "ssl_check_hostname",
    "ssl_min_version",
    "ssl_ciphers",
];

/// Query parameters go-redis v9 accepts (`setupConnParams`).
const GO_REDIS_PARAMS: &[&str] = &[
    "db",
    "protocol",
    "client_name",
    "max_retries",
    "min_retry_backoff",
    "max_retry_backoff",
    "dial_timeout",
    "read_timeout",
    "write_timeout",
    "pool_fifo",
    "pool_size",
    "pool_timeout",
    "min_idle_conns",
    "max_idle_conns",
    "max_active_conns",
    "conn_max_idle_time",
    "idle_timeout",
    "conn_max_lifetime",
    "max_conn_age",
];

#[cfg(test)]
mod tests;
