//! How each major client library reads the same URL.
//!
//! redis-cli, redis-py, ioredis, node-redis and redis-rs are modelled from their parsers'
//! source, working on the raw URL as the library does, and the models are checked field by
//! field against readings recorded from the real libraries (`recorded.rs`,
//! tests/fixtures/client-readings/, re-recorded by scripts/record-client-readings).
//! go-redis, Jedis and Lettuce cannot be installed here: their readings come from their source
//! alone, work from redcheck's parse, and say so.
//!
//! Pure: no client code runs and nothing touches the network. What a reading shows is masked
//! (`reading.rs`): a host, socket path, user name or message that may hold a piece of the
//! password is shown with `****`.

use serde::Serialize;

mod draft;
mod model;
mod node;
mod reading;
mod redis_cli;
mod redis_py;
mod redis_rs;
pub mod sentinel;

use crate::url::Target;

use self::draft::{Draft, FromSource, is_unix, reject, scheme_is, unknown_params};

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

/// Where a reading comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    /// A model of the library checked against recordings of the real library.
    Recorded,
    /// Read from the library's source only (it cannot be installed where the recordings are made).
    Source,
}

/// What one client makes of the URL.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reading {
    /// The client library or tool.
    pub client: &'static str,
    /// The version the reading describes.
    pub version: &'static str,
    /// `recorded` (checked against the real library) or `source` (from its source only).
    pub source: Source,
    /// Compared with redcheck's reading.
    pub verdict: Verdict,
    /// Whether it uses TLS (null when it rejects the URL).
    pub tls: Option<bool>,
    /// The host it connects to, masked where it holds a piece of the password.
    pub host: Option<String>,
    /// The port it connects to.
    pub port: Option<i64>,
    /// The Unix socket path it connects to, masked like the host.
    pub socket: Option<String>,
    /// The user name it sends, `****` when it may be a password.
    pub user: Option<String>,
    /// Whether it sends a password.
    pub password: Option<bool>,
    /// The database it selects.
    pub db: Option<i64>,
    /// The RESP version it speaks (2 or 3).
    pub protocol: Option<u8>,
    /// Query parameters and fragment it ignores.
    pub ignored: Vec<String>,
    /// Query parameters it reads against their meaning (e.g. ioredis: `tls=false` turns TLS on).
    pub misread: Vec<String>,
    /// Why it rejects the URL, or what it reads differently.
    pub notes: Vec<String>,
    /// For readings from source: the source lines they come from.
    pub cites: Vec<&'static str>,
}

impl Reading {
    /// A reading that rejects (or does not take) the URL, with nothing read yet: the start of
    /// every reading, filled in by the model that has more to say.
    pub(crate) fn rejecting(
        client: &'static str,
        version: &'static str,
        source: Source,
    ) -> Reading {
        Reading {
            client,
            version,
            source,
            verdict: Verdict::Rejects,
            tls: None,
            host: None,
            port: None,
            socket: None,
            user: None,
            password: None,
            db: None,
            protocol: None,
            ignored: Vec::new(),
            misread: Vec::new(),
            notes: Vec::new(),
            cites: Vec::new(),
        }
    }
}

/// A recorded library: name, version, and its model.
pub(crate) struct Library {
    /// Name as shown.
    pub name: &'static str,
    /// The version recorded.
    pub version: &'static str,
    /// The model: the raw URL to the library's reading.
    pub read: fn(&str) -> model::Raw,
}

/// The recorded libraries, in the order shown (current major first).
pub(crate) const RECORDED: [Library; 7] = [
    Library {
        name: "redis-cli",
        version: redis_cli::VERSION,
        read: redis_cli::read,
    },
    Library {
        name: "redis-py",
        version: redis_py::VERSION,
        read: redis_py::read,
    },
    Library {
        name: "ioredis",
        version: node::IOREDIS[0],
        read: |u| node::ioredis(u, 6),
    },
    Library {
        name: "ioredis",
        version: node::IOREDIS[1],
        read: |u| node::ioredis(u, 5),
    },
    Library {
        name: "node-redis",
        version: node::NODE_REDIS[0],
        read: |u| node::node_redis(u, 6),
    },
    Library {
        name: "node-redis",
        version: node::NODE_REDIS[1],
        read: |u| node::node_redis(u, 5),
    },
    Library {
        name: "redis-rs",
        version: redis_rs::VERSION,
        read: redis_rs::read,
    },
];

