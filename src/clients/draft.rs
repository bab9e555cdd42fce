//! The reading under construction and the small helpers every client function shares.

use crate::secret::MASK;
use crate::url::{Endpoint, Target};

use super::{Reading, Verdict};

/// Whether the target is a Unix socket.
pub(super) fn is_unix(t: &Target) -> bool {
    matches!(t.endpoint, Endpoint::Unix(_))
}

/// Whether the scheme as written is one of `schemes`, optionally ignoring case.
pub(super) fn scheme_is(t: &Target, schemes: &[&str], case_sensitive: bool) -> bool {
    let written = &t.written.scheme;
    schemes.iter().any(|s| {
        if case_sensitive {
            written == s
        } else {
            written.eq_ignore_ascii_case(s)
        }
    })
}

/// A query parameter's value (user names only; password values are masked in `params`).
pub(super) fn param<'a>(t: &'a Target, name: &str) -> Option<&'a str> {
    t.params
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// Query parameter names not in `known` (compared lower-case).
pub(super) fn unknown_params(t: &Target, known: &[&str]) -> Vec<String> {
    t.params
        .iter()
        .map(|(k, _)| k.clone())
        .filter(|k| !known.contains(&k.as_str()))
        .collect()
}

pub(super) fn reject(client: &'static str, why: impl Into<String>) -> Reading {
    Reading {
        client,
        verdict: Verdict::Rejects,
        tls: None,
        user: None,
        password: None,
        db: None,
        ignored: Vec::new(),
        notes: vec![why.into()],
    }
}

/// A reading under construction: starts as the URL's plain reading (scheme, user info, path).
pub(super) struct Draft {
    pub(super) tls: bool,
    pub(super) user: Option<String>,
    pub(super) password: bool,
    pub(super) db: u32,
    pub(super) ignored: Vec<String>,
    pub(super) notes: Vec<String>,
}

impl Draft {
    /// TLS from the scheme, credentials from the user info only (not the query), db from the
    /// path: what every client starts from before its own rules.
    pub(super) fn base(t: &Target) -> Draft {
        Draft {
            tls: t.tls,
            user: t.written.user.clone(),
            password: t.written.password,
            db: t.written.path_db.unwrap_or(0),
            ignored: Vec::new(),
            notes: Vec::new(),
        }
    }

    pub(super) fn note(&mut self, note: impl Into<String>) {
        self.notes.push(note.into());
    }

    /// `secret@host` read as a user name with no password (the text is masked).
    pub(super) fn bare_is_user(&mut self, t: &Target) {
        if t.written.bare_userinfo {
            self.user = Some(MASK.into());
            self.password = false;
            self.note("reads the text before '@' as a user name (masked: it may be a password) and sends no password");
        }
    }

    /// `?password=` / `?username=` fill what the user info left empty.
    pub(super) fn query_credentials(&mut self, t: &Target) {
        if !self.password && t.params.iter().any(|(k, _)| k == "password") {
            self.password = true;
        }
        if self.user.is_none()
            && let Some(u) = param(t, "username")
        {
            self.user = Some(u.to_string());
        }
    }

    /// The first of `names` in the query overrides the path's db.
    pub(super) fn query_db(&mut self, t: &Target, names: &[&str]) {
        let value = names.iter().find_map(|n| param(t, n));
        if let Some(db) = value.and_then(|v| v.parse::<u32>().ok()) {
            self.db = db;
        }
    }

    /// Every query parameter not in `known` is ignored.
    pub(super) fn ignore_params(&mut self, t: &Target, known: &[&str]) {
        self.ignored.extend(unknown_params(t, known));
    }

    /// Only redis-rs reads a fragment; everyone else drops it.
    pub(super) fn ignore_fragment(&mut self, t: &Target) {
        if let Some(f) = t.written.fragment.as_deref().filter(|f| !f.is_empty()) {
            self.ignored.push(format!("#{f}"));
        }
    }

    /// Compares with redcheck's reading of the same URL.
    pub(super) fn finish(self, client: &'static str, t: &Target) -> Reading {
        let same = self.tls == t.tls
            && self.user == t.username
            && self.password == t.password.is_some()
            && self.db == t.db
            && self.ignored.is_empty()
            && self.notes.is_empty();
        Reading {
            client,
            verdict: if same {
                Verdict::Same
            } else {
                Verdict::Differs
            },
            tls: Some(self.tls),
            user: self.user,
            password: Some(self.password),
            db: Some(self.db),
            ignored: self.ignored,
            notes: self.notes,
        }
    }
}
