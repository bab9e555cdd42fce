//! `redcheck latency`: the live line while sampling, then the checklist, statistics and a
//! text histogram.

use std::io::{self, Write};
use std::time::{Duration, Instant};

use colored::Colorize;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::config::OutputConfig;
use crate::latency::{Stats, show_ms};
use crate::report::LatencyReport;

/// Widest histogram bar, in characters.
const BAR_WIDTH: usize = 40;
/// The live line is redrawn at most this often (percentiles sort every sample).
const REDRAW: Duration = Duration::from_millis(100);

/// The live line on stderr: a progress bar when counting, a spinner under `--watch`; nothing
/// when stderr is not a terminal or the format is JSON.
pub struct Live {
    bar: Option<ProgressBar>,
    drawn: Option<Instant>,
}

impl Live {
    /// A live line for `count` samples (`None`: until Ctrl-C), or a silent stand-in.
    pub fn new(enabled: bool, count: Option<u64>) -> Live {
        if !enabled {
            return Live {
                bar: None,
                drawn: None,
            };
        }
        let (bar, template) = match count {
            Some(n) => (
                ProgressBar::with_draw_target(Some(n), ProgressDrawTarget::stderr()),
                " {bar:30} {pos}/{len} · {msg}",
            ),
            None => (
                ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr()),
                " {spinner} {msg} · Ctrl-C to stop",
            ),
        };
        bar.set_style(
            ProgressStyle::with_template(template).unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        Live {
            bar: Some(bar),
            drawn: None,
        }
    }

    /// Shows the running p50/p99 after a sample.
    pub fn update(&mut self, samples: &[Duration]) {
        let Some(bar) = &self.bar else { return };
        bar.set_position(samples.len() as u64);
        if self.drawn.is_some_and(|t| t.elapsed() < REDRAW) {
            return;
        }
        self.drawn = Some(Instant::now());
        if let (Some(s), Some(last)) = (Stats::from_samples(samples), samples.last()) {
            bar.set_message(format!(
                "{} samples · p50 {} · p99 {} · last {}",
                s.samples,
                show_ms(s.p50_ms),
                show_ms(s.p99_ms),
                show_ms(crate::verdict::millis(*last))
            ));
        }
    }

    /// Removes the line before the report is printed.
    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

/// Writes a latency report in the configured format.
pub fn write(out: &mut dyn Write, r: &LatencyReport, cfg: &OutputConfig) -> io::Result<()> {
    super::write_detailed(out, r, &r.report, cfg, |out, cfg| text(out, r, cfg))
}

/// The checklist, then the details.
fn text(out: &mut dyn Write, r: &LatencyReport, cfg: &OutputConfig) -> io::Result<()> {
    super::human::write(out, std::slice::from_ref(&r.report), cfg)?;
    let Some(l) = &r.latency else {
        return out.flush();
    };
    if let Some(s) = &l.stats {
        writeln!(out)?;
        writeln!(
            out,
            " {} min {} · p50 {} · p95 {} · p99 {} · max {} · mean {} ({} samples, every {}{})",
            "round trip".bold(),
            show_ms(s.min_ms),
            show_ms(s.p50_ms),
            show_ms(s.p95_ms),
            show_ms(s.p99_ms),
            show_ms(s.max_ms),
            show_ms(s.mean_ms),
            s.samples,
            show_ms(l.interval_ms),
            if l.ended == "interrupted" {
                "; interrupted by Ctrl-C"
            } else {
                ""
            }
        )?;
    }
    let most = l.histogram.iter().map(|b| b.count).max().unwrap_or(0);
    if most == 0 {
        return out.flush();
    }
    writeln!(out)?;
    let labels: Vec<String> = l
        .histogram
        .iter()
        .map(|b| format!("{} – {}", show_ms(b.from_ms), show_ms(b.to_ms)))
        .collect();
    let width = labels.iter().map(|s| s.chars().count()).max().unwrap_or(0);
    for (b, label) in l.histogram.iter().zip(&labels) {
        // Round up so a single sample still shows.
        let len = (b.count * BAR_WIDTH).div_ceil(most);
        // Padded by hand: the colour codes would count as width.
        writeln!(
            out,
            "   {label:>width$}  {}{}  {}",
            "█".repeat(len).cyan(),
            " ".repeat(BAR_WIDTH - len),
            b.count
        )?;
    }
    out.flush()
}
