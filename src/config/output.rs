//! Output flags → how reports are presented, decided once: format, colour, progress, the step
//! summary, and an `--output FILE`.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::UsageError;
use crate::cli::{ColorChoice, Format, OutputArgs};

/// How to present results.
#[derive(Debug, Clone)]
pub struct OutputConfig {
    /// The format.
    pub format: Format,
    /// Whether stdout gets colour.
    pub color: bool,
    /// Whether a spinner may draw on stderr.
    pub progress: bool,
    /// Only problems.
    pub quiet: bool,
    /// Warnings fail the run.
    pub strict: bool,
    /// `$GITHUB_STEP_SUMMARY` under `--format github`: where the Markdown table goes.
    pub step_summary: Option<PathBuf>,
    /// How long appending to the step summary may take (`--timeout`): it may be a FIFO.
    pub step_summary_within: Duration,
}

/// The directory of an output file must exist.
pub(super) fn validate_writable(path: &std::path::Path, flag: &str) -> Result<(), UsageError> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(std::path::Path::new("."));
    if dir.is_dir() {
        Ok(())
    } else {
        Err(UsageError(format!(
            "{flag} {}: the directory {} does not exist",
            path.display(),
            dir.display()
        )))
    }
}

/// `--output FILE`: its directory must exist (the file is written beside it, then renamed).
pub(super) fn validate_output_file(path: Option<&Path>) -> Result<Option<PathBuf>, UsageError> {
    let Some(path) = path else { return Ok(None) };
    validate_writable(path, "--output")?;
    if path.is_dir() {
        return Err(UsageError(format!(
            "--output {}: that is a directory; name a file in it",
            path.display()
        )));
    }
    Ok(Some(path.to_path_buf()))
}

/// A report written to `--output` gets colour only under `--color always`.
pub(super) fn file_output_config(
    args: &OutputArgs,
    file: Option<&Path>,
    within: Duration,
) -> OutputConfig {
    let mut cfg = output_config(args, within);
    if file.is_some() && args.color != ColorChoice::Always {
        cfg.color = false;
    }
    cfg
}

/// Colour and progress are decided once, here; `within` bounds the step summary's append.
#[allow(clippy::disallowed_methods)] // Only asks whether they are terminals; writes nothing.
pub fn output_config(args: &OutputArgs, within: Duration) -> OutputConfig {
    let stdout_tty = std::io::stdout().is_terminal();
    let stderr_tty = std::io::stderr().is_terminal();
    let env_says_no = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
        || std::env::var("TERM").is_ok_and(|t| t == "dumb");
    let color = match args.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        // GitHub's log shows annotations raw: escape codes would garble them.
        ColorChoice::Auto => stdout_tty && !env_says_no && args.format != Format::Github,
    };
    OutputConfig {
        format: args.format,
        color,
        progress: args.format == Format::Human && stderr_tty && !env_says_no,
        quiet: args.quiet,
        strict: args.strict,
        step_summary: (args.format == Format::Github)
            .then(|| std::env::var_os("GITHUB_STEP_SUMMARY"))
            .flatten()
            .filter(|p| !p.is_empty())
            .map(PathBuf::from),
        step_summary_within: within,
    }
}
