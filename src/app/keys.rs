//! `redcheck keys`: connect, then sample every database that holds keys (every primary of a
//! cluster) with paced SCANs; the namespace tables, and the workload verdicts on all of it.

use std::time::Duration;

use crate::checks::{self, Options};
use crate::cli::KeysArgs;
use crate::config::{CheckConfig, KeysConfig};
use crate::conn::Connection;
use crate::deadline::Deadline;
use crate::exit_code::ExitCode;
use crate::keyspace;
use crate::output::{self, keys::SampleBar, progress::Progress};
use crate::probe::keyspace::{Limits, Sample, SampleError};
use crate::probe::{self, Findings, Prepared, Stage};
use crate::report::{DbSample, KeysReport};
use crate::url::{Endpoint, Host};
use crate::verdict::{CheckId, Status};

/// The checks this command shows; a failure elsewhere is shown too, since it explains why
/// these could not run.
const SHOWN: [CheckId; 4] = [
    CheckId::Memory,
    CheckId::Eviction,
    CheckId::Keyspace,
    CheckId::Workloads,
];
/// About this many keys per database get a MEMORY USAGE; sizes are scaled from them.
const MEMORY_KEYS: usize = 3_000;
/// How many of the largest keys each database lists.
const BIGGEST: usize = 10;

/// One server to sample: its label (cluster primaries), connection and databases.
struct Server {
    node: Option<String>,
    conn: Connection,
    dbs: Vec<u32>,
    db_now: u32,
}

/// Runs `redcheck keys`.
pub fn run(args: &KeysArgs) -> anyhow::Result<ExitCode> {
    let cfg = KeysConfig::from_args(args)?;
    let prepared = crate::probe::prepare(&cfg.base.urls, &cfg.base.check)?;
    let prep = &prepared[0];
    let progress = Progress::new(cfg.base.output.progress, "keys");
    let on_stage = |name: &'static str| progress.stage(name);
    let (mut f, conn) = probe::run_open(prep, &cfg.base.check, &on_stage);
    progress.finish();
    let mut problems = Vec::new();
    let servers = match conn {
        Some(conn) => servers(&f, conn, prep, &cfg, &mut problems),
        None => Vec::new(),
    };
    let mut samples: Vec<(Option<String>, Sample)> = Vec::new();
    for mut server in servers {
        for db in server.dbs.clone() {
            match sample_db(&mut server, db, &cfg) {
                Ok(s) => samples.push((server.node.clone(), s)),
                Err(why) => problems.push(match &server.node {
                    Some(node) => format!("{node} db {db}: {why}"),
                    None => format!("db {db}: {why}"),
                }),
            }
        }
    }
    if f.info.facts().is_some() || !samples.is_empty() {
        f.keyspace = match merged(samples.iter().map(|(_, s)| s)) {
            Some(all) => Stage::done(all, f.keyspace.took),
            None => Stage::not_reached(
                problems
                    .first()
                    .cloned()
                    .unwrap_or_else(|| "no database was sampled".into()),
            ),
        };
    }
    let opts = Options {
        workload: cfg.base.workload,
        write_probe: false,
        ..Options::default()
    };
    let mut report = checks::evaluate(&f, &opts);
    checks::retain_shown(&mut report, &SHOWN);
    let report = KeysReport {
        report,
        databases: samples.iter().map(|(node, s)| table(node, s)).collect(),
        problems,
    };
    let code = ExitCode::for_reports(std::slice::from_ref(&report.report), cfg.base.output.strict);
    super::finish(code, |out| {
        output::keys::write(out, &report, &cfg.base.output)
    })
}

/// This server, and in a cluster every other primary it announces.
fn servers(
    f: &Findings,
    conn: Connection,
    prep: &Prepared,
    cfg: &KeysConfig,
    problems: &mut Vec<String>,
) -> Vec<Server> {
    let url_db = f.target.as_ref().map_or(0, |t| t.db);
    let Some(cluster) = f.cluster.facts() else {
        return vec![Server {
            node: None,
            conn,
            dbs: databases(f, cfg.db, url_db),
            db_now: url_db,
        }];
    };
    let me = f
        .target
        .as_ref()
        .map(|t| address(&t.endpoint))
        .unwrap_or_default();
    let mut out = vec![Server {
        node: Some(me),
        conn,
        dbs: vec![0],
        db_now: url_db,
    }];
    let Ok(target) = &prep.target else {
        return out;
    };
    // Other primaries: dialled as the first connection was, without the cluster stage.
    let check = CheckConfig {
        extras: crate::config::Extras::default(),
        samples: 1,
        ..cfg.base.check.clone()
    };
    for shard in &cluster.shards {
        let Some(node) = shard
            .nodes
            .iter()
            .find(|n| n.role == "master" || n.role == "primary")
        else {
            continue;
        };
        if cluster.my_id.as_deref() == Some(node.id.as_str()) {
            continue;
        }
        let port = if target.tls {
            node.tls_port.or(node.port)
        } else {
            node.port.or(node.tls_port)
        };
        let (Some(port), false) = (port, node.endpoint.is_empty() || node.endpoint == "?") else {
            problems.push(format!("primary {}: no address announced", node.id));
            continue;
        };
        let mut t = target.clone();
        t.endpoint = Endpoint::Tcp {
            host: node
                .endpoint
                .parse()
                .map_or_else(|_| Host::Name(node.endpoint.clone()), Host::Ip),
            port,
        };
        let label = address(&t.endpoint);
        let other = Prepared {
            shown: t.to_string(),
            target: Ok(t),
            roots: prep.roots.clone(),
        };
        match probe::run_open(&other, &check, &|_| {}) {
            (_, Some(conn)) => out.push(Server {
                node: Some(label),
                conn,
                dbs: vec![0],
                db_now: url_db,
            }),
            (g, None) => problems.push(format!(
                "primary {label}: {}",
                first_failure(&g).unwrap_or_else(|| "could not connect".into())
            )),
        }
    }
    out
}

