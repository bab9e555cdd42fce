//! Snapshot tests of the detailed renderers (tls, idle, keys, OpenMetrics, the GitHub step
//! summary with a Sentinel topology), with the helpers of `snapshots.rs`.

use std::time::Duration;

use super::snapshots::{ambiguous, cfg, evaluate, healthy, refused, render, snapshot};
use crate::checks::testing::Build;
use crate::checks::{self, Options};
use crate::cli::Format;
use crate::failure::{Failure, Reason};
use crate::probe::{Findings, Stage};
use crate::report::Report;
use crate::verdict::CheckId;

/// The `redcheck tls` report for a chain minted with fixed keys, in each format, and after a
/// failed handshake (the chain is still shown).
#[test]
fn tls_details() {
    use crate::checks::testing::certs::{ca, facts, leaf};
    use crate::report::TlsReport;
    use crate::trust::TrustSource;

    let root = ca("Example Private CA", 3000);
    let cert = leaf(
        "cache.example.com",
        &["cache.example.com", "10.0.0.7"],
        Some(&root),
        21,
    );
    let verified = Build::healthy("rediss://:pw@cache.example.com:6380")
        .tls(facts(
            "cache.example.com",
            &[&cert, &root],
            TrustSource::CustomCa,
            Ok(()),
        ))
        .done();
    let mismatch = Failure::new(
        Reason::HostnameMismatch,
        "the certificate is for cache.example.com, 10.0.0.7, not 'redis.example.com'",
    );
    let mismatched = Build::healthy("rediss://:pw@redis.example.com:6380")
        .with(|f| {
            let t = facts(
                "redis.example.com",
                &[&cert, &root],
                TrustSource::System,
                Err(mismatch.clone()),
            );
            f.scheme = Stage::done(crate::probe::Speaks::Tls, Duration::from_micros(600));
            f.tls = Stage {
                outcome: crate::probe::Outcome::Failed(mismatch.clone(), Some(Box::new(t))),
                took: Duration::from_micros(1900),
            };
            f.skip_from(crate::probe::StageId::Auth, "no TLS session");
        })
        .done();
    // A server that asks for a client certificate: the `client auth` line.
    let mut mismatched = mismatched;
    if let crate::probe::Outcome::Failed(_, Some(t)) = &mut mismatched.tls.outcome {
        t.client_cert_requested = true;
    }
    for (name, f) in [("tls-verified", verified), ("tls-mismatch", mismatched)] {
        let opts = Options {
            handshake_report: true,
            ..Options::default()
        };
        let mut report = checks::evaluate(&f, &opts);
        checks::retain(&mut report, |c| {
            matches!(
                c.id,
                CheckId::Url | CheckId::Dns | CheckId::Tcp | CheckId::Scheme | CheckId::Tls
            )
        });
        let r = TlsReport {
            handshake: checks::handshake(&f),
            report,
        };
        for (suffix, format) in [("human", Format::Human), ("json", Format::Json)] {
            let text = render(|out| super::tls::write(out, &r, &cfg(format, false)));
            snapshot(&format!("{name}-{suffix}"), &text);
        }
    }
}

/// The `redcheck idle` report: the ladder cut at the server's `timeout`.
#[test]
fn idle_details() {
    use crate::probe::idle::{Fate, Ladder, Rung, Sign};
    use crate::report::IdleReport;

    let f = Build::healthy("redis://127.0.0.1:6379")
        .with(|f| {
            if let crate::probe::Outcome::Done(c) = &mut f.config.outcome {
                c.timeout = Some(60);
            }
        })
        .done();
    let rung = |idle: u64, fate: Fate, noticed: Option<(u64, Sign)>| Rung {
        idle: Duration::from_secs(idle),
        fate,
        probed_after: Some(Duration::from_secs(idle)),
        noticed: noticed.map(|(t, s)| (Duration::from_secs(t), s)),
        rtt: (fate == Fate::Alive).then_some(Duration::from_micros(310)),
        detail: None,
    };
    let ladder = Ladder {
        rungs: vec![
            rung(15, Fate::Alive, None),
            rung(30, Fate::Alive, None),
            rung(60, Fate::Closed, Some((61, Sign::Eof))),
            rung(120, Fate::Closed, Some((61, Sign::Eof))),
        ],
        interrupted: false,
        keepalive: None,
    };
    let mut report = evaluate(&f);
    checks::retain(&mut report, |c| {
        matches!(
            c.id,
            CheckId::Url
                | CheckId::Dns
                | CheckId::Tcp
                | CheckId::Scheme
                | CheckId::Tls
                | CheckId::Auth
                | CheckId::Ping
                | CheckId::Resets
        )
    });
    let (check, summary) = checks::idle(&f, &ladder, Duration::from_secs(5));
    report.checks.push(check);
    checks::retain(&mut report, |_| true);
    let r = IdleReport {
        report,
        idle: Some(summary),
    };
    for (name, format) in [("idle-human", Format::Human), ("idle-json", Format::Json)] {
        let text = render(|out| super::idle::write(out, &r, &cfg(format, false)));
        snapshot(name, &text);
    }
}

