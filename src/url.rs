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
        parse(input)
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
        if let Some(lint) = whitespace_lint(&secret) {
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
            Some((k, _)) if k.eq_ignore_ascii_case("password") => format!("{k}={MASK}"),
            _ => kv.to_string(),
        })
        .collect();
    format!("{head}{}", parts.join("&"))
}

const MAX_URL_LEN: usize = 4096;

fn parse(input: &str) -> Result<Target, UrlError> {
    let invalid = |m: String| Err(UrlError::Invalid(m));
    if input.len() > MAX_URL_LEN {
        return invalid(format!(
            "URL is {} bytes long; Redis URLs are short (limit {MAX_URL_LEN})",
            input.len()
        ));
    }
    if input.trim().is_empty() {
        return invalid("the URL is empty".into());
    }
    if let Some(c) = input.chars().find(|c| c.is_control()) {
        let what = if input.trim_end() != input {
            "a trailing newline or space"
        } else {
            "a control character"
        };
        return invalid(format!(
            "the URL contains {what} ({:?}); percent-encode it or strip it",
            c
        ));
    }
    let mut lints = Vec::new();
    let Some((scheme_raw, rest)) = input.split_once("://") else {
        return invalid("no scheme: write redis://host:port (or rediss:// for TLS)".into());
    };
    let scheme = scheme_raw.to_ascii_lowercase();
    let (tls, unix) = match scheme.as_str() {
        "redis" | "valkey" => (false, false),
        "rediss" | "valkeys" => (true, false),
        "unix" | "redis+unix" | "valkey+unix" | "redis-socket" => (false, true),
        _ => return Err(UrlError::UnsupportedScheme(scheme_raw.to_string())),
    };
    if scheme_raw != scheme {
        lints.push(Lint {
            id: "scheme-case",
            level: LintLevel::Warn,
            message: format!("the scheme '{scheme_raw}' is not lower case"),
            hint: format!(
                "write {scheme}:// — ioredis only turns TLS on for a lower-case rediss://"
            ),
        });
    }

    // The authority ends at the first '/', '?' or '#'. An '@' after that point is read as the
    // end of a password with an un-encoded `/ ? #` in it (the user meant the last '@'), even
    // when it could be a query value: the other reading would show part of the password as a
    // host or in errors, and a query value can always write '@' as %40.
    // An '@' after `password=` belongs to that query value, though (`?password=a@b`): splitting
    // there would make the rest of the password the host.
    let auth_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let last_at = rest.rfind('@').and_then(|at| {
        if at > auth_end && has_password_param(&rest[auth_end..at]) {
            rest[..auth_end].rfind('@')
        } else {
            Some(at)
        }
    });
    let mut unencoded = Vec::new();
    let (userinfo, after_user) = match last_at {
        Some(at) => {
            if at > auth_end {
                let bad: Vec<char> = rest[..at]
                    .chars()
                    .filter(|c| matches!(c, '/' | '?' | '#'))
                    .collect();
                lints.push(unencoded_lint(&bad));
                unencoded.extend(bad);
            }
            (Some(&rest[..at]), &rest[at + 1..])
        }
        None => (None, rest),
    };
    if let Some(ui) = userinfo
        && ui.matches('@').count() > 0
    {
        lints.push(unencoded_lint(&['@']));
        unencoded.push('@');
    }
    let (username, password) = parse_userinfo(userinfo, &mut lints)?;
    let bare_userinfo = userinfo.is_some_and(|u| !u.is_empty() && !u.contains(':'));

    let (before_frag, fragment) = match after_user.split_once('#') {
        Some((a, f)) => (a, Some(f)),
        None => (after_user, None),
    };
    let (hostpath, query) = match before_frag.split_once('?') {
        Some((a, q)) => (a, Some(q)),
        None => (before_frag, None),
    };
    // A raw '#' or '&' in `?password=` puts the rest of the password in the fragment or in
    // another parameter: with a password in the query, neither is ever shown.
    let secretive = query.is_some_and(query_has_password);
    let fragment = fragment.map(|f| {
        if secretive && !f.is_empty() && !f.eq_ignore_ascii_case("insecure") {
            Hidden::Fragment(f.chars().count())
        } else {
            Hidden::Shown(f)
        }
    });

    let written = Written {
        scheme: scheme_raw.to_string(),
        user: username.clone(),
        password: password.is_some(),
        bare_userinfo,
        unencoded,
        fragment: fragment.map(|f| match f {
            Hidden::Shown(f) => f.to_string(),
            Hidden::Fragment(_) => MASK.to_string(),
        }),
        ..Written::default()
    };
    let mut target = Target {
        scheme,
        tls,
        endpoint: Endpoint::Unix(PathBuf::new()),
        db: 0,
        username,
        password,
        protocol: None,
        insecure: false,
        ca_file: None,
        skip_hostname_check: false,
        params: Vec::new(),
        lints,
        password_source: None,
        written,
    };
    if target.password.is_some() {
        target.password_source = Some(PasswordSource::Url);
    }

    if unix {
        let path = decode(hostpath);
        if path.is_empty() {
            return invalid("no socket path: write unix:///path/to/redis.sock".into());
        }
        target.endpoint = Endpoint::Unix(PathBuf::from(path));
    } else {
        let (authority, path) = match hostpath.find('/') {
            Some(i) => (&hostpath[..i], &hostpath[i + 1..]),
            None => (hostpath, ""),
        };
        let (host, port) = parse_host_port(authority)?;
        target.endpoint = Endpoint::Tcp { host, port };
        let after_host = authority.rfind(']').map_or(authority, |i| &authority[i..]);
        target.written.port = after_host
            .split_once(':')
            .is_some_and(|(_, p)| !p.is_empty());
        let path = path.trim_end_matches('/');
        if !path.is_empty() {
            target.db = parse_db(path, "path")?;
            target.written.path_db = Some(target.db);
        }
    }

    if let Some(q) = query {
        apply_query(&mut target, q, secretive)?;
    }
    match fragment {
        None | Some(Hidden::Shown("")) => {}
        Some(Hidden::Shown(f)) if f.eq_ignore_ascii_case("insecure") => target.insecure = true,
        Some(Hidden::Fragment(n)) => target.lints.push(Lint {
            id: "fragment",
            level: LintLevel::Warn,
            message: format!(
                "a URL fragment of {n} character(s) is ignored (not shown: with ?password= it may be part of the password)"
            ),
            hint: "a '#' or '&' in a password must be written %23 and %26".into(),
        }),
        Some(Hidden::Shown(f)) => target.lints.push(Lint {
            id: "fragment",
            level: LintLevel::Warn,
            message: format!(
                "unknown URL fragment '#{}' is ignored",
                f.chars().take(40).collect::<String>()
            ),
            hint:
                "only #insecure means something (redis-rs); a '#' in a password must be written %23"
                    .into(),
        }),
    }
    add_transport_lints(&mut target);
    Ok(target)
}

