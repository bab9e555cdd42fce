//! `Cli` → a validated `Config`. Each rule is a `validate_*` function whose error names the flag.

use std::io::IsTerminal;
use std::sync::Arc;
use std::time::Duration;

use rustls::sign::CertifiedKey;

use crate::checks::Workload;
use crate::cli::{CheckArgs, ColorChoice, Format, OutputArgs, TlsArgs, TlsCommandArgs, UseArg};
use crate::trust::{self, Roots};

mod health;

pub use health::LatencyConfig;

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
    /// The stages after INFO this command asks for.
    pub extras: Extras,
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
#[derive(Debug, Clone, Copy)]
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
                timeout: args.conn.timeout,
                connect_timeout: validate_connect_timeout(
                    args.conn.connect_timeout,
                    args.conn.timeout,
                ),
                samples: usize::try_from(args.conn.samples).unwrap_or(usize::MAX),
                tls: validate_tls(&args.tls)?,
                handshake_only: false,
                extras: Extras {
                    cluster: true,
                    pubsub: true,
                    write: args.write_probe,
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
                timeout: args.timeout,
                connect_timeout: validate_connect_timeout(args.connect_timeout, args.timeout),
                samples: 0,
                tls: validate_tls(&args.tls)?,
                handshake_only: true,
                extras: Extras::default(),
            },
            workload: None,
            output: output_config(&args.output),
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

/// At least one URL, from arguments, `--env NAME` or `$REDIS_URL`.
pub fn validate_targets(urls: &[String], env: &[String]) -> Result<Vec<String>, UsageError> {
    let mut out = urls.to_vec();
    for name in env {
        match std::env::var(name) {
            Ok(v) if !v.trim().is_empty() => out.push(v),
            _ => {
                return Err(UsageError(format!(
                    "--env {name}: the variable is not set or empty"
                )));
            }
        }
    }
    if out.is_empty() {
        return Err(UsageError(
            "no URL: pass one (redcheck redis://host:6379) or set REDIS_URL".into(),
        ));
    }
    Ok(out)
}

/// A connect attempt may not outlast the whole check.
fn validate_connect_timeout(connect: Duration, total: Duration) -> Duration {
    connect.min(total)
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
        _ => return Err(UsageError("--cert and --key go together".into())),
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
        ColorChoice::Auto => stdout_tty && !env_says_no,
    };
    OutputConfig {
        format: args.format,
        color,
        progress: args.format == Format::Human && stderr_tty && !env_says_no,
        quiet: args.quiet,
        strict: args.strict,
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
