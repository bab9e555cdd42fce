//! The lints found while parsing: problems with the URL that do not stop the check.

use super::*;

/// `password-whitespace`: white space in a password is almost always a pasting accident.
pub(super) fn whitespace_lint(p: &Secret) -> Option<Lint> {
    if !p.has_whitespace() {
        return None;
    }
    let what = if p.has_trailing_newline() {
        "ends in a newline"
    } else {
        "contains white space"
    };
    Some(Lint {
        id: "password-whitespace",
        level: LintLevel::Warn,
        message: format!("the password {what}"),
        hint: "a secret store or `echo` often adds a trailing newline: strip it (printf '%s', tr -d '\\n')".into(),
    })
}

/// `param-case`: a known parameter name in another case, which the libraries do not read.
pub(super) fn param_case_lint(key: &str) -> Lint {
    let lower = key.to_ascii_lowercase();
    Lint {
        id: "param-case",
        level: LintLevel::Warn,
        message: format!(
            "'{key}' is not '{lower}': query names are case-sensitive, so it is not read (ioredis ignores it, redis-py raises TypeError)"
        ),
        hint: format!("write ?{lower}="),
    }
}

pub(super) fn add_transport_lints(t: &mut Target) {
    let Endpoint::Tcp { host, port } = &t.endpoint else {
        return;
    };
    if t.tls {
        return;
    }
    if TLS_PORTS.contains(port) {
        t.lints.push(Lint {
            id: "tls-port",
            level: LintLevel::Warn,
            message: format!(
                "plaintext redis:// on port {port}, which managed providers use for TLS"
            ),
            hint: format!(
                "if the server expects TLS, use {}",
                t.redacted_with(true, None)
            ),
        });
    } else if !host.is_loopback() {
        t.lints.push(Lint {
            id: "plaintext-remote",
            level: LintLevel::Warn,
            message: format!(
                "plaintext to {host}: the password and data cross the network unencrypted"
            ),
            hint: format!(
                "use TLS where the server offers it: {}",
                t.redacted_with(true, None)
            ),
        });
    }
}