/// Every client's reading of the raw URL, in the order shown; `target` is redcheck's own
/// reading, None when redcheck refuses the URL (the recorded libraries are still read, the
/// from-source ones need redcheck's parse and are left out).
pub fn read_all(raw: &str, target: Option<&Target>) -> Vec<Reading> {
    let raws: Vec<model::Raw> = RECORDED.iter().map(|l| (l.read)(raw)).collect();
    let mask = reading::Mask::new(raw, target, &raws);
    let mut out: Vec<Reading> = RECORDED
        .iter()
        .zip(raws)
        .map(|(lib, r)| reading::compare(lib, r, target, &mask))
        .collect();
    if let Some(t) = target {
        for mut r in [go_redis(t), jedis(t), lettuce(t)] {
            r.notes = r.notes.iter().map(|n| mask.message(n)).collect();
            out.push(r);
        }
    }
    out
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

/// go-redis v9 (`ParseURL`, Go's net/url): `redis`/`rediss`/`unix`; `secret@` is a user;
/// `?db=` overrides the path; an unknown query parameter is an error.
pub fn go_redis(t: &Target) -> Reading {
    const NAME: &str = "go-redis";
    if !scheme_is(t, &["redis", "rediss", "unix"], false) {
        return reject(
            NAME,
            &GO_REDIS,
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
            &GO_REDIS,
            format!("redis: unexpected option: {}", unknown.join(", ")),
        );
    }
    let mut d = Draft::base(t);
    d.bare_is_user(t);
    d.query_db(t, &["db"]);
    d.ignore_fragment(t);
    d.finish(NAME, &GO_REDIS, t)
}

/// Jedis 8 (`JedisURIHelper`, java.net.URI): the port is mandatory; `redis`/`rediss` in any
/// case (`isValid`); user info without `:` throws; the db is the path; only `?protocol=`.
pub fn jedis(t: &Target) -> Reading {
    const NAME: &str = "Jedis";
    if is_unix(t) {
        return reject(
            NAME,
            &JEDIS,
            "a socket URL has no host: Jedis takes host and port only",
        );
    }
    if !scheme_is(t, &["redis", "rediss"], false) {
        return reject(
            NAME,
            &JEDIS,
            format!(
                "invalid URI: the scheme must be redis or rediss, not '{}'",
                t.written.scheme
            ),
        );
    }
    if !t.written.port {
        return reject(
            NAME,
            &JEDIS,
            "InvalidURIException: Jedis needs the port written out (host:6379)",
        );
    }
    if t.written.bare_userinfo {
        return reject(
            NAME,
            &JEDIS,
            "user info without ':' throws in getPassword: write :password@ or user:password@",
        );
    }
    let mut d = Draft::base(t);
    d.ignore_params(t, &["protocol"]);
    d.ignore_fragment(t);
    d.finish(NAME, &JEDIS, t)
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
            &LETTUCE,
            format!("IllegalArgumentException: Scheme {written} not supported{why}"),
        );
    }
    let mut d = Draft::base(t);
    // `database=` (any case) or `db=` (as written) overrides the path.
    let db = t
        .params
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("database") || k == "db")
        .and_then(|(_, v)| v.parse::<u32>().ok());
    if let Some(db) = db {
        d.db = db;
    }
    // `database=` and the others are compared lower-cased, `db=` as written.
    d.ignored.extend(
        t.params
            .iter()
            .map(|(k, _)| k.clone())
            .filter(|k| k != "db" && !LETTUCE_PARAMS.contains(&k.to_ascii_lowercase().as_str())),
    );
    d.ignore_fragment(t);
    d.finish(NAME, &LETTUCE, t)
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
    "clientname",
    "libraryname",
    "libraryversion",
    "sentinelmasterid",
    "verifypeer",
];

/// go-redis, read from source at redis/go-redis 216593cc (v9.22).
const GO_REDIS: FromSource = FromSource {
    version: "9.22 (source)",
    cites: &[
        "redis/go-redis options.go:669 ParseURL (schemes), :685 setupTCPConn, :737 setupUnixConn",
        "redis/go-redis options.go:840 setupConnParams, :889 \"redis: unexpected option\"",
    ],
};

/// Jedis, read from source at redis/jedis 9bcb5c60 (8.0 beta).
const JEDIS: FromSource = FromSource {
    version: "8.0 (source)",
    cites: &[
        "redis/jedis src/main/java/redis/clients/jedis/util/JedisURIHelper.java:55 getUser, :77 getPassword, :111 getDBIndex",
        "redis/jedis JedisURIHelper.java:165 isValid (host and port required), :177 isRedisScheme, :181 isRedisSSLScheme",
    ],
};

/// Lettuce, read from source at redis/lettuce b0bcdd81 (7.7).
const LETTUCE: FromSource = FromSource {
    version: "7.7 (source)",
    cites: &[
        "redis/lettuce src/main/java/io/lettuce/core/RedisURI.java:333 create, :847 buildRedisUriFromUri",
        "redis/lettuce RedisURI.java:899-925 query parameters, :1245 \"Scheme … not supported\"",
    ],
};

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

#[cfg(test)]
mod recorded;
