//! Renderers: reports → text. They never touch the network.

pub mod atomic;
pub mod github;
pub mod human;
pub mod idle;
pub mod json;
pub mod keys;
pub mod latency;
pub mod memory;
pub mod openmetrics;
pub mod progress;
pub mod tls;
pub mod url;

use std::io::{self, Write};

use crate::cli::Format;
use crate::config::OutputConfig;
use crate::report::Report;
use crate::secret::Masker;

/// The one way out of the process: stdout, stderr lines and the step summary are written
/// through this, a line at a time, after [`Masker::anywhere`] has taken out every password the
/// process knows. A renderer cannot forget it, because it never sees the real stream.
pub struct Masked<W: Write> {
    inner: W,
    line: Vec<u8>,
    masker: Masker,
}

impl<W: Write> Masked<W> {
    /// Masks what is written to `inner` with every secret made so far.
    pub fn new(inner: W) -> Self {
        Masked {
            inner,
            line: Vec::new(),
            masker: Masker::current(),
        }
    }

    fn emit(&mut self, upto: usize) -> io::Result<()> {
        let rest = self.line.split_off(upto);
        let line = std::mem::replace(&mut self.line, rest);
        match std::str::from_utf8(&line) {
            Ok(text) => self.inner.write_all(self.masker.anywhere(text).as_bytes()),
            // Everything redcheck prints is UTF-8; bytes that are not are masked as lossy text.
            Err(_) => self.inner.write_all(
                self.masker
                    .anywhere(&String::from_utf8_lossy(&line))
                    .as_bytes(),
            ),
        }
    }
}

impl<W: Write> Write for Masked<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        // Only the new bytes are searched: serializers write in small pieces, and a long JSON
        // line rescanned on every write would cost quadratic time.
        let before = self.line.len();
        self.line.extend_from_slice(buf);
        if let Some(last) = buf.iter().rposition(|&b| b == b'\n') {
            self.emit(before + last + 1)?;
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.emit(self.line.len())?;
        self.inner.flush()
    }
}

impl<W: Write> Drop for Masked<W> {
    fn drop(&mut self) {
        // Errors were reported by an explicit flush, where one mattered.
        let _ = self.flush();
    }
}

/// Standard output, buffered and masked: what every subcommand's report is written to.
#[allow(clippy::disallowed_methods)] // The one place stdout is opened.
pub fn stdout() -> Masked<io::BufWriter<io::StdoutLock<'static>>> {
    // Serializers write in small pieces; stdout's line buffer would scan each one for '\n'.
    Masked::new(io::BufWriter::with_capacity(64 * 1024, io::stdout().lock()))
}

/// One line on standard error, masked (progress notes and redcheck's own errors).
#[allow(clippy::disallowed_methods)] // The one place stderr is written.
pub fn eprint_line(line: &str) {
    let mut err = Masked::new(io::stderr().lock());
    // Nothing useful can be done when stderr is gone.
    let _ = writeln!(err, "{line}").and_then(|()| err.flush());
}

/// Writes the reports in the configured format to `out`.
pub fn write(out: &mut dyn Write, reports: &[Report], cfg: &OutputConfig) -> io::Result<()> {
    match cfg.format {
        Format::Human => human::write(out, reports, cfg),
        Format::Json => json::write(out, reports),
        Format::Github => github::write(out, reports, cfg),
        Format::Openmetrics => openmetrics::write(out, reports),
    }
}

/// Writes a subcommand's report (`tls`, `memory`, `latency`): `whole` as one JSON line, or
/// the text `human` writes; under `--format github` that text without colour, then the
/// annotations and step summary of the checklist inside, as for `check`.
pub fn write_detailed<T: serde::Serialize>(
    out: &mut dyn Write,
    whole: &T,
    report: &Report,
    cfg: &OutputConfig,
    human: impl Fn(&mut dyn Write, &OutputConfig) -> io::Result<()>,
) -> io::Result<()> {
    match cfg.format {
        Format::Json => {
            // Written as the types lay it out (the contract's key order); the report inside
            // was masked by `checks::evaluate`, server text where it was read, and the
            // writer masks the line on its way out.
            serde_json::to_writer(&mut *out, whole)?;
            out.write_all(b"\n")?;
        }
        Format::Human => human(out, cfg)?,
        Format::Github => {
            human(out, &github::plain(cfg))?;
            github::annotate(out, std::slice::from_ref(report), cfg)?;
        }
        Format::Openmetrics => openmetrics::write(out, std::slice::from_ref(report))?,
    }
    out.flush()
}

#[cfg(test)]
mod snapshot_details;
#[cfg(test)]
mod snapshots;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_masking_writer_sees_whole_lines_however_they_are_written() {
        let secret = crate::secret::Secret::new("Wr1ter-secret-42");
        let mut out = Vec::new();
        {
            let mut w = Masked::new(&mut out);
            // One byte at a time: the password is split across a hundred writes.
            for b in format!("a 'x' then '{}'\nnext {}", secret.expose(), secret.expose()).bytes() {
                w.write_all(&[b]).expect("write");
            }
            w.flush().expect("flush");
        }
        assert_eq!(
            String::from_utf8(out).expect("UTF-8"),
            "a 'x' then '****'\nnext ****"
        );
    }
}