/// A fragment as it may be shown: as written, or only its length.
#[derive(Clone, Copy)]
enum Hidden<'a> {
    Shown(&'a str),
    Fragment(usize),
}

/// Whether a query sets `password=` (any case, possibly percent-encoded).
fn query_has_password(query: &str) -> bool {
    query
        .split('&')
        .any(|kv| decode(kv.split_once('=').unwrap_or((kv, "")).0).eq_ignore_ascii_case("password"))
}

/// Whether `password=` appears anywhere in the text (any case).
fn has_password_param(text: &str) -> bool {
    text.to_ascii_lowercase().contains("password=")
}

fn unencoded_lint(chars: &[char]) -> Lint {
    let mut shown: Vec<String> = chars
        .iter()
        .map(|c| format!("'{c}' as {}", encode(&c.to_string())))
        .collect();
    shown.dedup();
    Lint {
        id: "unencoded-char",
        level: LintLevel::Warn,
        message: "the user name or password has an un-encoded @ # / or ? — most clients will misread the host".into(),
        hint: format!(
            "percent-encode it in the URL: {} (an '@' inside a query value is written %40)",
            shown.join(", ")
        ),
    }
}

fn parse_userinfo(
    userinfo: Option<&str>,
    lints: &mut Vec<Lint>,
) -> Result<(Option<String>, Option<Secret>), UrlError> {
    let Some(ui) = userinfo else {
        return Ok((None, None));
    };
    if ui.is_empty() {
        return Ok((None, None));
    }
    let (user, pass) = match ui.split_once(':') {
        Some((u, p)) => (u, Some(p)),
        None => {
            // redis-cli reads `secret@` as a password; redis-py, go-redis, node-redis read a user.
            lints.push(Lint {
                id: "ambiguous-userinfo",
                level: LintLevel::Warn,
                message: "'…@' without ':' is read as a password by redis-cli but as a user name by most client libraries".into(),
                hint: format!("put a colon before it for a password (:{MASK}@host), or name the user too (user:{MASK}@host)"),
            });
            ("", Some(ui))
        }
    };
    let username = if user.is_empty() {
        None
    } else {
        Some(decode(user))
    };
    let password = pass
        .filter(|p| !p.is_empty())
        .map(|p| Secret::new(decode(p)));
    if let Some(lint) = password.as_ref().and_then(whitespace_lint) {
        lints.push(lint);
    }
    Ok((username, password))
}

