//! Wires a subcommand: config → probe → checks → output → exit code.

mod idle;
mod keys;
mod latency;
mod memory;
mod pool;
mod serve;

use std::ffi::OsStr;
use std::io::Write;
use std::sync::OnceLock;

use anyhow::Context;
use clap::CommandFactory;

use crate::checks::{self, Options};
use crate::cli::{CheckArgs, Cli, Command, TlsCommandArgs, UrlArgs};
use crate::config::{CheckConfig, Config, UsageError};
use crate::exit_code::ExitCode;
use crate::output::{self, progress::Progress};
use crate::probe::{self, Findings, Prepared};
use crate::report::{Report, Status, TlsReport};
use crate::trust::{self, Roots};
use crate::url::Target;

/// Runs the command line.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        None => check(&cli.check),
        Some(Command::Check(args)) => check(&args),
        Some(Command::Tls(args)) => tls(&args),
        Some(Command::Wait(args)) => crate::wait::run(&args),
        Some(Command::Url(args)) => explain_url(&args),
        Some(Command::Memory(args)) => memory::run(&args),
        Some(Command::Keys(args)) => keys::run(&args),
        Some(Command::Latency(args)) => latency::run(&args),
        Some(Command::Idle(args)) => idle::run(&args),
        Some(Command::Serve(args)) => serve::run(&args),
        Some(Command::Completions { shell }) => {
            // Into memory first: clap_complete panics when its writer fails (`> /dev/full`).
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "redcheck", &mut script);
            ExitCode::Success.after_writing(emit_generated(&script), "the completions")
        }
        Some(Command::Man) => {
            let mut page = Vec::new();
            clap_mangen::Man::new(Cli::command())
                .render(&mut page)
                .context("rendering the manual page")?;
            ExitCode::Success.after_writing(emit_generated(&page), "the manual page")
        }
    }
}

/// Writes generated text to stdout in one piece.
fn emit_generated(bytes: &[u8]) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(bytes)?;
    out.flush()
}

/// `redcheck url`: parse, lint and compare client readings; never touches the network.
fn explain_url(args: &UrlArgs) -> anyhow::Result<ExitCode> {
    let Some(raw) = args
        .url
        .as_ref()
        .filter(|u| !crate::config::is_blank_redis_url(OsStr::new(u)))
    else {
        return Err(crate::config::no_url("redcheck url").into());
    };
    let cfg = crate::config::output_config(&args.output, crate::config::DEFAULT_TIMEOUT);
    if cfg.format == crate::cli::Format::Openmetrics {
        return Err(UsageError(
            "redcheck url has no metrics: --format openmetrics is for check, wait, tls, memory and latency".into(),
        )
        .into());
    }
    let report = crate::clients::explain(raw);
    let mut out = output::stdout();
    let written = output::url::write(&mut out, &report, &cfg).and_then(|()| out.flush());
    let bad = report.verdict == Status::Fail || (cfg.strict && report.verdict == Status::Warn);
    let code = if bad {
        ExitCode::CheckFailed
    } else {
        ExitCode::Success
    };
    code.after_writing(written, "the report")
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
        write_probe: cfg.check.extras.write,
        ..Options::default()
    };
    let reports: Vec<Report> = findings
        .iter()
        .map(|f| checks::evaluate(f, &opts))
        .collect();
    emit(
        &reports,
        &cfg,
        ExitCode::for_reports(&reports, cfg.output.strict),
    )
}

/// Writes the reports of `check` or `wait` through the masking writer: to stdout, or
/// atomically to `--output FILE`. A closed stdout keeps `code`.
pub fn emit(reports: &[Report], cfg: &Config, code: ExitCode) -> anyhow::Result<ExitCode> {
    if let Some(path) = &cfg.output_file {
        let mut text = Vec::with_capacity(64 * 1024);
        {
            let mut masked = output::Masked::new(&mut text);
            output::write(&mut masked, reports, &cfg.output)
                .and_then(|()| masked.flush())
                .context("writing the report")?;
        }
        output::atomic::write(path, &text)
            .with_context(|| format!("--output {}", path.display()))?;
        return Ok(code);
    }
    let mut out = output::stdout();
    let written = output::write(&mut out, reports, &cfg.output).and_then(|()| out.flush());
    code.after_writing(written, "the report")
}

