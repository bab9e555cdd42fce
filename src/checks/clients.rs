//! Verdicts for `clients` (connections vs maxclients, refusals, churn, blocked clients) and
//! `errors` (the error counters since start that point at a misconfigured client).

use serde_json::{Map, Value, json};

use super::{check, skipped};
use crate::info::Info;
use crate::verdict::{Check, CheckId, Status};

/// Connections at or above this share of maxclients are a warning.
const CLIENTS_WARN_PERCENT: f64 = 80.0;
/// Churn is judged only after this many connections, so a fresh server is not accused.
const CHURN_MIN_CONNECTIONS: u64 = 500;
/// Connections that live shorter than this on average mean a client per request.
const CHURN_MAX_LIFETIME_SECONDS: f64 = 1.0;

/// `clients`.
#[allow(clippy::cast_precision_loss)]
pub fn clients(info: &Info) -> Check {
    let c = info.clients();
    let Some(connected) = c.connected else {
        return skipped(CheckId::Clients, "INFO reports no client counters");
    };
    let uptime = info.server().uptime_seconds.unwrap_or(0).max(1);
    let percent = c
        .maxclients
        .filter(|m| *m > 0)
        .map(|m| connected as f64 * 100.0 / m as f64);
    let total = c.total_connections_received.unwrap_or(0);
    let per_second = total as f64 / uptime as f64;
    // Little's law: open connections = arrival rate × how long each stays.
    let lifetime = (per_second > 0.0).then(|| connected as f64 / per_second);
    let mut status = Status::Pass;
    let mut hints = Vec::new();
    let mut parts = vec![match (c.maxclients, percent) {
        (Some(max), Some(pct)) => format!("{connected} connected of {max} ({pct:.0}%)"),
        _ => format!("{connected} connected"),
    }];
    if let (Some(max), Some(pct)) = (c.maxclients, percent)
        && pct >= CLIENTS_WARN_PERCENT
    {
        status = Status::Warn;
        hints.push(format!("{connected} of maxclients {max} connections are open: the next clients will get 'max number of clients reached'; reuse one client or pool per process, close idle connections (CLIENT LIST shows them), or raise maxclients or the plan's limit"));
    }
    // Refused connections are judged by `resets`, with the other clients the server dropped.
    if let Some(life) = lifetime
        && total >= CHURN_MIN_CONNECTIONS
        && life < CHURN_MAX_LIFETIME_SECONDS
    {
        status = status.max(Status::Warn);
        parts.push(format!("{per_second:.0} new connections/s"));
        hints.push(format!("about {per_second:.0} new connections per second while {connected} stay open, so each lives about {:.0} ms: the app connects per request or job; create one client or pool at start-up and reuse it", life * 1000.0));
    }
    if let Some(blocked) = c.blocked.filter(|b| *b > 0) {
        parts.push(format!("{blocked} blocked"));
        if status == Status::Pass {
            status = Status::Info;
        }
        hints.push(format!("{blocked} clients wait in a blocking command (BLPOP, BRPOP, XREAD BLOCK, WAIT…): normal for queue workers, and each one holds a connection of its own"));
    }
    check(
        CheckId::Clients,
        status,
        parts.join(" · "),
        (!hints.is_empty()).then(|| hints.join("\n")),
        json!({
            "connected": connected,
            "maxclients": c.maxclients,
            "used_percent": percent.map(|p| (p * 10.0).round() / 10.0),
            "blocked": c.blocked,
            "rejected_connections": c.rejected_connections,
            "total_connections_received": c.total_connections_received,
            "connections_per_second": (per_second * 1000.0).round() / 1000.0,
            "uptime_seconds": uptime,
        }),
    )
}

/// Error prefixes that point at a client or deployment mistake, and what each means.
const NOTABLE_ERRORS: &[(&str, &str)] = &[
    (
        "OOM",
        "writes refused with OOM: memory reached maxmemory with nothing left to evict (see memory and eviction)",
    ),
    (
        "NOAUTH",
        "commands sent without authenticating: a client is missing the password",
    ),
    (
        "WRONGPASS",
        "logins with a wrong password or user: a client has a stale, truncated or un-encoded secret",
    ),
    (
        "READONLY",
        "writes that reached a replica: a client points at a replica, or kept the old primary's address after a failover",
    ),
    (
        "MOVED",
        "commands sent to the wrong cluster node: a client is not cluster-aware (use its cluster mode)",
    ),
    (
        "MISCONF",
        "writes refused because the server could not persist (see persistence)",
    ),
];

/// `errors`: counts since start (`INFO errorstats`, Redis ≥ 6.2).
pub fn errors(info: &Info) -> Check {
    if info.section("errorstats").is_none() {
        return skipped(
            CheckId::Errors,
            "INFO has no errorstats section (Redis before 6.2)",
        );
    }
    let stats = info.error_stats();
    let all: Map<String, Value> = stats.iter().map(|(k, n)| (k.clone(), json!(n))).collect();
    let count = |name: &str| stats.iter().find(|(k, _)| k == name).map_or(0, |(_, n)| *n);
    let mut parts = Vec::new();
    let mut hints = Vec::new();
    let mut notable = Map::new();
    for (name, meaning) in NOTABLE_ERRORS {
        let n = count(name);
        if n > 0 {
            parts.push(format!("{name} {n}"));
            hints.push(format!("{n} {meaning}"));
            notable.insert((*name).to_string(), json!(n));
        }
    }
    let uptime = info.server().uptime_seconds;
    let data = json!({"counts": notable, "errorstats": all, "uptime_seconds": uptime});
    if parts.is_empty() {
        // Counts come from the server's text: a hostile INFO must not overflow the sum.
        let other = stats
            .iter()
            .fold(0u64, |sum, (_, n)| sum.saturating_add(*n));
        return check(
            CheckId::Errors,
            Status::Pass,
            format!("no OOM, auth, READONLY or MOVED errors since start ({other} others)"),
            None,
            data,
        );
    }
    let since = uptime.map_or_else(String::new, |u| {
        format!(" (in {})", crate::text::show_uptime(u))
    });
    // Counters since start tell history, not the present: worth knowing, not a warning.
    check(
        CheckId::Errors,
        Status::Info,
        format!("since start{since}: {}", parts.join(" · ")),
        Some(hints.join("\n")),
        data,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_counts_that_would_overflow_saturate() {
        let text = format!(
            "# Errorstats\r\nerrorstat_ERR:count={m}\r\nerrorstat_WEIRD:count={m}\r\n",
            m = u64::MAX
        );
        let c = errors(&Info::parse(&text));
        assert_eq!(c.status, Status::Pass);
        assert!(
            c.summary.contains(&format!("({} others)", u64::MAX)),
            "{}",
            c.summary
        );
    }
}
