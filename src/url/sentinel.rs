//! Sentinel URLs: a list of Sentinels and the name of the master they watch, read the way the
//! client libraries that take a URL for Sentinel read it.
//!
//! - Lettuce (`redis/lettuce` src/main/java/io/lettuce/core/RedisURI.java): schemes
//!   `redis-sentinel` and `rediss-sentinel`, `host1[:port1][,host2[:port2]]`, the database in the
//!   path, the master in the fragment (`#mymaster`) or `?sentinelMasterId=`; default Sentinel
//!   port 26379; "the password from the URI applies to the data nodes only".
//! - The `redis+sentinel://` form of Python helpers built on redis-py (host list, then
//!   `/service_name[/db]`, `rediss+sentinel` for TLS, `?sentinel_username=`/`?sentinel_password=`
//!   for the Sentinels, the user info for the data nodes). redis-py itself takes no Sentinel URL:
//!   `Sentinel([(host, port)], sentinel_kwargs={…}, password=…)` (`redis/redis-py`
//!   redis/sentinel.py), and without `sentinel_kwargs` only the `socket_*` options reach the
//!   Sentinels, never the password.
//! - go-redis `ParseFailoverURL` (`redis/go-redis` sentinel.go): a plain `redis://` URL with
//!   `?master_name=` and more Sentinels as repeated `?addr=host:port`; there the user info goes
//!   to the *Sentinels* and `?password=` to the data nodes. Not read here: a `redis://` URL is a
//!   data node to redcheck; `--sentinel-master` says otherwise.
//! - ioredis (`redis/ioredis` lib/connectors/SentinelConnector/index.ts) and node-redis
//!   (`redis/node-redis` packages/client/lib/sentinel/types.ts) take no Sentinel URL at all:
//!   options `sentinels` + `name` + `sentinelPassword` (+ `enableTLSForSentinelMode`), and
//!   `createSentinel({ name, sentinelRootNodes, nodeClientOptions, sentinelClientOptions })`.
//!
//! The URL's credentials go to the data nodes (Lettuce's rule); the Sentinels get
//! `?sentinel_password=` / `?sentinel_username=` or `--sentinel-password` / `--sentinel-user`.

use std::fmt;

use super::{Endpoint, Host, Lint, LintLevel, Target, UrlError, encode};
use crate::secret::{MASK, Secret};

/// Default Sentinel port.
pub const SENTINEL_PORT: u16 = 26379;

/// Query parameters that name the master (Lettuce's, go-redis's and a common alias).
const MASTER_PARAMS: [&str; 3] = ["sentinelmasterid", "master_name", "service_name"];

/// Parameters whose value is never a piece of a password.
const NOT_SECRET: [&str; 17] = [
    "db",
    "database",
    "protocol",
    "ssl_cert_reqs",
    "ssl_ca_certs",
    "ssl_check_hostname",
    "username",
    "user",
    "sentinel_username",
    "sentinel_user",
    "sentinelmasterid",
    "master_name",
    "service_name",
    "tls",
    "ssl",
    "timeout",
    "verifypeer",
];

/// What makes a target a Sentinel one: where the Sentinels are and which master to ask for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SentinelSpec {
    /// The master's name as the Sentinels monitor it.
    pub master: String,
    /// Where the name came from: `path`, `fragment`, `query` or `--sentinel-master`.
    pub master_from: &'static str,
    /// The Sentinels, in the order given.
    pub nodes: Vec<(Host, u16)>,
    /// ACL user for the Sentinels.
    pub username: Option<String>,
    /// Password for the Sentinels (never the data nodes').
    pub password: Option<Secret>,
    /// Whether the Sentinel password was written in the URL (shown as `****` then).
    pub password_in_url: bool,
}

impl SentinelSpec {
    /// `host:port` of every Sentinel, IPv6 in brackets.
    pub fn addresses(&self) -> Vec<String> {
        self.nodes.iter().map(|(h, p)| format!("{h}:{p}")).collect()
    }
}

/// Whether a scheme is a Sentinel one, and whether it asks for TLS.
pub fn scheme_tls(scheme: &str) -> Option<bool> {
    match scheme.to_ascii_lowercase().as_str() {
        "redis+sentinel" | "redis-sentinel" | "valkey+sentinel" => Some(false),
        "rediss+sentinel" | "rediss-sentinel" | "valkeys+sentinel" => Some(true),
        _ => None,
    }
}