fn tls(args: &TlsCommandArgs) -> anyhow::Result<ExitCode> {
    let cfg = Config::from_tls(args)?;
    let prepared = prepare(&cfg.urls, &cfg.check)?;
    if let Some(p) = prepared.first()
        && let Ok(t) = &p.target
        && matches!(t.endpoint, crate::url::Endpoint::Unix(_))
    {
        return Err(UsageError(format!(
            "redcheck tls needs a host and port: {} is a Unix socket, which carries no TLS",
            p.shown
        ))
        .into());
    }
    if let Some(p) = prepared.first()
        && let Ok(t) = &p.target
        && t.sentinel.is_some()
    {
        return Err(UsageError(format!(
            "redcheck tls takes one server, and {} names Sentinels: redcheck with that URL shows the master they announce (and checks its TLS with rediss+sentinel://); then redcheck tls rediss://HOST:PORT",
            p.shown
        ))
        .into());
    }
    let progress = Progress::new(cfg.output.progress, "handshake");
    let findings = probe_all(&prepared, &cfg.check, &progress);
    progress.finish();
    let f = &findings[0];
    let opts = Options {
        handshake_report: true,
        ..Options::default()
    };
    let mut report = checks::evaluate(f, &opts);
    report
        .checks
        .retain(|c| matches!(c.id, "url" | "dns" | "tcp" | "scheme" | "tls"));
    if let Some(path) = &args.save_chain {
        match checks::presented_chain(f) {
            Some(chain) => {
                let pem: String = chain.iter().map(|c| crate::x509::to_pem(c)).collect();
                crate::input::write(path, pem.into_bytes(), cfg.check.timeout)
                    .with_context(|| format!("--save-chain {}", path.display()))?;
                output::eprint_line(&format!(
                    "redcheck: wrote {} certificate(s) to {}",
                    chain.len(),
                    path.display()
                ));
            }
            None => output::eprint_line(&format!(
                "redcheck: the server presented no certificate; {} not written",
                path.display()
            )),
        }
    }
    let report = TlsReport {
        handshake: checks::handshake(f),
        report,
    };
    let mut out = output::stdout();
    let written = output::tls::write(&mut out, &report, &cfg.output).and_then(|()| out.flush());
    ExitCode::for_reports(std::slice::from_ref(&report.report), cfg.output.strict)
        .after_writing(written, "the report")
}

/// Parses every URL, supplies a password from outside the URL when it has none and is the
/// only target, and loads
/// its trust roots. A CA file that cannot be read is a usage error; the system store is read
/// once, and only when a `rediss://` target needs it.
pub fn prepare(urls: &[String], cfg: &CheckConfig) -> Result<Vec<Prepared>, UsageError> {
    static SYSTEM: OnceLock<Roots> = OnceLock::new();
    let single = urls.len() == 1;
    urls.iter()
        .map(|raw| {
            let mut target = Target::parse(raw);
            if let Ok(t) = &mut target {
                t.apply_sentinel_flags(&cfg.sentinel);
            }
            if let Ok(t) = &mut target
                && cfg.handshake_only
                && matches!(t.endpoint, crate::url::Endpoint::Tcp { .. })
            {
                t.tls = true;
            }
            // Shown as given: a password supplied below must not make `:****@` appear.
            let shown = match &target {
                Ok(t) => t.to_string(),
                Err(_) => crate::url::redact_raw(raw),
            };
            // REDISCLI_AUTH and --password-file name no host: with several targets (say an
            // --env URL of another vendor) they would be sent to servers never meant to get them.
            match (&mut target, &cfg.password) {
                (Ok(t), Some(pw)) if single => {
                    t.supply_password(pw.secret.clone(), pw.source);
                }
                (Ok(t), Some(pw)) => t.decline_password(pw.source),
                _ => {}
            }
            let roots = match &target {
                Ok(t) if t.tls => Some(match (&cfg.tls.cacert, &t.ca_file) {
                    (Some(roots), _) => roots.clone(),
                    (None, Some(path)) => trust::custom_roots(path, "?ssl_ca_certs=", cfg.timeout)
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

/// Probes the targets concurrently, at most `pool::MAX_WORKERS` at once, keeping argument
/// order. Each target has its own `--timeout` from the moment it starts.
///
/// When no thread can start (a pids limit, `ulimit -v`), the targets are probed on this
/// thread, one after the other, within what is left of one overall `--timeout`.
pub fn probe_all(prepared: &[Prepared], cfg: &CheckConfig, progress: &Progress) -> Vec<Findings> {
    let on_stage = |name: &'static str| progress.stage(name);
    if prepared.len() == 1 {
        return vec![probe::run(&prepared[0], cfg, &on_stage)];
    }
    let overall = crate::deadline::Deadline::after(cfg.timeout);
    pool::map(prepared, |p, here| {
        if here {
            let left = CheckConfig {
                timeout: overall.left(),
                ..cfg.clone()
            };
            probe::run(p, &left, &on_stage)
        } else {
            probe::run(p, cfg, &on_stage)
        }
    })
}
