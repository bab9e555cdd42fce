//! `redcheck latency`: connect as the doctor does (URL … AUTH), then time PING round trips
//! until the count is reached or Ctrl-C, and print the statistics and a histogram.

use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Instant;

use anyhow::Context;

use crate::checks::{self, Options};
use crate::cli::LatencyArgs;
use crate::config::LatencyConfig;
use crate::exit_code::ExitCode;
use crate::output::latency::Live;
use crate::output::{self, progress::Progress};
use crate::probe::{self, sampler};
use crate::report::LatencyReport;
use crate::verdict::{CheckId, millis};

/// The connection checks shown above the statistics.
const SHOWN: [CheckId; 6] = [
    CheckId::Url,
    CheckId::Dns,
    CheckId::Tcp,
    CheckId::Scheme,
    CheckId::Tls,
    CheckId::Auth,
];

/// Runs `redcheck latency`.
pub fn run(args: &LatencyArgs) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    let cfg = LatencyConfig::from_args(args)?;
    let prepared = crate::probe::prepare(&cfg.base.urls, &cfg.base.check)?;
    let progress = Progress::new(cfg.base.output.progress, "connecting");
    let (findings, conn) = probe::run_open(&prepared[0], &cfg.base.check, &|s| progress.stage(s));
    progress.finish();
    let mut report = checks::evaluate(&findings, &Options::default());
    checks::retain_shown(&mut report, &SHOWN);
    let latency = match conn {
        Some(mut conn) => {
            // Ctrl-C raises the flag instead of killing the process, so the histogram of
            // what was sampled still gets printed.
            let stop = Arc::new(AtomicBool::new(false));
            signal_hook::flag::register(signal_hook::consts::SIGINT, Arc::clone(&stop))
                .context("installing the Ctrl-C handler")?;
            let plan = sampler::Plan {
                count: cfg.count,
                interval: cfg.interval,
                per_sample: cfg.per_sample,
            };
            let mut live = Live::new(cfg.base.output.progress, cfg.count);
            let (samples, ended) = sampler::sample(&mut conn, plan, &stop, &mut |s| live.update(s));
            live.finish();
            let (check, summary) = checks::latency(&findings, &samples, &ended, cfg.interval);
            report.checks.push(check);
            // Added after `evaluate` masked the rest: its server text is masked the same way.
            checks::scrub::report(&mut report, &crate::secret::Masker::current());
            checks::retain(&mut report, |_| true);
            Some(summary)
        }
        None => None,
    };
    // The run is the probe plus the sampling; the probe alone took a few milliseconds.
    report.elapsed_ms = millis(started.elapsed());
    let report = LatencyReport { report, latency };
    let code = ExitCode::for_reports(std::slice::from_ref(&report.report), cfg.base.output.strict);
    super::finish(code, |out| {
        output::latency::write(out, &report, &cfg.base.output)
    })
}
