//! A password that cannot be printed by accident, and the masking step every output passes.
//!
//! Every [`Secret`] made in this process is remembered, so the writer that all output goes
//! through (the output writer (`output::Masked`)) can hide it whatever path the text took: a server that
//! echoes it, an INFO field that equals it, a file that contains it.
//!
//! How much is hidden depends on the length and on where the text comes from, so that masking
//! never rewrites unrelated text (which would itself reveal the password):
//! - Text from outside (a server reply, an INFO field, a certificate name) is masked where it
//!   is read, before it is cut to length or cleaned up: a password of 8 characters or more
//!   wherever it occurs; 4 to 7 where it stands as a word of its own (`'pass'`, `=pass,`),
//!   never inside one (`password`); under 4 only a field whose whole value is the password.
//!   An excerpt cut by a read (the first bytes of a reply) also loses a password it ends in
//!   the middle of.
//! - Everything written (the safety net of the writer): a password of 8 characters or more
//!   where it stands as a word, whatever produced the text.
//!
//! Each form is tried as written, without the white space or control characters around it (a
//! CRLF `.env` file leaves a `\r`), and percent-encoded.

use std::borrow::Cow;
use std::fmt;
#[cfg(not(test))]
use std::sync::{Mutex, PoisonError};

use crate::text::percent_encode;

