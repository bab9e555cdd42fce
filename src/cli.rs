//! Command-line interface: clap types only; `config.rs` turns them into a validated config.

use std::ffi::OsString;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};

mod flags;

pub use flags::*;

/// `--sample-read`'s default: TYPE and PTTL of this many sampled keys (16 commands).
pub const SAMPLE_READ: usize = 8;

/// A doctor for Redis connections: walks URL, DNS, TCP, TLS, AUTH, PING and server facts,
/// and says what is wrong and how to fix it.
#[derive(Debug, Parser)]
#[command(
    name = "redcheck",
    version,
    args_conflicts_with_subcommands = true,
    after_help = "Exit codes: 0 no check failed, 1 a check failed, 2 usage error, 3 redcheck's own failure.\n\
                  The default run writes no key: connection, PING, INFO and introspection commands (a keyspace\n\
                  sample: SCAN, TYPE, PTTL, DBSIZE; and CLIENT LIST), and one PUBLISH to a random channel its\n\
                  own second connection subscribes to (--write-probe writes a key)."
)]
pub struct Cli {
    /// What to do (default: check).
    #[command(subcommand)]
    pub command: Option<Command>,

    /// Options of the default `check` command.
    #[command(flatten)]
    pub check: CheckArgs,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
// Parsed once per run: boxing the big variants would buy nothing.
#[allow(clippy::large_enum_variant)]
pub enum Command {
    /// Check one or more Redis URLs stage by stage (the default).
    Check(CheckArgs),
    /// Handshake only: the whole certificate chain, version, cipher and trust verdict.
    #[command(mut_arg("timeout", |a| a.help("Bound on the whole handshake: 10, 2.5, 500ms, 2s")))]
    Tls(TlsCommandArgs),
    /// Retry the check until every target passes or --timeout runs out (CI preflight).
    #[command(mut_arg("timeout", |a| {
        a.default_value("60s")
            .help("Give up after this long: the whole wait, every attempt included")
    }))]
    Wait(WaitArgs),
    /// Explain a URL offline: its parts, its lints, and how each client library reads it.
    Url(UrlArgs),
    /// Memory, eviction, keyspace and clients: the verdicts and the numbers behind them.
    Memory(MemoryArgs),
    /// How the app uses Redis: namespaces, estimated keys, TTLs, memory and inferred workloads.
    #[command(after_help = KEYS_AFTER_HELP)]
    Keys(KeysArgs),
    /// Round-trip latency: PING samples, running percentiles, and a histogram at the end.
    #[command(mut_arg("timeout", |a| a.help("Bound on connecting, and on each round trip")))]
    Latency(LatencyArgs),
    /// How long a connection may sit idle before something on the path cuts it: a ladder of
    /// idle connections, one PING each, and who cut (server timeout, reset, or silence).
    #[command(mut_arg("timeout", |a| {
        a.help("Bound on connecting, and on each probe's answer (silence past it: the flow was dropped)")
    }))]
    Idle(IdleArgs),
    /// Serve /probe?target= and /metrics to Prometheus, in the blackbox_exporter style.
    #[command(mut_arg("timeout", |a| {
        a.help("Bound on each probe; Prometheus' X-Prometheus-Scrape-Timeout-Seconds lowers it")
    }))]
    Serve(ServeArgs),
    /// Print a shell completion script.
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff): redcheck man | man -l -
    Man,
}

/// `wait`: everything `check` takes, plus the retry schedule.
#[derive(Debug, Args, Clone)]
pub struct WaitArgs {
    /// What to check.
    #[command(flatten)]
    pub check: CheckArgs,

    /// The retry schedule.
    #[command(flatten)]
    pub retry: RetryArgs,
}

/// How often `wait` tries again.
#[derive(Debug, Args, Clone)]
#[command(next_help_heading = "Retry")]
pub struct RetryArgs {
    /// Pause after the first failed attempt; it doubles after each further one.
    #[arg(long, value_name = "DUR", default_value = "1s", value_parser = parse_duration)]
    pub interval: Duration,

    /// Longest pause between attempts (at least --interval).
    #[arg(long, value_name = "DUR", default_value = "5s", value_parser = parse_duration)]
    pub max_interval: Duration,

    /// Bound on each attempt; never beyond what is left of --timeout.
    #[arg(long, value_name = "DUR", default_value = "10s", value_parser = parse_duration)]
    pub attempt_timeout: Duration,
}

/// `serve`: where to listen, what may be probed, and how each probe runs.
#[derive(Debug, Args, Clone)]
pub struct ServeArgs {
    /// Address to listen on; anything but loopback must be given here (0.0.0.0:9121 for all).
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:9121")]
    pub listen: String,

    /// TOML file of named targets: name → url (or url_env), password_env or password_file.
    /// /probe?target=NAME then needs no URL, and no secret, in Prometheus' configuration.
    #[arg(long, value_name = "FILE")]
    pub targets: Option<PathBuf>,

