//! The flag groups several subcommands share (connection, timing, password, TLS, output) and
//! the value enums.

use std::ffi::OsString;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, ValueEnum};

/// One server and everything it takes to reach it (`memory`, `latency`, `idle`).
#[derive(Debug, Args, Clone)]
pub struct ServerArgs {
    /// The server (default: $REDIS_URL).
    #[arg(value_name = "URL", env = "REDIS_URL", hide_env_values = true)]
    pub url: Option<OsString>,

    /// Deadlines.
    #[command(flatten)]
    pub timing: TimingArgs,

    /// Where the password comes from when the URL has none.
    #[command(flatten)]
    pub password: PasswordArgs,

    /// TLS options.
    #[command(flatten)]
    pub tls: TlsArgs,

    /// Output options.
    #[command(flatten)]
    pub output: OutputArgs,
}

/// The deadlines every command that connects takes.
#[derive(Debug, Args, Clone)]
#[command(next_help_heading = "Connection")]
pub struct TimingArgs {
    /// Bound on the whole check of one target: 10, 2.5, 500ms, 2s.
    #[arg(long, value_name = "DUR", default_value = "10s", value_parser = parse_duration)]
    pub timeout: Duration,

    /// Bound on each TCP connect attempt.
    #[arg(long, value_name = "DUR", default_value = "3s", value_parser = parse_duration)]
    pub connect_timeout: Duration,
}

/// Timing, sampling and the password's source.
#[derive(Debug, Args, Clone)]
#[command(next_help_heading = "Connection")]
pub struct ConnArgs {
    /// Deadlines.
    #[command(flatten)]
    pub timing: TimingArgs,

    /// Number of PING round trips to time.
    #[arg(long, value_name = "N", default_value_t = 10, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub samples: u32,

    /// Where the password comes from when the URL has none.
    #[command(flatten)]
    pub password: PasswordArgs,
}

/// A password from outside the URL: every command that authenticates takes it.
#[derive(Debug, Args, Clone)]
#[command(next_help_heading = "Connection")]
pub struct PasswordArgs {
    /// Read the password from FILE when the URL has none (one trailing newline is stripped).
    /// REDISCLI_AUTH is read too, as redis-cli does; both keep the password out of argv.
    #[arg(long, value_name = "FILE")]
    pub password_file: Option<PathBuf>,
}

/// Trust and identity for `rediss://`.
#[derive(Debug, Args, Clone)]
#[command(next_help_heading = "TLS")]
pub struct TlsArgs {
    /// Trust the CA certificates in this PEM file instead of the system store.
    #[arg(long, value_name = "FILE")]
    pub cacert: Option<PathBuf>,

    /// Proceed even if the certificate does not verify (still reports what verification found).
    #[arg(long, short = 'k')]
    pub insecure: bool,

    /// Server name to send and verify instead of the URL's host (tunnels, port-forwards).
    #[arg(long, value_name = "NAME")]
    pub sni: Option<String>,

    /// Client certificate (PEM) for servers that require one; needs --key.
    // The pairing is checked in config.rs, whose error is one line (clap's is five).
    #[arg(long, value_name = "FILE")]
    pub cert: Option<PathBuf>,

    /// Private key (PEM) of --cert.
    #[arg(long, value_name = "FILE")]
    pub key: Option<PathBuf>,
}

/// How results are shown.
#[derive(Debug, Args, Clone)]
#[command(next_help_heading = "Output")]
pub struct OutputArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,

    /// When to use colour (NO_COLOR and TERM=dumb are honoured under auto).
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,

    /// Print only problems (warnings and failures) and the summary.
    #[arg(long, short)]
    pub quiet: bool,

    /// Exit 1 on warnings too.
    #[arg(long)]
    pub strict: bool,
}

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// A checklist for people.
    Human,
    /// One JSON object per target per line.
    Json,
    /// GitHub Actions: the checklist, ::error/::warning annotations and a step summary.
    Github,
    /// OpenMetrics text for Prometheus (node_exporter's textfile collector; see `serve`).
    Openmetrics,
}

/// What the database is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum UseArg {
    /// Everything can be recomputed: any key may be evicted.
    Cache,
    /// Jobs (BullMQ, Sidekiq, Celery…): nothing may be evicted.
    Queue,
    /// Sessions: nothing may be evicted before its TTL.
    Session,
    /// Some of each.
    Mixed,
}

/// Colour choice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// Colour when the stream is a terminal and NO_COLOR / TERM=dumb do not say otherwise.
    Auto,
    /// Always colour.
    Always,
    /// Never colour.
    Never,
}

/// Parses `2`, `2.5`, `500ms`, `2s`, `1m` into a duration.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let s = s.trim();
    let (num, unit) = match s.find(|c: char| c.is_ascii_alphabetic()) {
        Some(i) => s.split_at(i),
        None => (s, "s"),
    };
    let value: f64 = num
        .trim()
        .parse()
        .map_err(|_| format!("'{s}' is not a duration: use 2, 2.5, 500ms, 2s or 1m"))?;
    let secs = match unit {
        "ms" => value / 1000.0,
        "s" => value,
        "m" => value * 60.0,
        _ => return Err(format!("unknown unit '{unit}' in '{s}': use ms, s or m")),
    };
    if !secs.is_finite() || secs <= 0.0 || secs > 86_400.0 {
        return Err(format!("'{s}' must be more than 0 and at most a day"));
    }
    Ok(Duration::from_secs_f64(secs))
}
