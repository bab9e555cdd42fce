//! Sentinel facts → the `Topology` of the JSON contract (`data` of the `sentinel` check).

use crate::probe::sentinel::{SentinelFacts, SentinelView};
use crate::report::{ReplicaEntry, SentinelEntry, Topology};
use crate::verdict::millis;

/// The topology in the contract's shape.
pub fn topology(facts: &SentinelFacts) -> Topology {
    let views: Vec<&SentinelView> = facts
        .nodes
        .iter()
        .filter_map(|n| n.result.as_ref().ok())
        .collect();
    let addr = |v: &SentinelView| {
        v.master
            .as_ref()
            .map(|(h, p)| crate::probe::sentinel::join(h, *p))
    };
    let announced: Vec<String> = views.iter().filter_map(|v| addr(v)).collect();
    let main = facts.master.as_ref().and_then(|m| {
        views
            .iter()
            .find(|v| addr(v) == Some(m.address()) && v.state.is_some())
    });
    let mut known = Vec::new();
    let mut monitored = Vec::new();
    for v in &views {
        for s in &v.sentinels {
            if !known.contains(&s.address) {
                known.push(s.address.clone());
            }
        }
        for (name, _) in &v.monitored {
            if !monitored.contains(name) {
                monitored.push(name.clone());
            }
        }
    }
    Topology {
        master_name: facts.master_name.clone(),
        master: facts.master.as_ref().map(|m| m.address()),
        announced_by: facts
            .master
            .as_ref()
            .map(|m| m.by.clone())
            .unwrap_or_default(),
        agree: announced.windows(2).all(|w| w[0] == w[1]),
        quorum: main.and_then(|v| v.state.as_ref()?.quorum),
        ckquorum: views
            .iter()
            .find_map(|v| v.ckquorum.as_ref().map(|r| r.clone().unwrap_or_else(|e| e))),
        flags: main
            .and_then(|v| v.state.as_ref())
            .map(|s| s.flags.clone())
            .unwrap_or_default(),
        failover_state: main
            .and_then(|v| v.state.as_ref()?.failover_state.clone())
            .filter(|s| !s.is_empty() && s != "none"),
        sentinels: facts
            .nodes
            .iter()
            .map(|n| match &n.result {
                Ok(v) => SentinelEntry {
                    address: n.address.clone(),
                    ok: true,
                    ms: Some(millis(v.rtt)),
                    tls: v.tls,
                    authenticated: v.authenticated,
                    master: addr(v),
                    flags: v
                        .state
                        .as_ref()
                        .map(|s| s.flags.clone())
                        .unwrap_or_default(),
                    ..SentinelEntry::default()
                },
                Err((stage, failure)) => SentinelEntry {
                    address: n.address.clone(),
                    ok: false,
                    stage: Some((*stage).to_string()),
                    reason: Some(failure.reason.as_str().to_string()),
                    error: Some(failure.cause.clone()),
                    ..SentinelEntry::default()
                },
            })
            .collect(),
        replicas: facts
            .replicas
            .iter()
            .map(|r| match &r.reached {
                Ok((took, role)) => ReplicaEntry {
                    address: r.peer.address.clone(),
                    flags: r.peer.flags.clone(),
                    reachable: true,
                    role: Some(role.clone()),
                    ms: Some(millis(*took)),
                    ..ReplicaEntry::default()
                },
                Err(failure) => ReplicaEntry {
                    address: r.peer.address.clone(),
                    flags: r.peer.flags.clone(),
                    reason: Some(failure.reason.as_str().to_string()),
                    error: Some(failure.cause.clone()),
                    ..ReplicaEntry::default()
                },
            })
            .collect(),
        known_sentinels: known,
        monitored,
    }
}
