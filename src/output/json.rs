//! `--format json`: one report per line (JSON Lines).

use std::io::{self, Write};

use crate::report::Report;

/// Writes one JSON object per report, each on its own line.
pub fn write(out: &mut dyn Write, reports: &[Report]) -> io::Result<()> {
    for r in reports {
        serde_json::to_writer(&mut *out, r)?;
        out.write_all(b"\n")?;
    }
    out.flush()
}
