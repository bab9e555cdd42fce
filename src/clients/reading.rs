//! A recorded library's raw reading → the [`Reading`] shown: compared with redcheck's own
//! reading, explained, and masked so no piece of the password is ever shown.

use super::model::Raw;
use super::{Library, Reading, Source, Verdict};
use crate::secret::MASK;
use crate::url::{Endpoint, Host, Target};

/// What may be a password, in any of the readings: every such text is shown as `****`.
pub(super) struct Mask {
    /// Pieces of anything any reader sends as a password, or that sits where one goes.
    pieces: Vec<String>,
    /// With a password in the query, a raw '&' in it starts a new parameter: names that no
    /// library knows are then shown as `****`.
    secretive_query: bool,
}

impl Mask {
    pub(super) fn new(raw: &str, target: Option<&Target>, raws: &[Raw]) -> Mask {
        let mut whole: Vec<String> = Vec::new();
        if let Some(p) = target.and_then(|t| t.password.as_ref()) {
            whole.push(p.expose().to_string());
        }
        for r in raws {
            if let Some(p) = &r.password {
                whole.push(p.expose().to_string());
            }
        }
        // The user info by every split readers use: up to the first and to the last '@'.
        let rest = raw.split_once("://").map_or(raw, |(_, r)| r);
        // The user name before the first ':' is not secret; a bare `secret@` is.
        for at in [rest.find('@'), rest.rfind('@')].into_iter().flatten() {
            let info = &rest[..at];
            let secret = info.split_once(':').map_or(info, |(_, p)| p);
            whole.push(secret.to_string());
            whole.push(crate::url::decode(secret));
        }
        // No '@' at all: what follows the first ':' of the authority, unless it is a port,
        // is a password whose '@' is missing (`valkey://u:secret,h/0`).
        let authority = &rest[..rest.find(['/', '?', '#']).unwrap_or(rest.len())];
        if !rest.contains('@')
            && let Some((_, after)) = authority.split_once(':')
            && !after.bytes().all(|b| b.is_ascii_digit())
        {
            whole.push(after.to_string());
            whole.push(crate::url::decode(after));
        }
        // Query values of password-like names, to the end of the string (a raw '&' or '#'
        // would cut them short).
        let lower = raw.to_ascii_lowercase();
        let mut secretive_query = false;
        for key in ["password=", "pass="] {
            let mut from = 0;
            while let Some(i) = lower[from..].find(key) {
                let start = from + i + key.len();
                whole.push(raw[start..].to_string());
                whole.push(crate::url::decode(&raw[start..]));
                secretive_query = true;
                from = start;
            }
        }
        let mut pieces: Vec<String> = Vec::new();
        for w in &whole {
            pieces.push(w.clone());
            pieces.extend(
                w.split(|c: char| "@#/?:&=".contains(c) || c.is_whitespace())
                    .map(str::to_string),
            );
        }
        // One-character pieces would mask every host; the user info rule below covers '@'.
        pieces.retain(|p| p.chars().count() >= 2);
        pieces.sort_by_key(|p| std::cmp::Reverse(p.len()));
        pieces.dedup();
        Mask {
            pieces,
            secretive_query,
        }
    }

    /// The text with every piece of a possible password replaced by `****`.
    pub(super) fn text(&self, s: &str) -> String {
        let mut out = s.to_string();
        for p in &self.pieces {
            out = replace_ascii_case_insensitive(&out, p, MASK);
        }
        out
    }

    /// A message redcheck wrote (never URL text, but a parameter name in quotes or after
    /// "option:"): with a password in the query, such names may be pieces of it.
    pub(super) fn message(&self, s: &str) -> String {
        if !self.secretive_query {
            return s.to_string();
        }
        // The messages quote one name: everything from the first quote to the last is that
        // name, whatever quotes or spaces it holds itself (`?password=&'+Pw9=` makes redis-py
        // name the parameter `' Pw9`).
        let out = match (s.find('\''), s.rfind('\'')) {
            (Some(a), Some(b)) if a < b => {
                format!("{}'{}'{}", &s[..a], self.name(&s[a + 1..b]), &s[b + 1..])
            }
            _ => s.to_string(),
        };
        let out = match out.split_once("option: ") {
            Some((head, names)) => {
                let names: Vec<String> = names.split(", ").map(|n| self.name(n)).collect();
                format!("{head}option: {}", names.join(", "))
            }
            None => out,
        };
        // A name with a quote of its own (`?password=&'Pw9=`) throws the quote pairing off:
        // every piece of the password goes wherever it stands.
        self.text(&out)
    }

    /// A host or socket path: what stands before an '@' in it is user info.
    fn place(&self, s: &str) -> String {
        let s = match s.rfind('@') {
            Some(at) => format!("{MASK}{}", &s[at..]),
            None => s.to_string(),
        };
        self.text(&s)
    }

    /// A query parameter name: masked when it may be a piece of a `?password=` value.
    fn name(&self, n: &str) -> String {
        if self.secretive_query && !KNOWN_NAMES.contains(&n) && !n.starts_with('#') {
            MASK.to_string()
        } else if let Some(f) = n.strip_prefix('#')
            && self.secretive_query
            && f != "insecure"
        {
            format!("#{MASK}")
        } else {
            self.text(n)
        }
    }
}

