//! `redcheck keys`: the verdicts, then one namespace table per database sampled.

use std::io::{self, Write};
use std::time::Duration;

use colored::Colorize;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::config::OutputConfig;
use crate::keyspace::Namespace;
use crate::report::{DbSample, KeysReport};
use crate::text::bytes;
use crate::text::grouped;
use crate::text::printable;

/// How many namespaces a table shows; JSON has them all.
const ROWS: usize = 30;
/// How many of the biggest keys the text lists.
const BIGGEST: usize = 5;

/// Writes a keys report in the configured format.
pub fn write(out: &mut dyn Write, r: &KeysReport, cfg: &OutputConfig) -> io::Result<()> {
    super::write_detailed(out, r, &r.report, cfg, |out, cfg| text(out, r, cfg))
}

/// The checklist, then the tables.
fn text(out: &mut dyn Write, r: &KeysReport, cfg: &OutputConfig) -> io::Result<()> {
    super::human::write(out, std::slice::from_ref(&r.report), cfg)?;
    for db in &r.databases {
        writeln!(out)?;
        table(out, db, cfg)?;
    }
    for p in &r.problems {
        writeln!(out, "\n {} {}", "!".yellow(), printable(p))?;
    }
    out.flush()
}

/// One database: the heading, the namespace rows, the biggest keys.
fn table(out: &mut dyn Write, d: &DbSample, cfg: &OutputConfig) -> io::Result<()> {
    let place = match &d.node {
        Some(node) => format!("{node} db{}", d.db),
        None => format!("db{}", d.db),
    };
    let seen = if d.estimate {
        format!(
            "{} of ~{} keys sampled: counts are estimates",
            grouped(d.sampled),
            grouped(d.estimated_total)
        )
    } else {
        format!("all {} keys sampled", grouped(d.sampled))
    };
    writeln!(
        out,
        "{} · {seen} · {} in {} ms ({:.0}% of it in round trips, the rest paced pauses)",
        place.bold(),
        crate::text::plural(d.scans, "SCAN", "SCANs"),
        d.took_ms.round(),
        d.busy_percent
    )?;
    if let Some(note) = &d.memory_note {
        writeln!(out, "  memory not read: {}", printable(note))?;
    }
    if d.unreadable > 0 {
        writeln!(
            out,
            "  {} keys the ACL would not describe (TYPE/PTTL)",
            grouped(d.unreadable)
        )?;
    }
    if d.namespaces.is_empty() {
        return writeln!(out, "  no keys");
    }
    let width = d
        .namespaces
        .iter()
        .take(ROWS)
        .map(|n| printable(&n.pattern).chars().count())
        .max()
        .unwrap_or(9)
        .clamp(9, 48);
    let head = format!(
        "  {:<width$}  {:>10}  {:>6}  {:<16}  {:>5}  {:>13}  {:>10}  use",
        "namespace", "keys", "share", "types", "TTL", "TTL p50/p90", "memory"
    );
    writeln!(
        out,
        "{}",
        if cfg.color {
            head.dimmed().to_string()
        } else {
            head
        }
    )?;
    for n in d.namespaces.iter().take(ROWS) {
        row(out, n, width, d.estimate, cfg)?;
    }
    if d.namespaces.len() > ROWS {
        writeln!(
            out,
            "  … {} more namespaces (--format json lists them all)",
            d.namespaces.len() - ROWS
        )?;
    }
    let biggest: Vec<String> = d
        .biggest
        .iter()
        .take(BIGGEST)
        .map(|k| {
            format!(
                "{} ({}, {})",
                printable(&k.name),
                k.kind.map_or("?", crate::keyspace::KeyType::as_str),
                bytes(k.memory.unwrap_or(0))
            )
        })
        .collect();
    if !biggest.is_empty() {
        writeln!(out, "  biggest keys seen: {}", biggest.join(" · "))?;
    }
    Ok(())
}

