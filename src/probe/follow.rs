//! Following a Sentinel URL: ask the Sentinels for the master, then probe the address they
//! announce while the replicas they know are dialled.

use std::time::Instant;

use super::{Findings, ProbeCtx, Stage, StageId, cluster, sentinel};
use crate::conn::Connection;
use crate::url::Target;

/// What a Sentinel-aware client does: ask the Sentinels for the master, then the usual
/// stages against the address they announce, while the replicas they know are dialled.
pub(super) fn follow_sentinels(
    f: &mut Findings,
    spec: &crate::url::sentinel::SentinelSpec,
    t: &Target,
    ctx: ProbeCtx<'_>,
) -> Option<Connection> {
    let ProbeCtx {
        cfg,
        roots,
        deadline,
        on_stage,
    } = ctx;
    on_stage("sentinel");
    let started = Instant::now();
    let mut facts = sentinel::query(spec, t, roots, cfg, deadline);
    let took = started.elapsed();
    let Some(master) = facts.master.clone() else {
        f.sentinel = Stage::done(facts, took);
        f.skip_from(StageId::Dns, "no Sentinel announced a master");
        return None;
    };
    // The replicas as the Sentinels that announced this master know them: each address
    // once, at most `cluster::MAX_DIALLED` of them (a hostile Sentinel may announce
    // thousands), the rest counted.
    let mut seen = std::collections::HashSet::new();
    let mut peers: Vec<sentinel::Peer> = Vec::new();
    for node in &facts.nodes {
        if let Ok(view) = &node.result
            && view.master.as_ref().map(|(h, p)| sentinel::join(h, *p)) == Some(master.address())
        {
            for r in &view.replicas {
                if !seen.insert(r.address.clone()) {
                    continue;
                }
                if peers.len() < cluster::MAX_DIALLED {
                    peers.push(r.clone());
                } else {
                    facts.replicas_over_cap += 1;
                }
            }
        }
    }
    let master_t = t.at(sentinel::host_of(&master.host), master.port);
    f.target = Some(master_t.clone());
    let (conn, replicas) = std::thread::scope(|s| {
        // Replicas are dialled beside the master's check; a thread that cannot start
        // (a pids limit, `ulimit -v`) means they are dialled after it, on this thread.
        let replicas = std::thread::Builder::new()
            .name("replicas".into())
            .spawn_scoped(s, || {
                sentinel::dial_replicas(&peers, t, roots, cfg, deadline)
            });
        let conn = super::probe_target(f, &master_t, ctx);
        let replicas = match replicas {
            Ok(h) => h.join().expect("the replica checks panicked"),
            Err(_) => sentinel::dial_replicas(&peers, t, roots, cfg, deadline),
        };
        (conn, replicas)
    });
    facts.replicas = replicas;
    f.sentinel = Stage::done(facts, took);
    conn
}
