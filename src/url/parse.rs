//! The parser behind [`Target::parse`](super::Target::parse): scheme, user info, host, port,
//! database, query and fragment, with the lints found on the way.

use std::net::IpAddr;
use std::path::PathBuf;

use super::authority::split_userinfo;
use super::lints::{add_transport_lints, whitespace_lint};
use super::query::{apply_query, query_has_password};
use super::*;
use crate::secret::{MASK, Secret};

const MAX_URL_LEN: usize = 4096;

pub(super) fn parse(input: &str) -> Result<Target, UrlError> {
    // Sentinel URLs (`redis+sentinel://s1,s2/mymaster/0`) have their own reader.
    if let Some(sentinel) = super::sentinel::parse(input) {
        return sentinel;
    }
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
        // Tabs and newlines: the WHATWG and Python parsers drop them anywhere, redis-cli keeps
        // them; percent-encoding would make every library send them, so the advice is to strip.
        let fix = if matches!(c, '\t' | '\n' | '\r') {
            "remove it (libraries drop it silently, redis-cli sends it; percent-encoding it (%09, %0A, %0D) makes every client send it)"
        } else {
            "remove it"
        };
        return invalid(format!("the URL contains {what} ({c:?}); {fix}"));
    }
    let mut lints = Vec::new();
    // Only a real scheme is quoted back: in `redis//:pw@h?x=y://z` the text before the first
    // "://" is the password's.
    let Some((scheme_raw, rest)) = input.split_once("://").filter(|(s, _)| is_scheme(s)) else {
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

    // Where does the user info end? RFC 3986 and every client library: at the last '@' before
    // the first '/', '?' or '#'. redis-cli: at the first '@' anywhere, so a raw `/ ? #` stays in
    // the password. Where the two differ they name different hosts, and whichever we picked, the
    // password (or a piece of it) could go to a host the user never meant: refuse the URL.
    let (userinfo, after_user) = split_userinfo(rest)?;
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
        sentinel: None,
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

pub(super) fn parse_db(s: &str, from: &str) -> Result<u32, UrlError> {
    let s = decode(s);
    s.parse::<u32>().map_err(|_| {
        UrlError::Invalid(format!(
            "database '{}' in the {from} must be a whole number from 0 (e.g. /0)",
            s.chars().take(20).collect::<String>()
        ))
    })
}
