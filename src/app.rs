//! Wires a subcommand: config → probe → checks → output → exit code.

mod keys;
mod latency;
mod memory;

use std::ffi::OsStr;
use std::io::Write;
use std::sync::OnceLock;
use std::thread;

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
        Some(Command::Completions { shell }) => {
            let mut cmd = Cli::command();
            clap_complete::generate(shell, &mut cmd, "redcheck", &mut std::io::stdout());
            Ok(ExitCode::Success)
        }
        Some(Command::Man) => {
            clap_mangen::Man::new(Cli::command())
                .render(&mut std::io::stdout())
                .context("writing the manual page")?;
            Ok(ExitCode::Success)
        }
    }
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
    let cfg = crate::config::output_config(&args.output);
    let report = crate::clients::explain(raw);
    let mut out = std::io::stdout().lock();
    output::url::write(&mut out, &report, &cfg).context("writing the report")?;
    out.flush().ok();
    let bad = report.verdict == Status::Fail || (cfg.strict && report.verdict == Status::Warn);
    Ok(if bad {
        ExitCode::CheckFailed
    } else {
        ExitCode::Success
    })
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
    let progress = Progress::new(cfg.output.progress, "handshake");
    let findings = probe_all(&prepared, &cfg.check, &progress);
    progress.finish();
    let f = &findings[0];
    let mut report = checks::evaluate(f, &Options::default());
    report
        .checks
        .retain(|c| matches!(c.id, "url" | "dns" | "tcp" | "scheme" | "tls"));
    if let Some(path) = &args.save_chain {
        match checks::presented_chain(f) {
            Some(chain) => {
                let pem: String = chain.iter().map(|c| crate::x509::to_pem(c)).collect();
                std::fs::write(path, pem)
                    .with_context(|| format!("--save-chain {}", path.display()))?;
                eprintln!(
                    "redcheck: wrote {} certificate(s) to {}",
                    chain.len(),
                    path.display()
                );
            }
            None => eprintln!(
                "redcheck: the server presented no certificate; {} not written",
                path.display()
            ),
        }
    }
    let report = TlsReport {
        handshake: checks::handshake(f),
        report,
    };
    let mut out = std::io::stdout().lock();
    output::tls::write(&mut out, &report, &cfg.output).context("writing the report")?;
    Ok(ExitCode::for_reports(
        std::slice::from_ref(&report.report),
        cfg.output.strict,
    ))
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
