//! Verdict for `cluster`: the state, the shards, and whether every node the cluster
//! announces can be reached from here.

use serde_json::{Value, json};

use super::{check, failed, hints, object, skipped, timed};
use crate::failure::{Failure, Reason};
use crate::probe::cluster::{ClusterFacts, MAX_DIALLED, Reached};
use crate::probe::{Findings, Outcome};
use crate::report::{Check, Status, millis};

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
                Reached::NotTried(why) => (None, None, Some(why.clone()), None),
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
        .filter(|n| !matches!(n.reached, Reached::NotTried(_)))
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
