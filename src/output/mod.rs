//! Renderers: reports → text. They never touch the network.

pub mod github;
pub mod human;
pub mod json;
pub mod latency;
pub mod memory;
pub mod progress;
pub mod tls;
pub mod url;

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