    /// Also probe a raw URL given as ?target= (refused when it holds a password).
    #[arg(long)]
    pub allow_url_targets: bool,

    /// Probes that run at once; further requests wait in a bounded queue.
    #[arg(long, value_name = "N", default_value_t = 8, value_parser = clap::value_parser!(u32).range(1..=256))]
    pub concurrency: u32,

    /// What the databases hold, to judge eviction; a target's `use` in --targets wins.
    #[arg(long = "use", value_enum, value_name = "WORKLOAD")]
    pub workload: Option<UseArg>,

    /// Number of PING round trips each probe times.
    #[arg(long, value_name = "N", default_value_t = 10, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub samples: u32,

    /// Deadlines.
    #[command(flatten)]
    pub timing: TimingArgs,

    /// TLS options.
    #[command(flatten)]
    pub tls: TlsArgs,
}

/// `url`: one URL and how to show it.
#[derive(Debug, Args, Clone)]
pub struct UrlArgs {
    /// The URL to explain (default: $REDIS_URL). Nothing is sent anywhere.
    #[arg(value_name = "URL", env = "REDIS_URL", hide_env_values = true)]
    pub url: Option<String>,

    /// Output options.
    #[command(flatten)]
    pub output: OutputArgs,
}

/// Targets and everything a check needs.
#[derive(Debug, Args, Clone)]
pub struct CheckArgs {
    /// Redis URLs: redis://, rediss://, valkey://, valkeys://, unix://, redis+sentinel://
    /// (default: $REDIS_URL).
    // OS strings, so a URL that is not UTF-8 gets redcheck's one-line error, not clap's.
    #[arg(value_name = "URL", env = "REDIS_URL", hide_env_values = true)]
    pub urls: Vec<OsString>,

    /// Also check the URL in this environment variable (repeatable), e.g. --env CACHE_URL.
    #[arg(long = "env", value_name = "NAME")]
    pub env: Vec<String>,

    /// What the database holds; judges the eviction policy against it.
    #[arg(long = "use", value_enum, value_name = "WORKLOAD")]
    pub workload: Option<UseArg>,

    /// Also SET, GET and DEL a random key (30 s TTL) to see whether writes are accepted.
    /// Off by default: the default run is read-only.
    #[arg(long)]
    pub write_probe: bool,

    /// Keys to sample by name (SCAN; no values) to see how the app uses Redis: queues,
    /// sessions, caches. 0 turns the sample off.
    #[arg(long, value_name = "N", default_value_t = 1000)]
    pub sample_keys: usize,

    /// Of the sampled keys, read TYPE and PTTL of this many, spread over the namespaces (the
    /// biggest first). Each costs the server two commands; `redcheck keys` reads every key.
    #[arg(long, value_name = "N", default_value_t = SAMPLE_READ)]
    pub sample_read: usize,

    /// Time budget of the keyspace sample.
    #[arg(long, value_name = "DUR", default_value = "100ms", value_parser = parse_duration)]
    pub sample_budget: Duration,

    /// Connection and timing options.
    #[command(flatten)]
    pub conn: ConnArgs,

    /// Sentinel options.
    #[command(flatten)]
    pub sentinel: SentinelArgs,

    /// TLS options.
    #[command(flatten)]
    pub tls: TlsArgs,

    /// Output options.
    #[command(flatten)]
    pub output: OutputArgs,

    /// Write the report to FILE instead of stdout, atomically (written beside it, then
    /// renamed over it): for node_exporter's textfile collector with --format openmetrics.
    #[arg(long = "output", value_name = "FILE", help_heading = "Output")]
    pub output_file: Option<PathBuf>,
}

/// Redis behind Sentinel: the URL's credentials go to the data nodes, these to the Sentinels.
#[derive(Debug, Args, Clone)]
#[command(next_help_heading = "Sentinel")]
pub struct SentinelArgs {
    /// The URL is a Sentinel: ask it for this master and check that (same as
    /// redis+sentinel://host:26379/NAME).
    #[arg(long, value_name = "NAME")]
    pub sentinel_master: Option<String>,

    /// Password for the Sentinels (their requirepass), when the URL has no ?sentinel_password=.
    /// The URL's own password goes to the master and replicas.
    #[arg(
        long,
        value_name = "PASSWORD",
        env = "REDCHECK_SENTINEL_PASSWORD",
        hide_env_values = true
    )]
    pub sentinel_password: Option<String>,

    /// ACL user for the Sentinels (with --sentinel-password).
    #[arg(long, value_name = "USER")]
    pub sentinel_user: Option<String>,
}

/// Arguments of `redcheck tls`.
#[derive(Debug, Args, Clone)]
pub struct TlsCommandArgs {
    /// The server (default: $REDIS_URL); TLS is spoken whatever the scheme says.
    #[arg(value_name = "URL", env = "REDIS_URL", hide_env_values = true)]
    pub url: Option<OsString>,

