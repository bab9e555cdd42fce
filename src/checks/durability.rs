//! Verdicts for `persistence` (loading, failed RDB saves and AOF writes) and `replication`
//! (a replica behind the URL, a broken link to the primary).

use serde_json::json;

use super::{check, failed, hints, object, skipped};
use crate::failure::{Failure, Reason};
use crate::info::Info;
use crate::probe::Findings;
use crate::verdict::{Check, CheckId, Status};

/// `persistence`.
pub fn persistence(f: &Findings, info: &Info) -> Check {
    if info.section("persistence").is_none() {
        return skipped(CheckId::Persistence, "INFO has no persistence section");
    }
    let p = info.persistence();
    let data = json!({
        "loading": p.loading,
        "loading_percent": p.loading_percent,
        "loading_eta_seconds": p.loading_eta_seconds,
        "rdb_last_bgsave_ok": p.rdb_last_bgsave_ok,
        "aof_enabled": p.aof_enabled,
        "aof_last_write_ok": p.aof_last_write_ok,
    });
    let failure = if p.loading {
        let done = p
            .loading_percent
            .map_or_else(String::new, |pct| format!(": {pct:.0}% done"));
        let eta = p
            .loading_eta_seconds
            .map_or_else(String::new, |s| format!(", about {s} s left"));
        Some(Failure::new(
            Reason::Loading,
            format!("the server is loading its dataset{done}{eta}; until then it answers LOADING"),
        ))
    } else if p.rdb_last_bgsave_ok == Some(false) {
        Some(Failure::new(
            Reason::Misconf,
            "the last RDB snapshot failed (rdb_last_bgsave_status:err): with stop-writes-on-bgsave-error (the default) writes are refused with MISCONF",
        ))
    } else if p.aof_last_write_ok == Some(false) {
        Some(Failure::new(
            Reason::Misconf,
            "the last AOF write failed (aof_last_write_status:err): writes are refused with MISCONF until it succeeds",
        ))
    } else {
        None
    };
    if let Some(failure) = failure {
        let mut hint = hints::for_failure(&failure, f);
        if failure.reason == Reason::Misconf {
            hint = hint.map(|h| {
                format!(
                    "{h} (the server log says why: disk full, permissions, a deleted directory)"
                )
            });
        }
        return failed(CheckId::Persistence, &failure, hint, object(data));
    }
    let rdb = match p.rdb_last_bgsave_ok {
        Some(true) => "last RDB save ok",
        _ => "no RDB save status",
    };
    let aof = if p.aof_enabled { "AOF on" } else { "AOF off" };
    check(
        CheckId::Persistence,
        Status::Pass,
        format!("{rdb} · {aof}"),
        None,
        data,
    )
}

/// `replication`.
pub fn replication(f: &Findings, info: &Info) -> Check {
    let r = info.replication();
    let Some(role) = r.role.clone() else {
        return skipped(CheckId::Replication, "INFO does not report a role");
    };
    let primary = match (&r.master_host, r.master_port) {
        (Some(h), Some(p)) => format!("{h}:{p}"),
        (Some(h), None) => h.clone(),
        _ => "an unknown primary".into(),
    };
    let data = json!({
        "role": role,
        "master_host": r.master_host,
        "master_port": r.master_port,
        "master_link_up": r.master_link_up,
        "connected_replicas": r.connected_replicas,
    });
    match role.as_str() {
        "replica" if r.master_link_up == Some(false) => {
            let failure = Failure::new(
                Reason::MasterLinkDown,
                format!("a replica of {primary}, and its link to the primary is down"),
            );
            let hint = hints::for_reason(Reason::MasterLinkDown, f);
            failed(CheckId::Replication, &failure, hint, object(data))
        }
        "replica" => check(
            CheckId::Replication,
            Status::Warn,
            format!("a replica of {primary} · link up"),
            Some("writes to this URL fail with READONLY: point it at the primary, and after a failover re-resolve the primary's endpoint instead of keeping a stale address".into()),
            data,
        ),
        "master" => {
            let n = r.connected_replicas.unwrap_or(0);
            check(
                CheckId::Replication,
                Status::Pass,
                format!("primary · {n} replica{}", if n == 1 { "" } else { "s" }),
                None,
                data,
            )
        }
        other => check(
            CheckId::Replication,
            Status::Info,
            format!("role {other}"),
            Some("an unusual role: check that your client expects it".into()),
            data,
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testing::Build;

    /// Each INFO shape and the verdict it gets: (persistence + replication lines, check,
    /// status, reason, words in the summary).
    #[test]
    fn verdict_table() {
        let cases: &[(&str, &str, Status, Option<&str>, &str)] = &[
            (
                "loading:0\r\nrdb_last_bgsave_status:ok\r\naof_enabled:0",
                "persistence",
                Status::Pass,
                None,
                "last RDB save ok · AOF off",
            ),
            (
                "loading:1\r\nloading_loaded_perc:42.0\r\nloading_eta_seconds:7",
                "persistence",
                Status::Fail,
                Some("loading"),
                "42% done, about 7 s left",
            ),
            (
                "loading:0\r\nrdb_last_bgsave_status:err",
                "persistence",
                Status::Fail,
                Some("misconf"),
                "rdb_last_bgsave_status:err",
            ),
            (
                "loading:0\r\naof_enabled:1\r\naof_last_write_status:err",
                "persistence",
                Status::Fail,
                Some("misconf"),
                "aof_last_write_status:err",
            ),
            (
                "role:master\r\nconnected_slaves:2",
                "replication",
                Status::Pass,
                None,
                "primary · 2 replicas",
            ),
            (
                "role:slave\r\nmaster_host:10.0.0.5\r\nmaster_port:6379\r\nmaster_link_status:up",
                "replication",
                Status::Warn,
                None,
                "a replica of 10.0.0.5:6379 · link up",
            ),
            (
                "role:slave\r\nmaster_host:10.0.0.5\r\nmaster_port:6379\r\nmaster_link_status:down",
                "replication",
                Status::Fail,
                Some("master-link-down"),
                "link to the primary is down",
            ),
        ];
        for &(fields, id, status, reason, words) in cases {
            let section = if id == "persistence" {
                "Persistence"
            } else {
                "Replication"
            };
            let f = Build::healthy("redis://127.0.0.1:6379")
                .info(&format!("# {section}\r\n{fields}\r\n"))
                .done();
            let info = f.info.facts().expect("INFO");
            let c = if id == "persistence" {
                persistence(&f, info)
            } else {
                replication(&f, info)
            };
            assert_eq!(c.status, status, "{fields}: {c:?}");
            assert_eq!(
                c.data.get("reason").and_then(|r| r.as_str()),
                reason,
                "{fields}"
            );
            assert!(c.summary.contains(words), "{fields}: {}", c.summary);
            assert!(
                c.status != Status::Fail || c.hint.is_some(),
                "{fields}: a failure has a hint"
            );
        }
    }

    #[test]
    fn missing_sections_are_skips_not_verdicts() {
        let f = Build::healthy("redis://127.0.0.1:6379")
            .info("# Server\r\nredis_version:7.0.0\r\n")
            .done();
        let info = f.info.facts().expect("INFO");
        assert_eq!(persistence(&f, info).status, Status::Skip);
        assert_eq!(replication(&f, info).status, Status::Skip);
    }
}
