//! Verdict for `cluster`: the state, the shards, and whether every node the cluster
//! announces can be reached from here.

use serde_json::{Value, json};

use super::{check, failed, hints, object, skipped, timed};
use crate::failure::{Failure, Reason};
use crate::probe::cluster::{ClusterFacts, MAX_DIALLED, Reached};
use crate::probe::{Findings, Outcome};
use crate::verdict::{Check, CheckId, Status, millis};

/// How many unreachable nodes the summary names.
const SHOWN_NODES: usize = 3;

/// Said of every cluster, whatever its state.
const CLUSTER_AWARE: &str = "use a cluster-aware client (or your client's cluster mode): it follows MOVED and ASK and connects to every node the cluster announces";

/// `cluster`.
pub fn cluster(f: &Findings) -> Check {
    let c = match &f.cluster.outcome {
        Outcome::Done(c) => over_cap(judged(f, c), c),
        Outcome::Failed(failure, _) => failed(
            CheckId::Cluster,
            failure,
            hints::for_failure(failure, f),
            serde_json::Map::new(),
        ),
        Outcome::Skipped(why) => skipped(CheckId::Cluster, why),
    };
    timed(c, &f.cluster)
}

/// The verdict when the cluster stage found its facts.
fn judged(f: &Findings, c: &ClusterFacts) -> Check {
    let nodes: Vec<Value> = c
        .nodes
        .iter()
        .map(|n| {
            let (reachable, ms, error, reason) = match &n.reached {
                Reached::Yes(took, note) => (
                    Some(true),
                    Some(millis(*took)),
                    note.as_ref().map(|f| f.cause.clone()),
                    note.as_ref().map(|f| f.reason.as_str()),
                ),
                Reached::No(failure) => (
                    Some(false),
                    None,
                    Some(failure.cause.clone()),
                    Some(failure.reason.as_str()),
                ),
                Reached::NotTried(_) | Reached::MarkedFailed => (
                    None,
                    None,
                    n.reached.not_tried_why().map(str::to_string),
                    None,
                ),
            };
            json!({"address": n.address, "role": n.role, "reachable": reachable, "ms": ms, "error": error, "reason": reason})
        })
        .collect();
    let state = c.state.clone().unwrap_or_else(|| "unknown".into());
    let data = json!({
        "state": state,
        "slots_assigned": c.slots_assigned,
        "slots_ok": c.slots_ok,
        "known_nodes": c.known_nodes,
        "shards": c.shards.len(),
        "nodes": nodes,
        "not_tried_over_cap": c.over_cap,
    });
    let unreachable: Vec<(&str, &Failure)> = c
        .nodes
        .iter()
        .filter_map(|n| match &n.reached {
            Reached::No(failure) => Some((n.address.as_str(), failure)),
            _ => None,
        })
        .collect();
    let tried = c
        .nodes
        .iter()
        .filter(|n| n.reached.not_tried_why().is_none())
        .count();
    let shards = format!(
        "{} shard{}",
        c.shards.len(),
        if c.shards.len() == 1 { "" } else { "s" }
    );
    let unreachable_text = (!unreachable.is_empty()).then(|| {
        let mut named: Vec<String> = unreachable
            .iter()
            .take(SHOWN_NODES)
            .map(|(addr, failure)| format!("{addr} ({})", failure.cause))
            .collect();
        if unreachable.len() > SHOWN_NODES {
            named.push(format!("{} more", unreachable.len() - SHOWN_NODES));
        }
        format!(
            "{} of {} unreachable: {}",
            unreachable.len(),
            nodes_text(tried),
            named.join("; ")
        )
    });
    if state != "ok" {
        let assigned = c.slots_assigned.unwrap_or(0);
        let mut cause = format!(
            "cluster_state:{state} · {assigned} of 16384 slots assigned · {}",
            shards
        );
        // Name what is down, not only count it: the failed nodes and the slots nobody serves.
        let failed_nodes: Vec<String> = c
            .nodes
            .iter()
            .filter(|n| matches!(n.reached, Reached::MarkedFailed))
            .map(|n| format!("{} ({})", n.address, n.role))
            .collect();
        if !failed_nodes.is_empty() {
            cause = format!("{cause} · failed: {}", shown_list(&failed_nodes));
        }
        let uncovered = uncovered_slots(c);
        if !uncovered.is_empty() {
            let ranges: Vec<String> = uncovered
                .iter()
                .map(|(a, b)| {
                    if a == b {
                        a.to_string()
                    } else {
                        format!("{a}-{b}")
                    }
                })
                .collect();
            cause = format!("{cause} · slots not served: {}", shown_list(&ranges));
        }
        if let Some(text) = &unreachable_text {
            cause = format!("{cause} · {text}");
        }
        let failure = Failure::new(Reason::ClusterDown, cause);
        let hint = hints::for_reason(Reason::ClusterDown, f)
            .map(|h| format!("{h}; until every slot is served, commands fail with CLUSTERDOWN"));
        return failed(CheckId::Cluster, &failure, hint, object(data));
    }
    if let Some(text) = unreachable_text {
        let failure = Failure::new(Reason::NodeUnreachable, text);
        let mut hint = hints::for_reason(Reason::NodeUnreachable, f).unwrap_or_default();
        if unreachable
            .iter()
            .any(|(_, fl)| fl.reason == Reason::HostnameMismatch)
        {
            hint.push_str("\nthe certificate does not name the addresses the cluster announces: a client that verifies host names fails on every redirect; the server's certificate must list them (or announce host names with cluster-announce-hostname)");
        }
        return failed(CheckId::Cluster, &failure, Some(hint), object(data));
    }
    let insecure: Vec<&Failure> = c
        .nodes
        .iter()
        .filter_map(|n| match &n.reached {
            Reached::Yes(_, Some(note)) => Some(note),
            _ => None,
        })
        .collect();
    if let Some(note) = insecure.first() {
        return check(
            CheckId::Cluster,
            Status::Warn,
            format!(
                "ok · {shards} · {tried} announced nodes reachable, {} only because of --insecure",
                insecure.len()
            ),
            Some(format!(
                "a verifying client fails on those nodes: {}\n{CLUSTER_AWARE}",
                note.cause
            )),
            data,
        );
    }
    check(
        CheckId::Cluster,
        Status::Pass,
        format!("ok · {shards} · {} reachable", nodes_text(tried)),
        Some(CLUSTER_AWARE.into()),
        data,
    )
}

