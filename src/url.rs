//! `REDIS_URL` → [`Target`], parsed by hand the way Redis clients read it, plus lints.
//!
//! Pure: no I/O. A generic URL crate would normalise away exactly the things users get wrong
//! (un-encoded `@ # / ?` in passwords, `pass@` without a colon, upper-case schemes).

use std::fmt;
use std::net::IpAddr;
use std::path::PathBuf;

use crate::secret::{MASK, Secret};

/// Where the server is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Host {
    /// A DNS name, resolved by the `dns` stage.
    Name(String),
    /// A literal IPv4 or IPv6 address.
    Ip(IpAddr),
}

impl Host {
    /// Whether the host is on this machine (loopback or `localhost`).
    pub fn is_loopback(&self) -> bool {
        match self {
            Host::Ip(ip) => ip.is_loopback(),
            Host::Name(n) => {
                let n = n.to_ascii_lowercase();
                n == "localhost" || n.ends_with(".localhost")
            }
        }
    }

    /// The name as used for DNS and TLS server names (no brackets).
    pub fn as_str(&self) -> String {
        match self {
            Host::Name(n) => n.clone(),
            Host::Ip(ip) => ip.to_string(),
        }
    }
}

impl fmt::Display for Host {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Host::Name(n) => f.write_str(n),
            Host::Ip(IpAddr::V6(ip)) => write!(f, "[{ip}]"),
            Host::Ip(ip) => write!(f, "{ip}"),
        }
    }
}

/// How to reach the server: TCP or a Unix socket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Endpoint {
    /// Host and port.
    Tcp { host: Host, port: u16 },
    /// A Unix domain socket path.
    Unix(PathBuf),
}

/// How serious a lint is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum LintLevel {
    /// Worth knowing.
    Info,
    /// Likely to bite.
    Warn,
}

/// A problem with the URL that does not stop the check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lint {
    /// Stable id, e.g. `unencoded-char`.
    pub id: &'static str,
    /// How serious it is.
    pub level: LintLevel,
    /// One line saying what is wrong.
    pub message: String,
    /// What to do about it.
    pub hint: String,
}

/// Why a URL could not be used at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UrlError {
    /// The scheme is not one Redis clients speak.
    #[error("unsupported scheme '{0}'")]
    UnsupportedScheme(String),
    /// Anything else malformed.
    #[error("{0}")]
    Invalid(String),
    /// The user info ends at one '@' for RFC 3986 and the client libraries and at another for
    /// redis-cli, so the two name different hosts (each shown masked). Nothing is sent.
    #[error(
        "the URL names two hosts: '{rfc}' as RFC 3986 and the client libraries read it, '{cli}' as redis-cli reads it (its password runs to the first '@'); nothing was sent to either"
    )]
    Ambiguous {
        /// The host:port text of the RFC 3986 reading, masked.
        rfc: String,
        /// The host:port text of redis-cli's reading, masked.
        cli: String,
        /// How to write the URL so both agree.
        fix: String,
    },
}

/// A parsed Redis URL. The password only ever leaves as `****`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// The scheme as written, lower-cased (`redis`, `rediss`, `valkeys`, `unix`…).
    pub scheme: String,
    /// Whether the scheme asks for TLS.
    pub tls: bool,
    /// Where to connect.
    pub endpoint: Endpoint,
    /// Logical database.
    pub db: u32,
    /// ACL user name, if any.
    pub username: Option<String>,
    /// Password, if any.
    pub password: Option<Secret>,
    /// `?protocol=` (2 or 3), if given.
    pub protocol: Option<u8>,
    /// `#insecure` or `?ssl_cert_reqs=none`: skip certificate verification.
    pub insecure: bool,
    /// `?ssl_ca_certs=`: a CA bundle to trust.
    pub ca_file: Option<PathBuf>,
    /// `?ssl_check_hostname=false` (redis-py): skip the host name check only.
    pub skip_hostname_check: bool,
    /// Query parameters in order, values of `password` masked.
    pub params: Vec<(String, String)>,
    /// Problems that do not stop the check.
    pub lints: Vec<Lint>,
    /// Where the password came from, when there is one.
    pub password_source: Option<PasswordSource>,
    /// How the URL spelled what clients read differently.
    pub written: Written,
    /// The Sentinels and the master name, for a Sentinel URL (or `--sentinel-master`).
    pub sentinel: Option<Box<sentinel::SentinelSpec>>,
}

/// The spelling details client libraries disagree on (see `clients.rs`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Written {
    /// The scheme exactly as written (`REDISS`, `rediss`…).
    pub scheme: String,
    /// Whether the port was written out (Jedis requires it).
    pub port: bool,
    /// The database from the path, before any `?db=` overrides it.
    pub path_db: Option<u32>,
    /// The user name in the user info (before `:`), decoded.
    pub user: Option<String>,
    /// Whether the user info holds a password (after `:`, or the whole of a bare `secret@`).
    pub password: bool,
    /// User info without `:` (`secret@host`): a password to redis-cli, a user to most libraries.
    pub bare_userinfo: bool,
    /// The fragment after `#`, if any.
    pub fragment: Option<String>,
}

/// Where a password came from: the URL, or outside it so it stays out of argv.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordSource {
    /// The URL's user info or `?password=`.
    Url,
    /// The `REDISCLI_AUTH` variable (redis-cli's).
    Env,
    /// `--password-file`; whether a trailing newline was stripped.
    File {
        /// A trailing newline was removed from the file's content.
        newline_stripped: bool,
    },
}

