//! Renderers: reports → text. They never touch the network.

pub mod github;
pub mod human;
pub mod json;
pub mod keys;
pub mod latency;
pub mod memory;
pub mod progress;
pub mod tls;
pub mod url;

use std::borrow::Cow;
use std::fmt::Write as _;
use std::io::{self, Write};

use crate::cli::Format;
use crate::config::OutputConfig;
use crate::report::Report;

/// Writes the reports in the configured format to `out`.
pub fn write(out: &mut dyn Write, reports: &[Report], cfg: &OutputConfig) -> io::Result<()> {
    match cfg.format {
        Format::Human => human::write(out, reports, cfg),
        Format::Json => json::write(out, reports),
        Format::Github => github::write(out, reports, cfg),
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
            serde_json::to_writer(&mut *out, whole)?;
            out.write_all(b"\n")?;
        }
        Format::Human => human(out, cfg)?,
        Format::Github => {
            human(out, &github::plain(cfg))?;
            github::annotate(out, std::slice::from_ref(report), cfg)?;
        }
    }
    out.flush()
}

/// Text from a server (certificate names, INFO values, error replies) made safe to print: a
/// newline could forge a line (a `::error` workflow command under `--format github`) and ESC
/// could drive the terminal. Control and bidi-override characters become visible escapes
/// (`\n`, `\x1b`, `\u{202e}`); everything else is unchanged.
pub fn printable(s: &str) -> Cow<'_, str> {
    if !s.chars().any(needs_escape) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if u32::from(c) < 0x100 && needs_escape(c) => {
                let _ = write!(out, "\\x{:02x}", u32::from(c));
            }
            c if needs_escape(c) => {
                let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// Control characters, and the invisible marks that reorder text on screen.
fn needs_escape(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// Text that may span lines on purpose (hints): each line made [`printable`].
pub fn printable_lines(s: &str) -> impl Iterator<Item = Cow<'_, str>> {
    s.lines().map(printable)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_become_visible_escapes() {
        assert_eq!(printable("plain · ✓"), "plain · ✓");
        assert!(matches!(printable("plain"), Cow::Borrowed(_)));
        assert_eq!(printable("x\n::error title=x::y"), "x\\n::error title=x::y");
        assert_eq!(
            printable("a\x1b[31mb\r\t\u{7f}\u{85}"),
            "a\\x1b[31mb\\r\\t\\x7f\\x85"
        );
        assert_eq!(printable("evil\u{202e}txt"), "evil\\u{202e}txt");
    }
}
