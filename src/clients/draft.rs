//! The from-source readings (go-redis, Jedis, Lettuce): a reading under construction from
//! redcheck's parse, and the small helpers those client functions share.

use crate::secret::MASK;
use crate::url::{Endpoint, Target};

use super::{Reading, Source, Verdict};

/// A library read from its source only: the version read and the lines the reading follows.
pub(super) struct FromSource {
    /// The version (or commit) whose source was read.
    pub(super) version: &'static str,
    /// Where in that source.
    pub(super) cites: &'static [&'static str],
}

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

/// Query parameter names not in `known` (compared as written: names are case-sensitive).
pub(super) fn unknown_params(t: &Target, known: &[&str]) -> Vec<String> {
    t.params
        .iter()
        .map(|(k, _)| k.clone())
        .filter(|k| !known.contains(&k.as_str()))
        .collect()
}

pub(super) fn reject(client: &'static str, src: &FromSource, why: impl Into<String>) -> Reading {
    Reading {
        notes: vec![why.into()],
        cites: src.cites.to_vec(),
        ..Reading::rejecting(client, src.version, Source::Source)
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

    /// Compares with redcheck's reading of the same URL. The endpoint is redcheck's: these
    /// models do not reparse the host.
    pub(super) fn finish(self, client: &'static str, src: &FromSource, t: &Target) -> Reading {
        let same = self.tls == t.tls
            && self.user == t.username
            && self.password == t.password.is_some()
            && self.db == t.db
            && self.ignored.is_empty()
            && self.notes.is_empty();
        let (host, port, socket) = match &t.endpoint {
            Endpoint::Tcp { host, port } => (Some(host.as_str()), Some(i64::from(*port)), None),
            Endpoint::Unix(p) => (None, None, Some(p.display().to_string())),
        };
        Reading {
            client,
            version: src.version,
            source: Source::Source,
            verdict: if same {
                Verdict::Same
            } else {
                Verdict::Differs
            },
            tls: Some(self.tls),
            host,
            port,
            socket,
            user: self.user,
            password: Some(self.password),
            db: Some(i64::from(self.db)),
            protocol: None,
            ignored: self.ignored,
            misread: Vec::new(),
            notes: self.notes,
            cites: src.cites.to_vec(),
        }
    }
}