/// Parses a Sentinel URL; `None` when the scheme is not a Sentinel one.
pub(super) fn parse(input: &str) -> Option<Result<Target, UrlError>> {
    let (scheme_raw, rest) = input.split_once("://")?;
    let mut tls = scheme_tls(scheme_raw)?;
    if input.chars().any(char::is_control) {
        return Some(Err(UrlError::Invalid(
            "the URL contains a control character or a trailing newline; percent-encode it or strip it".into(),
        )));
    }
    Some(parse_sentinel(scheme_raw, rest, &mut tls))
}

fn parse_sentinel(scheme_raw: &str, rest: &str, tls: &mut bool) -> Result<Target, UrlError> {
    let invalid = |m: &str| Err(UrlError::Invalid(m.to_string()));
    // The user info ends where both readings agree it does, as in the plain parser: a raw
    // `/ ? # @` in a password would otherwise send it to a host the user never named.
    let (userinfo, after) = super::authority::split_userinfo(rest)?;
    let hosts_end = after.find(['/', '?', '#']).unwrap_or(after.len());
    let (hostlist, tail) = after.split_at(hosts_end);
    let (tail, fragment) = match tail.split_once('#') {
        Some((t, f)) => (t, Some(f)),
        None => (tail, None),
    };
    let (path, query) = match tail.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (tail, None),
    };

    let mut nodes = Vec::new();
    for (i, node) in hostlist
        .split(',')
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .enumerate()
    {
        // Each node goes through the plain parser, so hosts and ports are checked one way.
        // No port, or an empty one (`host:`): Sentinel's, not the data nodes' 6379.
        let with_port = if node.ends_with(']') || !node.contains(':') {
            format!("{node}:{SENTINEL_PORT}")
        } else if let Some(host) = node.strip_suffix(':') {
            format!("{host}:{SENTINEL_PORT}")
        } else {
            node.to_string()
        };
        // Not quoted: without an '@', `user:secret,s2` puts a password in the host list.
        let parsed = super::parse::parse(&format!("redis://{with_port}"))
            .map_err(|e| UrlError::Invalid(format!("Sentinel {} of the list: {e}", i + 1)))?;
        match parsed.endpoint {
            Endpoint::Tcp { host, port } => nodes.push((host, port)),
            Endpoint::Unix(_) => return invalid("a Sentinel must be host:port"),
        }
    }
    if nodes.is_empty() {
        return invalid(
            "no Sentinel in the URL: write redis+sentinel://host1:26379,host2:26379/mymaster",
        );
    }

    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let (mut master, mut db, mut from) = (None, None, "path");
    match segments.as_slice() {
        [] => {}
        [one] if one.bytes().all(|b| b.is_ascii_digit()) => db = Some(*one),
        [name] => master = Some(super::decode(name)),
        [name, d] => {
            master = Some(super::decode(name));
            db = Some(*d);
        }
        _ => {
            return invalid(
                "a Sentinel URL's path is /master or /master/db (e.g. /mymaster/0), nothing more",
            );
        }
    }

    let mut passed = Vec::new();
    let mut username = None;
    let mut password = None;
    let mut lints = Vec::new();
    // After `?sentinel_password=`, a raw '&' in the password starts a new parameter: a name
    // redcheck does not know may be a piece of it, so it is neither passed on nor shown.
    let mut after_password = false;
    let mut hidden = 0;
    for pair in query.unwrap_or("").split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let key = super::decode(k).to_ascii_lowercase();
        let value = super::decode(v);
        match key.as_str() {
            "sentinel_password" => {
                password = (!value.is_empty()).then(|| Secret::new(value));
                after_password = true;
            }
            "sentinel_username" | "sentinel_user" => {
                username = (!value.is_empty()).then_some(value);
            }
            k if MASTER_PARAMS.contains(&k) => {
                if master.as_ref().is_some_and(|m| *m != value) {
                    lints.push(Lint {
                        id: "sentinel-master-twice",
                        level: LintLevel::Warn,
                        message: format!(
                            "the URL names two masters; '{value}' in the query is used"
                        ),
                        hint: "name the master once: in the path (/mymaster/0) is the most widely read".into(),
                    });
                }
                master = Some(value);
                from = "query";
            }
            // Lettuce and redis-py helpers spell TLS in the scheme; `?tls=`/`?ssl=` is how
            // option-based setups (ioredis `tls`, redis-py `ssl=True`) usually say it.
            "tls" | "ssl" => {
                *tls = matches!(value.to_ascii_lowercase().as_str(), "true" | "1" | "yes");
            }
            k if after_password && !super::query::KNOWN_PARAMS.contains(&k) => hidden += 1,
            _ => passed.push(pair),
        }
    }
    if hidden > 0 {
        lints.push(Lint {
            id: "unknown-params",
            level: LintLevel::Warn,
            message: format!(
                "{hidden} query parameter(s) not checked here and not shown: after ?sentinel_password= a raw '&' in the password starts a new one"
            ),
            hint: "write '&' in a password as %26 ('#' as %23)".into(),
        });
    }
    // After `?password=` or `?sentinel_password=`, a raw '#' in the password starts the
    // fragment: it may be the rest of the password, so it is never shown nor used as a name.
    // Only the last parameter can run into the fragment; one redcheck knows is not a password.
    let secretive = query.is_some_and(|q| {
        let last = q.rsplit('&').next().unwrap_or("");
        let key = super::decode(last.split_once('=').map_or(last, |(k, _)| k)).to_ascii_lowercase();
        q.to_ascii_lowercase().contains("password=") && !NOT_SECRET.contains(&key.as_str())
    });
    match fragment {
        Some(f) if secretive && !f.is_empty() && !f.eq_ignore_ascii_case("insecure") => {
            if master.is_none() {
                return invalid(
                    "the master name after '#' follows a password in the query, where a raw '#' may be part of the password: write the master in the path (/mymaster/0), and a '#' in a password as %23",
                );
            }
            lints.push(Lint {
                id: "fragment",
                level: LintLevel::Warn,
                message: format!(
                    "a URL fragment of {} character(s) is ignored (not shown: after ?password= it may be part of the password)",
                    f.chars().count()
                ),
                hint: "a '#' or '&' in a password must be written %23 and %26".into(),
            });
        }
        Some(f) if !f.is_empty() && !f.eq_ignore_ascii_case("insecure") => {
            let name = super::decode(f);
            if master.as_ref().is_some_and(|m| *m != name) {
                lints.push(Lint {
                    id: "sentinel-master-twice",
                    level: LintLevel::Warn,
                    message: format!(
                        "the URL names two masters; '#{name}' (Lettuce's place for it) is used"
                    ),
                    hint: "name the master once: in the path (/mymaster/0) is the most widely read"
                        .into(),
                });
            }
            master = Some(name);
            from = "fragment";
        }
        _ => {}
    }

    // The data nodes' part: credentials, database and the remaining parameters, read by the
    // plain parser (its lints included) against the first Sentinel as a stand-in host.
    let (first_host, first_port) = &nodes[0];
    let mut data = format!("{}://", if *tls { "rediss" } else { "redis" });
    if let Some(ui) = userinfo {
        data.push_str(ui);
        data.push('@');
    }
    data.push_str(&format!("{first_host}:{first_port}"));
    if let Some(d) = db {
        data.push('/');
        data.push_str(d);
    }
    if !passed.is_empty() {
        data.push('?');
        data.push_str(&passed.join("&"));
    }
    if fragment.is_some_and(|f| f.eq_ignore_ascii_case("insecure")) {
        data.push_str("#insecure");
    }
    let mut target = super::parse::parse(&data)?;
    // The plain parser's transport lints name the stand-in host: say it of the Sentinels.
    target
        .lints
        .retain(|l| l.id != "plaintext-remote" && l.id != "tls-port");
    target.lints.extend(lints);
    if !*tls && nodes.iter().any(|(h, _)| !h.is_loopback()) {
        target.lints.push(Lint {
            id: "plaintext-remote",
            level: LintLevel::Warn,
            message: "plaintext to the Sentinels and the data nodes: passwords and data cross the network unencrypted".into(),
            hint: "use TLS where the servers offer it: rediss+sentinel:// (Lettuce: rediss-sentinel://)".into(),
        });
    }
    target.scheme = scheme_raw.to_ascii_lowercase();
    target.written.scheme = scheme_raw.to_string();
    let Some(master) = master.filter(|m| !m.is_empty()) else {
        return invalid(
            "no master name: write it after the Sentinels (redis+sentinel://host:26379/mymaster/0), as #mymaster (Lettuce) or ?master_name=",
        );
    };
    let password_in_url = password.is_some();
    target.sentinel = Some(Box::new(SentinelSpec {
        master,
        master_from: from,
        nodes,
        username,
        password,
        password_in_url,
    }));
    Ok(target)
}

