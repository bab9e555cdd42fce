//! Findings → verdicts. Pure: no I/O; every summary and hint is worded here or in `checks/`.

mod clients;
mod cluster;
mod connections;
mod connectivity;
mod durability;
mod hints;
mod idle;
mod latency;
mod memory;
mod probes;
mod resets;
pub mod scrub;
mod sentinel;
mod server;
mod tls;
pub mod workloads;

use crate::config::Workload;
use serde_json::{Map, Value, json};

use crate::failure::Failure;
use crate::probe::{Findings, Outcome, Stage};
use crate::report::{Report, TargetInfo};
use crate::url::Endpoint;
use crate::verdict::{Check, CheckId, Status, Tool, millis};

pub use idle::{idle, show as show_idle};
pub use latency::latency;
pub use memory::numbers as memory_numbers;
pub use tls::{handshake, presented_chain};

/// What the verdicts depend on besides the findings.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// What the user says the database is for (`--use`).
    pub workload: Option<Workload>,
    /// Whether the write probe was asked for (`--write-probe`).
    pub write_probe: bool,
    /// The report is `redcheck tls`'s, which is the handshake report: no hint sends the
    /// user to run it.
    pub handshake_report: bool,
}

/// Builds the report for one target.
pub fn evaluate(f: &Findings, opts: &Options) -> Report {
    let mut checks = vec![connectivity::url(f)];
    checks.extend(sentinel::checks(f));
    checks.extend([
        connectivity::dns(f),
        connectivity::tcp(f),
        connectivity::scheme(f),
        tls::tls(f, opts),
        connectivity::auth(f),
        connectivity::ping(f),
    ]);
    let info_checks = server::checks(f, opts);
    if f.at_sentinel.is_some() {
        // A Sentinel's INFO describes no data set: judging its memory or keyspace would mislead.
        checks.extend(info_checks.into_iter().map(|c| match c.id {
            CheckId::Server => c,
            id => skipped(id, "a Sentinel holds no data"),
        }));
    } else {
        checks.extend(info_checks);
    }
    checks.push(resets::resets(f));
    checks.push(workloads::workloads(f));
    checks.push(connections::connections(f));
    checks.push(cluster::cluster(f));
    checks.push(server::version(f));
    checks.push(probes::pubsub(f));
    checks.push(probes::write(f, opts));
    let verdict = verdict(&checks);
    let mut report = Report {
        version: 1,
        tool: Tool {
            name: "redcheck",
            version: env!("CARGO_PKG_VERSION"),
        },
        target: target_info(f),
        verdict,
        elapsed_ms: millis(f.elapsed),
        checks,
    };
    // Every password the process knows (the data nodes' and the Sentinels'), from every field;
    // the writer all output goes through masks again on the way out.
    scrub::report(&mut report, &crate::secret::Masker::current());
    report
}

/// The worst status among the checks, as `pass`, `warn` or `fail`.
fn verdict(checks: &[Check]) -> Status {
    checks
        .iter()
        .map(|c| c.status)
        .max()
        .map_or(Status::Pass, |worst| match worst {
            Status::Fail => Status::Fail,
            Status::Warn => Status::Warn,
            _ => Status::Pass,
        })
}

/// A subcommand whose every check was skipped answered nothing: that is a warning, not a
/// pass. Today only `memory` can end so (an ACL user without `+info`).
pub fn warn_if_nothing_read(report: &mut Report, f: &Findings) {
    if report.checks.is_empty() || report.checks.iter().any(|c| c.status != Status::Skip) {
        return;
    }
    let first = &mut report.checks[0];
    first.status = Status::Warn;
    first.summary = format!("nothing could be read: {}", first.summary);
    first.hint = Some(hints::grant_info(f));
    report.verdict = verdict(&report.checks);
}

/// Keeps the checks a subcommand shows, and judges the report by those alone.
pub fn retain(report: &mut Report, keep: impl Fn(&Check) -> bool) {
    report.checks.retain(keep);
    report.verdict = verdict(&report.checks);
}

/// Keeps a subcommand's own checks, and any failure, which explains why they could not run.
pub fn retain_shown(report: &mut Report, shown: &[CheckId]) {
    retain(report, |c| {
        shown.contains(&c.id) || c.status == Status::Fail
    });
}

fn target_info(f: &Findings) -> TargetInfo {
    let Some(t) = &f.target else {
        return TargetInfo {
            url: f.shown.clone(),
            ..TargetInfo::default()
        };
    };
    let (host, port) = match &t.endpoint {
        Endpoint::Tcp { host, port } => (host.as_str(), Some(*port)),
        Endpoint::Unix(p) => (p.display().to_string(), None),
    };
    TargetInfo {
        url: f.shown.clone(),
        scheme: Some(t.scheme.clone()),
        host: Some(host),
        port,
        db: Some(t.db),
        username: t.username.clone(),
        tls: Some(t.tls),
    }
}

/// A check from its parts; `data` must be a JSON object (or null for none).
fn check(
    id: CheckId,
    status: Status,
    summary: impl Into<String>,
    hint: Option<String>,
    data: Value,
) -> Check {
    Check {
        id,
        status,
        summary: summary.into(),
        hint,
        duration_ms: None,
        data: object(data),
    }
}

/// The failed form of a check: the failure's cause as summary, its reason in `data`.
fn failed(
    id: CheckId,
    failure: &Failure,
    hint: Option<String>,
    mut data: Map<String, Value>,
) -> Check {
    data.insert("reason".into(), json!(failure.reason.as_str()));
    Check {
        id,
        status: Status::Fail,
        summary: failure.cause.clone(),
        hint,
        duration_ms: None,
        data,
    }
}

/// A `json!` object as a map (anything else becomes an empty one).
fn object(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

/// The skipped form of a check.
fn skipped(id: CheckId, why: &str) -> Check {
    check(id, Status::Skip, why, None, Value::Null)
}

/// Attaches a stage's duration to its check.
fn timed<T>(mut c: Check, stage: &Stage<T>) -> Check {
    if !matches!(stage.outcome, Outcome::Skipped(_)) {
        c.duration_ms = Some(millis(stage.took));
    }
    c
}

/// Findings built by hand for unit tests of checks and hints.
#[cfg(test)]
pub(crate) mod testing;
