//! What one library makes of the raw URL, before it is compared with redcheck's reading and
//! masked for display; and the little pieces of C, Python and JavaScript semantics the
//! library models share (atoi, int(), parseInt, Number, decodeURIComponent…).

use crate::secret::Secret;

/// A library's reading of the raw URL. Strings are as the library holds them (unmasked):
/// `recorded.rs` compares them with the recordings, `reading.rs` masks them for display.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Raw {
    /// The error it raises, at parse time or on the first command because of the URL.
    pub rejects: Option<String>,
    /// Whether it uses TLS.
    pub tls: bool,
    /// The host it connects to (TCP).
    pub host: Option<String>,
    /// The port it connects to (TCP); redis-cli's atoi can make it anything.
    pub port: Option<i64>,
    /// The socket path (Unix).
    pub socket: Option<String>,
    /// The user name it sends with AUTH / HELLO.
    pub user: Option<String>,
    /// The password it sends (None: no AUTH at all).
    pub password: Option<Secret>,
    /// The database it selects (0: no SELECT).
    pub db: i64,
    /// RESP version it speaks.
    pub protocol: u8,
    /// Query parameter names (and `#fragment`) it does not read.
    pub ignored: Vec<String>,
    /// Query parameter names it reads against their meaning.
    pub misread: Vec<String>,
    /// Why: what it does with the URL that a user would not expect.
    pub notes: Vec<String>,
}

impl Raw {
    /// A rejection with the library's own error.
    pub(crate) fn rejects(why: impl Into<String>) -> Raw {
        Raw {
            rejects: Some(why.into()),
            ..Raw::default()
        }
    }
}

/// A note when the URL holds a tab or newline: whether this library drops or keeps it.
pub(crate) fn whitespace_note(r: &mut Raw, url: &str, drops: bool) {
    if url.contains(['\t', '\n', '\r']) {
        r.notes.push(if drops {
            "drops the tab or newline silently (its URL parser strips them anywhere)".into()
        } else {
            "keeps the tab or newline: it becomes part of what it sends".into()
        });
    }
}

/// C `atoi` (glibc: `(int) strtol(s, NULL, 10)`): leading white space, a sign, digits; junk
/// ends it; 0 when there are no digits; out-of-range values clamp to `long`, then truncate.
pub(crate) fn c_atoi(s: &[u8]) -> i64 {
    let mut i = 0;
    while i < s.len() && matches!(s[i], b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c) {
        i += 1;
    }
    let negative = match s.get(i) {
        Some(b'-') => {
            i += 1;
            true
        }
        Some(b'+') => {
            i += 1;
            false
        }
        _ => false,
    };
    let mut value: i128 = 0;
    while let Some(d) = s.get(i).filter(|b| b.is_ascii_digit()) {
        value = (value * 10 + i128::from(d - b'0')).min(i128::from(i64::MAX) + 1);
        i += 1;
    }
    let value = if negative { -value } else { value };
    let long = value.clamp(i128::from(i64::MIN), i128::from(i64::MAX));
    // The (int) cast keeps the low 32 bits.
    i64::from(long as i32)
}

/// Python's `int(str)`: surrounding white space, a sign, ASCII digits with single `_`
/// between them. None where Python raises ValueError.
pub(crate) fn py_int(s: &str) -> Option<i64> {
    let s = s.trim_matches(|c: char| c.is_whitespace());
    let (negative, digits) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    if digits.is_empty()
        || digits.starts_with('_')
        || digits.ends_with('_')
        || digits.contains("__")
        || !digits.chars().all(|c| c.is_ascii_digit() || c == '_')
    {
        return None;
    }
    let n: i64 = digits.replace('_', "").parse().ok()?;
    Some(if negative { -n } else { n })
}

/// Python's `float(str)` accepts it (redis-py's timeout parsers).
pub(crate) fn py_float_ok(s: &str) -> bool {
    let s = s
        .trim_matches(|c: char| c.is_whitespace())
        .to_ascii_lowercase();
    let body = s.strip_prefix(['+', '-']).unwrap_or(&s);
    matches!(body, "inf" | "infinity" | "nan") || (!s.contains('_') && s.parse::<f64>().is_ok())
}

/// JavaScript white space and line terminators, as `Number` and `parseInt` trim them.
fn js_space(c: char) -> bool {
    c.is_whitespace() || c == '\u{feff}'
}

