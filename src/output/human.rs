//! The checklist for people: one line per check, hints under problems, a summary line.

use std::io::{self, Write};

use colored::Colorize;

use crate::config::OutputConfig;
use crate::latency::show_ms;
use crate::output::{printable, printable_lines};
use crate::report::{Check, Report, Status};
use crate::text::plural;

/// Width of the check-id column.
const ID_WIDTH: usize = 11;

/// Writes every report, a blank line between them, and a total line for several targets.
pub fn write(out: &mut dyn Write, reports: &[Report], cfg: &OutputConfig) -> io::Result<()> {
    colored::control::set_override(cfg.color);
    for (i, r) in reports.iter().enumerate() {
        if i > 0 {
            writeln!(out)?;
        }
        write_one(out, r, cfg)?;
    }
    if reports.len() > 1 {
        let failed = reports.iter().filter(|r| r.verdict == Status::Fail).count();
        let warned = reports.iter().filter(|r| r.verdict == Status::Warn).count();
        let line = format!(
            "{} targets: {} passed, {} with warnings, {} failed",
            reports.len(),
            reports.len() - failed - warned,
            warned,
            failed
        );
        writeln!(
            out,
            "\n{}",
            if failed > 0 || (cfg.strict && warned > 0) {
                line.red().bold()
            } else {
                line.bold()
            }
        )?;
    }
    out.flush()
}

fn write_one(out: &mut dyn Write, r: &Report, cfg: &OutputConfig) -> io::Result<()> {
    writeln!(
        out,
        "{} {} · {}",
        r.tool.name.bold(),
        r.tool.version,
        printable(&r.target.url)
    )?;
    writeln!(out)?;
    let indent = " ".repeat(ID_WIDTH + 4);
    let shown: Vec<&Check> = r
        .checks
        .iter()
        .filter(|c| !cfg.quiet || c.status >= Status::Warn)
        .collect();
    for run in skip_runs(&shown) {
        let c = run[0];
        if run.len() > 1 {
            // A failed stage skips everything after it for one reason: say it once.
            let ids: Vec<&str> = run.iter().map(|c| c.id).collect();
            let why = format!("skipped: {}", printable(&c.summary)).dimmed();
            writeln!(out, " {} {} {why}", mark(Status::Skip), ids.join(", "))?;
            continue;
        }
        let summary = match c.status {
            Status::Skip => format!("skipped: {}", printable(&c.summary))
                .dimmed()
                .to_string(),
            _ => printable(&c.summary).into_owned(),
        };
        writeln!(out, " {} {:<ID_WIDTH$} {summary}", mark(c.status), c.id)?;
        if c.status >= Status::Info
            && let Some(hint) = &c.hint
        {
            for line in printable_lines(hint) {
                writeln!(out, "{indent}{} {}", "→".cyan(), line)?;
            }
        }
    }
    // Under -q a clean run has no lines: one blank line between header and summary, not two.
    if !shown.is_empty() {
        writeln!(out)?;
    }
    let fails = r.count(Status::Fail);
    let warns = r.count(Status::Warn);
    let ran = r.checks.iter().filter(|c| c.status != Status::Skip).count();
    let mut parts = vec![match r.verdict {
        Status::Fail => "fail".red().bold().to_string(),
        // The exit code is 1 because of --strict: the summary must not say "warn".
        Status::Warn if cfg.strict => "fail (--strict)".red().bold().to_string(),
        Status::Warn => "warn".yellow().bold().to_string(),
        _ => "pass".green().bold().to_string(),
    }];
    if fails > 0 {
        parts.push(format!("{fails} failed"));
    }
    if warns > 0 {
        parts.push(format!(
            "{warns} warning{}",
            if warns == 1 { "" } else { "s" }
        ));
    }
    parts.push(format!(
        "{} in {}",
        plural(ran, "check", "checks"),
        show_ms(r.elapsed_ms)
    ));
    writeln!(out, " {}", parts.join(" · "))
}

/// The checks in order, grouped so that consecutive skipped checks with the same reason
/// share a group; every other check is a group of its own.
fn skip_runs<'a>(checks: &[&'a Check]) -> Vec<Vec<&'a Check>> {
    let mut runs: Vec<Vec<&Check>> = Vec::new();
    for &c in checks {
        match runs.last_mut() {
            Some(last)
                if c.status == Status::Skip
                    && last[0].status == Status::Skip
                    && last[0].summary == c.summary =>
            {
                last.push(c);
            }
            _ => runs.push(vec![c]),
        }
    }
    runs
}

fn mark(s: Status) -> String {
    match s {
        Status::Pass => "✓".green().to_string(),
        Status::Info => "i".blue().to_string(),
        Status::Warn => "!".yellow().bold().to_string(),
        Status::Fail => "✘".red().bold().to_string(),
        Status::Skip => "-".dimmed().to_string(),
    }
}
