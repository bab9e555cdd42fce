//! `Cli` → a validated `Config`. Each rule is a `validate_*` function whose error names the flag.

use std::ffi::{OsStr, OsString};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use rustls::sign::CertifiedKey;

use crate::checks::Workload;
use crate::cli::{
    CheckArgs, ColorChoice, Format, OutputArgs, PasswordArgs, RetryArgs, TimingArgs, TlsArgs,
    TlsCommandArgs, UseArg, WaitArgs,
};
use crate::secret::Secret;
use crate::trust::{self, Roots};
use crate::url::PasswordSource;

mod health;
mod keys;

pub use health::LatencyConfig;
pub use keys::KeysConfig;

/// A mistake in how redcheck was called: exit code 2.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

/// Everything one check of one target needs.
#[derive(Clone)]
pub struct CheckConfig {
    /// Bound on the whole check of a target.
    pub timeout: Duration,
    /// Bound on each TCP connect attempt.
    pub connect_timeout: Duration,
    /// PING round trips to time.
    pub samples: usize,
    /// TLS trust and identity.
    pub tls: TlsConfig,
    /// Stop after the TLS handshake (`redcheck tls`), speaking TLS whatever the scheme says.
    pub handshake_only: bool,
    /// A password from outside the URL, for targets whose URL has none.
    pub password: Option<PasswordInput>,
    /// The stages after INFO this command asks for.
    pub extras: Extras,
}

/// A password from `--password-file` or `REDISCLI_AUTH`.
#[derive(Clone)]
pub struct PasswordInput {
    /// The password.
    pub secret: Secret,
    /// Where it came from.
    pub source: PasswordSource,
}

/// The stages after INFO a command may ask for; none by default.
#[derive(Debug, Clone, Copy, Default)]
pub struct Extras {
    /// `CLUSTER INFO`, the announced topology, and a connection to each announced node.
    pub cluster: bool,
    /// A pub/sub round trip on a second connection.
    pub pubsub: bool,
    /// `SET`/`GET`/`DEL` of a random key (`--write-probe`).
    pub write: bool,
    /// The keyspace sample: `Some(0)` turned off by `--sample-keys 0`, `None` not asked.
    pub sample_keys: Option<usize>,
    /// Time budget of the keyspace sample.
    pub sample_budget: Duration,
    /// `CLIENT LIST`: the shape of the other connections.
    pub connections: bool,
}

/// TLS settings from flags (the URL may add `?ssl_ca_certs=` / `#insecure` per target).
#[derive(Clone, Default)]
pub struct TlsConfig {
    /// Roots from `--cacert`, loaded once.
    pub cacert: Option<Roots>,
    /// `--insecure`.
    pub insecure: bool,
    /// `--sni`.
    pub sni: Option<String>,
    /// `--cert` / `--key`.
    pub identity: Option<Arc<CertifiedKey>>,
}

/// How to present results.
#[derive(Debug, Clone)]
pub struct OutputConfig {
    /// The format.
    pub format: Format,
    /// Whether stdout gets colour.
    pub color: bool,
    /// Whether a spinner may draw on stderr.
    pub progress: bool,
    /// Only problems.
    pub quiet: bool,
    /// Warnings fail the run.
    pub strict: bool,
    /// `$GITHUB_STEP_SUMMARY` under `--format github`: where the Markdown table goes.
    pub step_summary: Option<PathBuf>,
}

/// A validated `check` invocation.
pub struct Config {
    /// The URLs, in argument order.
    pub urls: Vec<String>,
    /// Per-target settings.
    pub check: CheckConfig,
    /// What the database is for (`--use`).
    pub workload: Option<Workload>,
    /// Presentation.
    pub output: OutputConfig,
}