/// JavaScript `parseInt(s, 10)`: None for NaN.
pub(crate) fn js_parse_int(s: &str) -> Option<i64> {
    let s = s.trim_start_matches(js_space);
    let (negative, rest) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    let n: i64 = digits.parse().ok()?;
    Some(if negative { -n } else { n })
}

/// JavaScript `Number(s)` for the values a URL path can hold; None for NaN and for what is
/// not a whole number (node-redis would send such a database as written: not modelled).
pub(crate) fn js_number(s: &str) -> Option<i64> {
    let s = s.trim_matches(js_space);
    if s.is_empty() {
        return Some(0);
    }
    let lower = s.to_ascii_lowercase();
    for (prefix, radix) in [("0x", 16), ("0o", 8), ("0b", 2)] {
        if let Some(d) = lower.strip_prefix(prefix) {
            return i64::from_str_radix(d, radix).ok();
        }
    }
    if lower.contains("infinity") || lower.contains('_') {
        return None;
    }
    let f: f64 = s.parse().ok()?;
    // Whole numbers only; the guard keeps the cast exact.
    (f.fract() == 0.0 && f.abs() < 9.0e15).then_some(f as i64)
}

/// JavaScript `decodeURIComponent`: None where it throws URIError (a '%' not followed by
/// two hex digits, or bytes that are not UTF-8).
pub(crate) fn js_decode_uri_component(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let h = b.get(i + 1).and_then(|c| char::from(*c).to_digit(16))?;
            let l = b.get(i + 2).and_then(|c| char::from(*c).to_digit(16))?;
            out.push(u8::try_from(h * 16 + l).ok()?);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// `percent_encoding::percent_decode(..).decode_utf8()`: invalid escapes stay as written;
/// an error when the bytes are not UTF-8.
pub(crate) fn percent_decode_utf8(s: &str) -> Result<String, std::string::FromUtf8Error> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |j: usize| b.get(j).and_then(|c| char::from(*c).to_digit(16));
        if b[i] == b'%'
            && let (Some(h), Some(l)) = (hex(i + 1), hex(i + 2))
            && let Ok(byte) = u8::try_from(h * 16 + l)
        {
            out.push(byte);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out)
}

/// Python's `urllib.parse.unquote`: invalid escapes stay, bad UTF-8 becomes U+FFFD.
pub(crate) fn py_unquote(s: &str) -> String {
    if !s.contains('%') {
        return s.to_string();
    }
    crate::url::decode(s)
}

/// `application/x-www-form-urlencoded` pairs (WHATWG URLSearchParams, Python's parse_qsl
/// with blank values kept): split at '&', then at the first '=', '+' is a space, lossy
/// percent-decoding.
pub(crate) fn form_pairs(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            let d = |s: &str| crate::url::decode(&s.replace('+', " "));
            (d(k), d(v))
        })
        .collect()
}

/// The query names of a raw URL: after the first '?', up to the next '#'. This is how the
/// recorder lists them for the Node libraries (read_node.js), which keep no list of their own.
pub(crate) fn raw_query_names(url: &str) -> Vec<String> {
    let Some(q) = url.find('?') else {
        return Vec::new();
    };
    let query = &url[q + 1..];
    let query = query.split('#').next().unwrap_or_default();
    form_pairs(query).into_iter().map(|(k, _)| k).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn c_atoi_is_glibc_atoi() {
        for (s, n) in [
            ("6379", 6379),
            ("6379?db=2", 6379),
            (" 3", 3),
            ("-1", -1),
            ("abc", 0),
            ("", 0),
            ("99999999999", 1_215_752_191),
        ] {
            assert_eq!(c_atoi(s.as_bytes()), n, "{s}");
        }
    }

    #[test]
    fn number_conversions_follow_their_languages() {
        assert_eq!(py_int(" 3 "), Some(3));
        assert_eq!(py_int("1_0"), Some(10));
        assert_eq!(py_int("0x10"), None);
        assert_eq!(js_parse_int("3a"), Some(3));
        assert_eq!(js_parse_int("0x10"), Some(0));
        assert_eq!(js_parse_int("abc"), None);
        assert_eq!(js_number("0x10"), Some(16));
        assert_eq!(js_number("1e1"), Some(10));
        assert_eq!(js_number("3/"), None);
        assert_eq!(js_decode_uri_component("p%zz"), None);
        assert_eq!(js_decode_uri_component("p%40"), Some("p@".into()));
    }
}