/// `password-whitespace`: white space in a password is almost always a pasting accident.
fn whitespace_lint(p: &Secret) -> Option<Lint> {
    if !p.has_whitespace() {
        return None;
    }
    let what = if p.has_trailing_newline() {
        "ends in a newline"
    } else {
        "contains white space"
    };
    Some(Lint {
        id: "password-whitespace",
        level: LintLevel::Warn,
        message: format!("the password {what}"),
        hint: "a secret store or `echo` often adds a trailing newline: strip it (printf '%s', tr -d '\\n')".into(),
    })
}

fn parse_host_port(authority: &str) -> Result<(Host, u16), UrlError> {
    let invalid = |m: String| Err(UrlError::Invalid(m));
    let (host_str, port_str) = if let Some(rest) = authority.strip_prefix('[') {
        let Some((v6, after)) = rest.split_once(']') else {
            return invalid("unclosed '[' in an IPv6 address".into());
        };
        let ip: IpAddr = match v6.parse::<std::net::Ipv6Addr>() {
            Ok(ip) => IpAddr::V6(ip),
            Err(_) => return invalid("the text in [ ] is not an IPv6 address".into()),
        };
        let port = match after {
            "" => None,
            p => match p.strip_prefix(':') {
                Some(p) => Some(p),
                None => {
                    return invalid(
                        "unexpected text after the IPv6 address: write [address]:port".into(),
                    );
                }
            },
        };
        return Ok((Host::Ip(ip), parse_port(port)?));
    } else {
        match authority.rsplit_once(':') {
            // Quoting the authority here could show a password whose '@' is missing.
            Some((h, _)) if h.contains(':') => {
                return invalid(
                    "more than one ':' in the host: IPv6 addresses need brackets (redis://[::1]:6379), and a password needs an '@' after it".into(),
                );
            }
            Some((h, p)) => (h, Some(p)),
            None => (authority, None),
        }
    };
    if host_str.is_empty() {
        return invalid("no host: write redis://host:port".into());
    }
    let host = decode(host_str);
    if host
        .chars()
        .any(|c| !(c.is_alphanumeric() || matches!(c, '.' | '-' | '_')))
    {
        return invalid(
            "the host name has a character other than letters, digits, '.', '-' and '_' (is a password missing its '@'?)".into(),
        );
    }
    let host = match host.parse::<IpAddr>() {
        Ok(ip) => Host::Ip(ip),
        Err(_) => Host::Name(host.to_ascii_lowercase()),
    };
    Ok((host, parse_port(port_str)?))
}

fn parse_port(port: Option<&str>) -> Result<u16, UrlError> {
    match port {
        None | Some("") => Ok(DEFAULT_PORT),
        Some(p) if p.bytes().all(|b| b.is_ascii_digit()) && p.len() <= 6 => {
            match p.parse::<u32>() {
                Ok(n @ 1..=65535) => Ok(u16::try_from(n).expect("range checked")),
                _ => Err(UrlError::Invalid(format!(
                    "port {p} is out of range (1–65535)"
                ))),
            }
        }
        // Not quoted: without an '@', `redis://user:secret` puts the password here.
        Some(_) => Err(UrlError::Invalid(
            "the port is not a number (is a password missing its '@'? write redis://user:****@host:port)".into(),
        )),
    }
}

fn parse_db(s: &str, from: &str) -> Result<u32, UrlError> {
    let s = decode(s);
    s.parse::<u32>().map_err(|_| {
        UrlError::Invalid(format!(
            "database '{}' in the {from} must be a whole number from 0 (e.g. /0)",
            s.chars().take(20).collect::<String>()
        ))
    })
}

/// Parameters redcheck reads; with a password in the query, any other name may be a piece of
/// it (`?password=ab&cd`), so it is kept as `****` and never shown.
const KNOWN_PARAMS: [&str; 9] = [
    "db",
    "database",
    "protocol",
    "ssl_cert_reqs",
    "ssl_ca_certs",
    "ssl_check_hostname",
    "password",
    "username",
    "user",
];