impl Config {
    /// Validates the arguments of `check`.
    pub fn from_check(args: &CheckArgs) -> Result<Config, UsageError> {
        Ok(Config {
            urls: validate_targets(&args.urls, &args.env)?,
            check: CheckConfig {
                timeout: args.conn.timing.timeout,
                connect_timeout: validate_connect_timeout(&args.conn.timing),
                samples: usize::try_from(args.conn.samples).unwrap_or(usize::MAX),
                tls: validate_tls(&args.tls)?,
                handshake_only: false,
                password: validate_password_args(&args.conn.password)?,
                extras: Extras {
                    cluster: true,
                    pubsub: true,
                    write: args.write_probe,
                    sample_keys: Some(args.sample_keys),
                    sample_budget: args.sample_budget,
                    connections: true,
                },
            },
            workload: args.workload.map(workload),
            output: output_config(&args.output),
        })
    }
}

impl Config {
    /// Validates the arguments of `tls`: one target, handshake only.
    pub fn from_tls(args: &TlsCommandArgs) -> Result<Config, UsageError> {
        let urls = validate_targets(args.url.as_slice(), &[])?;
        if let Some(path) = &args.save_chain {
            validate_writable(path, "--save-chain")?;
        }
        Ok(Config {
            urls,
            check: CheckConfig {
                timeout: args.timing.timeout,
                connect_timeout: validate_connect_timeout(&args.timing),
                samples: 0,
                tls: validate_tls(&args.tls)?,
                handshake_only: true,
                password: None,
                extras: Extras::default(),
            },
            workload: None,
            output: output_config(&args.output),
        })
    }
}

/// A validated `wait` invocation.
pub struct WaitConfig {
    /// What each attempt checks; its `timeout` is the whole wait's.
    pub base: Config,
    /// The retry schedule.
    pub backoff: Backoff,
    /// Bound on one attempt.
    pub attempt_timeout: Duration,
}

/// Pauses between attempts: `first`, doubling, never above `max`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    /// The first pause.
    pub first: Duration,
    /// The longest pause.
    pub max: Duration,
}

impl Backoff {
    /// The pause after failed attempt number `attempt` (1-based).
    pub fn pause(&self, attempt: u32) -> Duration {
        let factor = 2u32.saturating_pow(attempt.saturating_sub(1).min(30));
        self.first.saturating_mul(factor).min(self.max)
    }
}

impl WaitConfig {
    /// Validates the arguments of `wait`.
    pub fn from_wait(args: &WaitArgs) -> Result<WaitConfig, UsageError> {
        Ok(WaitConfig {
            base: Config::from_check(&args.check)?,
            backoff: validate_backoff(&args.retry),
            attempt_timeout: args.retry.attempt_timeout,
        })
    }
}

/// The directory of an output file must exist.
fn validate_writable(path: &std::path::Path, flag: &str) -> Result<(), UsageError> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(std::path::Path::new("."));
    if dir.is_dir() {
        Ok(())
    } else {
        Err(UsageError(format!(
            "{flag} {}: the directory {} does not exist",
            path.display(),
            dir.display()
        )))
    }
}

/// `--max-interval` below `--interval` would shrink the first pause: raise it instead.
fn validate_backoff(args: &RetryArgs) -> Backoff {
    Backoff {
        first: args.interval,
        max: args.max_interval.max(args.interval),
    }
}

/// `--password-file` wins over `REDISCLI_AUTH`; one trailing newline is stripped from the
/// file because `echo` and secret stores add one, and the report says so.
pub fn validate_password(
    file: Option<&Path>,
    env: Option<String>,
) -> Result<Option<PasswordInput>, UsageError> {
    if let Some(path) = file {
        let raw = std::fs::read_to_string(path)
            .map_err(|e| UsageError(format!("--password-file {}: {e}", path.display())))?;
        let trimmed = raw
            .strip_suffix("\r\n")
            .or_else(|| raw.strip_suffix('\n'))
            .unwrap_or(&raw);
        if trimmed.is_empty() {
            return Err(UsageError(format!(
                "--password-file {}: the file is empty",
                path.display()
            )));
        }
        return Ok(Some(PasswordInput {
            secret: Secret::new(trimmed),
            source: PasswordSource::File {
                newline_stripped: trimmed.len() != raw.len(),
            },
        }));
    }
    Ok(env.filter(|v| !v.is_empty()).map(|v| PasswordInput {
        secret: Secret::new(v),
        source: PasswordSource::Env,
    }))
}

