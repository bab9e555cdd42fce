//! The spinner on stderr: only in human format, only when stderr is a terminal.

use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// A spinner naming the stage in progress, or nothing.
pub struct Progress {
    bar: Option<ProgressBar>,
}

impl Progress {
    /// A visible spinner when `enabled`, otherwise a silent stand-in.
    pub fn new(enabled: bool, what: &str) -> Progress {
        // indicatif's ticker thread panics when it cannot start (a pids limit, `ulimit -v`):
        // no spinner then, rather than an abort.
        if !enabled || std::thread::Builder::new().spawn(|| {}).is_err() {
            return Progress { bar: None };
        }
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
        bar.set_style(
            ProgressStyle::with_template(" {spinner} {prefix} {wide_msg}")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        bar.set_prefix(what.to_string());
        bar.enable_steady_tick(Duration::from_millis(80));
        Progress { bar: Some(bar) }
    }

    /// Replaces the line's lead (`wait` puts the attempt, elapsed time and last failure there).
    pub fn lead(&self, what: &str) {
        if let Some(bar) = &self.bar {
            bar.set_prefix(what.to_string());
        }
    }

    /// Whether a spinner is drawn (otherwise callers print plain lines themselves).
    pub fn is_visible(&self) -> bool {
        self.bar.is_some()
    }

    /// Names the stage in progress.
    pub fn stage(&self, name: &str) {
        if let Some(bar) = &self.bar {
            bar.set_message(name.to_string());
        }
    }

    /// Removes the spinner before the report is printed.
    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.finish();
    }
}
