//! `redcheck memory`: config → probe (no pub/sub, cluster or write) → the memory verdicts and
//! the numbers behind them.

use crate::checks::{self, Options};
use crate::cli::MemoryArgs;
use crate::config::Config;
use crate::exit_code::ExitCode;
use crate::output::{self, progress::Progress};
use crate::report::MemoryReport;
use crate::verdict::CheckId;

/// The checks this command shows; a failure elsewhere is shown too, since it explains why
/// these could not run.
const SHOWN: [CheckId; 4] = [
    CheckId::Memory,
    CheckId::Eviction,
    CheckId::Keyspace,
    CheckId::Clients,
];

/// Runs `redcheck memory`.
pub fn run(args: &MemoryArgs) -> anyhow::Result<ExitCode> {
    let cfg = Config::from_memory(args)?;
    let prepared = crate::probe::prepare(&cfg.urls, &cfg.check)?;
    let progress = Progress::new(cfg.output.progress, "memory");
    let findings = crate::probe::probe_all(&prepared, &cfg.check, &|s| progress.stage(s));
    progress.finish();
    let f = &findings[0];
    let opts = Options {
        workload: cfg.workload,
        write_probe: false,
        ..Options::default()
    };
    let mut report = checks::evaluate(f, &opts);
    checks::retain_shown(&mut report, &SHOWN);
    checks::warn_if_nothing_read(&mut report, f);
    let report = MemoryReport {
        numbers: checks::memory_numbers(f),
        report,
    };
    let code = ExitCode::for_reports(std::slice::from_ref(&report.report), cfg.output.strict);
    super::finish(code, |out| output::memory::write(out, &report, &cfg.output))
}
