//! The query string: the parameters redcheck reads, and how a password in it hides the rest.

use std::path::PathBuf;

use super::lints::param_case_lint;
use super::parse::parse_db;
use super::*;
use crate::secret::{MASK, Secret};

/// Whether a query sets `password=` (any case, possibly percent-encoded).
pub(super) fn query_has_password(query: &str) -> bool {
    query
        .split('&')
        .any(|kv| decode(kv.split_once('=').unwrap_or((kv, "")).0).eq_ignore_ascii_case("password"))
}

/// Parameters redcheck reads; with a password in the query, any other name may be a piece of
/// it (`?password=ab&cd`), so it is kept as `****` and never shown.
pub(super) const KNOWN_PARAMS: [&str; 9] = [
    "db",
    "database",
    "protocol",
    "ssl_cert_reqs",
    "ssl_ca_certs",
    "ssl_check_hostname",
    "password",
    "username",
    "user",
];

pub(super) fn apply_query(t: &mut Target, query: &str, secretive: bool) -> Result<(), UrlError> {
    let mut unknown = Vec::new();
    let mut hidden = 0;
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        // Names are case-sensitive in every library (`?DB=3` is not `?db=3`).
        let mut key = decode(k);
        if secretive && !KNOWN_PARAMS.contains(&key.as_str()) {
            hidden += 1;
            key = MASK.to_string();
        }
        let value = decode(v);
        let shown = if key == "password" || key == MASK || super::is_secret_param(&key) {
            MASK.to_string()
        } else {
            v.to_string()
        };
        // In errors, a value is quoted only when it cannot be a piece of the password.
        let quoted = |what: &str| {
            if secretive {
                format!("{what} value")
            } else {
                format!("{what} '{value}'")
            }
        };
        t.params.push((key.clone(), shown));
        match key.as_str() {
            _ if key == MASK => {}
            "db" | "database" => {
                let db = parse_db(&value, "query").map_err(|e| {
                    if secretive {
                        UrlError::Invalid(
                            "the database in the query must be a whole number from 0 (e.g. ?db=0)"
                                .into(),
                        )
                    } else {
                        e
                    }
                })?;
                if db != t.db && t.db != 0 {
                    t.lints.push(Lint {
                        id: "db-conflict",
                        level: LintLevel::Info,
                        message: format!("?db={db} overrides /{} in the path", t.db),
                        hint: "keep one: redis-py takes the query, most others the path".into(),
                    });
                }
                t.db = db;
            }
            "protocol" => {
                t.protocol = Some(match value.to_ascii_lowercase().as_str() {
                    "2" | "resp2" => 2,
                    "3" | "resp3" => 3,
                    _ => {
                        return Err(UrlError::Invalid(format!(
                            "{} must be 2 or 3",
                            quoted("protocol")
                        )));
                    }
                });
            }
            "ssl_cert_reqs" => match value.to_ascii_lowercase().as_str() {
                "none" | "cert_none" => t.insecure = true,
                "optional" | "required" | "cert_required" | "cert_optional" => {}
                _ => {
                    return Err(UrlError::Invalid(format!(
                        "{} must be none, optional or required",
                        quoted("ssl_cert_reqs")
                    )));
                }
            },
            "ssl_ca_certs" => t.ca_file = Some(PathBuf::from(value)),
            "ssl_check_hostname" => {
                t.skip_hostname_check =
                    matches!(value.to_ascii_lowercase().as_str(), "false" | "0" | "no")
            }
            "password" => {
                if t.password.is_none() && !value.is_empty() {
                    t.password = Some(Secret::new(value));
                    t.password_source = Some(PasswordSource::Url);
                }
            }
            "username" | "user" => {
                if t.username.is_none() && !value.is_empty() {
                    t.username = Some(value);
                }
            }
            _ => {
                if KNOWN_PARAMS.contains(&key.to_ascii_lowercase().as_str()) {
                    t.lints.push(param_case_lint(&key));
                }
                unknown.push(key);
            }
        }
    }
    if hidden > 0 {
        t.lints.push(Lint {
            id: "unknown-params",
            level: LintLevel::Warn,
            message: format!(
                "{hidden} query parameter(s) not checked here and not shown: with ?password= a raw '&' in the password starts a new one"
            ),
            hint: "write '&' in a password as %26 ('#' as %23)".into(),
        });
    }
    if !unknown.is_empty() {
        t.lints.push(Lint {
            id: "unknown-params",
            level: LintLevel::Info,
            message: format!("query parameters not checked here: {}", unknown.join(", ")),
            hint: "go-redis rejects unknown parameters; node-redis and redis-rs ignore them".into(),
        });
    }
    Ok(())
}
