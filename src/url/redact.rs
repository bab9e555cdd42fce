//! Showing a URL that did not parse without its password, and which query values are secret.

use super::decode;
use crate::secret::MASK;

/// Best-effort redaction of a string that did not parse: everything between the scheme and
/// the *last* '@' (whichever '@' a reader would pick, the password is before it), what follows
/// a host's ':' unless it is a port, and everything after `password=`.
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
    // Only a real scheme counts (`redis//:pw@h?x=y://z` has none): the rest is all authority.
    // A scheme is followed by a '/': `default:secret` is a user and a password.
    let head = match clean.split_once(':') {
        Some((scheme, rest)) if is_scheme(scheme) && rest.starts_with('/') => scheme.len() + 1,
        _ => 0,
    };
    let start = head + clean[head..].len() - clean[head..].trim_start_matches('/').len();
    let shown = match clean[start..].rfind('@') {
        Some(at) => format!("{}{MASK}@{}", &clean[..start], &clean[start + at + 1..]),
        None => clean,
    };
    let shown = mask_port_text(&mask_password_param(&shown), start);
    if shown.chars().count() > 200 {
        let cut: String = shown.chars().take(200).collect();
        format!("{cut}… ({} characters)", input.chars().count())
    } else {
        shown
    }
}

/// RFC 3986's scheme: a letter, then letters, digits, `+ - .`.
pub fn is_scheme(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
}

/// Hides what follows the host's ':' unless it is a port number: without an '@',
/// `redis://user:secret` reads as host `user`, port `secret`. `start` is where the
/// authority begins.
fn mask_port_text(s: &str, start: usize) -> String {
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

/// Whether a query parameter's name says its value is a secret (`?auth=`, `?requirepass=`,
/// `?passwd=`, `?api_token=`…): such values are shown as `****` like `?password=`'s.
pub fn is_secret_param(name: &str) -> bool {
    const SECRET_WORDS: &[&str] = &[
        "pass",
        "pwd",
        "secret",
        "token",
        "auth",
        "credential",
        "apikey",
        "api_key",
        "private",
    ];
    let name = name.to_ascii_lowercase();
    SECRET_WORDS.iter().any(|w| name.contains(w))
}

fn mask_password_param(s: &str) -> String {
    let Some(q) = s.find('?') else {
        return s.to_string();
    };
    let (head, query) = s.split_at(q + 1);
    let parts: Vec<String> = query
        .split('&')
        .map(|kv| match kv.split_once('=') {
            Some((k, _)) if is_secret_param(&decode(k)) => format!("{k}={MASK}"),
            _ => kv.to_string(),
        })
        .collect();
    format!("{head}{}", parts.join("&"))
}
