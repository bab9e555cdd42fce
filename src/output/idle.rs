//! `redcheck idle`: the live line (or one line per finished rung when nobody watches), then the
//! checklist with the verdict and the ladder, rung by rung.

use std::io::{self, Write};
use std::time::Duration;

use colored::Colorize;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::checks::show_idle;
use crate::cli::Format;
use crate::config::OutputConfig;
use crate::probe::idle::{Event, Fate, Rung};
use crate::report::{IdleReport, RungInfo};
use crate::text::printable;

/// Progress while the ladder runs: a live line on a terminal; otherwise one line per
/// finished rung on stderr (CI logs), except under `--format json`.
pub struct Live {
    bar: Option<ProgressBar>,
    lines: bool,
}

impl Live {
    /// Says what is held and for how long, and starts the live line.
    pub fn new(cfg: &OutputConfig, held: usize, longest: Duration) -> Live {
        let opening = format!(
            "redcheck idle: holding {held} idle connections (one per rung, one PING each) for up to {}; Ctrl-C prints what was learned so far",
            show_idle(longest)
        );
        if cfg.progress {
            let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
            bar.set_style(
                ProgressStyle::with_template(" {spinner} {msg}")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            );
            bar.println(opening);
            return Live {
                bar: Some(bar),
                lines: false,
            };
        }
        let lines = cfg.format != Format::Json;
        if lines {
            super::eprint_line(&opening);
        }
        Live { bar: None, lines }
    }

    /// Shows a tick or a finished rung.
    pub fn event(&mut self, e: Event<'_>) {
        match e {
            Event::Tick(s) => {
                let Some(bar) = &self.bar else { return };
                let next = s.next.map_or_else(String::new, |(rung, left)| {
                    // Counted down in whole seconds, rounded up: "in 0:00" only when due.
                    let left = Duration::from_secs(left.as_millis().div_ceil(1000) as u64);
                    format!(" · next probe {} in {}", show_idle(rung), clock(left))
                });
                bar.set_message(format!(
                    "{} idle{next} · {} waiting, {} alive of {} held",
                    clock(s.elapsed),
                    s.waiting,
                    s.alive,
                    s.held
                ));
                bar.tick();
            }
            Event::Finished(r) => {
                let line = format!("redcheck idle: {}", rung_line(r));
                match &self.bar {
                    Some(bar) => bar.println(line),
                    None if self.lines => super::eprint_line(&line),
                    None => {}
                }
            }
        }
    }

    /// Removes the live line before the report is printed.
    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

/// `1:05`, `0:07`.
fn clock(d: Duration) -> String {
    let s = d.as_secs();
    format!("{}:{:02}", s / 60, s % 60)
}

/// One finished rung in words.
fn rung_line(r: &Rung) -> String {
    let idle = show_idle(r.idle);
    let at = r
        .probed_after
        .map_or_else(String::new, |d| format!(" after {} idle", show_idle(d)));
    match r.fate {
        Fate::Alive => format!(
            "{idle}: alive (answered in {:.2} ms)",
            r.rtt.map_or(0.0, |d| d.as_secs_f64() * 1000.0)
        ),
        Fate::Closed => format!("{idle}: closed by the peer (EOF){at}"),
        Fate::Reset => format!("{idle}: reset (RST){at}"),
        Fate::Silent => format!("{idle}: silent, the PING was never answered{at}"),
        Fate::Broken => format!(
            "{idle}: broken{at} ({})",
            printable(r.detail.as_deref().unwrap_or("?"))
        ),
        Fate::NotOpened => format!(
            "{idle}: could not be opened ({})",
            printable(r.detail.as_deref().unwrap_or("?"))
        ),
        Fate::NotProbed => format!("{idle}: not probed"),
    }
}

/// Writes an idle report in the configured format.
pub fn write(out: &mut dyn Write, r: &IdleReport, cfg: &OutputConfig) -> io::Result<()> {
    super::write_detailed(out, r, &r.report, cfg, |out, cfg| text(out, r, cfg))
}

/// The checklist, then the ladder.
fn text(out: &mut dyn Write, r: &IdleReport, cfg: &OutputConfig) -> io::Result<()> {
    super::human::write(out, std::slice::from_ref(&r.report), cfg)?;
    let Some(s) = &r.idle else {
        return out.flush();
    };
    writeln!(out)?;
    let keepalive = s.keepalive_seconds.map_or_else(
        || "TCP keep-alive as the OS sets it".to_string(),
        |k| {
            format!(
                "TCP keep-alive every {}",
                show_idle(Duration::from_secs_f64(k))
            )
        },
    );
    writeln!(
        out,
        " {} {} connections held idle · one PING each · {keepalive} · silence after {}",
        "ladder".bold(),
        s.connections,
        show_idle(Duration::from_secs_f64(s.answer_within_seconds))
    )?;
    let width = s
        .rungs
        .iter()
        .map(|g| {
            show_idle(Duration::from_secs_f64(g.idle_seconds))
                .chars()
                .count()
        })
        .max()
        .unwrap_or(0);
    for g in &s.rungs {
        let idle = show_idle(Duration::from_secs_f64(g.idle_seconds));
        let mark = match g.fate {
            "alive" => "✓".green(),
            "closed" | "reset" | "silent" => "✘".red(),
            _ => "-".dimmed(),
        };
        writeln!(
            out,
            "   {idle:>width$}  {mark} {:<10} {}",
            g.fate,
            rung_detail(g)
        )?;
    }
    out.flush()
}

/// What a rung's line says after its fate.
fn rung_detail(g: &RungInfo) -> String {
    let secs = |x: f64| show_idle(Duration::from_secs_f64(x));
    let noticed = match (g.noticed, g.noticed_after_seconds) {
        (Some("eof"), Some(t)) => format!("the close arrived by itself after {} idle", secs(t)),
        (Some("reset"), Some(t)) => format!("the reset arrived by itself after {} idle", secs(t)),
        (Some(_), Some(t)) => format!("unasked bytes arrived after {} idle", secs(t)),
        _ => String::new(),
    };
    match g.fate {
        "alive" => format!("answered in {:.2} ms", g.rtt_ms.unwrap_or(0.0)),
        "closed" | "reset" | "silent" if !noticed.is_empty() => noticed,
        "closed" => "EOF when its PING was sent".into(),
        "reset" => "RST when its PING was sent".into(),
        "silent" => "its PING was never answered".into(),
        "not-probed" => "interrupted before its turn".into(),
        _ => printable(g.detail.as_deref().unwrap_or("")).into_owned(),
    }
}
