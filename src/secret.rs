//! A password that cannot be printed by accident.

use std::fmt;

/// A secret string: `Debug` and `Display` print `****`; only [`Secret::expose`] reveals it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The raw value, for the wire only (AUTH / HELLO); never for output.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Whether the value has white space (often a trailing newline from a secret store).
    pub fn has_whitespace(&self) -> bool {
        self.0.chars().any(char::is_whitespace)
    }

    /// Whether the value ends in a newline.
    pub fn has_trailing_newline(&self) -> bool {
        self.0.ends_with('\n') || self.0.ends_with('\r')
    }
}

/// What a redacted secret looks like everywhere.
pub const MASK: &str = "****";

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(MASK)
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(MASK)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_formats_the_value() {
        let s = Secret::new("hunter2");
        assert_eq!(format!("{s}"), MASK);
        assert_eq!(format!("{s:?}"), MASK);
        assert_eq!(format!("{:?}", Some(&s)), "Some(****)");
        assert_eq!(s.expose(), "hunter2");
    }

    #[test]
    fn spots_whitespace() {
        assert!(Secret::new("pw\n").has_trailing_newline());
        assert!(Secret::new("p w").has_whitespace());
        assert!(!Secret::new("pw").has_whitespace());
    }
}