/// What `--sentinel-master`, `--sentinel-user` and `--sentinel-password` add to a target.
#[derive(Debug, Clone, Default)]
pub struct SentinelFlags {
    /// `--sentinel-master`: the URL is a Sentinel; ask it for this master.
    pub master: Option<String>,
    /// `--sentinel-user`.
    pub user: Option<String>,
    /// `--sentinel-password`.
    pub password: Option<Secret>,
}

impl Target {
    /// Applies the Sentinel flags: `--sentinel-master` turns a plain URL at a Sentinel into a
    /// Sentinel target (its credentials stay the data nodes'); the credentials fill what the
    /// URL leaves out.
    pub fn apply_sentinel_flags(&mut self, flags: &SentinelFlags) {
        if self.sentinel.is_none()
            && let (Some(master), Endpoint::Tcp { host, port }) = (&flags.master, &self.endpoint)
        {
            self.sentinel = Some(Box::new(SentinelSpec {
                master: master.clone(),
                master_from: "--sentinel-master",
                nodes: vec![(host.clone(), *port)],
                username: None,
                password: None,
                password_in_url: false,
            }));
            self.lints
                .retain(|l| l.id != "plaintext-remote" && l.id != "tls-port");
        } else if let (Some(spec), Some(master)) = (&self.sentinel, &flags.master)
            && spec.master != *master
        {
            self.lints.push(Lint {
                id: "sentinel-master-unused",
                level: LintLevel::Info,
                message: format!(
                    "the URL names the master '{}', so --sentinel-master {master} is not used",
                    spec.master
                ),
                hint: "drop one of them".into(),
            });
        }
        let Some(spec) = self.sentinel.as_mut() else {
            if flags.password.is_some() || flags.user.is_some() {
                self.lints.push(Lint {
                    id: "sentinel-flags-unused",
                    // Info: REDCHECK_SENTINEL_PASSWORD may be set for every run on purpose.
                    level: LintLevel::Info,
                    message: "--sentinel-password / --sentinel-user are given, but this is not a Sentinel URL, so they are not used".into(),
                    hint: "use a redis+sentinel:// URL, or add --sentinel-master NAME to reach the master through this Sentinel".into(),
                });
            }
            return;
        };
        if spec.username.is_none() {
            spec.username.clone_from(&flags.user);
        }
        match (&spec.password, &flags.password) {
            (None, Some(pw)) => spec.password = Some(pw.clone()),
            (Some(_), Some(_)) => self.lints.push(Lint {
                id: "password-unused",
                level: LintLevel::Info,
                message: "the URL has ?sentinel_password=, so --sentinel-password is not used"
                    .into(),
                hint: "drop one of them; the flag (or REDCHECK_SENTINEL_PASSWORD) keeps it out of the URL".into(),
            }),
            _ => {}
        }
    }