/// The password of `--password-file`, else `REDISCLI_AUTH`, for every command that authenticates.
fn validate_password_args(args: &PasswordArgs) -> Result<Option<PasswordInput>, UsageError> {
    validate_password(
        args.password_file.as_deref(),
        std::env::var("REDISCLI_AUTH").ok(),
    )
}

/// At least one URL, from arguments, `--env NAME` or `$REDIS_URL`; every one of them text.
pub fn validate_targets(urls: &[OsString], env: &[String]) -> Result<Vec<String>, UsageError> {
    let mut out = urls
        .iter()
        .filter(|u| !is_blank_redis_url(u))
        .map(|u| validate_utf8(u))
        .collect::<Result<Vec<_>, _>>()?;
    for name in env {
        match std::env::var_os(name) {
            Some(v) if !v.to_string_lossy().trim().is_empty() => out
                .push(validate_utf8(&v).map_err(|e| UsageError(format!("--env {name}: {}", e.0)))?),
            _ => {
                return Err(UsageError(format!(
                    "--env {name}: the variable is not set or empty"
                )));
            }
        }
    }
    if out.is_empty() {
        return Err(no_url("redcheck"));
    }
    Ok(out)
}

/// A blank `REDIS_URL` (CI with a missing secret) is no URL at all, not a target to check.
/// clap hands its value over as if typed, so it is recognised by comparison.
pub fn is_blank_redis_url(url: &OsStr) -> bool {
    url.to_string_lossy().trim().is_empty()
        && std::env::var_os("REDIS_URL").is_some_and(|v| v.as_os_str() == url)
}

/// The usage error for a missing URL; `command` is how to call it with one.
pub fn no_url(command: &str) -> UsageError {
    let blank =
        std::env::var_os("REDIS_URL").is_some_and(|v| v.to_string_lossy().trim().is_empty());
    UsageError(format!(
        "no URL: pass one ({command} redis://host:6379) or set REDIS_URL{}",
        if blank { " (it is set but empty)" } else { "" }
    ))
}

/// A URL must be UTF-8; the error names the first bad byte but never echoes the URL, which
/// may hold a password.
fn validate_utf8(url: &OsStr) -> Result<String, UsageError> {
    if let Some(text) = url.to_str() {
        return Ok(text.to_string());
    }
    let bytes = url.as_encoded_bytes();
    let bad = std::str::from_utf8(bytes)
        .err()
        .and_then(|e| bytes.get(e.valid_up_to()).copied())
        .unwrap_or_default();
    Err(UsageError(format!(
        "the URL is not valid UTF-8 (byte 0x{bad:02X}): percent-encode such bytes (%{bad:02X})"
    )))
}

/// A connect attempt may not outlast the whole check.
fn validate_connect_timeout(t: &TimingArgs) -> Duration {
    t.connect_timeout.min(t.timeout)
}

/// Loads `--cacert` and `--cert/--key` once, so a bad file is a usage error naming the flag.
pub fn validate_tls(args: &TlsArgs) -> Result<TlsConfig, UsageError> {
    let cacert = match &args.cacert {
        Some(path) => {
            Some(trust::custom_roots(path, "--cacert").map_err(|e| UsageError(format!("{e:#}")))?)
        }
        None => None,
    };
    let identity = match (&args.cert, &args.key) {
        (Some(cert), Some(key)) => {
            Some(trust::load_identity(cert, key).map_err(|e| UsageError(format!("{e:#}")))?)
        }
        (None, None) => None,
        (Some(_), None) => {
            return Err(UsageError(
                "--cert needs --key: give the certificate's private key too".into(),
            ));
        }
        (None, Some(_)) => {
            return Err(UsageError(
                "--key needs --cert: give the certificate the key belongs to".into(),
            ));
        }
    };
    if let Some(sni) = &args.sni
        && rustls::pki_types::ServerName::try_from(sni.as_str()).is_err()
    {
        return Err(UsageError(format!(
            "--sni '{sni}' is not a valid DNS name or IP address"
        )));
    }
    Ok(TlsConfig {
        cacert,
        insecure: args.insecure,
        sni: args.sni.clone(),
        identity,
    })
}

