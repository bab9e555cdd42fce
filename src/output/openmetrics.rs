//! `--format openmetrics`: the reports as OpenMetrics text, one sample set per target, for
//! node_exporter's textfile collector (`--output FILE`) and `redcheck serve`'s `/probe`.
//!
//! Every family is a gauge or a summary, whose lines read the same in OpenMetrics 1.0 and in
//! Prometheus' text format 0.0.4 (`# UNIT` and `# EOF` are comments there), so one text
//! serves both parsers. Labels carry the masked URL only: `target` is the report's URL,
//! which shows a password as `****`.

use std::fmt::Write as _;
use std::io::{self, Write};

use serde_json::Value;

use crate::report::Report;
use crate::verdict::{Check, CheckId, Status};

/// The content type of OpenMetrics 1.0 text.
pub const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// The content type of Prometheus' text format, for clients that do not ask for OpenMetrics.
pub const TEXT_CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// The ping quantiles reported, with the check's `data` key of each (0 and 1 are min and max,
/// as `go_gc_duration_seconds` does).
const QUANTILES: [(&str, &str); 5] = [
    ("0", "min_ms"),
    ("0.5", "p50_ms"),
    ("0.95", "p95_ms"),
    ("0.99", "p99_ms"),
    ("1", "max_ms"),
];

/// A metric family's type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A value that goes up and down.
    Gauge,
    /// Quantiles with `_sum` and `_count`.
    Summary,
    /// A monotonic count; its samples end in `_total`.
    Counter,
}

/// Which text the reader parses; only counters are written differently.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// OpenMetrics 1.0: a counter family is named without `_total`.
    OpenMetrics,
    /// Prometheus text 0.0.4: a counter family is named with `_total`.
    Prometheus,
}

impl Dialect {
    /// The dialect a scraper's `Accept` header asks for (Prometheus asks for OpenMetrics).
    pub fn from_accept(accept: Option<&str>) -> Dialect {
        if accept.is_some_and(|a| a.contains("application/openmetrics-text")) {
            Dialect::OpenMetrics
        } else {
            Dialect::Prometheus
        }
    }

    /// The `Content-Type` of text in this dialect.
    pub fn content_type(self) -> &'static str {
        match self {
            Dialect::OpenMetrics => CONTENT_TYPE,
            Dialect::Prometheus => TEXT_CONTENT_TYPE,
        }
    }
}

/// A metric family: its name (without `_total` for counters), type, unit and help.
#[derive(Debug, Clone, Copy)]
pub struct Family {
    /// The family name.
    pub name: &'static str,
    /// Its type.
    pub kind: Kind,
    /// Its unit, which the name ends with.
    pub unit: Option<&'static str>,
    /// One line of help.
    pub help: &'static str,
}

const UP: Family = Family {
    name: "redcheck_up",
    kind: Kind::Gauge,
    unit: None,
    help: "1 when no check of the target failed, else 0.",
};
const STATUS: Family = Family {
    name: "redcheck_check_status",
    kind: Kind::Gauge,
    unit: None,
    help: "Outcome of each check: 0 pass, 1 info, 2 warn, 3 fail, -1 skip; reason on failures.",
};
const DURATION: Family = Family {
    name: "redcheck_duration_seconds",
    kind: Kind::Gauge,
    unit: Some("seconds"),
    help: "Time each stage of the check took.",
};
const PROBE_DURATION: Family = Family {
    name: "redcheck_probe_duration_seconds",
    kind: Kind::Gauge,
    unit: Some("seconds"),
    help: "Wall time of the whole check of the target.",
};
const PING: Family = Family {
    name: "redcheck_ping_seconds",
    kind: Kind::Summary,
    unit: Some("seconds"),
    help: "PING round trips of the check: quantile 0 is the fastest, 1 the slowest.",
};
const CERT_EXPIRY: Family = Family {
    name: "redcheck_tls_cert_expiry_timestamp_seconds",
    kind: Kind::Gauge,
    unit: Some("seconds"),
    help: "When the server's leaf certificate expires (Unix time).",
};
const MEMORY_USED: Family = Family {
    name: "redcheck_memory_used_ratio",
    kind: Kind::Gauge,
    unit: Some("ratio"),
    help: "used_memory as a share of maxmemory, when maxmemory is set.",
};
const INFO: Family = Family {
    name: "redcheck_info",
    kind: Kind::Gauge,
    unit: None,
    help: "The server's software, version, mode and role; always 1.",
};

