//! The `replicas` check: the replicas the Sentinels announce, as dialled.

use super::*;

/// `replicas`: the replicas the Sentinels announce answer, as replicas.
pub(super) fn replicas(facts: &SentinelFacts) -> Check {
    let c = replicas_found(facts);
    if facts.replicas_over_cap == 0 {
        return c;
    }
    // Past the cap, nothing vouches for the rest: a pass becomes a warning.
    let mut c = c;
    c.summary.push_str(&format!(
        " · {} more announced replicas not tried (redcheck dials at most {})",
        facts.replicas_over_cap,
        crate::probe::cluster::MAX_DIALLED
    ));
    c.status = c.status.max(Status::Warn);
    c.data
        .insert("not_tried_over_cap".into(), json!(facts.replicas_over_cap));
    c
}

fn replicas_found(facts: &SentinelFacts) -> Check {
    let topo = topology(facts);
    let data = json!({"replicas": topo.replicas});
    if facts.replicas.is_empty() {
        return check(
            CheckId::Replicas,
            Status::Warn,
            format!("the Sentinels know no replica of {}", facts.master_name),
            Some("with no replica a failover has nothing to promote: Sentinel gives no high availability this way".into()),
            data,
        );
    }
    let mut problems = Vec::new();
    for r in &topo.replicas {
        match (&r.error, r.role.as_deref()) {
            (Some(e), _) => problems.push(format!("{} unreachable ({e})", r.address)),
            (None, Some("master")) => problems.push(format!(
                "{} is announced as a replica but says role:master (an old master not yet reconfigured?)",
                r.address
            )),
            _ => {}
        }
    }
    let reachable = topo.replicas.iter().filter(|r| r.reachable).count();
    if problems.is_empty() {
        return check(
            CheckId::Replicas,
            Status::Pass,
            format!(
                "{} reachable, role:slave",
                plural(reachable, "replica", "replicas")
            ),
            None,
            data,
        );
    }
    check(
        CheckId::Replicas,
        Status::Warn,
        format!(
            "{} of {}: {}",
            problems.len(),
            plural(topo.replicas.len(), "replica", "replicas"),
            problems.join("; ")
        ),
        Some(format!(
            "reads from replicas and failovers need them reachable too; {ANNOUNCE_FIX}"
        )),
        data,
    )
}
