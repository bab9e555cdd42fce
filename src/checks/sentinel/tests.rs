//! The Sentinel verdicts from hand-built findings.

use std::time::Duration;

use super::*;
use crate::checks::testing::findings;
use crate::info::Info;
use crate::probe::Stage;
use crate::probe::sentinel::{Announced, MasterState, SentinelNode, SentinelView};
use crate::report::Topology;
use crate::verdict::CheckId;

const URL: &str = "redis+sentinel://:pw@s1:26379,s2:26379,s3:26379/mymaster/0";

fn answered(address: &str, master: &str) -> SentinelNode {
    SentinelNode {
        address: address.into(),
        result: Ok(SentinelView {
            rtt: Duration::from_micros(200),
            master: Some((master.into(), 6379)),
            state: Some(MasterState {
                flags: vec!["master".into()],
                quorum: Some(2),
                ..MasterState::default()
            }),
            ckquorum: Some(Ok("OK 3 usable Sentinels".into())),
            monitored: vec![("mymaster".into(), format!("{master}:6379"))],
            ..SentinelView::default()
        }),
    }
}

fn down(address: &str, stage: &'static str, reason: Reason, cause: &str) -> SentinelNode {
    SentinelNode {
        address: address.into(),
        result: Err((stage, Failure::new(reason, cause))),
    }
}

fn with(nodes: Vec<SentinelNode>, master: Option<(&str, Vec<&str>)>) -> Findings {
    let mut f = findings(URL, None);
    let facts = SentinelFacts {
        master_name: "mymaster".into(),
        nodes,
        master: master.map(|(h, by)| Announced {
            host: h.into(),
            port: 6379,
            by: by.into_iter().map(str::to_string).collect(),
        }),
        replicas: Vec::new(),
        replicas_over_cap: 0,
    };
    f.sentinel = Stage::done(facts, Duration::ZERO);
    f
}

fn first(f: &Findings) -> Check {
    checks(f).remove(0)
}

#[test]
fn agreeing_sentinels_pass_and_the_topology_is_in_data() {
    let f = with(
        vec![
            answered("s1:26379", "10.0.0.5"),
            answered("s2:26379", "10.0.0.5"),
            answered("s3:26379", "10.0.0.5"),
        ],
        Some(("10.0.0.5", vec!["s1:26379", "s2:26379", "s3:26379"])),
    );
    let c = first(&f);
    assert_eq!(c.status, Status::Pass, "{}", c.summary);
    assert_eq!(
        c.summary,
        "mymaster at 10.0.0.5:6379 · 3 of 3 Sentinels agree · quorum 2 · ckquorum OK"
    );
    let topo: Topology = serde_json::from_value(Value::Object(c.data)).unwrap();
    assert_eq!((topo.agree, topo.quorum), (true, Some(2)));
    assert_eq!(topo.sentinels.len(), 3);
    assert_eq!(topo.monitored, ["mymaster"]);
}

#[test]
fn disagreement_and_a_sentinel_down_warn() {
    let f = with(
        vec![
            answered("s1:26379", "10.0.0.5"),
            answered("s2:26379", "10.0.0.6"),
            down("s3:26379", "tcp", Reason::Refused, "s3:26379: refused"),
        ],
        Some(("10.0.0.5", vec!["s1:26379"])),
    );
    let c = first(&f);
    assert_eq!(c.status, Status::Warn);
    assert!(
        c.summary
            .contains("1 of 3 Sentinels did not answer: s3:26379: refused"),
        "{}",
        c.summary
    );
    assert!(
        c.summary.contains(
            "the Sentinels disagree: s1:26379 says 10.0.0.5:6379, s2:26379 says 10.0.0.6:6379"
        ),
        "{}",
        c.summary
    );
}

#[test]
fn every_sentinel_refusing_auth_names_the_sentinel_password() {
    let nodes = ["s1:26379", "s2:26379", "s3:26379"]
        .map(|a| down(a, "auth", Reason::Noauth, "NOAUTH"))
        .to_vec();
    let c = first(&with(nodes, None));
    assert_eq!(c.data["reason"], "noauth");
    assert!(c.hint.unwrap().contains("--sentinel-password"));
    let nodes = ["s1:26379", "s2:26379"]
        .map(|a| down(a, "tcp", Reason::Timeout, "no answer"))
        .to_vec();
    let c = first(&with(nodes, None));
    assert_eq!(c.data["reason"], "sentinel-unreachable");
    assert!(
        c.summary.starts_with("none of the 2 Sentinels answered"),
        "{}",
        c.summary
    );
}

#[test]
fn a_replica_announced_as_master_fails_not_master() {
    let mut f = with(
        vec![answered("s1:26379", "10.0.0.5")],
        Some(("10.0.0.5", vec!["s1:26379"])),
    );
    f.info = Stage::done(
        Info::parse("# Replication\r\nrole:slave\r\nmaster_host:10.0.0.6\r\nmaster_port:6379\r\n"),
        Duration::ZERO,
    );
    let all = checks(&f);
    let master = all.iter().find(|c| c.id == CheckId::Master).unwrap();
    assert_eq!(master.data["reason"], "not-master");
    assert!(
        master
            .summary
            .ends_with("role:slave, replicating 10.0.0.6:6379"),
        "{}",
        master.summary
    );
    let replicas = all.iter().find(|c| c.id == CheckId::Replicas).unwrap();
    assert_eq!(replicas.status, Status::Warn, "no replica known");
}

