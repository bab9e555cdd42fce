//! Wires a subcommand: config → probe → checks → output → exit code.

mod idle;
mod keys;
mod latency;
mod memory;
mod serve;
mod wait;

use std::ffi::OsStr;
use std::io::Write;

use anyhow::Context;
use clap::CommandFactory;

use crate::checks::{self, Options};
use crate::cli::{CheckArgs, Cli, Command, TlsCommandArgs, UrlArgs};
use crate::config::{Config, UsageError};
use crate::exit_code::ExitCode;
use crate::output::{self, progress::Progress};
use crate::probe::{prepare, probe_all, probe_all_then};
use crate::report::{Report, TlsReport};
use crate::verdict::CheckId;

/// Runs the command line.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        None => check(&cli.check),
        Some(Command::Check(args)) => check(&args),
        Some(Command::Tls(args)) => tls(&args),
        Some(Command::Wait(args)) => wait::run(&args),
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
    let mut out = output::stdout();
    out.write_all(bytes)?;
    out.flush()
}

/// The one ending of every runner: render to stdout through the masking writer, then the
/// exit code, which a closed stdout (`| head -1`) does not change.
pub fn finish(
    code: ExitCode,
    render: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> anyhow::Result<ExitCode> {
    let mut out = output::stdout();
    let written = render(&mut out).and_then(|()| out.flush());
    code.after_writing(written, "the report")
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
    let report = crate::report::url::explain(raw);
    let code = if report.verdict.fails(cfg.strict) {
        ExitCode::CheckFailed
    } else {
        ExitCode::Success
    };
    finish(code, |out| output::url::write(out, &report, &cfg))
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
    let opts = Options {
        workload: cfg.workload,
        write_probe: cfg.check.extras.write,
        ..Options::default()
    };
    let reports = probe_all_then(&prepared, &cfg.check, &|s| progress.stage(s), |f| {
        checks::evaluate(&f, &opts)
    });
    progress.finish();
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
    finish(code, |out| output::write(out, reports, &cfg.output))
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
    let findings = probe_all(&prepared, &cfg.check, &|s| progress.stage(s));
    progress.finish();
    let f = &findings[0];
    let opts = Options {
        handshake_report: true,
        ..Options::default()
    };
    let mut report = checks::evaluate(f, &opts);
    report.checks.retain(|c| {
        matches!(
            c.id,
            CheckId::Url | CheckId::Dns | CheckId::Tcp | CheckId::Scheme | CheckId::Tls
        )
    });
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
    let code = ExitCode::for_reports(std::slice::from_ref(&report.report), cfg.output.strict);
    finish(code, |out| output::tls::write(out, &report, &cfg.output))
}
