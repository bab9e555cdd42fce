//! Verdicts for a Sentinel setup: `sentinel` (what the Sentinels said, the topology in `data`),
//! `master` (the announced address is reachable and says `role:master`) and `replicas`.
//! A plain URL that reached a Sentinel fails `sentinel` with `sentinel-not-data-node`.

use serde_json::{Value, json};

mod replicas;
mod topology;

use replicas::replicas;

pub use self::topology::topology;

use super::{check, failed, skipped};
use crate::failure::{Failure, Reason};
use crate::probe::sentinel::SentinelFacts;
use crate::probe::{Findings, Outcome};
use crate::text::plural;
use crate::url::sentinel::SentinelFlags;
use crate::verdict::{Check, CheckId, Status};

/// Said whenever a master is announced somewhere this machine cannot reach.
const ANNOUNCE_FIX: &str = "Sentinels hand out the address the master announces on its own network (a pod IP, an internal host name): set replica-announce-ip (and sentinel announce-ip, with sentinel announce-hostnames yes for names) to an address clients can reach — Bitnami's chart: sentinel.service + useHostnames — or run the client inside that network";

/// The Sentinel checks, in order, when the target is a Sentinel URL or reached a Sentinel.
pub fn checks(f: &Findings) -> Vec<Check> {
    if let Some(monitored) = &f.at_sentinel {
        return vec![not_a_data_node(f, monitored)];
    }
    let Outcome::Done(facts) = &f.sentinel.outcome else {
        return Vec::new();
    };
    let mut out = vec![sentinel(f, facts)];
    if facts.master.is_some() {
        out.push(master(f, facts));
        out.push(replicas(facts));
    } else {
        let why = "no Sentinel announced a master";
        out.push(skipped(CheckId::Master, why));
        out.push(skipped(CheckId::Replicas, why));
    }
    out
}

/// `sentinel` on a plain URL that reached a Sentinel.
fn not_a_data_node(f: &Findings, monitored: &[(String, String)]) -> Check {
    let names: Vec<String> = monitored
        .iter()
        .map(|(n, a)| format!("{n} ({a})"))
        .collect();
    let cause = format!(
        "this port is a Redis Sentinel (redis_mode:sentinel), not a data node: every app command would fail here; it monitors {}",
        if names.is_empty() {
            "no master".into()
        } else {
            names.join(", ")
        }
    );
    let mut sorted: Vec<&(String, String)> = monitored.iter().collect();
    sorted.sort();
    let hint = match (sorted.first(), &f.target) {
        (Some((name, addr)), Some(t)) => {
            let mut via = t.clone();
            via.apply_sentinel_flags(&SentinelFlags {
                master: Some(name.clone()),
                ..SentinelFlags::default()
            });
            let which = if sorted.len() > 1 {
                format!(" ({name} is one of {} names it monitors)", sorted.len())
            } else {
                String::new()
            };
            format!(
                "give a Sentinel-aware client the Sentinels and the master name: {via}{which}, or add --sentinel-master {name}; that master is at {addr} now, but only the Sentinels know where it is after a failover"
            )
        }
        _ => "point the URL at a data node, or tell a Sentinel-aware client the master name (SENTINEL MONITOR)".into(),
    };
    let data = json!({
        "monitored": monitored.iter().map(|(n, a)| json!({"name": n, "address": a})).collect::<Vec<_>>(),
    });
    failed(
        CheckId::Sentinel,
        &Failure::new(Reason::SentinelNotDataNode, cause),
        Some(hint),
        super::object(data),
    )
}