/// One namespace row, and its evidence on the line below.
#[allow(clippy::cast_precision_loss)]
fn row(
    out: &mut dyn Write,
    n: &Namespace,
    width: usize,
    estimate: bool,
    cfg: &OutputConfig,
) -> io::Result<()> {
    let keys = if estimate {
        format!("~{}", grouped(n.estimated))
    } else {
        grouped(n.estimated)
    };
    let mut types: Vec<(&&str, &u64)> = n.types.iter().collect();
    types.sort_by(|a, b| b.1.cmp(a.1));
    let types = types
        .iter()
        .take(2)
        .map(|(t, c)| {
            if n.types.len() == 1 {
                (**t).to_string()
            } else {
                format!("{t} {:.0}%", **c as f64 * 100.0 / n.sampled as f64)
            }
        })
        .collect::<Vec<_>>()
        .join(" ");
    let ttl_share = n.with_ttl as f64 * 100.0 / n.sampled as f64;
    let ttl = if ttl_share > 0.0 && ttl_share < 1.0 {
        "<1%".to_string()
    } else {
        format!("{ttl_share:.0}%")
    };
    let p = match (n.ttl_p50_ms, n.ttl_p90_ms) {
        (Some(a), Some(b)) => format!("{}/{}", span(a), span(b)),
        _ => "-".into(),
    };
    let memory = n.estimated_bytes.map_or_else(|| "?".into(), bytes);
    let usage = match n.library {
        Some(lib) => format!("{} ({lib})", n.usage.as_str()),
        None => n.usage.as_str().to_string(),
    };
    let pattern = printable(&n.pattern);
    writeln!(
        out,
        "  {pattern:<width$}  {keys:>10}  {:>5.1}%  {types:<16}  {ttl:>5}  {p:>13}  {memory:>10}  {}",
        n.share_percent,
        if cfg.color {
            usage.bold().to_string()
        } else {
            usage
        },
    )?;
    let why = format!("  {:<width$}  ↳ {}", "", printable(&n.evidence));
    writeln!(
        out,
        "{}",
        if cfg.color {
            why.dimmed().to_string()
        } else {
            why
        }
    )
}

/// `45s`, `5m`, `2h`, `14d`.
fn span(ms: u64) -> String {
    let s = ms / 1000;
    match s {
        0 => format!("{ms}ms"),
        1..=119 => format!("{s}s"),
        120..=7199 => format!("{}m", s / 60),
        7200..=172_799 => format!("{}h", s / 3600),
        _ => format!("{}d", s / 86_400),
    }
}

/// The progress bar of one database's sample, on stderr, only on a terminal.
pub struct SampleBar {
    bar: Option<ProgressBar>,
}

impl SampleBar {
    /// A bar counting up to `keys` when `enabled`, else nothing.
    pub fn new(enabled: bool, what: &str, keys: usize) -> SampleBar {
        if !enabled {
            return SampleBar { bar: None };
        }
        let bar = ProgressBar::with_draw_target(
            Some(u64::try_from(keys).unwrap_or(u64::MAX)),
            ProgressDrawTarget::stderr(),
        );
        bar.set_style(
            ProgressStyle::with_template(" {prefix} [{bar:30}] {pos}/{len} keys · {elapsed}")
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
        );
        bar.set_prefix(what.to_string());
        bar.enable_steady_tick(Duration::from_millis(100));
        SampleBar { bar: Some(bar) }
    }

    /// Keys read so far.
    pub fn set(&self, keys: usize) {
        if let Some(bar) = &self.bar {
            bar.set_position(u64::try_from(keys).unwrap_or(u64::MAX));
        }
    }

    /// Clears the bar.
    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_read_naturally() {
        assert_eq!(span(500), "500ms");
        assert_eq!(span(45_000), "45s");
        assert_eq!(span(300_000), "5m");
        assert_eq!(span(86_400_000), "24h");
        assert_eq!(span(1_209_600_000), "14d");
    }
}