/// The `redcheck keys` report: a BullMQ queue (keys as BullMQ wrote them) beside a cache,
/// under `allkeys-lru`.
#[test]
fn keys_details() {
    use crate::keyspace::{Key, KeyType};
    use crate::probe::keyspace::{Sample, Stop};
    use crate::report::{DbSample, KeysReport};

    let recorded: serde_json::Value =
        serde_json::from_str(include_str!("../../tests/fixtures/keyspaces/bullmq.json"))
            .expect("the BullMQ recording");
    let mut keys: Vec<Key> = recorded["keys"]
        .as_array()
        .expect("keys")
        .iter()
        .map(|k| Key {
            name: k["key"].as_str().expect("a name").into(),
            kind: Some(KeyType::parse(k["type"].as_str().expect("a type"))),
            ttl_ms: k["ttl_ms"].as_u64(),
            memory: Some(120),
        })
        .collect();
    keys.extend((0..6u64).map(|i| Key {
        name: format!("cache:product:{}", 1000 + i),
        kind: Some(KeyType::String),
        ttl_ms: (i % 2 == 0).then_some(3_600_000 - i * 1000),
        memory: Some(2048 + i * 512),
    }));
    let total = keys.len() as u64;
    let sample = Sample {
        db: 0,
        dbsize: total,
        analysis: crate::keyspace::analyse(&keys, total),
        keys,
        stop: Stop::Complete,
        covered: 1.0,
        total,
        scans: 2,
        unreadable: 0,
        memory_note: None,
        took: Duration::from_millis(14),
        busy: Duration::from_millis(9),
        nodes: 1,
        all_primaries: false,
    };
    let info = include_str!("../../tests/fixtures/info/redis-7.0.txt")
        .replace(
            "maxmemory_policy:noeviction",
            "maxmemory_policy:allkeys-lru",
        )
        .replace("maxmemory:0", "maxmemory:104857600")
        .replace("db0:keys=4,expires=1,", "db0:keys=17,expires=4,");
    let f = Build::healthy("redis://127.0.0.1:6379")
        .info(&info)
        .with(|f| f.keyspace = Stage::done(sample.clone(), Duration::from_millis(14)))
        .done();
    let mut report = evaluate(&f);
    checks::retain(&mut report, |c| {
        ["memory", "eviction", "keyspace", "workloads"].contains(&c.id.as_str())
            || c.status == crate::verdict::Status::Fail
    });
    let mut biggest: Vec<Key> = sample.keys.clone();
    biggest.sort_by(|a, b| b.memory.cmp(&a.memory).then(a.name.cmp(&b.name)));
    biggest.truncate(10);
    let r = KeysReport {
        report,
        databases: vec![DbSample {
            node: None,
            db: 0,
            dbsize: sample.dbsize,
            sampled: sample.analysis.sampled,
            estimated_total: sample.analysis.total,
            estimate: sample.analysis.is_estimate(),
            stopped: sample.stop,
            scans: sample.scans,
            scanned_percent: 100.0,
            took_ms: 14.0,
            busy_percent: 64.3,
            unreadable: 0,
            memory_note: None,
            namespaces: sample.analysis.namespaces.clone(),
            biggest,
        }],
        problems: vec![
            "db 1: NOPERM this user has no permissions to run the 'scan' command".into(),
        ],
    };
    for (name, format) in [("keys-human", Format::Human), ("keys-json", Format::Json)] {
        let text = render(|out| super::keys::write(out, &r, &cfg(format, false)));
        snapshot(name, &text);
    }
}