/// A secret string: `Debug` and `Display` print `****`; only [`Secret::expose`] reveals it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value and remembers it for the masking step.
    pub fn new(value: impl Into<String>) -> Self {
        let value = value.into();
        remember(&value);
        Self(value)
    }

    /// Wraps a value that holds a password somewhere in it (a whole URL): never printed, but
    /// not masked as a whole either: the password in it is remembered when it is parsed out.
    pub fn containing(value: impl Into<String>) -> Self {
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

/// At most this many secrets are remembered (a run has one per target at most; only a test
/// process that parses thousands of URLs gets near it).
const REMEMBERED: usize = 4096;

#[cfg(not(test))]
static SEEN: Mutex<Vec<String>> = Mutex::new(Vec::new());

#[cfg(not(test))]
fn with_seen<T>(f: impl FnOnce(&mut Vec<String>) -> T) -> T {
    f(&mut SEEN.lock().unwrap_or_else(PoisonError::into_inner))
}

// Unit tests run in parallel threads of one process: each test sees only the secrets it made,
// so one test's password cannot mask another's expected text.
#[cfg(test)]
thread_local! {
    static SEEN: std::cell::RefCell<Vec<String>> = const { std::cell::RefCell::new(Vec::new()) };
}

#[cfg(test)]
fn with_seen<T>(f: impl FnOnce(&mut Vec<String>) -> T) -> T {
    SEEN.with(|seen| f(&mut seen.borrow_mut()))
}

thread_local! {
    static FORGETTING: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Runs `f` without remembering the secrets it makes: for text a peer sent (a URL in
/// `serve`'s request), which must not teach the masker words that every later output would
/// lose. A URL with a password is refused there anyway.
pub fn forgetting<T>(f: impl FnOnce() -> T) -> T {
    let before = FORGETTING.replace(true);
    let out = f();
    FORGETTING.set(before);
    out
}

fn remember(value: &str) {
    if value.is_empty() || FORGETTING.get() {
        return;
    }
    with_seen(|seen| {
        if seen.len() < REMEMBERED && !seen.iter().any(|s| s == value) {
            seen.push(value.to_string());
        }
    });
}

/// Passwords at least this long are masked in all output, and anywhere in foreign text.
const LONG: usize = 8;
/// Passwords at least this long (and under [`LONG`]) are masked where they stand as a word in
/// foreign text.
const WORD: usize = 4;

/// The spellings of some secrets, and the rules that hide them.
#[derive(Debug, Clone, Default)]
pub struct Masker {
    /// Every form of every secret, longest first so an encoded form is not half replaced.
    forms: Vec<Vec<char>>,
}

impl Masker {
    /// Every secret this process has made so far.
    pub fn current() -> Masker {
        with_seen(|seen| Masker::of(seen.iter().map(String::as_str)))
    }

    /// The given secrets only (tests, and callers that know exactly what to hide).
    pub fn of<'a>(secrets: impl IntoIterator<Item = &'a str>) -> Masker {
        let mut forms: Vec<Vec<char>> = Vec::new();
        for raw in secrets {
            let trimmed = raw.trim_matches(|c: char| c.is_whitespace() || c.is_control());
            for form in [
                raw.to_string(),
                trimmed.to_string(),
                percent_encode(raw),
                percent_encode(trimmed),
            ] {
                let chars: Vec<char> = form.chars().collect();
                if !chars.is_empty() && !forms.contains(&chars) {
                    forms.push(chars);
                }
            }
        }
        forms.sort_by_key(|f| std::cmp::Reverse(f.len()));
        Masker { forms }
    }

    /// Whether there is nothing to hide.
    pub fn is_empty(&self) -> bool {
        self.forms.is_empty()
    }

    /// Any text about to leave the process: a long secret where it stands as a word.
    pub fn anywhere<'a>(&self, text: &'a str) -> Cow<'a, str> {
        self.apply(text, |len| (len >= LONG).then_some(Rule::Word))
    }

    /// Text from outside: a long secret wherever it is, a shorter one where it stands as a
    /// word, and a field that is exactly a very short one.
    pub fn foreign<'a>(&self, text: &'a str) -> Cow<'a, str> {
        let exact = text.trim_matches(|c: char| c.is_whitespace() || c.is_control());
        if !exact.is_empty()
            && self
                .forms
                .iter()
                .any(|f| f.iter().copied().eq(exact.chars()))
        {
            return Cow::Owned(text.replace(exact, MASK));
        }
        self.apply(text, |len| match len {
            LONG.. => Some(Rule::Anywhere),
            WORD.. => Some(Rule::Word),
            _ => None,
        })
    }

    /// An excerpt cut short by a read (the first bytes of a reply): as [`Masker::foreign`],
    /// and a long secret's first characters where the excerpt ends in it.
    pub fn excerpt(&self, text: &str) -> String {
        let mut out = self.foreign(text).into_owned();
        for form in self.forms.iter().filter(|f| f.len() > LONG) {
            let chars: Vec<char> = out.chars().collect();
            let tail = (LONG..form.len())
                .rev()
                .find(|&n| chars.len() >= n && chars[chars.len() - n..] == form[..n]);
            if let Some(n) = tail {
                out = chars[..chars.len() - n].iter().collect::<String>() + MASK;
            }
        }
        out
    }

    fn apply<'a>(&self, text: &'a str, rule: impl Fn(usize) -> Option<Rule>) -> Cow<'a, str> {
        let mut out: Cow<'a, str> = Cow::Borrowed(text);
        for form in &self.forms {
            if let Some(rule) = rule(form.len())
                && let Some(next) = hide(&out, form, rule)
            {
                out = Cow::Owned(next);
            }
        }
        out
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Rule {
    /// Wherever the secret occurs.
    Anywhere,
    /// Where the secret stands apart from the letters and digits around it.
    Word,
}

