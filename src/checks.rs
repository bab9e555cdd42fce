//! Findings → verdicts. Pure: no I/O; every summary and hint is worded here or in `checks/`.

mod clients;
mod cluster;
mod connections;
mod connectivity;
mod durability;
mod hints;
mod latency;
mod memory;
mod probes;
mod scrub;
mod server;
mod tls;
pub mod workloads;

use serde_json::{Map, Value, json};

use crate::failure::Failure;
use crate::probe::{Findings, Outcome, Stage};
use crate::report::{Check, Report, Status, TargetInfo, Tool, millis};
use crate::url::Endpoint;

pub use latency::latency;
pub use memory::{Workload, bytes, numbers as memory_numbers};
pub use tls::{handshake, presented_chain};

/// What the verdicts depend on besides the findings.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// What the user says the database is for (`--use`).
    pub workload: Option<Workload>,
    /// Whether the write probe was asked for (`--write-probe`).
    pub write_probe: bool,
}

/// Builds the report for one target.
pub fn evaluate(f: &Findings, opts: &Options) -> Report {
    let mut checks = vec![
        connectivity::url(f),
        connectivity::dns(f),
        connectivity::tcp(f),
        connectivity::scheme(f),
        tls::tls(f),
        connectivity::auth(f),
        connectivity::ping(f),
    ];
    checks.extend(server::checks(f, opts));
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
    // The one place server text loses the password: every renderer, `wait`'s progress lines
    // and the GitHub annotations print this report and nothing else from the server.
    if let Some(pw) = f.target.as_ref().and_then(|t| t.password.as_ref()) {
        scrub::report(&mut report, pw);
    }
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
    id: &'static str,
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
    id: &'static str,
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
fn skipped(id: &'static str, why: &str) -> Check {
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
pub(crate) mod testing {
    use std::time::Duration;

    use crate::probe::{Findings, Outcome, Stage};
    use crate::secret::Secret;
    use crate::url::{PasswordSource, Target};

    /// A stage that did not run.
    pub fn not_reached<T>() -> Stage<T> {
        Stage {
            outcome: Outcome::Skipped("not reached".into()),
            took: Duration::ZERO,
        }
    }

    /// Findings for a parsed URL, every stage not reached, with an optional password from
    /// outside it: tests set the stages they need.
    pub fn findings(url: &str, outside: Option<PasswordSource>) -> Findings {
        let mut target = Target::parse(url).unwrap();
        if let Some(source) = outside {
            target.supply_password(Secret::new("pw"), source);
        }
        Findings {
            shown: target.to_string(),
            target: Some(target),
            url: not_reached(),
            dns: not_reached(),
            tcp: not_reached(),
            scheme: not_reached(),
            tls: not_reached(),
            auth: not_reached(),
            ping: not_reached(),
            info: not_reached(),
            cluster: not_reached(),
            keyspace: not_reached(),
            connections: not_reached(),
            pubsub: not_reached(),
            write: not_reached(),
            elapsed: Duration::ZERO,
        }
    }
}