/// Writes every report as one OpenMetrics exposition ending in `# EOF`.
pub fn write(out: &mut dyn Write, reports: &[Report]) -> io::Result<()> {
    out.write_all(render(reports).as_bytes())?;
    out.flush()
}

/// The exposition as text.
pub fn render(reports: &[Report]) -> String {
    let mut s = String::with_capacity(1024 + 2048 * reports.len());
    let d = Dialect::OpenMetrics;
    let names = target_labels(reports);
    // A family's samples must be contiguous: each family once, every target under it.
    header(&mut s, &UP, d);
    for (r, t) in reports.iter().zip(&names) {
        let up = if r.verdict == Status::Fail { 0.0 } else { 1.0 };
        sample(&mut s, UP.name, &[("target", t.as_str())], up);
    }
    header(&mut s, &STATUS, d);
    for (r, t) in reports.iter().zip(&names) {
        for c in &r.checks {
            let mut labels = vec![("target", t.as_str()), ("check", c.id.as_str())];
            if let Some(Value::String(reason)) = c.data.get("reason")
                && c.status == Status::Fail
            {
                labels.push(("reason", reason));
            }
            sample(&mut s, STATUS.name, &labels, status_value(c.status));
        }
    }
    header(&mut s, &DURATION, d);
    for (r, t) in reports.iter().zip(&names) {
        for c in &r.checks {
            if let Some(ms) = c.duration_ms {
                let labels = [("target", t.as_str()), ("check", c.id.as_str())];
                sample(&mut s, DURATION.name, &labels, ms / 1000.0);
            }
        }
    }
    header(&mut s, &PROBE_DURATION, d);
    for (r, t) in reports.iter().zip(&names) {
        let labels = [("target", t.as_str())];
        sample(&mut s, PROBE_DURATION.name, &labels, r.elapsed_ms / 1000.0);
    }
    header(&mut s, &PING, d);
    for (r, t) in reports.iter().zip(&names) {
        // `redcheck latency` names its sampling `latency`, with the same data.
        if let Some(c) = passed(r, CheckId::Ping).or_else(|| passed(r, CheckId::Latency)) {
            ping(&mut s, t.as_str(), c);
        }
    }
    header(&mut s, &CERT_EXPIRY, d);
    for (r, t) in reports.iter().zip(&names) {
        let not_after = find(r, CheckId::Tls)
            .and_then(|c| c.data.get("not_after"))
            .and_then(Value::as_str)
            .and_then(unix_time);
        if let Some(when) = not_after {
            sample(&mut s, CERT_EXPIRY.name, &[("target", t.as_str())], when);
        }
    }
    header(&mut s, &MEMORY_USED, d);
    for (r, t) in reports.iter().zip(&names) {
        if let Some(ratio) = find(r, CheckId::Memory).and_then(used_ratio) {
            sample(&mut s, MEMORY_USED.name, &[("target", t.as_str())], ratio);
        }
    }
    header(&mut s, &INFO, d);
    for (r, t) in reports.iter().zip(&names) {
        if let Some(c) = find(r, CheckId::Server) {
            let text = |k: &str| c.data.get(k).and_then(Value::as_str).unwrap_or("");
            let labels = [
                ("target", t.as_str()),
                ("server", text("name")),
                ("version", text("version")),
                ("mode", text("mode")),
                ("role", text("role")),
            ];
            if !labels[2].1.is_empty() {
                sample(&mut s, INFO.name, &labels, 1.0);
            }
        }
    }
    s.push_str("# EOF\n");
    s
}

/// Each report's `target` label: its masked URL, with ` (2)`, ` (3)`… on repeats. Two URLs
/// that differ only in their password mask alike, and one series may not appear twice.
fn target_labels(reports: &[Report]) -> Vec<String> {
    let mut seen: Vec<&str> = Vec::with_capacity(reports.len());
    reports
        .iter()
        .map(|r| {
            let url = r.target.url.as_str();
            let n = seen.iter().filter(|s| **s == url).count();
            seen.push(url);
            if n == 0 {
                url.to_string()
            } else {
                format!("{url} ({})", n + 1)
            }
        })
        .collect()
}

/// `redcheck_check_status`'s value for a status.
pub fn status_value(s: Status) -> f64 {
    match s {
        Status::Pass => 0.0,
        Status::Info => 1.0,
        Status::Warn => 2.0,
        Status::Fail => 3.0,
        Status::Skip => -1.0,
    }
}

fn find(r: &Report, id: CheckId) -> Option<&Check> {
    r.checks.iter().find(|c| c.id == id)
}