/// `sentinel`: did the Sentinels answer, do they agree, can they fail over.
fn sentinel(f: &Findings, facts: &SentinelFacts) -> Check {
    let topo = topology(facts);
    let data = serde_json::to_value(&topo).unwrap_or(Value::Null);
    let total = facts.nodes.len();
    let down: Vec<(&str, &'static str, &Failure)> = facts
        .nodes
        .iter()
        .filter_map(|n| match &n.result {
            Err((stage, failure)) => Some((n.address.as_str(), *stage, failure)),
            Ok(_) => None,
        })
        .collect();
    let down_text = || {
        down.iter()
            .map(|(a, _, fl)| {
                if fl.cause.starts_with(a) {
                    fl.cause.clone()
                } else {
                    format!("{a} ({})", fl.cause)
                }
            })
            .collect::<Vec<_>>()
            .join("; ")
    };
    let sentinels = |n| plural(n, "Sentinel", "Sentinels");
    let name = &facts.master_name;
    if down.len() == total {
        // All of them refusing our credentials is not "unreachable": say which credential.
        if let Some((_, _, first)) = down.first()
            && down.iter().all(|(_, stage, _)| *stage == "auth")
        {
            let cause = format!("every Sentinel refused to authenticate: {}", down_text());
            let hint = "the Sentinels take their own password (requirepass in sentinel.conf), not the data nodes': pass it with --sentinel-password (or REDCHECK_SENTINEL_PASSWORD, or ?sentinel_password= in the URL) and --sentinel-user for an ACL user; the URL's credentials go to the master and replicas";
            return failed(
                CheckId::Sentinel,
                &Failure::new(first.reason, cause),
                Some(hint.into()),
                super::object(data),
            );
        }
        // The same TLS trouble everywhere: name it as the tls check would, with its fix.
        if let Some((_, _, first)) = down.first()
            && down.iter().all(|(_, stage, _)| *stage == "tls")
        {
            let cause = format!("every Sentinel failed the TLS handshake: {}", down_text());
            let mut hint = super::hints::for_failure(first, f).unwrap_or_default();
            hint.push_str("\nthe TLS flags (--cacert, --cert/--key, --sni, --insecure) apply to the Sentinels and the data nodes alike");
            return failed(
                CheckId::Sentinel,
                &Failure::new(first.reason, cause),
                Some(hint.trim_start().to_string()),
                super::object(data),
            );
        }
        let cause = if total == 1 {
            format!("the Sentinel did not answer: {}", down_text())
        } else {
            format!("none of the {} answered: {}", sentinels(total), down_text())
        };
        let hint = "check the Sentinel addresses and ports (26379 by default) and that the Sentinels run (redis-server sentinel.conf --sentinel); from outside a cluster they need a reachable Service — a client with no Sentinel cannot find the master at all";
        return failed(
            CheckId::Sentinel,
            &Failure::new(Reason::SentinelUnreachable, cause),
            Some(hint.into()),
            super::object(data),
        );
    }
    let Some(master) = &facts.master else {
        let names = if topo.monitored.is_empty() {
            "none".to_string()
        } else {
            topo.monitored.join(", ")
        };
        let cause = format!("no Sentinel monitors a master named '{name}'; they monitor: {names}");
        let hint = match (topo.monitored.first(), &f.target) {
            (Some(other), Some(t)) => {
                let mut fixed = t.clone();
                if let Some(spec) = fixed.sentinel.as_mut() {
                    other.clone_into(&mut spec.master);
                }
                format!(
                    "use a name the Sentinels monitor, e.g. {fixed} (names are case-sensitive; Bitnami's default is mymaster)"
                )
            }
            _ => {
                "the Sentinels monitor nothing yet: check sentinel monitor in sentinel.conf".into()
            }
        };
        return failed(
            CheckId::Sentinel,
            &Failure::new(Reason::UnknownMaster, cause),
            Some(hint),
            super::object(data),
        );
    };
    let answered = total - down.len();
    let mut warnings: Vec<String> = Vec::new();
    let mut hints: Vec<String> = Vec::new();
    if total == 1 && !topo.known_sentinels.is_empty() {
        warnings.push(format!(
            "the URL names 1 Sentinel, which knows {} more ({})",
            topo.known_sentinels.len(),
            topo.known_sentinels.join(", ")
        ));
        hints.push("list every Sentinel in the URL (s1:26379,s2:26379,…): with one, a client cannot find the master while that Sentinel is down".into());
    }
    if !down.is_empty() {
        warnings.push(format!(
            "{} of {} did not answer: {}",
            down.len(),
            sentinels(total),
            down_text()
        ));
        hints.push("a client tries the next Sentinel, but each one down brings the quorum closer to lost: bring it back".into());
    }
    if !topo.agree {
        let said: Vec<String> = topo
            .sentinels
            .iter()
            .filter(|s| s.ok)
            .map(|s| {
                format!(
                    "{} says {}",
                    s.address,
                    s.master.as_deref().unwrap_or("(unknown)")
                )
            })
            .collect();
        warnings.push(format!("the Sentinels disagree: {}", said.join(", ")));
        hints.push("a client asks the first Sentinel that answers, so clients may write to different nodes: a failover is under way, or a Sentinel is stale or monitors another setup under the same name (SENTINEL RESET on it)".into());
    }
    if let Some(state) = &topo.failover_state {
        warnings.push(format!("a failover is under way (failover-state {state})"));
        hints.push(
            "writes fail or go to the old master until it ends: retry with redcheck wait".into(),
        );
    } else if topo.flags.iter().any(|f| f == "failover_in_progress") {
        warnings.push("a failover is under way".into());
        hints.push(
            "writes fail or go to the old master until it ends: retry with redcheck wait".into(),
        );
    }
    for flag in ["o_down", "s_down", "disconnected"] {
        if topo.flags.iter().any(|f| f == flag) {
            warnings.push(format!("the Sentinels flag the master {flag}"));
            // `disconnected`: their link to it is down; s_down/o_down follow after down-after-milliseconds.
            hints.push("the Sentinels cannot reach the master: see the master check below".into());
            break;
        }
    }
    if let Some(ck) = &topo.ckquorum
        && !ck.starts_with("OK")
    {
        warnings.push(format!("SENTINEL ckquorum: {ck}"));
        hints.push("too few Sentinels see each other to authorise a failover: check that they reach each other (and announce-ip behind NAT)".into());
    }
    let quorum = topo
        .quorum
        .map(|q| format!(" · quorum {q}"))
        .unwrap_or_default();
    let mut summary = format!(
        "{name} at {} · {} of {} agree{quorum}",
        master.address(),
        master.by.len(),
        sentinels(total)
    );
    if answered > master.by.len() && topo.agree {
        // Some answered but do not know the name.
        warnings.push(format!(
            "{} of the answering Sentinels do not know '{name}'",
            answered - master.by.len()
        ));
    }
    if warnings.is_empty() {
        if let Some(ck) = &topo.ckquorum {
            summary.push_str(&format!(
                " · ckquorum {}",
                ck.split_whitespace().next().unwrap_or("")
            ));
        }
        return check(CheckId::Sentinel, Status::Pass, summary, None, data);
    }
    summary.push_str(" · ");
    summary.push_str(&warnings.join(" · "));
    hints.dedup();
    check(
        CheckId::Sentinel,
        Status::Warn,
        summary,
        Some(hints.join("\n")),
        data,
    )
}

/// `master`: the announced address answers, and says `role:master`.
fn master(f: &Findings, facts: &SentinelFacts) -> Check {
    let Some(m) = &facts.master else {
        return skipped(CheckId::Master, "no Sentinel announced a master");
    };
    let by = m.by.join(", ");
    let data = json!({"address": m.address(), "announced_by": m.by});
    let unreachable = f
        .dns
        .outcome
        .as_ref_failure()
        .or_else(|| f.tcp.outcome.as_ref_failure());
    if let Some(failure) = unreachable {
        let cause = format!(
            "the Sentinels announce {} as {} (said by {by}), and it cannot be reached from here: {}",
            m.address(),
            facts.master_name,
            failure.cause
        );
        return failed(
            CheckId::Master,
            &Failure::new(Reason::AnnouncedUnreachable, cause),
            Some(ANNOUNCE_FIX.into()),
            super::object(data),
        );
    }
    let role = f
        .info
        .facts()
        .and_then(|i| i.get("role").map(str::to_string))
        .or_else(|| {
            f.auth.facts().and_then(|a| {
                a.hello_fields
                    .iter()
                    .find(|(k, _)| k == "role")
                    .map(|(_, v)| v.clone())
            })
        });
    let mut data = super::object(data);
    data.insert("role".into(), json!(role));
    match role.as_deref() {
        Some("master") => check(
            CheckId::Master,
            Status::Pass,
            format!(
                "{} says role:master (announced by {})",
                m.address(),
                plural(m.by.len(), "Sentinel", "Sentinels")
            ),
            None,
            Value::Object(data),
        ),
        Some(other) => {
            let upstream = f
                .info
                .facts()
                .and_then(|i| {
                    Some(format!(
                        ", replicating {}:{}",
                        i.get("master_host")?,
                        i.get("master_port")?
                    ))
                })
                .unwrap_or_default();
            let cause = format!(
                "the Sentinels announce {} as {}, but it says role:{other}{upstream}",
                m.address(),
                facts.master_name
            );
            failed(
                CheckId::Master,
                &Failure::new(Reason::NotMaster, cause),
                Some("a stale Sentinel, or a failover under way: writes there fail with READONLY. Compare what each Sentinel announces (topology above); a failover settles within failover-timeout — redcheck wait retries until it has".into()),
                data,
            )
        }
        None => check(
            CheckId::Master,
            Status::Skip,
            "its role could not be read (INFO and HELLO gave none)",
            None,
            Value::Object(data),
        ),
    }
}

/// A stage's failure, if it failed.
trait AsFailure {
    fn as_ref_failure(&self) -> Option<&Failure>;
}

impl<T> AsFailure for Outcome<T> {
    fn as_ref_failure(&self) -> Option<&Failure> {
        match self {
            Outcome::Failed(f, _) => Some(f),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests;