/// The first few items and how many more.
fn shown_list(items: &[String]) -> String {
    let mut named: Vec<String> = items.iter().take(SHOWN_NODES).cloned().collect();
    if items.len() > SHOWN_NODES {
        named.push(format!("{} more", items.len() - SHOWN_NODES));
    }
    named.join(", ")
}

/// Slot ranges no shard serves: unassigned, or assigned to a shard whose primary the cluster
/// marks failed.
fn uncovered_slots(c: &ClusterFacts) -> Vec<(u16, u16)> {
    let mut served = vec![false; 16384];
    for shard in &c.shards {
        let primary_failed = shard
            .nodes
            .iter()
            .any(|n| n.role == "master" && n.health.as_deref() == Some("fail"));
        if primary_failed {
            continue;
        }
        for &(a, b) in &shard.slots {
            for slot in a..=b.min(16383) {
                served[usize::from(slot)] = true;
            }
        }
    }
    let mut out = Vec::new();
    let mut start = None;
    for (slot, ok) in (0u16..).zip(served.iter().copied()) {
        match (ok, start) {
            (false, None) => start = Some(slot),
            (true, Some(a)) => {
                out.push((a, slot - 1));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(a) = start {
        out.push((a, 16383));
    }
    out
}

/// More nodes announced than any supported cluster has: those never dialled are counted in
/// the summary, and a pass becomes a warning, since nothing vouches for them.
fn over_cap(mut check: Check, c: &ClusterFacts) -> Check {
    if c.over_cap > 0 {
        check.summary.push_str(&format!(
            " · {} more announced nodes not tried (redcheck dials at most {MAX_DIALLED})",
            c.over_cap
        ));
        check.status = check.status.max(Status::Warn);
    }
    check
}

/// `1 announced node`, `3 announced nodes`.
fn nodes_text(n: usize) -> String {
    format!("{n} announced node{}", if n == 1 { "" } else { "s" })
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::checks::testing::Build;
    use crate::probe::Stage;
    use crate::probe::cluster::{Node, NodeReach, Shard};

    #[test]
    fn cluster_down_names_the_failed_nodes_and_the_slots_nobody_serves() {
        let node = |id: &str, role: &str, health: &str| Node {
            id: id.into(),
            role: role.into(),
            health: Some(health.into()),
            ..Node::default()
        };
        let facts = ClusterFacts {
            state: Some("fail".into()),
            slots_assigned: Some(16000),
            shards: vec![
                Shard {
                    slots: vec![(0, 5460)],
                    nodes: vec![node("a", "master", "fail")],
                },
                Shard {
                    slots: vec![(5461, 16000)],
                    nodes: vec![node("b", "master", "online")],
                },
            ],
            nodes: vec![NodeReach {
                address: "10.0.0.1:7000".into(),
                role: "master".into(),
                reached: Reached::MarkedFailed,
            }],
            ..ClusterFacts::default()
        };
        assert_eq!(uncovered_slots(&facts), [(0, 5460), (16001, 16383)]);
        let mut f = crate::checks::testing::findings("redis://h:7000", None);
        f.cluster = crate::probe::Stage::done(facts, std::time::Duration::ZERO);
        let c = cluster(&f);
        assert_eq!(c.status, Status::Fail);
        assert!(
            c.summary.contains("failed: 10.0.0.1:7000 (master)")
                && c.summary.contains("slots not served: 0-5460, 16001-16383"),
            "{}",
            c.summary
        );
    }

    fn shard(slots: (u16, u16), primary: &str) -> Shard {
        Shard {
            slots: vec![slots],
            nodes: vec![Node {
                id: primary.into(),
                role: "master".into(),
                health: Some("online".into()),
                ..Node::default()
            }],
        }
    }

    fn reach(address: &str, reached: Reached) -> NodeReach {
        NodeReach {
            address: address.into(),
            role: "master".into(),
            reached,
        }
    }

    fn ms(n: u64) -> Reached {
        Reached::Yes(Duration::from_millis(n), None)
    }

    /// Three healthy shards, every node reached, as the probe records a working cluster.
    fn three_shards(nodes: Vec<NodeReach>) -> ClusterFacts {
        ClusterFacts {
            state: Some("ok".into()),
            slots_assigned: Some(16384),
            slots_ok: Some(16384),
            known_nodes: Some(3),
            my_id: Some("a".into()),
            shards: vec![
                shard((0, 5460), "a"),
                shard((5461, 10922), "b"),
                shard((10923, 16383), "c"),
            ],
            nodes,
            over_cap: 0,
        }
    }

    fn judge(url: &str, facts: ClusterFacts) -> Check {
        let f = Build::healthy(url)
            .with(|f| f.cluster = Stage::done(facts, Duration::from_micros(900)))
            .done();
        cluster(&f)
    }

    fn reason(c: &Check) -> Option<&str> {
        c.data.get("reason").and_then(|r| r.as_str())
    }

    #[test]
    fn a_cluster_serving_every_slot_with_every_node_reached_passes() {
        let c = judge(
            "redis://10.0.0.1:7000",
            three_shards(vec![
                reach("10.0.0.1:7000", ms(1)),
                reach("10.0.0.2:7000", ms(2)),
                reach("10.0.0.3:7000", ms(3)),
            ]),
        );
        assert_eq!(c.status, Status::Pass, "{}", c.summary);
        assert_eq!(c.summary, "ok · 3 shards · 3 announced nodes reachable");
        assert!(c.hint.as_deref().unwrap().contains("cluster-aware client"));
        assert_eq!(reason(&c), None);
        assert_eq!(c.data["shards"], 3);
        assert_eq!(c.data["nodes"][1]["reachable"], true);
        assert_eq!(c.data["nodes"][1]["ms"], 2.0);
        assert_eq!(c.duration_ms, Some(0.9));
    }

    #[test]
    fn an_unreachable_node_fails_and_is_named_with_its_cause() {
        let no = |cause: &str| Reached::No(Failure::new(Reason::Timeout, cause));
        let c = judge(
            "redis://10.0.0.1:7000",
            three_shards(vec![
                reach("10.0.0.1:7000", ms(1)),
                reach("172.17.0.2:7000", no("no answer within 2000 ms")),
                reach("172.17.0.3:7000", no("no answer within 2000 ms")),
            ]),
        );
        assert_eq!(c.status, Status::Fail);
        assert_eq!(reason(&c), Some("node-unreachable"));
        assert_eq!(
            c.summary,
            "2 of 3 announced nodes unreachable: 172.17.0.2:7000 (no answer within 2000 ms); 172.17.0.3:7000 (no answer within 2000 ms)"
        );
        let hint = c.hint.unwrap();
        assert!(hint.contains("NAT mapping"), "{hint}");
        assert!(!hint.contains("certificate"), "{hint}");
        assert_eq!(c.data["nodes"][1]["reachable"], false);
        assert_eq!(c.data["nodes"][1]["reason"], "timeout");
    }

    #[test]
    fn a_node_whose_certificate_names_other_hosts_says_so_and_more_than_three_are_counted() {
        let mismatch = || {
            Reached::No(Failure::new(
                Reason::HostnameMismatch,
                "the certificate is for cache.example.com",
            ))
        };
        let nodes = (1..=5)
            .map(|i| reach(&format!("10.0.0.{i}:7000"), mismatch()))
            .collect();
        let c = judge("rediss://cache.example.com:7000", three_shards(nodes));
        assert_eq!(c.status, Status::Fail);
        assert!(
            c.summary
                .starts_with("5 of 5 announced nodes unreachable: 10.0.0.1:7000 (")
                && c.summary.ends_with("; 2 more"),
            "{}",
            c.summary
        );
        assert!(!c.summary.contains("10.0.0.4:7000"), "{}", c.summary);
        assert!(
            c.hint.unwrap().contains("cluster-announce-hostname"),
            "a mismatch says how the certificate must change"
        );
    }

    #[test]
    fn nodes_reached_only_under_insecure_warn() {
        let note = Failure::new(Reason::UnknownIssuer, "issued by 'Private CA', not trusted");
        let c = judge(
            "rediss://10.0.0.1:7000",
            three_shards(vec![
                reach("10.0.0.1:7000", ms(1)),
                reach(
                    "10.0.0.2:7000",
                    Reached::Yes(Duration::from_millis(2), Some(note)),
                ),
            ]),
        );
        assert_eq!(c.status, Status::Warn);
        assert_eq!(
            c.summary,
            "ok · 3 shards · 2 announced nodes reachable, 1 only because of --insecure"
        );
        let hint = c.hint.unwrap();
        assert!(
            hint.starts_with("a verifying client fails on those nodes: issued by 'Private CA'"),
            "{hint}"
        );
        assert_eq!(c.data["nodes"][1]["reason"], "unknown-issuer");
    }

    #[test]
    fn a_down_cluster_fails_cluster_down_before_naming_unreachable_nodes() {
        let mut facts = three_shards(vec![
            reach("10.0.0.1:7000", ms(1)),
            reach(
                "10.0.0.2:7000",
                Reached::No(Failure::new(
                    Reason::Refused,
                    "refused (nothing listens on that port)",
                )),
            ),
        ]);
        facts.state = Some("fail".into());
        facts.shards.truncate(2);
        facts.slots_assigned = Some(10923);
        let c = judge("redis://10.0.0.1:7000", facts);
        assert_eq!(c.status, Status::Fail);
        assert_eq!(reason(&c), Some("cluster-down"));
        assert_eq!(
            c.summary,
            "cluster_state:fail · 10923 of 16384 slots assigned · 2 shards · slots not served: 10923-16383 · 1 of 2 announced nodes unreachable: 10.0.0.2:7000 (refused (nothing listens on that port))"
        );
        assert!(c.hint.unwrap().ends_with("commands fail with CLUSTERDOWN"));
    }

    #[test]
    fn nodes_over_the_dialling_cap_are_counted_and_turn_a_pass_into_a_warning() {
        let mut facts = three_shards(vec![reach("10.0.0.1:7000", ms(1))]);
        facts.over_cap = 12;
        let c = judge("redis://10.0.0.1:7000", facts.clone());
        assert_eq!(c.status, Status::Warn);
        assert_eq!(
            c.summary,
            format!(
                "ok · 3 shards · 1 announced node reachable · 12 more announced nodes not tried (redcheck dials at most {MAX_DIALLED})"
            )
        );
        assert_eq!(c.data["not_tried_over_cap"], 12);
        // A failure stays a failure, with the count after it.
        facts.state = Some("fail".into());
        let c = judge("redis://10.0.0.1:7000", facts);
        assert_eq!(c.status, Status::Fail);
        assert!(
            c.summary
                .ends_with("12 more announced nodes not tried (redcheck dials at most 1000)"),
            "{}",
            c.summary
        );
    }

    #[test]
    fn a_skipped_or_refused_cluster_stage_is_reported_as_such() {
        let f = Build::healthy("redis://127.0.0.1:6379").done();
        let c = cluster(&f);
        assert_eq!(
            (c.status, c.summary.as_str()),
            (Status::Skip, "cluster mode is off")
        );
        assert_eq!(c.duration_ms, None);
        let f = Build::healthy("redis://127.0.0.1:6379")
            .with(|f| {
                f.cluster = Stage::failed(
                    Failure::new(
                        Reason::Noperm,
                        "NOPERM this user has no permissions to run the 'cluster|shards' command",
                    ),
                    Duration::from_micros(70),
                );
            })
            .done();
        let c = cluster(&f);
        assert_eq!(c.status, Status::Fail);
        assert_eq!(reason(&c), Some("noperm"));
        assert!(c.hint.unwrap().contains("ACL SETUSER"));
        assert_eq!(c.duration_ms, Some(0.07));
    }
}
