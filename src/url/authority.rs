//! Where the user info ends, by the two readings that disagree about it: RFC 3986 and the
//! client libraries (the last '@' before the first `/ ? #`) and redis-cli (the first '@').

use super::*;
use crate::secret::MASK;

/// Splits what follows `scheme://` into the user info and the rest, when both readings agree
/// where the user info ends (see [`parse`]); else the `invalid-url` error naming both hosts.
pub(super) fn split_userinfo(rest: &str) -> Result<(Option<&str>, &str), UrlError> {
    let auth_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let rfc_at = rest[..auth_end].rfind('@');
    let cli_at = rest.find('@');
    if rfc_at != cli_at {
        return Err(ambiguous(rest, auth_end, rfc_at, cli_at));
    }
    Ok(match rfc_at {
        Some(at) => (Some(&rest[..at]), &rest[at + 1..]),
        None => (None, rest),
    })
}

/// The `invalid-url` error for a URL whose two readings name different hosts, each shown with
/// every character that either reading takes as a password masked.
pub(super) fn ambiguous(
    rest: &str,
    auth_end: usize,
    rfc_at: Option<usize>,
    cli_at: Option<usize>,
) -> UrlError {
    let secret = |at: Option<usize>| {
        at.map(|at| {
            let userinfo = &rest[..at];
            userinfo.find(':').map_or(0..at, |c| c + 1..at)
        })
    };
    // A `?password=` value may run to the end (a raw '&', '#' or '@' does not end it for the
    // reader who meant it): from there on, everything is the password's.
    let query_password = rest[auth_end..]
        .to_ascii_lowercase()
        .find("password=")
        .map(|i| auth_end + i + "password=".len()..rest.len());
    let secrets: Vec<std::ops::Range<usize>> = [secret(rfc_at), secret(cli_at), query_password]
        .into_iter()
        .flatten()
        .collect();
    let host = |start: usize, end: usize| {
        let mut out = String::new();
        let mut masking = false;
        for (i, c) in rest[start..end].char_indices() {
            if secrets.iter().any(|r| r.contains(&(start + i))) {
                if !masking {
                    out.push_str(MASK);
                }
                masking = true;
            } else {
                out.push(c);
                masking = false;
            }
        }
        if out.chars().count() > 80 {
            out = format!("{}…", out.chars().take(80).collect::<String>());
        }
        out
    };
    let rfc_start = rfc_at.map_or(0, |a| a + 1);
    // redis-cli's host runs to the next '/' (it reads no query or fragment).
    let cli_start = cli_at.map_or(0, |a| a + 1);
    let cli_end = rest[cli_start..]
        .find('/')
        .map_or(rest.len(), |i| cli_start + i);
    let fix = if rfc_at.is_none() {
        // The only '@' is past the host: in a query value or fragment, or after a raw / ? #.
        "an '@' after the host is written %40 (in a query value or fragment); if it ends a password, write the password's / ? # as %2F %3F %23"
    } else {
        "the password holds a raw '@': write it as %40 (and / ? # as %2F %3F %23)"
    };
    UrlError::Ambiguous {
        rfc: host(rfc_start, auth_end),
        cli: host(cli_start, cli_end),
        fix: fix.to_string(),
    }
}