/// The OpenMetrics exposition `redcheck serve` answers, for a healthy, a refused and a TLS
/// target with maxmemory set (the certificate expiry and memory ratio families).
#[test]
fn openmetrics_exposition() {
    use crate::checks::testing::certs::{ca, facts, leaf};
    let root = ca("Example Private CA", 3000);
    let cert = leaf(
        "cache.example.com",
        &["cache.example.com"],
        Some(&root),
        200,
    );
    let info = include_str!("../../tests/fixtures/info/redis-7.0.txt")
        .replace(
            "maxmemory_policy:noeviction",
            "maxmemory_policy:allkeys-lru",
        )
        .replace("maxmemory:0", "maxmemory:104857600");
    let tls = Build::healthy("rediss://:pw@cache.example.com:6380")
        .tls(facts(
            "cache.example.com",
            &[&cert, &root],
            crate::trust::TrustSource::System,
            Ok(()),
        ))
        .info(&info)
        .done();
    let reports: Vec<Report> = [healthy(), refused(), tls].iter().map(evaluate).collect();
    snapshot("openmetrics", &super::openmetrics::render(&reports));
}

/// A Sentinel URL whose Sentinels agree but one is down, with one replica reached and one not.
fn sentinel() -> Findings {
    use crate::probe::sentinel::{
        Announced, MasterState, Peer, ReplicaNode, SentinelFacts, SentinelNode, SentinelView,
    };
    let view = SentinelView {
        rtt: Duration::from_micros(200),
        master: Some(("127.0.0.1".into(), 6379)),
        state: Some(MasterState {
            flags: vec!["master".into()],
            quorum: Some(2),
            ..MasterState::default()
        }),
        ckquorum: Some(Ok("OK 2 usable Sentinels".into())),
        monitored: vec![("mymaster".into(), "127.0.0.1:6379".into())],
        ..SentinelView::default()
    };
    let replica = |port: u16, reached| ReplicaNode {
        peer: Peer {
            address: format!("127.0.0.1:{port}"),
            host: "127.0.0.1".into(),
            port,
            flags: vec!["slave".into()],
        },
        reached,
    };
    Build::healthy(
        "redis+sentinel://:pw@127.0.0.1:26379,127.0.0.1:26380,127.0.0.1:26381/mymaster/0",
    )
    .with(|f| {
        // The data node the probe connects to is the master the Sentinels announced.
        let master: std::net::SocketAddr = "127.0.0.1:6379".parse().expect("an address");
        if let crate::probe::Outcome::Done(t) = &mut f.tcp.outcome {
            t.peer = master.to_string();
            t.attempts[0].addr = master;
        }
        if let crate::probe::Outcome::Done(d) = &mut f.dns.outcome {
            d.addrs = vec![master];
        }
        f.sentinel = Stage::done(
            SentinelFacts {
                master_name: "mymaster".into(),
                nodes: vec![
                    SentinelNode {
                        address: "127.0.0.1:26379".into(),
                        result: Ok(view.clone()),
                    },
                    SentinelNode {
                        address: "127.0.0.1:26380".into(),
                        result: Ok(view),
                    },
                    SentinelNode {
                        address: "127.0.0.1:26381".into(),
                        result: Err((
                            "tcp",
                            Failure::new(
                                Reason::Refused,
                                "127.0.0.1:26381: refused (nothing listens on that port)",
                            ),
                        )),
                    },
                ],
                master: Some(Announced {
                    host: "127.0.0.1".into(),
                    port: 6379,
                    by: vec!["127.0.0.1:26379".into(), "127.0.0.1:26380".into()],
                }),
                replicas: vec![
                    replica(6380, Ok((Duration::from_micros(300), "slave".into()))),
                    replica(
                        6381,
                        Err(Failure::new(
                            Reason::Refused,
                            "127.0.0.1:6381: refused (nothing listens on that port)",
                        )),
                    ),
                ],
                replicas_over_cap: 0,
            },
            Duration::from_micros(1200),
        );
    })
    .done()
}

/// The GitHub step summary (Markdown): healthy, refused, an ambiguous URL, and a Sentinel URL
/// (the topology table).
#[test]
fn github_step_summary() {
    let reports: Vec<Report> = [healthy(), refused(), ambiguous(), sentinel()]
        .iter()
        .map(evaluate)
        .collect();
    let text = render(|out| super::github::markdown(out, &reports));
    snapshot("github-step-summary", &text);
}