/// `host:port`, `[::1]:port`, or the socket path.
fn address(e: &Endpoint) -> String {
    match e {
        Endpoint::Tcp {
            host: Host::Ip(std::net::IpAddr::V6(ip)),
            port,
        } => format!("[{ip}]:{port}"),
        Endpoint::Tcp { host, port } => format!("{host}:{port}"),
        Endpoint::Unix(path) => path.display().to_string(),
    }
}

/// The first stage that failed, in words.
fn first_failure(f: &Findings) -> Option<String> {
    let report = checks::evaluate(f, &Options::default());
    report
        .checks
        .into_iter()
        .find(|c| c.status == Status::Fail)
        .map(|c| format!("{}: {}", c.id, c.summary))
}

/// `--db N`, else every database INFO counts keys in, else the URL's.
fn databases(f: &Findings, only: Option<u32>, url_db: u32) -> Vec<u32> {
    if let Some(db) = only {
        return vec![db];
    }
    let with_keys: Vec<u32> = f
        .info
        .facts()
        .map(|i| {
            i.keyspace()
                .iter()
                .filter(|d| d.keys > 0)
                .map(|d| d.db)
                .collect()
        })
        .unwrap_or_default();
    if with_keys.is_empty() {
        vec![url_db]
    } else {
        with_keys
    }
}

/// Selects `db` and samples it, paced, with a progress bar on a terminal.
fn sample_db(server: &mut Server, db: u32, cfg: &KeysConfig) -> Result<Sample, String> {
    let timeout = cfg.base.check.timeout;
    server
        .conn
        .set_deadline(Deadline::after(timeout.saturating_add(cfg.budget)));
    if db != server.db_now {
        let reply = server
            .conn
            .call(redis::cmd("SELECT").arg(db))
            .map_err(|e| e.to_string())?;
        if let Some((_, msg)) = crate::conn::server_error(&reply) {
            return Err(format!(
                "SELECT {db}: {}",
                crate::probe::session::sanitize(&msg)
            ));
        }
        server.db_now = db;
    }
    let limits = Limits {
        keys: cfg.sample,
        read: None,
        budget: cfg.budget,
        pattern: cfg.pattern.clone(),
        memory_every: cfg.sample.div_ceil(MEMORY_KEYS).max(1),
        pace: true,
    };
    let what = match &server.node {
        Some(node) => format!("{node} db{db}"),
        None => format!("db{db}"),
    };
    let bar = SampleBar::new(cfg.base.output.progress, &what, cfg.sample);
    let deadline = Deadline::after(timeout.saturating_add(cfg.budget));
    let result = crate::probe::keyspace::sample(&mut server.conn, db, &limits, deadline, &|n| {
        bar.set(n);
    });
    bar.finish();
    result.map_err(|e| match e {
        SampleError::Forbidden(why) => format!("not allowed: {why}"),
        SampleError::Failed(e) => format!("{e:?}"),
    })
}

/// Every sample as one, for the verdicts: the eviction policy and the TTL rules apply to the
/// whole instance (or cluster), whichever database or primary a namespace lives in.
fn merged<'a>(samples: impl Iterator<Item = &'a Sample>) -> Option<Sample> {
    let mut all: Option<Sample> = None;
    for s in samples {
        match &mut all {
            None => all = Some(s.clone()),
            Some(a) => {
                a.keys.extend(s.keys.iter().cloned());
                a.dbsize += s.dbsize;
                a.total += s.total;
                a.scans += s.scans;
                a.unreadable += s.unreadable;
                a.took += s.took;
                a.busy += s.busy;
                a.nodes += 1;
            }
        }
    }
    let mut all = all?;
    all.analysis = keyspace::analyse(&all.keys, all.total);
    all.all_primaries = true;
    Some(all)
}

/// One database's table for the report.
#[allow(clippy::cast_precision_loss)]
fn table(node: &Option<String>, s: &Sample) -> DbSample {
    let mut biggest: Vec<keyspace::Key> = s
        .keys
        .iter()
        .filter(|k| k.memory.is_some())
        .cloned()
        .collect();
    biggest.sort_by(|a, b| b.memory.cmp(&a.memory).then(a.name.cmp(&b.name)));
    biggest.truncate(BIGGEST);
    let ms = |d: Duration| (d.as_secs_f64() * 1e6).round() / 1e3;
    DbSample {
        node: node.clone(),
        db: s.db,
        dbsize: s.dbsize,
        sampled: s.analysis.sampled,
        estimated_total: s.analysis.total,
        estimate: s.analysis.is_estimate(),
        stopped: s.stop,
        scans: s.scans,
        scanned_percent: (s.covered * 1000.0).round() / 10.0,
        took_ms: ms(s.took),
        busy_percent: if s.took.is_zero() {
            0.0
        } else {
            (s.busy.as_secs_f64() * 1000.0 / s.took.as_secs_f64()).round() / 10.0
        },
        unreadable: s.unreadable,
        memory_note: s.memory_note.clone(),
        namespaces: s.analysis.namespaces.clone(),
        biggest,
    }
}