impl PasswordSource {
    /// The name used in reports: `url`, `REDISCLI_AUTH` or `password-file`.
    pub fn as_str(self) -> &'static str {
        match self {
            PasswordSource::Url => "url",
            PasswordSource::Env => "REDISCLI_AUTH",
            PasswordSource::File { .. } => "password-file",
        }
    }
}

/// Ports that managed providers use for TLS.
pub const TLS_PORTS: [u16; 4] = [6380, 6378, 25061, 10000];

/// Default Redis port.
pub const DEFAULT_PORT: u16 = 6379;

impl Target {
    /// Parses a URL. Errors are the `url` check's `invalid-url` / `unsupported-scheme`.
    pub fn parse(input: &str) -> Result<Target, UrlError> {
        parse::parse(input)
    }

    /// Uses a password from outside the URL when the URL has none; returns whether it did.
    pub fn supply_password(&mut self, secret: Secret, source: PasswordSource) -> bool {
        if self.password.is_some() {
            let what = match source {
                PasswordSource::File { .. } => "--password-file",
                _ => source.as_str(),
            };
            self.lints.push(Lint {
                id: "password-unused",
                level: LintLevel::Info,
                message: format!("the URL has a password, so {what} is not used"),
                hint: format!(
                    "drop the password from the URL to use {what}, and keep it out of argv"
                ),
            });
            return false;
        }
        if let Some(lint) = lints::whitespace_lint(&secret) {
            self.lints.push(lint);
        }
        self.password = Some(secret);
        self.password_source = Some(source);
        true
    }

    /// Notes that a password from outside the URL was not used because several targets are
    /// checked: it names no host, so it could go to one it was never meant for.
    pub fn decline_password(&mut self, source: PasswordSource) {
        if self.password.is_some() {
            return;
        }
        let what = match source {
            PasswordSource::File { .. } => "--password-file",
            _ => source.as_str(),
        };
        self.lints.push(Lint {
            id: "password-not-sent",
            level: LintLevel::Info,
            message: format!(
                "{what} is used only when a single target is checked; this URL has no password"
            ),
            hint: format!(
                "check this target on its own to use {what}, or give each URL its own password"
            ),
        });
    }

    /// Host, if TCP.
    pub fn host(&self) -> Option<&Host> {
        match &self.endpoint {
            Endpoint::Tcp { host, .. } => Some(host),
            Endpoint::Unix(_) => None,
        }
    }

    /// Port, if TCP.
    pub fn port(&self) -> Option<u16> {
        match &self.endpoint {
            Endpoint::Tcp { port, .. } => Some(*port),
            Endpoint::Unix(_) => None,
        }
    }

    /// The same target with another scheme and port (for "did you mean" hints), redacted.
    pub fn redacted_with(&self, tls: bool, port: Option<u16>) -> String {
        let mut t = self.clone();
        t.scheme = match (t.scheme.as_str(), tls) {
            (s, true) if sentinel::scheme_tls(s).is_some() => "rediss+sentinel".into(),
            (s, false) if sentinel::scheme_tls(s).is_some() => "redis+sentinel".into(),
            ("valkey" | "valkeys", true) => "valkeys".into(),
            ("valkey" | "valkeys", false) => "valkey".into(),
            (_, true) => "rediss".into(),
            (_, false) => "redis".into(),
        };
        t.tls = tls;
        if let (Endpoint::Tcp { port: p, .. }, Some(new)) = (&mut t.endpoint, port) {
            *p = new;
        }
        t.to_string()
    }
}

/// Shows the URL with the password as `****`; this is the only way a URL is ever printed.
impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(spec) = &self.sentinel {
            return sentinel::fmt(self, spec, f);
        }
        write!(f, "{}://", self.scheme)?;
        match (&self.username, &self.password) {
            (Some(u), Some(_)) => write!(f, "{}:{MASK}@", encode(u))?,
            (Some(u), None) => write!(f, "{}:@", encode(u))?,
            (None, Some(_)) => write!(f, ":{MASK}@")?,
            (None, None) => {}
        }
        match &self.endpoint {
            Endpoint::Tcp { host, port } => write!(f, "{host}:{port}/{}", self.db)?,
            Endpoint::Unix(path) => write!(f, "{}", path.display())?,
        }
        let mut sep = '?';
        if matches!(self.endpoint, Endpoint::Unix(_)) && self.db != 0 {
            write!(f, "?db={}", self.db)?;
            sep = '&';
        }
        for (k, v) in &self.params {
            // `****` stands for a parameter that may hold a piece of the password.
            if (matches!(self.endpoint, Endpoint::Unix(_)) && k == "db") || k == MASK {
                continue;
            }
            write!(f, "{sep}{k}={v}")?;
            sep = '&';
        }
        Ok(())
    }
}

/// Percent-decodes; invalid sequences stay as written.
pub fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2]))
        {
            out.push(h * 16 + l);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex(b: u8) -> Option<u8> {
    char::from(b)
        .to_digit(16)
        .and_then(|d| u8::try_from(d).ok())
}

/// Percent-encodes what may not stand raw in userinfo.
pub fn encode(s: &str) -> String {
    crate::text::percent_encode(s)
}

mod authority;
mod lints;
mod parse;
mod query;
mod redact;
pub mod sentinel;

pub use redact::{is_scheme, is_secret_param, redact_raw};
#[cfg(test)]
mod tests;
