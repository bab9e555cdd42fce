//! Wording helpers shared by checks and renderers.

use std::borrow::Cow;
use std::fmt::Display;
use std::fmt::Write as _;
use std::net::{IpAddr, SocketAddr};

/// `n` and the noun in the right number: `1 key`, `3 keys`, `0 keys`.
pub fn plural<N: TryInto<u64> + Display + Copy>(n: N, one: &str, many: &str) -> String {
    let word = if n.try_into().ok() == Some(1) {
        one
    } else {
        many
    };
    format!("{n} {word}")
}

/// Percent-encodes every byte but the unreserved ones (`A-Z a-z 0-9 - . _ ~`).
pub fn percent_encode(s: &str) -> String {
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

/// `12,345`: thousands grouped with commas.
pub fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Text from a server (certificate names, INFO values, error replies) made safe to print: a
/// newline could forge a line (a `::error` workflow command under `--format github`) and ESC
/// could drive the terminal. Control and bidi-override characters become visible escapes
/// (`\n`, `\x1b`, `\u{202e}`); everything else is unchanged.
pub fn printable(s: &str) -> Cow<'_, str> {
    if !s.chars().any(needs_escape) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if u32::from(c) < 0x100 && needs_escape(c) => {
                let _ = write!(out, "\\x{:02x}", u32::from(c));
            }
            c if needs_escape(c) => {
                let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// Control characters, and the invisible marks that reorder or hide text on screen: the
/// bidi marks, embeddings, overrides and isolates, zero-width characters and the BOM.
fn needs_escape(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061c}'
                | '\u{200b}'..='\u{200f}'
                | '\u{202a}'..='\u{202e}'
                | '\u{2060}'..='\u{2064}'
                | '\u{2066}'..='\u{206f}'
                | '\u{feff}'
        )
}

/// Text that may span lines on purpose (hints): each line made [`printable`].
pub fn printable_lines(s: &str) -> impl Iterator<Item = Cow<'_, str>> {
    s.lines().map(printable)
}

pub fn bytes(n: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut v = n as f64;
    let mut unit = 0;
    while v >= 1024.0 && unit < UNITS.len() - 1 {
        v /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{n} B")
    } else {
        format!("{v:.1} {}", UNITS[unit])
    }
}

/// `12 days`, `3 hours`, `59 s`.
pub fn show_uptime(secs: u64) -> String {
    match secs {
        s if s >= 2 * 86_400 => format!("{} days", s / 86_400),
        s if s >= 7200 => format!("{} hours", s / 3600),
        s if s >= 120 => format!("{} minutes", s / 60),
        s => format!("{s} s"),
    }
}

/// Lists addresses for a summary: at most three, then a count.
pub fn show_addrs(addrs: &[SocketAddr]) -> String {
    let ips: Vec<String> = addrs
        .iter()
        .map(|a| a.ip())
        .map(|ip: IpAddr| ip.to_string())
        .collect();
    if ips.len() <= 3 {
        ips.join(", ")
    } else {
        format!("{}, … {} more", ips[..3].join(", "), ips.len() - 3)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_is_singular_everything_else_plural() {
        assert_eq!(plural(1u64, "key", "keys"), "1 key");
        assert_eq!(plural(0usize, "check", "checks"), "0 checks");
        assert_eq!(plural(3u32, "root", "roots"), "3 roots");
    }

    #[test]
    fn thousands_are_grouped() {
        assert_eq!(grouped(0), "0");
        assert_eq!(grouped(999), "999");
        assert_eq!(grouped(4980), "4,980");
        assert_eq!(grouped(1_000_000), "1,000,000");
    }

    #[test]
    fn control_characters_become_visible_escapes() {
        assert_eq!(printable("plain · ✓"), "plain · ✓");
        assert!(matches!(printable("plain"), Cow::Borrowed(_)));
        assert_eq!(printable("x\n::error title=x::y"), "x\\n::error title=x::y");
        assert_eq!(
            printable("a\x1b[31mb\r\t\u{7f}\u{85}"),
            "a\\x1b[31mb\\r\\t\\x7f\\x85"
        );
        assert_eq!(printable("evil\u{202e}txt"), "evil\\u{202e}txt");
        assert_eq!(
            printable("a\u{2066}b\u{061c}c\u{200b}d\u{feff}"),
            "a\\u{2066}b\\u{61c}c\\u{200b}d\\u{feff}"
        );
    }
}
