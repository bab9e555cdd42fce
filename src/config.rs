//! `Cli` → a validated `Config`. Each rule is a `validate_*` function whose error names the flag.

use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::cli::{
    CheckArgs, PasswordArgs, RetryArgs, TimingArgs, TlsCommandArgs, UseArg, WaitArgs,
};
use crate::secret::Secret;
use crate::url::PasswordSource;
use crate::url::sentinel::SentinelFlags;

mod health;
mod idle;
mod keys;
mod output;
mod serve;
mod targets;
mod tls;
mod workload;

pub use health::LatencyConfig;
pub use idle::IdleConfig;
pub use keys::KeysConfig;
pub use output::{OutputConfig, output_config};
use output::{file_output_config, validate_output_file, validate_writable};
pub use serve::ServeConfig;
pub use tls::{TlsConfig, validate_tls};
pub use workload::Workload;

pub use crate::usage::UsageError;

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
    /// `--sentinel-master`, `--sentinel-user`, `--sentinel-password`.
    pub sentinel: SentinelFlags,
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
    /// `CONFIG GET` of the idle timeout, keep-alive and client buffer limits.
    pub config: bool,
    /// The keyspace sample: `Some(0)` turned off by `--sample-keys 0`, `None` not asked.
    pub sample_keys: Option<usize>,
    /// How many sampled keys get TYPE and PTTL read (`--sample-read`).
    pub sample_read: usize,
    /// Time budget of the keyspace sample.
    pub sample_budget: Duration,
    /// `CLIENT LIST`: the shape of the other connections.
    pub connections: bool,
}

/// `--timeout`'s default, for commands without the flag (`url`).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

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
    /// `--output FILE`: where the report goes instead of stdout.
    pub output_file: Option<PathBuf>,
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
                tls: validate_tls(&args.tls, args.conn.timing.timeout)?,
                handshake_only: false,
                password: validate_password_args(&args.conn.password, args.conn.timing.timeout)?,
                extras: Extras {
                    cluster: true,
                    pubsub: true,
                    write: args.write_probe,
                    config: true,
                    sample_keys: Some(args.sample_keys),
                    sample_read: args.sample_read,
                    sample_budget: args.sample_budget,
                    connections: true,
                },
                sentinel: validate_sentinel(&args.sentinel)?,
            },
            workload: args.workload.map(workload),
            output: file_output_config(
                &args.output,
                args.output_file.as_deref(),
                args.conn.timing.timeout,
            ),
            output_file: validate_output_file(args.output_file.as_deref())?,
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
                tls: validate_tls(&args.tls, args.timing.timeout)?,
                handshake_only: true,
                password: None,
                extras: Extras::default(),
                sentinel: SentinelFlags::default(),
            },
            workload: None,
            output: output_config(&args.output, args.timing.timeout),
            output_file: None,
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

/// The Sentinel flags; an empty master name or password is a mistake, not "none".
fn validate_sentinel(args: &crate::cli::SentinelArgs) -> Result<SentinelFlags, UsageError> {
    if args.sentinel_master.as_deref().is_some_and(str::is_empty) {
        return Err(UsageError(
            "--sentinel-master needs the master's name as the Sentinels monitor it (e.g. mymaster)"
                .into(),
        ));
    }
    if args.sentinel_user.is_some() && args.sentinel_password.is_none() {
        return Err(UsageError(
            "--sentinel-user needs --sentinel-password (or REDCHECK_SENTINEL_PASSWORD)".into(),
        ));
    }
    Ok(SentinelFlags {
        master: args.sentinel_master.clone(),
        user: args.sentinel_user.clone(),
        password: args
            .sentinel_password
            .as_ref()
            .filter(|p| !p.is_empty())
            .map(Secret::new),
    })
}

/// `--max-interval` below `--interval` would shrink the first pause: raise it instead.
fn validate_backoff(args: &RetryArgs) -> Backoff {
    Backoff {
        first: args.interval,
        max: args.max_interval.max(args.interval),
    }
}

/// `--password-file` wins over `REDISCLI_AUTH`; one trailing newline is stripped from the
/// file because `echo` and secret stores add one, and the report says so. The file is read
/// within `within` (`--timeout`): it may be a pipe.
pub fn validate_password(
    file: Option<&Path>,
    env: Option<OsString>,
    within: Duration,
) -> Result<Option<PasswordInput>, UsageError> {
    if let Some(path) = file {
        let raw = String::from_utf8(crate::input::read(path, "--password-file", within)?).map_err(
            |_| {
                UsageError(format!(
                    "--password-file {}: the file is not valid UTF-8",
                    path.display()
                ))
            },
        )?;
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
    let Some(env) = env.filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    // Ignoring it would end in NOAUTH and the advice to set the variable that is set.
    let env = env.into_string().map_err(|_| {
        UsageError(
            "REDISCLI_AUTH is set but is not valid UTF-8: redcheck cannot send it; set it to the password as text, or use --password-file".into(),
        )
    })?;
    Ok(Some(PasswordInput {
        secret: Secret::new(env),
        source: PasswordSource::Env,
    }))
}

/// The password of `--password-file`, else `REDISCLI_AUTH`, for every command that authenticates.
fn validate_password_args(
    args: &PasswordArgs,
    within: Duration,
) -> Result<Option<PasswordInput>, UsageError> {
    validate_password(
        args.password_file.as_deref(),
        std::env::var_os("REDISCLI_AUTH"),
        within,
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

    /// Bound on reading a test's password file.
    const SECOND: Duration = Duration::from_secs(1);

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
            let got = validate_password(Some(&path), Some("env".into()), SECOND)
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
        let env = validate_password(None, Some("s3cret".into()), SECOND)
            .unwrap()
            .unwrap();
        assert_eq!(env.source, PasswordSource::Env);
        assert!(
            validate_password(None, Some(OsString::new()), SECOND)
                .unwrap()
                .is_none()
        );
        assert!(validate_password(None, None, SECOND).unwrap().is_none());
        let dir = tempfile::tempdir().unwrap();
        let empty = dir.path().join("empty");
        std::fs::write(&empty, "\n").unwrap();
        let err = validate_password(Some(&empty), None, SECOND).err().unwrap();
        assert!(err.0.starts_with("--password-file"), "{err}");
        let missing = validate_password(Some(&dir.path().join("nope")), None, SECOND)
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
