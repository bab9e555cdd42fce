//! Takes the password out of a finished report: a server or proxy may echo it back
//! (`-ERR invalid password 'xyz'`), and its text reaches summaries, hints and `data`.
//!
//! The rule: a password of [`ANYWHERE`] characters or more is replaced wherever it occurs, as
//! written and percent-encoded. A shorter one is replaced only where it stands as a whole token
//! (no letter or digit right before or after it): that still catches every echo a server
//! writes (`'ab'`, `password ab`, `=ab,`), while a one-letter password does not turn every
//! `e` of the report into `****`. Such a password is guessable anyway; the echo is what leaks.

use serde_json::Value;

use crate::report::Report;
use crate::secret::{MASK, Secret};

/// Passwords this long are replaced wherever they occur.
const ANYWHERE: usize = 4;

/// Replaces the password in every string of the report (target, summaries, hints, `data`).
pub fn report(r: &mut Report, password: &Secret) {
    let forms = forms(password);
    if forms.is_empty() {
        return;
    }
    let s = |text: &mut String| {
        if let Some(clean) = scrub(text, &forms) {
            *text = clean;
        }
    };
    s(&mut r.target.url);
    for text in [&mut r.target.host, &mut r.target.username]
        .into_iter()
        .flatten()
    {
        s(text);
    }
    for c in &mut r.checks {
        s(&mut c.summary);
        if let Some(h) = &mut c.hint {
            s(h);
        }
        for v in c.data.values_mut() {
            value(v, &forms);
        }
    }
}

/// The spellings to hide, longest first so an encoded form is not half replaced.
fn forms(password: &Secret) -> Vec<String> {
    let raw = password.expose();
    if raw.is_empty() {
        return Vec::new();
    }
    let mut forms = vec![raw.to_string(), crate::url::encode(raw)];
    forms.sort_by_key(|f| std::cmp::Reverse(f.len()));
    forms.dedup();
    forms
}

fn value(v: &mut Value, forms: &[String]) {
    match v {
        Value::String(text) => {
            if let Some(clean) = scrub(text, forms) {
                *text = clean;
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|i| value(i, forms)),
        Value::Object(map) => map.values_mut().for_each(|i| value(i, forms)),
        _ => {}
    }
}

/// The text with the password replaced, or `None` when there was nothing to replace.
pub fn scrub(text: &str, forms: &[String]) -> Option<String> {
    let mut out = text.to_string();
    let mut changed = false;
    for form in forms {
        let next = if form.chars().count() >= ANYWHERE {
            out.replace(form.as_str(), MASK)
        } else {
            whole_tokens(&out, form)
        };
        changed |= next != out;
        out = next;
    }
    changed.then_some(out)
}

/// Replaces `form` where no letter or digit touches it on either side.
fn whole_tokens(text: &str, form: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    let mut before: Option<char> = None;
    while let Some(i) = rest.find(form) {
        let prev = rest[..i].chars().next_back().or(before);
        let after = &rest[i + form.len()..];
        let next = after.chars().next();
        let alnum = |c: Option<char>| c.is_some_and(char::is_alphanumeric);
        out.push_str(&rest[..i]);
        if alnum(prev) || alnum(next) {
            // Not a token: keep its first character and look again just after it.
            let first = form.chars().next().expect("forms are not empty");
            out.push(first);
            before = Some(first);
            rest = &rest[i + first.len_utf8()..];
        } else {
            out.push_str(MASK);
            before = form.chars().next_back();
            rest = after;
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hide(text: &str, pw: &str) -> String {
        scrub(text, &forms(&Secret::new(pw))).unwrap_or_else(|| text.to_string())
    }

    #[test]
    fn long_passwords_go_wherever_they_are() {
        assert_eq!(
            hide("ERR invalid password 'hunter22'", "hunter22"),
            "ERR invalid password '****'"
        );
        assert_eq!(hide("xhunter22y", "hunter22"), "x****y");
        assert_eq!(hide("pw=a%23bcd", "a#bcd"), "pw=****");
        assert_eq!(hide("nothing here", "hunter22"), "nothing here");
    }

    #[test]
    fn short_passwords_go_only_as_whole_tokens() {
        assert_eq!(
            hide("invalid password 'ab' for default", "ab"),
            "invalid password '****' for default"
        );
        assert_eq!(hide("ab", "ab"), "****");
        assert_eq!(hide("about abab ab.", "ab"), "about abab ****.");
        assert_eq!(hide("as default", "e"), "as default");
        assert_eq!(hide("e: e", "e"), "****: ****");
        assert_eq!(hide("é'é'", "é"), "****'****'");
    }

    #[test]
    fn reaches_into_nested_data() {
        let forms = forms(&Secret::new("hunter22"));
        let mut v = serde_json::json!({"a": ["x hunter22", {"b": "hunter22"}], "n": 1});
        value(&mut v, &forms);
        assert_eq!(
            v,
            serde_json::json!({"a": ["x ****", {"b": "****"}], "n": 1})
        );
    }
}