    /// Write the chain the server presented to FILE as PEM (to inspect, or to pass to --cacert).
    #[arg(long, value_name = "FILE")]
    pub save_chain: Option<PathBuf>,

    /// Deadlines.
    #[command(flatten)]
    pub timing: TimingArgs,

    /// TLS options.
    #[command(flatten)]
    pub tls: TlsArgs,

    /// Output options.
    #[command(flatten)]
    pub output: OutputArgs,
}

/// Arguments of `redcheck memory`.
#[derive(Debug, Args, Clone)]
pub struct MemoryArgs {
    /// What the database holds; judges the eviction policy against it.
    #[arg(long = "use", value_enum, value_name = "WORKLOAD")]
    pub workload: Option<UseArg>,

    /// The server and how to reach it.
    #[command(flatten)]
    pub server: ServerArgs,
}

/// What `redcheck keys` sends, for `--help`.
const KEYS_AFTER_HELP: &str = "Commands sent: the connection checks (HELLO or AUTH, PING, INFO; in a cluster CLUSTER INFO,\n\
    MYID and SHARDS, and a connection to each node),\n\
    then per database (SELECT) and per cluster primary: DBSIZE, SCAN cursor [MATCH GLOB] COUNT <=1000,\n\
    and per sampled key TYPE and PTTL (MEMORY USAGE key SAMPLES 5 on about 3,000 of them), pipelined\n\
    one batch at a time. Never KEYS, never a value read, nothing written. After each batch it pauses\n\
    14 times as long as the batch took: round trips fill at most 1/15 of the run, and the server's own\n\
    CPU time a few percent (docs/benchmarks.md).";

/// Arguments of `redcheck keys`.
#[derive(Debug, Args, Clone)]
pub struct KeysArgs {
    /// Only this database (default: every database that holds keys).
    #[arg(long, value_name = "N")]
    pub db: Option<u32>,

    /// Keys to sample per database (per primary in a cluster).
    #[arg(long, value_name = "N", default_value_t = 15_000, value_parser = clap::value_parser!(u64).range(1..=10_000_000))]
    pub sample: u64,

    /// Time budget per database, pauses included: 500ms, 2s, 1m.
    #[arg(long, value_name = "DUR", default_value = "2s", value_parser = parse_duration)]
    pub budget: Duration,

    /// Only keys matching this glob (SCAN MATCH), e.g. 'sess:*'.
    #[arg(long, value_name = "GLOB")]
    pub pattern: Option<String>,

    /// What the database holds: judges the eviction policy against it instead of the sample.
    #[arg(long = "use", value_enum, value_name = "WORKLOAD")]
    pub workload: Option<UseArg>,

    /// The server and how to reach it.
    #[command(flatten)]
    pub server: ServerArgs,
}

/// Arguments of `redcheck latency`.
#[derive(Debug, Args, Clone)]
pub struct LatencyArgs {
    /// Number of PING round trips.
    #[arg(long, value_name = "N", default_value_t = 100, value_parser = clap::value_parser!(u64).range(1..=10_000_000))]
    pub count: u64,

    /// Time from the start of one round trip to the start of the next: 10ms, 0.5s.
    #[arg(long, value_name = "DUR", default_value = "10ms", value_parser = parse_duration)]
    pub interval: Duration,

    /// Sample until Ctrl-C, showing running p50/p99; the histogram is printed at the end.
    #[arg(long, conflicts_with = "count")]
    pub watch: bool,

    /// The server and how to reach it.
    #[command(flatten)]
    pub server: ServerArgs,
}

/// Arguments of `redcheck idle`.
#[derive(Debug, Args, Clone)]
pub struct IdleArgs {
    /// Longest idle time to try; the ladder is 10s, 30s, 1m, 2m, 4m, 6m, 10m, 15m, 20m, 30m,
    /// 45m, 60m up to it (and it).
    #[arg(long = "for", value_name = "DUR", default_value = "10m", value_parser = parse_duration)]
    pub idle_for: Duration,

    /// Idle times to try instead of the default ladder, comma-separated: 5s,20s,1m.
    #[arg(long, value_name = "LIST", value_delimiter = ',', value_parser = parse_duration, conflicts_with = "idle_for")]
    pub ladder: Vec<Duration>,

    /// Turn TCP keep-alive on at this interval on every connection, to see whether it keeps
    /// them alive: 30s, 1m.
    #[arg(long, value_name = "DUR", value_parser = parse_duration)]
    pub keepalive: Option<Duration>,

    /// The server and how to reach it.
    #[command(flatten)]
    pub server: ServerArgs,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_is_well_formed() {
        Cli::command().debug_assert();
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("2"), Ok(Duration::from_secs(2)));
        assert_eq!(parse_duration("2.5"), Ok(Duration::from_millis(2500)));
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("2s"), Ok(Duration::from_secs(2)));
        assert_eq!(parse_duration("1m"), Ok(Duration::from_secs(60)));
        for bad in ["", "0", "-1", "abc", "2h", "nan", "1e10"] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
    }
}
