//! The checklist for people: one line per check, hints under problems, a summary line.

use std::io::{self, Write};

use colored::Colorize;

use crate::config::OutputConfig;
use crate::latency::show_ms;
use crate::report::{Report, Status};
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
            if failed > 0 {
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
        r.target.url
    )?;
    writeln!(out)?;
    let indent = " ".repeat(ID_WIDTH + 4);
    for c in &r.checks {
        if cfg.quiet && c.status < Status::Warn {
            continue;
        }
        let summary = match c.status {
            Status::Skip => format!("skipped: {}", c.summary).dimmed().to_string(),
            _ => c.summary.clone(),
        };
        writeln!(out, " {} {:<ID_WIDTH$} {summary}", mark(c.status), c.id)?;
        if c.status >= Status::Info
            && let Some(hint) = &c.hint
        {
            for line in hint.lines() {
                writeln!(out, "{indent}{} {}", "→".cyan(), line)?;
            }
        }
    }
    writeln!(out)?;
    let fails = r.count(Status::Fail);
    let warns = r.count(Status::Warn);
    let ran = r.checks.iter().filter(|c| c.status != Status::Skip).count();
    let mut parts = vec![match r.verdict {
        Status::Fail => "fail".red().bold().to_string(),
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

fn mark(s: Status) -> String {
    match s {
        Status::Pass => "✓".green().to_string(),
        Status::Info => "i".blue().to_string(),
        Status::Warn => "!".yellow().bold().to_string(),
        Status::Fail => "✘".red().bold().to_string(),
        Status::Skip => "-".dimmed().to_string(),
    }
}
