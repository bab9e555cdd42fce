//! Verdict for `cluster`: the state, the shards, and whether every node the cluster
//! announces can be reached from here.

use serde_json::{Value, json};

use super::{check, failed, hints, object, skipped, timed};
use crate::failure::{Failure, Reason};
use crate::probe::cluster::{ClusterFacts, MAX_DIALLED, Reached};
use crate::probe::{Findings, Outcome};
use crate::verdict::{Check, Status, millis};

/// How many unreachable nodes the summary names.
const SHOWN_NODES: usize = 3;

/// Said of every cluster, whatever its state.
const CLUSTER_AWARE: &str = "use a cluster-aware client (or your client's cluster mode): it follows MOVED and ASK and connects to every node the cluster announces";

/// `cluster`.
pub fn cluster(f: &Findings) -> Check {
    let c = match &f.cluster.outcome {
        Outcome::Done(c) => over_cap(judged(f, c), c),
        Outcome::Failed(failure, _) => failed(
            "cluster",
            failure,
            hints::for_failure(failure, f),
            serde_json::Map::new(),
        ),
        Outcome::Skipped(why) => skipped("cluster", why),
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
        return failed("cluster", &failure, hint, object(data));
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
        return failed("cluster", &failure, Some(hint), object(data));
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
            "cluster",
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
        "cluster",
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
    use super::*;
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
}
