//! Snapshot tests of every renderer: the exact text a person or a script sees, from findings
//! built by hand (fixed timings, a captured INFO). A renderer change shows up as a diff here.
//! Accept a deliberate change with `UPDATE_SNAPSHOTS=1 cargo test`, then review `git diff`.

use std::path::PathBuf;
use std::time::Duration;

use crate::checks::testing::{Build, findings};
use crate::checks::{self, Options};
use crate::cli::Format;
use crate::config::OutputConfig;
use crate::failure::{Failure, Reason};
use crate::probe::sampler::Ended;
use crate::probe::{Findings, Stage, StageId};
use crate::report::{LatencyReport, MemoryReport, Report};

pub(super) fn cfg(format: Format, quiet: bool) -> OutputConfig {
    OutputConfig {
        format,
        color: false,
        progress: false,
        quiet,
        strict: false,
        step_summary: None,
        step_summary_within: Duration::from_secs(1),
    }
}

/// Compares `actual` with `src/output/snapshots/NAME.txt`, or writes it under UPDATE_SNAPSHOTS.
pub(super) fn snapshot(name: &str, actual: &str) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("src/output/snapshots")
        .join(format!("{name}.txt"));
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::create_dir_all(path.parent().expect("a folder")).expect("create snapshots/");
        std::fs::write(&path, actual).expect("write the snapshot");
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|_| {
        panic!("no snapshot {name}: run UPDATE_SNAPSHOTS=1 cargo test, then review it")
    });
    if expected != actual {
        let diff: Vec<String> = expected
            .lines()
            .map(Some)
            .chain(std::iter::repeat(None))
            .zip(actual.lines().map(Some).chain(std::iter::repeat(None)))
            .take_while(|(a, b)| a.is_some() || b.is_some())
            .enumerate()
            .filter(|(_, (a, b))| a != b)
            .map(|(i, (a, b))| {
                let (a, b) = (a.unwrap_or(""), b.unwrap_or(""));
                // Long JSON lines: show from a little before the first difference.
                let at = a.bytes().zip(b.bytes()).take_while(|(x, y)| x == y).count();
                let mut from = at.saturating_sub(60);
                while !a.is_char_boundary(from) {
                    from -= 1;
                }
                let cut = |s: &str| {
                    s.get(from..)
                        .unwrap_or(s)
                        .chars()
                        .take(240)
                        .collect::<String>()
                };
                format!("line {}:\n- {}\n+ {}", i + 1, cut(a), cut(b))
            })
            .collect();
        panic!(
            "snapshot {name} differs (UPDATE_SNAPSHOTS=1 cargo test accepts it):\n{}",
            diff.join("\n")
        );
    }
}

pub(super) fn render(write: impl FnOnce(&mut Vec<u8>) -> std::io::Result<()>) -> String {
    let mut out = Vec::new();
    write(&mut out).expect("render to memory");
    String::from_utf8(out).expect("UTF-8 output")
}

pub(super) fn evaluate(f: &Findings) -> Report {
    checks::evaluate(f, &Options::default())
}

pub(super) fn healthy() -> Findings {
    Build::healthy("redis://:pw@127.0.0.1:6379/0").done()
}

pub(super) fn refused() -> Findings {
    Build::healthy("redis://127.0.0.1:6390")
        .with(|f| {
            f.tcp = Stage::failed(
                Failure::new(
                    Reason::Refused,
                    "127.0.0.1:6390: refused (nothing listens on that port)",
                ),
                Duration::from_micros(90),
            );
            f.skip_from(StageId::Scheme, "could not connect");
            f.elapsed = Duration::from_micros(400);
        })
        .done()
}

pub(super) fn ambiguous() -> Findings {
    let raw = "redis://:pa/ss@127.0.0.1:6379";
    let mut f = findings("redis://127.0.0.1", None);
    let e = crate::url::Target::parse(raw).expect_err("an ambiguous URL");
    f.shown = crate::url::redact_raw(raw);
    f.target = None;
    f.url = Stage::failed(
        Failure::new(Reason::InvalidUrl, e.to_string()),
        Duration::from_micros(12),
    );
    f.url_error = Some(e);
    f.skip_from(StageId::Dns, "the URL could not be used");
    f
}

#[test]
fn human_checklist() {
    let cases: [(&str, Vec<Findings>, bool); 5] = [
        ("human-healthy", vec![healthy()], false),
        ("human-healthy-quiet", vec![healthy()], true),
        ("human-refused", vec![refused()], false),
        ("human-ambiguous-url", vec![ambiguous()], false),
        ("human-two-targets", vec![healthy(), refused()], false),
    ];
    for (name, findings, quiet) in cases {
        let reports: Vec<Report> = findings.iter().map(evaluate).collect();
        let text = render(|out| super::human::write(out, &reports, &cfg(Format::Human, quiet)));
        snapshot(name, &text);
    }
}

#[test]
fn json_lines() {
    let reports: Vec<Report> = [healthy(), refused(), ambiguous()]
        .iter()
        .map(evaluate)
        .collect();
    let text = render(|out| super::json::write(out, &reports));
    snapshot("json", &text);
}

#[test]
fn github_annotations() {
    let reports: Vec<Report> = [healthy(), refused()].iter().map(evaluate).collect();
    let text = render(|out| super::github::write(out, &reports, &cfg(Format::Github, false)));
    snapshot("github", &text);
}

#[test]
fn memory_details() {
    let f = healthy();
    let mut report = evaluate(&f);
    checks::retain(&mut report, |c| {
        ["memory", "eviction", "keyspace", "clients"].contains(&c.id.as_str())
    });
    let r = MemoryReport {
        numbers: checks::memory_numbers(&f),
        report,
    };
    for (name, format) in [
        ("memory-human", Format::Human),
        ("memory-json", Format::Json),
    ] {
        let text = render(|out| super::memory::write(out, &r, &cfg(format, false)));
        snapshot(name, &text);
    }
}

#[test]
fn latency_details() {
    let f = healthy();
    let mut report = evaluate(&f);
    checks::retain(&mut report, |c| {
        ["url", "dns", "tcp", "auth"].contains(&c.id.as_str())
    });
    let samples: Vec<Duration> = (0..50u64)
        .map(|i| Duration::from_micros(20 + i * i % 37))
        .collect();
    let (check, summary) = checks::latency(&f, &samples, &Ended::Count, Duration::from_millis(10));
    report.checks.push(check);
    let r = LatencyReport {
        report,
        latency: Some(summary),
    };
    for (name, format) in [
        ("latency-human", Format::Human),
        ("latency-json", Format::Json),
    ] {
        let text = render(|out| super::latency::write(out, &r, &cfg(format, false)));
        snapshot(name, &text);
    }
}

#[test]
fn url_explanations() {
    for (name, raw) in [
        (
            "url-managed",
            "rediss://default:pw@cache.example.com:6380/0?ssl_cert_reqs=none",
        ),
        ("url-ambiguous", "redis://:pa/ss@127.0.0.1:6379"),
    ] {
        let report = crate::report::url::explain(raw);
        for (suffix, format) in [("human", Format::Human), ("json", Format::Json)] {
            let text = render(|out| super::url::write(out, &report, &cfg(format, false)));
            snapshot(&format!("{name}-{suffix}"), &text);
        }
    }
}
