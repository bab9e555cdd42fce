//! The checklist for people: one line per check, hints under problems, a summary line.

use std::io::{self, Write};

use colored::Colorize;

use crate::config::OutputConfig;
use crate::latency::show_ms;
use crate::report::Report;
use crate::text::plural;
use crate::text::{printable, printable_lines};
use crate::verdict::{Check, CheckId, Status};

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
    if !cfg.quiet {
        write_topology(out, r)?;
    }
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
            let ids: Vec<&str> = run.iter().map(|c| c.id.as_str()).collect();
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

/// The Sentinel topology (the `sentinel` check's `data`) as a section before the checklist:
/// each Sentinel and what it announces, the master, the replicas.
fn write_topology(out: &mut dyn Write, r: &Report) -> io::Result<()> {
    let Some(topo) = r.topology() else {
        return Ok(());
    };
    let quorum = topo
        .quorum
        .map(|q| format!(" · quorum {q}"))
        .unwrap_or_default();
    writeln!(
        out,
        " {} {}{quorum}",
        "topology".bold(),
        printable(&topo.master_name)
    )?;
    let width = topo
        .sentinels
        .iter()
        .map(|s| s.address.len())
        .chain(topo.replicas.iter().map(|s| s.address.len()))
        .chain(topo.master.iter().map(String::len))
        .max()
        .unwrap_or(0);
    for s in &topo.sentinels {
        let line = if s.ok {
            let says = match &s.master {
                Some(m) => format!("announces {}", printable(m)),
                None => format!("does not know {}", printable(&topo.master_name)),
            };
            let flags = if s.flags.is_empty() {
                String::new()
            } else {
                format!(" · flags {}", printable(&s.flags.join(",")))
            };
            format!(
                "{} {} · {says}{flags}",
                mark(Status::Pass),
                s.ms.map(show_ms).unwrap_or_default()
            )
        } else {
            format!(
                "{} {}: {}",
                mark(Status::Fail),
                s.stage.as_deref().unwrap_or("failed"),
                printable(s.error.as_deref().unwrap_or(""))
            )
        };
        writeln!(out, "   sentinel {:<width$}  {line}", printable(&s.address))?;
    }
    let others: Vec<&str> = topo
        .known_sentinels
        .iter()
        .filter(|k| !topo.sentinels.iter().any(|s| &s.address == *k))
        .map(String::as_str)
        .collect();
    if !others.is_empty() {
        writeln!(
            out,
            "   {:<8} {}",
            "",
            format!(
                "(not in the URL, known to them: {})",
                printable(&others.join(", "))
            )
            .dimmed()
        )?;
    }
    if let Some(m) = &topo.master {
        let state = r
            .checks
            .iter()
            .find(|c| c.id == CheckId::Master)
            .map_or(Status::Skip, |c| c.status);
        let role = r
            .checks
            .iter()
            .find(|c| c.id == CheckId::Master)
            .and_then(|c| c.data.get("role")?.as_str().map(str::to_string))
            .map(|role| format!("role:{}", printable(&role)))
            .unwrap_or_else(|| "not reached".into());
        writeln!(
            out,
            "   master   {:<width$}  {} {role}",
            printable(m),
            mark(state)
        )?;
    }
    for rep in &topo.replicas {
        let line = match (&rep.role, &rep.error) {
            (Some(role), _) => format!(
                "{} role:{} · {}",
                mark(if role == "slave" {
                    Status::Pass
                } else {
                    Status::Warn
                }),
                printable(role),
                rep.ms.map(show_ms).unwrap_or_default()
            ),
            (None, e) => format!(
                "{} {}",
                mark(Status::Warn),
                printable(e.as_deref().unwrap_or("unreachable"))
            ),
        };
        writeln!(
            out,
            "   replica  {:<width$}  {line}",
            printable(&rep.address)
        )?;
    }
    writeln!(out)
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