/// Query names shown even when a password in the query may have spilled into others.
const KNOWN_NAMES: &[&str] = &[
    "db",
    "database",
    "protocol",
    "password",
    "pass",
    "user",
    "username",
    "tls",
    "family",
    "ssl_cert_reqs",
    "ssl_ca_certs",
    "ssl_check_hostname",
    "timeout",
    "socket_timeout",
    "socket_connect_timeout",
];

fn replace_ascii_case_insensitive(s: &str, needle: &str, with: &str) -> String {
    if needle.is_empty() {
        return s.to_string();
    }
    let hay = s.to_ascii_lowercase();
    let needle = needle.to_ascii_lowercase();
    let mut out = String::with_capacity(s.len());
    let mut last = 0;
    let mut from = 0;
    while let Some(i) = hay[from..].find(&needle) {
        let start = from + i;
        out.push_str(&s[last..start]);
        out.push_str(with);
        last = start + needle.len();
        from = last;
    }
    out.push_str(&s[last..]);
    out
}

/// The reading shown for a recorded library: compared with redcheck's, explained, masked.
pub(super) fn compare(lib: &Library, r: Raw, t: Option<&Target>, mask: &Mask) -> Reading {
    let mut reading = Reading::rejecting(lib.name, lib.version, Source::Recorded);
    if let Some(why) = &r.rejects {
        reading.notes.push(mask.message(why));
        return reading;
    }
    let notes = match t {
        Some(t) => differences(&r, t),
        None => vec!["redcheck refuses this URL; this library reads it as shown".into()],
    };
    reading.verdict = if notes.is_empty() && r.ignored.is_empty() && r.misread.is_empty() {
        Verdict::Same
    } else {
        Verdict::Differs
    };
    reading.tls = Some(r.tls);
    reading.host = r.host.as_deref().map(|h| mask.place(h));
    reading.port = r.port;
    reading.socket = r.socket.as_deref().map(|s| mask.place(s));
    reading.user = r.user.as_deref().map(|u| mask.text(u));
    reading.password = Some(r.password.is_some());
    reading.db = Some(r.db);
    reading.protocol = Some(r.protocol);
    reading.ignored = r.ignored.iter().map(|n| mask.name(n)).collect();
    reading.misread = r.misread.iter().map(|n| mask.name(n)).collect();
    reading.notes = notes
        .iter()
        .chain(&r.notes)
        .map(|n| mask.message(n))
        .collect();
    reading
}

/// What the library does otherwise than redcheck, one note each (no URL text in them: the
/// fields beside them show the values, masked).
fn differences(r: &Raw, t: &Target) -> Vec<String> {
    let mut notes = Vec::new();
    if r.tls != t.tls {
        notes.push(if r.tls {
            "turns TLS on where redcheck reads plaintext".to_string()
        } else {
            "connects without TLS where the URL asks for it".to_string()
        });
    }
    match (&t.endpoint, &r.socket) {
        (Endpoint::Unix(_), None) => notes.push("connects over TCP, not to the socket".into()),
        (Endpoint::Unix(p), Some(s)) if p.as_os_str() != s.as_str() => {
            notes.push("uses another socket path".into());
        }
        (Endpoint::Tcp { .. }, Some(_)) => {
            notes.push("reads it as a Unix socket path, so it never connects to the host".into());
        }
        (Endpoint::Tcp { host, port }, None) => {
            let theirs = r.host.as_deref().unwrap_or_default();
            if !same_host(host, theirs) {
                notes.push(
                    if theirs.contains('%')
                        && crate::url::decode(theirs).eq_ignore_ascii_case(&host.as_str())
                    {
                        "percent-encodes the host name, so its DNS lookup fails (use the xn-- form)"
                    } else {
                        "connects to another host than redcheck reads"
                    }
                    .into(),
                );
            }
            if r.port != Some(i64::from(*port)) {
                notes.push("connects to another port".into());
            }
        }
        _ => {}
    }
    let want = t.password.as_ref().map(crate::secret::Secret::expose);
    let sent = r.password.as_ref().map(crate::secret::Secret::expose);
    match (want, sent) {
        (Some(_), None) => notes.push("sends no password".into()),
        (None, Some("")) => notes.push("sends AUTH with an empty password".into()),
        (None, Some(_)) => notes.push("sends a password redcheck does not read".into()),
        (Some(a), Some(b)) if a != b => notes.push("sends a different password".into()),
        _ => {}
    }
    let want_user = t.password.as_ref().and(t.username.as_deref());
    let sent_user = r.password.as_ref().and(r.user.as_deref());
    if want_user != sent_user && !(want_user.is_none() && sent_user == Some("default")) {
        notes.push(match sent_user {
            Some("") => "sends an empty user name (AUTH \"\" …): WRONGPASS".to_string(),
            Some(_) => "sends another user name".to_string(),
            None => "sends no user name".to_string(),
        });
    }
    if r.db != i64::from(t.db) {
        notes.push("selects another database".into());
    }
    if let Some(p) = t.protocol
        && p != r.protocol
    {
        notes.push(format!(
            "speaks RESP{} where the URL asks for RESP{p}",
            r.protocol
        ));
    }
    notes
}

/// Host names compare without case (DNS does), addresses by value.
fn same_host(ours: &Host, theirs: &str) -> bool {
    match ours {
        Host::Ip(ip) => theirs.parse::<std::net::IpAddr>().is_ok_and(|t| t == *ip),
        Host::Name(n) => n.eq_ignore_ascii_case(theirs),
    }
}
