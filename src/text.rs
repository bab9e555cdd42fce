//! Wording helpers shared by checks and renderers.

use std::fmt::Display;

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
}