    /// The same target at a data node the Sentinels announce: same credentials, database and
    /// TLS settings. It still shows (and hints) as the Sentinel URL the user gave.
    pub fn at(&self, host: Host, port: u16) -> Target {
        let mut t = self.clone();
        t.endpoint = Endpoint::Tcp { host, port };
        t
    }
}

/// The Sentinel form of a target, password and Sentinel password as `****`:
/// `redis+sentinel://:****@s1:26379,s2:26379/mymaster/0?sentinel_password=****`.
pub(super) fn fmt(t: &Target, spec: &SentinelSpec, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    let scheme = if spec.master_from == "--sentinel-master" || scheme_tls(&t.scheme).is_none() {
        if t.tls {
            "rediss+sentinel"
        } else {
            "redis+sentinel"
        }
    } else {
        t.scheme.as_str()
    };
    write!(f, "{scheme}://")?;
    match (&t.username, &t.password) {
        (Some(u), Some(_)) => write!(f, "{}:{MASK}@", encode(u))?,
        (Some(u), None) => write!(f, "{}:@", encode(u))?,
        (None, Some(_)) => write!(f, ":{MASK}@")?,
        (None, None) => {}
    }
    write!(
        f,
        "{}/{}/{}",
        spec.addresses().join(","),
        encode(&spec.master),
        t.db
    )?;
    let mut sep = '?';
    for (k, v) in &t.params {
        if k == MASK || k == "db" || k == "database" {
            continue;
        }
        write!(f, "{sep}{k}={v}")?;
        sep = '&';
    }
    if let Some(u) = &spec.username {
        write!(f, "{sep}sentinel_username={}", encode(u))?;
        sep = '&';
    }
    if spec.password_in_url {
        write!(f, "{sep}sentinel_password={MASK}")?;
    }
    Ok(())
}

#[cfg(test)]
mod tests;
