//! Wires a subcommand: config → probe → checks → output → exit code.

use std::io::Write;
use std::sync::OnceLock;
use std::thread;

use anyhow::Context;
use clap::CommandFactory;

use crate::checks::{self, Options};
use crate::cli::{CheckArgs, Cli, Command};
use crate::config::{CheckConfig, Config, UsageError};
use crate::exit_code::ExitCode;
use crate::output::{self, progress::Progress};
use crate::probe::{self, Findings, Prepared};
use crate::report::Report;
use crate::trust::{self, Roots};
use crate::url::Target;

/// Runs the command line.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        None => check(&cli.check),
        Some(Command::Check(args)) => check(&args),
        Some(Command::Completions { shell }) => {
            let mut cmd = Cli::command();
            clap_complete::generate(shell, &mut cmd, "redcheck", &mut std::io::stdout());
            Ok(ExitCode::Success)
        }
    }
}

fn check(args: &CheckArgs) -> anyhow::Result<ExitCode> {
    let cfg = Config::from_check(args)?;
    let prepared = prepare(&cfg.urls, &cfg.check)?;
    let what = if prepared.len() == 1 {
        "checking".to_string()
    } else {
        format!("checking {} targets", prepared.len())
    };
    let progress = Progress::new(cfg.output.progress, &what);
    let findings = probe_all(&prepared, &cfg.check, &progress);
    progress.finish();
    let opts = Options {
        workload: cfg.workload,
    };
    let reports: Vec<Report> = findings
        .iter()
        .map(|f| checks::evaluate(f, &opts))
        .collect();
    // Serializers write in small pieces; stdout's line buffer would scan each one for '\n'.
    let mut out = std::io::BufWriter::with_capacity(64 * 1024, std::io::stdout().lock());
    output::write(&mut out, &reports, &cfg.output).context("writing the report")?;
    out.flush().ok();
    Ok(ExitCode::for_reports(&reports, cfg.output.strict))
}

/// Parses every URL and loads its trust roots. A CA file that cannot be read is a usage
/// error; the system store is read once, and only when a `rediss://` target needs it.
pub fn prepare(urls: &[String], cfg: &CheckConfig) -> Result<Vec<Prepared>, UsageError> {
    static SYSTEM: OnceLock<Roots> = OnceLock::new();
    urls.iter()
        .map(|raw| {
            let target = Target::parse(raw);
            let shown = match &target {
                Ok(t) => t.to_string(),
                Err(_) => crate::url::redact_raw(raw),
            };
            let roots = match &target {
                Ok(t) if t.tls => Some(match (&cfg.tls.cacert, &t.ca_file) {
                    (Some(roots), _) => roots.clone(),
                    (None, Some(path)) => trust::custom_roots(path, "?ssl_ca_certs=")
                        .map_err(|e| UsageError(format!("{e:#}")))?,
                    (None, None) => SYSTEM.get_or_init(trust::system_roots).clone(),
                }),
                _ => None,
            };
            Ok(Prepared {
                shown,
                target,
                roots,
            })
        })
        .collect()
}

/// Probes every target at once (one thread each), keeping argument order.
pub fn probe_all(prepared: &[Prepared], cfg: &CheckConfig, progress: &Progress) -> Vec<Findings> {
    let on_stage = |name: &'static str| progress.stage(name);
    if prepared.len() == 1 {
        return vec![probe::run(&prepared[0], cfg, &on_stage)];
    }
    thread::scope(|s| {
        let handles: Vec<_> = prepared
            .iter()
            .map(|p| s.spawn(|| probe::run(p, cfg, &on_stage)))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("a probe thread panicked"))
            .collect()
    })
}