/// Colour and progress are decided once, here.
pub fn output_config(args: &OutputArgs) -> OutputConfig {
    let stdout_tty = std::io::stdout().is_terminal();
    let stderr_tty = std::io::stderr().is_terminal();
    let env_says_no = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
        || std::env::var("TERM").is_ok_and(|t| t == "dumb");
    let color = match args.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        // GitHub's log shows annotations raw: escape codes would garble them.
        ColorChoice::Auto => stdout_tty && !env_says_no && args.format != Format::Github,
    };
    OutputConfig {
        format: args.format,
        color,
        progress: args.format == Format::Human && stderr_tty && !env_says_no,
        quiet: args.quiet,
        strict: args.strict,
        step_summary: (args.format == Format::Github)
            .then(|| std::env::var_os("GITHUB_STEP_SUMMARY"))
            .flatten()
            .filter(|p| !p.is_empty())
            .map(PathBuf::from),
    }
}

fn workload(u: UseArg) -> Workload {
    match u {
        UseArg::Cache => Workload::Cache,
        UseArg::Queue => Workload::Queue,
        UseArg::Session => Workload::Session,
        UseArg::Mixed => Workload::Mixed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_cap() {
        let b = Backoff {
            first: Duration::from_millis(500),
            max: Duration::from_secs(3),
        };
        let pauses: Vec<u128> = (1..=6).map(|n| b.pause(n).as_millis()).collect();
        assert_eq!(pauses, [500, 1000, 2000, 3000, 3000, 3000]);
        assert_eq!(b.pause(u32::MAX), Duration::from_secs(3));
    }

    #[test]
    fn max_interval_is_at_least_interval() {
        let args = RetryArgs {
            interval: Duration::from_secs(10),
            max_interval: Duration::from_secs(5),
            attempt_timeout: Duration::from_secs(1),
        };
        assert_eq!(validate_backoff(&args).max, Duration::from_secs(10));
    }

    #[test]
    fn password_file_strips_one_trailing_newline() {
        let dir = tempfile::tempdir().unwrap();
        let cases = [
            ("pw\n", "pw", true),
            ("pw\r\n", "pw", true),
            ("pw", "pw", false),
            ("pw\n\n", "pw\n", true),
        ];
        for (content, want, stripped) in cases {
            let path = dir.path().join("pw");
            std::fs::write(&path, content).unwrap();
            let got = validate_password(Some(&path), Some("env".into()))
                .unwrap()
                .unwrap();
            assert_eq!(got.secret.expose(), want, "{content:?}");
            assert_eq!(
                got.source,
                PasswordSource::File {
                    newline_stripped: stripped
                }
            );
        }
    }

    #[test]
    fn password_sources_and_their_errors() {
        let env = validate_password(None, Some("s3cret".into()))
            .unwrap()
            .unwrap();
        assert_eq!(env.source, PasswordSource::Env);
        assert!(
            validate_password(None, Some(String::new()))
                .unwrap()
                .is_none()
        );
        assert!(validate_password(None, None).unwrap().is_none());
        let dir = tempfile::tempdir().unwrap();
        let empty = dir.path().join("empty");
        std::fs::write(&empty, "\n").unwrap();
        let err = validate_password(Some(&empty), None).err().unwrap();
        assert!(err.0.starts_with("--password-file"), "{err}");
        let missing = validate_password(Some(&dir.path().join("nope")), None)
            .err()
            .unwrap();
        assert!(missing.0.starts_with("--password-file"), "{missing}");
    }

    #[cfg(unix)]
    #[test]
    fn a_url_that_is_not_utf8_is_named_without_echoing_it() {
        use std::os::unix::ffi::OsStrExt;
        let raw = OsStr::from_bytes(b"redis://:pa\xffss@host").to_os_string();
        let err = validate_targets(&[raw], &[]).unwrap_err().0;
        assert!(err.contains("not valid UTF-8 (byte 0xFF)"), "{err}");
        assert!(!err.contains("ss@host"), "{err}");
    }
}
