//! `serve --targets FILE`: named targets, so Prometheus' configuration holds names, never URLs
//! with secrets in them.
//!
//! ```toml
//! [targets.orders-cache]
//! url = "rediss://orders-cache.internal:6380/0"
//! password_env = "ORDERS_CACHE_PASSWORD"   # or password_file = "/run/secrets/orders"
//! use = "cache"                             # optional: judges the eviction policy
//!
//! [targets.jobs]
//! url_env = "JOBS_REDIS_URL"                # the whole URL from the environment
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::ValueEnum;
use serde::Deserialize;

use super::{DEFAULT_TIMEOUT, PasswordInput, UsageError, validate_password, workload};
use crate::cli::UseArg;
use crate::config::Workload;
use crate::secret::Secret;
use crate::url::{PasswordSource, Target};

/// Longest target name accepted.
const MAX_NAME: usize = 128;

/// The file as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    targets: BTreeMap<String, Entry>,
}

/// One `[targets.NAME]` table as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    url: Option<String>,
    url_env: Option<String>,
    password_env: Option<String>,
    password_file: Option<PathBuf>,
    #[serde(rename = "use")]
    workload: Option<String>,
}

/// A validated named target.
#[derive(Clone)]
pub struct Named {
    /// The URL (it may hold a password only when it came from `url_env`).
    pub url: Secret,
    /// Where the password comes from, when the URL has none.
    pub password: Option<PasswordFrom>,
    /// `use`, when given.
    pub workload: Option<Workload>,
}

/// A password kept outside the URL.
#[derive(Clone)]
pub enum PasswordFrom {
    /// Read from the environment once, at start.
    Env(Secret),
    /// Read from this file at every probe, so a rotated secret is picked up.
    File(PathBuf),
}

impl PasswordFrom {
    /// The password now; the error names the file, never its content.
    pub fn read(&self, within: Duration) -> Result<PasswordInput, String> {
        match self {
            PasswordFrom::Env(secret) => Ok(PasswordInput {
                secret: secret.clone(),
                source: PasswordSource::Env,
            }),
            PasswordFrom::File(path) => match validate_password(Some(path), None, within) {
                Ok(Some(pw)) => Ok(pw),
                Ok(None) => Err(format!("password_file {}: no password", path.display())),
                Err(e) => Err(e.0.replacen("--password-file", "password_file", 1)),
            },
        }
    }
}

/// Reads and validates `--targets FILE`: every name, URL and password source is checked at
/// start, so a typo is a usage error, not a 500 at 3 a.m.
pub fn load(path: &Path, within: Duration) -> Result<BTreeMap<String, Named>, UsageError> {
    let flag = format!("--targets {}", path.display());
    // Bounded like every local input: at most 1 MiB, a regular file or a pipe that delivers
    // within `--timeout`.
    let bytes = crate::input::read(path, "--targets", within)?;
    let text = String::from_utf8(bytes)
        .map_err(|_| UsageError(format!("{flag}: the file is not UTF-8 text")))?;
    parse(&text, |name| std::env::var(name).ok()).map_err(|e| UsageError(format!("{flag}: {e}")))
}

/// Parses the file's text; `env` looks variables up.
fn parse(
    text: &str,
    env: impl Fn(&str) -> Option<String>,
) -> Result<BTreeMap<String, Named>, String> {
    // toml's messages quote the offending line, which could be a URL with a password:
    // only its position is kept.
    let file: File = toml::from_str(text).map_err(|e| describe(text, &e))?;
    if file.targets.is_empty() {
        return Err("no targets: add a [targets.NAME] table with url = \"redis://…\"".into());
    }
    file.targets
        .into_iter()
        .map(|(name, entry)| {
            validate_name(&name)?;
            let named = validate_entry(&entry, &env).map_err(|e| format!("target {name}: {e}"))?;
            Ok((name, named))
        })
        .collect()
}

/// A TOML error without the quoted source line.
fn describe(text: &str, e: &toml::de::Error) -> String {
    let what = e.message().lines().next().unwrap_or("invalid TOML");
    match e.span() {
        Some(span) => {
            let line = text[..span.start.min(text.len())].matches('\n').count() + 1;
            format!("line {line}: {what}")
        }
        None => what.to_string(),
    }
}

/// Names go in Prometheus' configuration and in URLs: letters, digits, `.`, `_`, `-`.
fn validate_name(name: &str) -> Result<(), String> {
    let ok = !name.is_empty()
        && name.len() <= MAX_NAME
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    if ok {
        Ok(())
    } else {
        Err(format!(
            "target name '{}' must be 1 to {MAX_NAME} letters, digits, '.', '_' or '-'",
            crate::text::printable(name)
        ))
    }
}