/// `text` with every match of `form` under `rule` replaced by [`MASK`], or `None` if none.
fn hide(text: &str, form: &[char], rule: Rule) -> Option<String> {
    // Almost every text holds no secret: find out without copying it (a reply may be 1 MiB,
    // and four targets mask at once).
    if !text.contains(form.iter().collect::<String>().as_str()) {
        return None;
    }
    let chars: Vec<char> = text.chars().collect();
    let n = form.len();
    if chars.len() < n {
        return None;
    }
    let word =
        |c: Option<&char>| c.is_some_and(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.'));
    let mut out = String::with_capacity(text.len());
    let mut changed = false;
    let mut i = 0;
    while i < chars.len() {
        if chars.len() - i >= n && chars[i..i + n] == *form {
            let stands = match rule {
                Rule::Anywhere => true,
                Rule::Word => {
                    let glued_before = word(form.first()) && i > 0 && word(chars.get(i - 1));
                    let glued_after = word(form.last()) && word(chars.get(i + n));
                    !glued_before && !glued_after
                }
            };
            if stands {
                out.push_str(MASK);
                changed = true;
                i += n;
                continue;
            }
        }
        out.push(chars[i]);
        i += 1;
    }
    changed.then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn anywhere(text: &str, pw: &str) -> String {
        Masker::of([pw]).anywhere(text).into_owned()
    }

    fn foreign(text: &str, pw: &str) -> String {
        Masker::of([pw]).foreign(text).into_owned()
    }

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

    #[test]
    fn a_made_secret_is_remembered() {
        let _s = Secret::new("remember-me-ZQ1");
        assert_eq!(
            Masker::current().anywhere("x remember-me-ZQ1 y"),
            "x **** y"
        );
    }

    #[test]
    fn long_secrets_go_wherever_they_are_in_foreign_text() {
        let pw = "Hunter2Secret";
        assert_eq!(
            foreign("ERR invalid password 'Hunter2Secret'", pw),
            "ERR invalid password '****'"
        );
        assert_eq!(foreign("xHunter2Secrety", pw), "x****y");
        assert_eq!(foreign("Hunter2 is fine", pw), "Hunter2 is fine");
        // Percent-encoded, and with the newline a CRLF file left.
        assert_eq!(foreign("pw=a%23bcdefgh", "a#bcdefgh"), "pw=****");
        assert_eq!(
            foreign("got 'Hunter2Secret' back", "Hunter2Secret\r\n"),
            "got '****' back"
        );
    }

    #[test]
    fn all_output_loses_a_long_secret_standing_as_a_word_and_only_that() {
        let pw = "Sentinel-0wn-pa55";
        assert_eq!(anywhere("sent 'Sentinel-0wn-pa55'", pw), "sent '****'");
        // Words that begin like the password are the tool's own text.
        assert_eq!(
            anywhere("2 of 3 Sentinels agree; the Sentinel password", pw),
            "2 of 3 Sentinels agree; the Sentinel password"
        );
        assert_eq!(anywhere("password only", "pass"), "password only");
    }

    #[test]
    fn an_excerpt_cut_inside_a_long_secret_loses_its_start() {
        let m = Masker::of(["Hunter2Secret"]);
        assert_eq!(m.excerpt("-ERR Hunter2Se"), "-ERR ****");
        assert_eq!(m.excerpt("-ERR Hunter2"), "-ERR Hunter2");
        assert_eq!(m.excerpt("-ERR Hunter2Secret!"), "-ERR ****!");
    }

    #[test]
    fn middling_secrets_go_only_where_they_stand_as_a_word_in_foreign_text() {
        assert_eq!(
            foreign("invalid password 'pass' for default", "pass"),
            "invalid password '****' for default"
        );
        assert_eq!(foreign("password", "pass"), "password");
        assert_eq!(foreign("redis_version:7.0", "redis"), "redis_version:7.0");
        assert_eq!(
            foreign("maxmemory_policy=redis,", "redis"),
            "maxmemory_policy=****,"
        );
        // Our own text is not rewritten: the word rule is for foreign text only.
        assert_eq!(
            anywhere("redis://h:6379 'redis'", "redis"),
            "redis://h:6379 'redis'"
        );
    }

    #[test]
    fn very_short_secrets_go_only_as_a_whole_field() {
        assert_eq!(foreign("127.0.0.1", "0"), "127.0.0.1");
        assert_eq!(foreign("0", "0"), "****");
        assert_eq!(foreign(" ab\r", "ab"), " ****\r");
        assert_eq!(foreign("ab ab", "ab"), "ab ab");
        assert_eq!(anywhere("0", "0"), "0");
    }
}
