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
    /// Raw `@ # / ?` inside the user name or password.
    pub unencoded: Vec<char>,
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
        if let Some(lint) = parse::whitespace_lint(&secret) {
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

/// Best-effort redaction of a string that did not parse: hide anything between `://` and `@`.
pub fn redact_raw(input: &str) -> String {
    let clean: String = input
        .chars()
        .map(|c| if c.is_control() { '?' } else { c })
        .collect();
    // Everything after `password=` may be the password (a raw '&', '#' or '@' in it ends the
    // value early), so it all goes.
    let clean = match clean.to_ascii_lowercase().find("password=") {
        Some(i) => format!("{}{MASK}", &clean[..i + "password=".len()]),
        None => clean,
    };
    let shown = match (clean.find("://"), clean.rfind('@')) {
        (Some(s), Some(at)) if at > s + 3 => {
            format!("{}://{MASK}@{}", &clean[..s], &clean[at + 1..])
        }
        (None, Some(at)) => format!("{MASK}@{}", &clean[at + 1..]),
        _ => clean,
    };
    let shown = mask_port_text(&mask_password_param(&shown));
    if shown.chars().count() > 200 {
        let cut: String = shown.chars().take(200).collect();
        format!("{cut}… ({} characters)", input.chars().count())
    } else {
        shown
    }
}

/// Hides what follows the host's ':' unless it is a port number: without an '@',
/// `redis://user:secret` reads as host `user`, port `secret`.
fn mask_port_text(s: &str) -> String {
    let start = s.find("://").map_or(0, |i| i + 3);
    let end = s[start..]
        .find(['/', '?', '#'])
        .map_or(s.len(), |i| start + i);
    let authority = &s[start..end];
    // The host starts after a (masked) user info; an IPv6 host keeps its ':' inside [ ].
    let host_start = authority.rfind('@').map_or(0, |i| i + 1);
    let after_host = match authority[host_start..].find(']') {
        Some(i) if authority[host_start..].starts_with('[') => host_start + i + 1,
        _ => host_start,
    };
    let Some(colon) = authority[after_host..]
        .find(':')
        .map(|i| start + after_host + i)
    else {
        return s.to_string();
    };
    let port = &s[colon + 1..end];
    if port.bytes().all(|b| b.is_ascii_digit()) {
        return s.to_string();
    }
    // The rest may be more of the same password (`redis://user:pa/ss`): it all goes.
    format!("{}:{MASK}", &s[..colon])
}

fn mask_password_param(s: &str) -> String {
    let Some(q) = s.find('?') else {
        return s.to_string();
    };
    let (head, query) = s.split_at(q + 1);
    let parts: Vec<String> = query
        .split('&')
        .map(|kv| match kv.split_once('=') {
            // `pass` is redis-rs's password for sockets.
            Some((k, _))
                if k.eq_ignore_ascii_case("password") || k.eq_ignore_ascii_case("pass") =>
            {
                format!("{k}={MASK}")
            }
            _ => kv.to_string(),
        })
        .collect();
    format!("{head}{}", parts.join("&"))
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
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

mod parse;
#[cfg(test)]
mod tests;