fn validate_entry(e: &Entry, env: &impl Fn(&str) -> Option<String>) -> Result<Named, String> {
    let url = match (&e.url, &e.url_env) {
        (Some(url), None) => {
            let parsed = Target::parse(url)
                .map_err(|err| format!("url {}: {err}", crate::url::redact_raw(url)))?;
            if parsed.password.is_some()
                || parsed
                    .sentinel
                    .as_ref()
                    .is_some_and(|s| s.password.is_some())
            {
                return Err(format!(
                    "url {} holds a password: move it to password_env or password_file (or the whole URL to url_env)",
                    parsed
                ));
            }
            url.clone()
        }
        (None, Some(var)) => {
            let url = env(var)
                .filter(|v| !v.trim().is_empty())
                .ok_or_else(|| format!("url_env {var} is not set or empty"))?;
            Target::parse(&url).map_err(|err| {
                format!("url_env {var} ({}): {err}", crate::url::redact_raw(&url))
            })?;
            url
        }
        (Some(_), Some(_)) => return Err("give url or url_env, not both".into()),
        (None, None) => return Err("no url: give url = \"redis://…\" or url_env = \"VAR\"".into()),
    };
    let password = match (&e.password_env, &e.password_file) {
        (Some(var), None) => {
            let pw = env(var)
                .filter(|v| !v.is_empty())
                .ok_or_else(|| format!("password_env {var} is not set or empty"))?;
            Some(PasswordFrom::Env(Secret::new(pw)))
        }
        (None, Some(path)) => {
            let from = PasswordFrom::File(path.clone());
            from.read(DEFAULT_TIMEOUT)?;
            Some(from)
        }
        (Some(_), Some(_)) => return Err("give password_env or password_file, not both".into()),
        (None, None) => None,
    };
    let workload = match &e.workload {
        Some(w) => Some(workload(UseArg::from_str(w, true).map_err(|_| {
            format!(
                "use = \"{}\": use cache, queue, session or mixed",
                crate::text::printable(w)
            )
        })?)),
        None => None,
    };
    Ok(Named {
        url: Secret::containing(url),
        password,
        workload,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(name: &str) -> Option<String> {
        match name {
            "PW" => Some("s3cret".into()),
            "URL" => Some("redis://:inline@h:6379".into()),
            _ => None,
        }
    }

    #[test]
    fn names_urls_and_password_sources() {
        let dir = tempfile::tempdir().unwrap();
        let pw = dir.path().join("pw");
        std::fs::write(&pw, "filed\n").unwrap();
        let text = format!(
            "[targets.a]\nurl = \"redis://h:1\"\npassword_env = \"PW\"\nuse = \"queue\"\n\
             [targets.b-2]\nurl_env = \"URL\"\n\
             [targets.c]\nurl = \"rediss://h:2\"\npassword_file = '{}'\n",
            pw.display()
        );
        let got = parse(&text, env).unwrap();
        assert_eq!(got.keys().collect::<Vec<_>>(), ["a", "b-2", "c"]);
        assert_eq!(got["a"].workload, Some(Workload::Queue));
        let a = got["a"]
            .password
            .as_ref()
            .unwrap()
            .read(DEFAULT_TIMEOUT)
            .unwrap();
        assert_eq!(a.secret.expose(), "s3cret");
        assert_eq!(got["b-2"].url.expose(), "redis://:inline@h:6379");
        let c = got["c"]
            .password
            .as_ref()
            .unwrap()
            .read(DEFAULT_TIMEOUT)
            .unwrap();
        assert_eq!(c.secret.expose(), "filed");
        assert_eq!(
            c.source,
            PasswordSource::File {
                newline_stripped: true
            }
        );
    }

    #[test]
    fn mistakes_name_the_target_and_never_echo_a_password() {
        let cases = [
            (
                "[targets.a]\nurl = \"redis://:hunter2@h\"\n",
                "holds a password",
            ),
            (
                "[targets.a]\nurl = \"redis://h\"\npassword_env = \"NOPE\"\n",
                "password_env NOPE is not set",
            ),
            (
                "[targets.a]\nurl_env = \"NOPE\"\n",
                "url_env NOPE is not set",
            ),
            (
                "[targets.a]\nurl = \"redis://h\"\nurl_env = \"URL\"\n",
                "not both",
            ),
            ("[targets.a]\npassword_env = \"PW\"\n", "no url"),
            (
                "[targets.a]\nurl = \"redis://h\"\nuse = \"db\"\n",
                "use cache, queue",
            ),
            (
                "[targets.a]\nurl = \"redis://h\"\npasword_env = \"PW\"\n",
                "unknown field",
            ),
            (
                "[targets.\"a b\"]\nurl = \"redis://h\"\n",
                "target name 'a b'",
            ),
            (
                "[targets.a]\nurl = \"http://:hunter2@h\"\n",
                "unsupported scheme",
            ),
            ("[targets]\n", "no targets"),
            ("url = \"redis://:hunter2@h\"\n", "line 1: unknown field"),
            ("[targets.a]\nurl = \"redis://:hunter2@h\n", "line 2"),
        ];
        for (text, want) in cases {
            let err = parse(text, env).err().unwrap_or_else(|| panic!("{text}"));
            assert!(err.contains(want), "{text:?}: {err}");
            assert!(!err.contains("hunter2"), "{text:?}: {err}");
        }
    }
}