#[test]
fn a_plain_url_at_a_sentinel_names_the_sentinel_url_to_use() {
    let mut f = findings("redis://:pw@10.0.0.9:26379/0", None);
    f.at_sentinel = Some(vec![("mymaster".into(), "10.0.0.5:6379".into())]);
    let c = first(&f);
    assert_eq!(c.data["reason"], "sentinel-not-data-node");
    let hint = c.hint.unwrap();
    assert!(
        hint.contains("redis+sentinel://:****@10.0.0.9:26379/mymaster/0"),
        "{hint}"
    );
    assert!(!hint.contains("pw"), "{hint}");
}

#[test]
fn a_master_name_no_sentinel_monitors_fails_with_a_url_that_names_one() {
    let mut node = answered("s1:26379", "10.0.0.5");
    if let Ok(view) = &mut node.result {
        view.master = None;
        view.state = None;
        view.monitored = vec![("cache".into(), "10.0.0.5:6379".into())];
    }
    let f = with(vec![node], None);
    let all = checks(&f);
    let c = &all[0];
    assert_eq!(c.status, Status::Fail);
    assert_eq!(c.data["reason"], "unknown-master");
    assert_eq!(
        c.summary,
        "no Sentinel monitors a master named 'mymaster'; they monitor: cache"
    );
    let hint = c.hint.as_deref().unwrap();
    assert!(
        hint.contains("redis+sentinel://:****@s1:26379,s2:26379,s3:26379/cache/0"),
        "{hint}"
    );
    assert!(!hint.contains("pw"), "{hint}");
    for (c, id) in all[1..].iter().zip(["master", "replicas"]) {
        assert_eq!((c.id.as_str(), c.status), (id, Status::Skip));
        assert_eq!(c.summary, "no Sentinel announced a master");
    }
}

#[test]
fn an_announced_master_out_of_reach_fails_with_the_announce_fix() {
    let mut f = with(
        vec![answered("s1:26379", "10.244.1.7")],
        Some(("10.244.1.7", vec!["s1:26379"])),
    );
    f.tcp = Stage::failed(
        Failure::new(Reason::Timeout, "10.244.1.7:6379: no answer within 2000 ms"),
        Duration::from_secs(2),
    );
    let master = checks(&f).remove(1);
    assert_eq!(master.id, "master");
    assert_eq!(master.status, Status::Fail);
    assert_eq!(master.data["reason"], "announced-unreachable");
    assert_eq!(
        master.summary,
        "the Sentinels announce 10.244.1.7:6379 as mymaster (said by s1:26379), and it cannot be reached from here: 10.244.1.7:6379: no answer within 2000 ms"
    );
    assert!(master.hint.unwrap().contains("replica-announce-ip"));
    assert_eq!(master.data["announced_by"], json!(["s1:26379"]));
}

#[test]
fn replicas_pass_when_reached_as_replicas_and_warn_for_each_problem() {
    use crate::probe::sentinel::{Peer, ReplicaNode};
    let replica = |host: &str, reached: Result<(Duration, String), Failure>| ReplicaNode {
        peer: Peer {
            address: format!("{host}:6379"),
            host: host.into(),
            port: 6379,
            flags: vec!["slave".into()],
        },
        reached,
    };
    let mut f = with(
        vec![answered("s1:26379", "10.0.0.5")],
        Some(("10.0.0.5", vec!["s1:26379"])),
    );
    let set = |f: &mut Findings, replicas: Vec<ReplicaNode>| {
        if let Outcome::Done(s) = &mut f.sentinel.outcome {
            s.replicas = replicas;
        }
    };
    set(
        &mut f,
        vec![
            replica("10.0.0.6", Ok((Duration::from_micros(300), "slave".into()))),
            replica("10.0.0.7", Ok((Duration::from_micros(310), "slave".into()))),
        ],
    );
    let c = checks(&f).remove(2);
    assert_eq!(
        (c.id.as_str(), c.status, c.summary.as_str()),
        ("replicas", Status::Pass, "2 replicas reachable, role:slave")
    );
    set(
        &mut f,
        vec![
            replica(
                "10.0.0.6",
                Ok((Duration::from_micros(300), "master".into())),
            ),
            replica(
                "10.0.0.7",
                Err(Failure::new(Reason::Refused, "10.0.0.7:6379: refused")),
            ),
        ],
    );
    let c = checks(&f).remove(2);
    assert_eq!(c.status, Status::Warn);
    assert!(
        c.summary.starts_with(
            "2 of 2 replicas: 10.0.0.6:6379 is announced as a replica but says role:master"
        ) && c
            .summary
            .contains("10.0.0.7:6379 unreachable (10.0.0.7:6379: refused)"),
        "{}",
        c.summary
    );
    assert!(c.hint.unwrap().contains("replica-announce-ip"));
}
