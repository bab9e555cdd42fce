//! The `url` subcommand's report, built from the URL parser's parts and lints and every
//! client library's reading (`clients`).

use super::{LintInfo, SentinelParts, UrlParts, UrlReport};
use crate::secret::MASK;
use crate::url::{Endpoint, LintLevel, Target, UrlError, redact_raw};
use crate::verdict::{Status, Tool};

use crate::clients::{Verdict, knowing_scheme, read_all};

/// The `url` subcommand's report for a raw URL: parts, lints and every client's reading.
pub fn explain(raw: &str) -> UrlReport {
    let mut report = read(raw);
    report.verdict = verdict(&report);
    report
}

/// The URL's verdict from its facts: unusable fails; a warning lint or a client that refuses
/// it warns (a client that merely differs is shown, not counted: most URLs differ somewhere).
pub fn verdict(r: &UrlReport) -> Status {
    if r.error.is_some() {
        Status::Fail
    } else if r.lints.iter().any(|l| l.level == "warn")
        || r.clients.iter().any(|c| c.verdict == Verdict::Rejects)
    {
        Status::Warn
    } else {
        Status::Pass
    }
}

fn read(raw: &str) -> UrlReport {
    let tool = Tool {
        name: "redcheck",
        version: env!("CARGO_PKG_VERSION"),
    };
    match Target::parse(raw) {
        Ok(t) => UrlReport {
            version: 1,
            tool,
            url: t.to_string(),
            verdict: Status::Pass,
            error: None,
            parts: Some(parts(&t)),
            lints: t
                .lints
                .iter()
                .map(|l| LintInfo {
                    id: l.id,
                    level: match l.level {
                        LintLevel::Warn => "warn",
                        LintLevel::Info => "info",
                    },
                    message: l.message.clone(),
                    hint: l.hint.clone(),
                })
                .collect(),
            clients: match &t.sentinel {
                Some(spec) => crate::clients::sentinel::readings(&t, spec),
                None => read_all(raw, Some(&t)),
            },
            known_by: Vec::new(),
        },
        Err(e) => UrlReport {
            version: 1,
            tool,
            url: redact_raw(raw),
            verdict: Status::Fail,
            known_by: match &e {
                UrlError::UnsupportedScheme(s) => knowing_scheme(s),
                UrlError::Invalid(_) | UrlError::Ambiguous { .. } => Vec::new(),
            },
            error: Some(e.to_string()),
            parts: None,
            lints: Vec::new(),
            // Refused here, still read by the libraries: what each would do is worth most now.
            clients: read_all(raw, None),
        },
    }
}

fn parts(t: &Target) -> UrlParts {
    let (host, port, socket) = match &t.endpoint {
        Endpoint::Tcp { host, port } => (Some(host.as_str()), Some(*port), None),
        Endpoint::Unix(p) => (None, None, Some(p.display().to_string())),
    };
    UrlParts {
        scheme: t.scheme.clone(),
        tls: t.tls,
        host,
        port,
        socket,
        db: t.db,
        username: t.username.clone(),
        password_set: t.password.is_some(),
        protocol: t.protocol,
        insecure: t.insecure,
        ca_file: t.ca_file.as_ref().map(|p| p.display().to_string()),
        sentinel: t.sentinel.as_ref().map(|s| SentinelParts {
            sentinels: s.addresses(),
            master_name: s.master.clone(),
            master_from: s.master_from,
            username: s.username.clone(),
            password_set: s.password.is_some(),
        }),
        // `****` stands for a parameter that may hold a piece of the password: never shown.
        params: t
            .params
            .iter()
            .filter(|(k, _)| k != MASK)
            .cloned()
            .collect(),
    }
}