fn apply_query(t: &mut Target, query: &str, secretive: bool) -> Result<(), UrlError> {
    let mut unknown = Vec::new();
    let mut hidden = 0;
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let mut key = decode(k).to_ascii_lowercase();
        if secretive && !KNOWN_PARAMS.contains(&key.as_str()) {
            hidden += 1;
            key = MASK.to_string();
        }
        let value = decode(v);
        let shown = if key == "password" || key == MASK {
            MASK.to_string()
        } else {
            v.to_string()
        };
        // In errors, a value is quoted only when it cannot be a piece of the password.
        let quoted = |what: &str| {
            if secretive {
                format!("{what} value")
            } else {
                format!("{what} '{value}'")
            }
        };
        t.params.push((key.clone(), shown));
        match key.as_str() {
            _ if key == MASK => {}
            "db" | "database" => {
                let db = parse_db(&value, "query").map_err(|e| {
                    if secretive {
                        UrlError::Invalid(
                            "the database in the query must be a whole number from 0 (e.g. ?db=0)"
                                .into(),
                        )
                    } else {
                        e
                    }
                })?;
                if db != t.db && t.db != 0 {
                    t.lints.push(Lint {
                        id: "db-conflict",
                        level: LintLevel::Info,
                        message: format!("?db={db} overrides /{} in the path", t.db),
                        hint: "keep one: redis-py takes the query, most others the path".into(),
                    });
                }
                t.db = db;
            }
            "protocol" => {
                t.protocol = Some(match value.to_ascii_lowercase().as_str() {
                    "2" | "resp2" => 2,
                    "3" | "resp3" => 3,
                    _ => {
                        return Err(UrlError::Invalid(format!(
                            "{} must be 2 or 3",
                            quoted("protocol")
                        )));
                    }
                });
            }
            "ssl_cert_reqs" => match value.to_ascii_lowercase().as_str() {
                "none" | "cert_none" => t.insecure = true,
                "optional" | "required" | "cert_required" | "cert_optional" => {}
                _ => {
                    return Err(UrlError::Invalid(format!(
                        "{} must be none, optional or required",
                        quoted("ssl_cert_reqs")
                    )));
                }
            },
            "ssl_ca_certs" => t.ca_file = Some(PathBuf::from(value)),
            "ssl_check_hostname" => {
                t.skip_hostname_check =
                    matches!(value.to_ascii_lowercase().as_str(), "false" | "0" | "no")
            }
            "password" => {
                if t.password.is_none() && !value.is_empty() {
                    t.password = Some(Secret::new(value));
                    t.password_source = Some(PasswordSource::Url);
                }
            }
            "username" | "user" => {
                if t.username.is_none() && !value.is_empty() {
                    t.username = Some(value);
                }
            }
            _ => unknown.push(key),
        }
    }
    if hidden > 0 {
        t.lints.push(Lint {
            id: "unknown-params",
            level: LintLevel::Warn,
            message: format!(
                "{hidden} query parameter(s) not checked here and not shown: with ?password= a raw '&' in the password starts a new one"
            ),
            hint: "write '&' in a password as %26 ('#' as %23)".into(),
        });
    }
    if !unknown.is_empty() {
        t.lints.push(Lint {
            id: "unknown-params",
            level: LintLevel::Info,
            message: format!("query parameters not checked here: {}", unknown.join(", ")),
            hint: "go-redis rejects unknown parameters; node-redis and redis-rs ignore them".into(),
        });
    }
    Ok(())
}

fn add_transport_lints(t: &mut Target) {
    let Endpoint::Tcp { host, port } = &t.endpoint else {
        return;
    };
    if t.tls {
        return;
    }
    if TLS_PORTS.contains(port) {
        t.lints.push(Lint {
            id: "tls-port",
            level: LintLevel::Warn,
            message: format!(
                "plaintext redis:// on port {port}, which managed providers use for TLS"
            ),
            hint: format!(
                "if the server expects TLS, use {}",
                t.redacted_with(true, None)
            ),
        });
    } else if !host.is_loopback() {
        t.lints.push(Lint {
            id: "plaintext-remote",
            level: LintLevel::Warn,
            message: format!(
                "plaintext to {host}: the password and data cross the network unencrypted"
            ),
            hint: format!(
                "use TLS where the server offers it: {}",
                t.redacted_with(true, None)
            ),
        });
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

#[cfg(test)]
mod tests;
