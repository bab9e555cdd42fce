//! A verdict: what a check concluded, in the shape the JSON contract (`version: 1`) carries.
//! Checks make them; reports, renderers and exit codes read them.

use serde::Serialize;
use serde_json::{Map, Value};

/// How a check came out, from best to worst (skip sits apart).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Did not run.
    Skip,
    /// Fine.
    Pass,
    /// Worth knowing, nothing wrong.
    Info,
    /// Likely to cause trouble.
    Warn,
    /// Broken.
    Fail,
}

impl Status {
    /// Whether this status makes the run fail: a failure, or a warning under `--strict`. The
    /// one place the strict rule lives.
    pub fn fails(self, strict: bool) -> bool {
        self == Status::Fail || (strict && self == Status::Warn)
    }
}

/// One verdict.
#[derive(Debug, Clone, Serialize)]
pub struct Check {
    /// Stable id: `url dns tcp scheme tls auth ping server memory eviction` and more.
    pub id: &'static str,
    /// The verdict.
    pub status: Status,
    /// One line.
    pub summary: String,
    /// What to do, or null.
    pub hint: Option<String>,
    /// Time spent, or null for derived checks.
    pub duration_ms: Option<f64>,
    /// Facts behind the verdict; `reason` on failures.
    pub data: Map<String, Value>,
}

/// The tool that wrote the report.
#[derive(Debug, Clone, Serialize)]
pub struct Tool {
    /// Always `redcheck`.
    pub name: &'static str,
    /// Its version.
    pub version: &'static str,
}

/// Milliseconds with microsecond precision.
#[allow(clippy::cast_precision_loss)]
pub fn millis(d: std::time::Duration) -> f64 {
    (d.as_nanos() as f64 / 1_000.0).round() / 1_000.0
}
