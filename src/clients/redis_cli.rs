//! redis-cli 7.0.15: `parseRedisUri` and `percentDecode` in src/cli_common.c, and what
//! `cliAuth` / `cliSelect` in redis-cli.c then send. A port of the C, byte for byte.

use super::model::{Raw, c_atoi, raw_query_names, whitespace_note};
use crate::secret::Secret;

/// The version the recordings describe.
pub(crate) const VERSION: &str = "7.0.15";

/// redis-cli's reading of `-u URL`.
pub(crate) fn read(url: &str) -> Raw {
    let b = url.as_bytes();
    // `strncasecmp` against "rediss://" then "redis://".
    let starts = |p: &str| b.len() >= p.len() && b[..p.len()].eq_ignore_ascii_case(p.as_bytes());
    let (tls, mut curr) = if starts("rediss://") {
        (true, "rediss://".len())
    } else if starts("redis://") {
        (false, "redis://".len())
    } else {
        return Raw::rejects("Invalid URI scheme: only redis:// and rediss://, in any case");
    };
    let mut r = Raw {
        tls,
        host: Some("127.0.0.1".into()),
        port: Some(6379),
        protocol: 2,
        ignored: raw_query_names(url),
        ..Raw::default()
    };
    // Nor does it know fragments: `#insecure` turns nothing off.
    if let Some((_, f)) = url.split_once('#')
        && !f.is_empty()
    {
        r.ignored.push(format!("#{f}"));
    }
    let end = b.len();
    let find = |from: usize, c: u8| b[from..].iter().position(|&x| x == c).map(|i| from + i);
    let mut user = None;
    let mut auth = None;
    if curr < end
        && let Some(at) = find(curr, b'@')
    {
        // The user info ends at the *first* '@'.
        if let Some(colon) = find(curr, b':').filter(|&c| c < at) {
            match percent_decode(b, curr, colon) {
                Ok(u) => user = Some(u),
                Err(e) => return Raw::rejects(e),
            }
            curr = colon + 1;
        }
        match percent_decode(b, curr, at) {
            Ok(a) => auth = Some(a),
            Err(e) => return Raw::rejects(e),
        }
        curr = at + 1;
    }
    if curr < end {
        let path = find(curr, b'/');
        if b[curr] != b'/' {
            let mut host_end = path.unwrap_or(end);
            // The first ':' anywhere after the user info starts the port, even past the path.
            if let Some(colon) = find(curr, b':') {
                r.port = Some(c_atoi(&b[colon + 1..]));
                host_end = colon;
            }
            r.host = Some(String::from_utf8_lossy(&b[curr..host_end]).into_owned());
        }
        curr = path.map_or(end, |p| p + 1);
        if curr < end {
            r.db = c_atoi(&b[curr..]);
        }
    }
    // cliAuth: AUTH whenever the URL had an '@' (even `:@`, which sends AUTH "" "").
    if let Some(a) = auth {
        r.user = user;
        r.password = Some(Secret::new(a));
    }
    whitespace_note(&mut r, url, false);
    r
}

/// `percentDecode`: "%" needs two hex digits after it (read past the segment, as the C does)
/// or redis-cli exits.
fn percent_decode(b: &[u8], start: usize, end: usize) -> Result<String, &'static str> {
    let mut out = Vec::new();
    let mut i = start;
    while i < end {
        if b[i] == b'%' {
            if end - i < 2 {
                return Err("Incomplete URI encoding");
            }
            let hex = |j: usize| {
                b.get(j)
                    .and_then(|c| char::from(*c).to_digit(16))
                    .and_then(|d| u8::try_from(d).ok())
            };
            let (Some(h), Some(l)) = (hex(i + 1), hex(i + 2)) else {
                return Err("Illegal character in URI encoding");
            };
            out.push(h * 16 + l);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    Ok(String::from_utf8_lossy(&out).into_owned())
}
