//! `redcheck idle`: connect as the doctor does (URL … AUTH, INFO, CONFIG GET), then hold one
//! idle connection per rung of the ladder, PING each when its time comes, and say how long a
//! connection may sit idle on this path and who cuts it.

use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Instant;

use anyhow::Context;

use crate::checks::{self, Options};
use crate::cli::IdleArgs;
use crate::config::IdleConfig;
use crate::deadline::Deadline;
use crate::exit_code::ExitCode;
use crate::output::idle::Live;
use crate::output::{self, progress::Progress};
use crate::probe::{self, reach};
use crate::report::IdleReport;
use crate::verdict::{CheckId, millis};

/// The checks shown above the ladder: how the connection was made, and what the server
/// says about idle clients.
const SHOWN: [CheckId; 8] = [
    CheckId::Url,
    CheckId::Dns,
    CheckId::Tcp,
    CheckId::Scheme,
    CheckId::Tls,
    CheckId::Auth,
    CheckId::Ping,
    CheckId::Resets,
];

/// Runs `redcheck idle`.
pub fn run(args: &IdleArgs) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    let cfg = IdleConfig::from_args(args)?;
    let prepared = crate::probe::prepare(&cfg.base.urls, &cfg.base.check)?;
    let prep = &prepared[0];
    let progress = Progress::new(cfg.base.output.progress, "connecting");
    let (findings, conn) = probe::run_open(prep, &cfg.base.check, &|s| progress.stage(s));
    progress.finish();
    let mut report = checks::evaluate(&findings, &Options::default());
    checks::retain_shown(&mut report, &SHOWN);
    let idle = match (conn, &findings.target) {
        (Some(first), Some(target)) => {
            // The ladder's connections are opened alike, right after the first, which had
            // traffic; it is closed so only idle connections are held.
            drop(first);
            let deadline = Deadline::after(cfg.base.check.timeout);
            let conns: Vec<_> = cfg
                .ladder
                .iter()
                .map(|_| {
                    reach::session(
                        &findings,
                        target,
                        prep.roots.as_ref(),
                        &cfg.base.check,
                        deadline,
                    )
                    .map(|(conn, _)| conn)
                })
                .collect();
            if let Some(every) = cfg.keepalive {
                for conn in conns.iter().flatten() {
                    probe::idle::set_keepalive(conn, every).context("setting TCP keep-alive")?;
                }
            }
            // Ctrl-C raises the flag instead of killing the process, so what was learned so
            // far is still reported.
            let stop = Arc::new(AtomicBool::new(false));
            signal_hook::flag::register(signal_hook::consts::SIGINT, Arc::clone(&stop))
                .context("installing the Ctrl-C handler")?;
            let held = conns.iter().filter(|c| c.is_ok()).count();
            let longest = cfg.ladder.last().copied().unwrap_or_default();
            let mut live = Live::new(&cfg.base.output, held, longest);
            let ladder = probe::idle::run(
                &cfg.ladder,
                conns,
                cfg.keepalive,
                cfg.answer_within,
                &stop,
                &mut |e| live.event(e),
            );
            live.finish();
            let (check, summary) = checks::idle(&findings, &ladder, cfg.answer_within);
            report.checks.push(check);
            checks::retain(&mut report, |_| true);
            Some(summary)
        }
        _ => None,
    };
    report.elapsed_ms = millis(started.elapsed());
    let report = IdleReport { report, idle };
    let code = ExitCode::for_reports(std::slice::from_ref(&report.report), cfg.base.output.strict);
    super::finish(code, |out| {
        output::idle::write(out, &report, &cfg.base.output)
    })
}