/// The check, unless it failed or was skipped (its numbers are then missing or partial).
fn passed(r: &Report, id: CheckId) -> Option<&Check> {
    find(r, id).filter(|c| !matches!(c.status, Status::Fail | Status::Skip))
}

fn num(c: &Check, key: &str) -> Option<f64> {
    c.data.get(key).and_then(Value::as_f64)
}

/// The ping summary: quantiles from the check's percentiles, `_sum` from the mean.
fn ping(s: &mut String, target: &str, c: &Check) {
    let Some(count) = num(c, "samples").filter(|n| *n > 0.0) else {
        return;
    };
    for (q, key) in QUANTILES {
        if let Some(ms) = num(c, key) {
            let labels = [("target", target), ("quantile", q)];
            sample(s, PING.name, &labels, ms / 1000.0);
        }
    }
    if let Some(mean) = num(c, "mean_ms") {
        let labels = [("target", target)];
        sample(
            s,
            "redcheck_ping_seconds_sum",
            &labels,
            mean * count / 1000.0,
        );
        sample(s, "redcheck_ping_seconds_count", &labels, count);
    }
}

/// used / maxmemory, when maxmemory is set.
fn used_ratio(c: &Check) -> Option<f64> {
    let used = num(c, "used_bytes")?;
    let max = num(c, "maxmemory_bytes").filter(|m| *m > 0.0)?;
    Some(used / max)
}

/// Writes a family's `# TYPE`, `# UNIT` and `# HELP` lines.
pub fn header(s: &mut String, f: &Family, dialect: Dialect) {
    let (kind, suffix) = match (f.kind, dialect) {
        (Kind::Gauge, _) => ("gauge", ""),
        (Kind::Summary, _) => ("summary", ""),
        (Kind::Counter, Dialect::OpenMetrics) => ("counter", ""),
        (Kind::Counter, Dialect::Prometheus) => ("counter", "_total"),
    };
    let _ = writeln!(s, "# TYPE {}{suffix} {kind}", f.name);
    if let Some(unit) = f.unit {
        let _ = writeln!(s, "# UNIT {}{suffix} {unit}", f.name);
    }
    let _ = writeln!(s, "# HELP {}{suffix} {}", f.name, f.help);
}

/// Writes one sample line; label values are escaped.
pub fn sample(s: &mut String, name: &str, labels: &[(&str, &str)], value: f64) {
    s.push_str(name);
    if !labels.is_empty() {
        s.push('{');
        for (i, (k, v)) in labels.iter().enumerate() {
            if i > 0 {
                s.push(',');
            }
            s.push_str(k);
            s.push_str("=\"");
            escape_into(s, v);
            s.push('"');
        }
        s.push('}');
    }
    s.push(' ');
    number_into(s, value);
    s.push('\n');
}

/// A value in plain decimal: integers without a point, others to the nanosecond (a duration
/// in seconds computed from milliseconds would otherwise print as 0.00023400000000000002).
fn number_into(s: &mut String, value: f64) {
    let start = s.len();
    let _ = write!(s, "{value:.9}");
    if s[start..].contains('.') {
        let kept = s.trim_end_matches('0').trim_end_matches('.').len();
        s.truncate(kept);
    }
    if &s[start..] == "-0" {
        s.truncate(start);
        s.push('0');
    }
}

/// A label value with `\`, `"` and newline escaped, as both formats require.
fn escape_into(s: &mut String, v: &str) {
    for c in v.chars() {
        match c {
            '\\' => s.push_str("\\\\"),
            '"' => s.push_str("\\\""),
            '\n' => s.push_str("\\n"),
            c => s.push(c),
        }
    }
}

/// `2026-12-01T02:10:07Z` (the reports' RFC 3339 form) as Unix seconds.
#[allow(clippy::cast_precision_loss)]
fn unix_time(rfc3339: &str) -> Option<f64> {
    let b = rfc3339.as_bytes();
    if b.len() != 20 || b[4] != b'-' || b[7] != b'-' || b[10] != b'T' || b[19] != b'Z' {
        return None;
    }
    let field = |from: usize, to: usize| rfc3339.get(from..to)?.parse::<i64>().ok();
    let (y, m, d) = (field(0, 4)?, field(5, 7)?, field(8, 10)?);
    let (hh, mm, ss) = (field(11, 13)?, field(14, 16)?, field(17, 19)?);
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    // Days from the civil date (Howard Hinnant's algorithm, the inverse of x509::rfc3339).
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some((days * 86_400 + hh * 3600 + mm * 60 + ss) as f64)
}

#[cfg(test)]
mod tests;
