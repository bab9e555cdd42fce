//! `connections`: the shape of the other connections, from `CLIENT LIST`.

use serde_json::json;

use super::{check, skipped, timed};
use crate::probe::{Findings, Outcome};
use crate::text::plural;
use crate::verdict::{Check, CheckId, Status};

/// How many groups `data` lists.
const LISTED: usize = 25;

/// How many connections from one address mean a pool without a limit, or a client per request.
const CONNECTIONS_PER_HOST_WARN: usize = 200;
/// Connections younger than this many seconds count as new…
const YOUNG_SECONDS: u64 = 5;
/// …and when more than half of at least this many are, the app connects per request.
const YOUNG_MIN_CONNECTIONS: usize = 20;

/// `connections`: who holds connections (by address and client library), their ages and
/// idle times.
#[allow(clippy::cast_precision_loss)]
pub fn connections(f: &Findings) -> Check {
    let facts = match &f.connections.outcome {
        Outcome::Done(c) => c,
        Outcome::Skipped(why) => return skipped(CheckId::Connections, why),
        Outcome::Failed(failure, _) => {
            return timed(
                super::failed(CheckId::Connections, failure, None, serde_json::Map::new()),
                &f.connections,
            );
        }
    };
    let clients = &facts.clients;
    if clients.is_empty() {
        return timed(
            check(
                CheckId::Connections,
                Status::Pass,
                "no other client is connected",
                None,
                json!({"connections": 0, "groups": []}),
            ),
            &f.connections,
        );
    }
    let mut groups: Vec<(String, Option<String>, usize, u64)> = Vec::new();
    for c in clients {
        match groups
            .iter_mut()
            .find(|(h, l, _, _)| *h == c.host && *l == c.lib)
        {
            Some(g) => {
                g.2 += 1;
                g.3 = g.3.max(c.age_s);
            }
            None => groups.push((c.host.clone(), c.lib.clone(), 1, c.age_s)),
        }
    }
    groups.sort_by(|a, b| b.2.cmp(&a.2).then(a.0.cmp(&b.0)));
    let mut idle: Vec<u64> = clients.iter().map(|c| c.idle_s).collect();
    idle.sort_unstable();
    let pct = |p: f64| idle[((idle.len() - 1) as f64 * p).round() as usize];
    let young = clients.iter().filter(|c| c.age_s < YOUNG_SECONDS).count();
    let hosts = {
        let mut h: Vec<&str> = clients.iter().map(|c| c.host.as_str()).collect();
        h.sort_unstable();
        h.dedup();
        h.len()
    };
    let mut status = Status::Pass;
    let mut hints = Vec::new();
    let mut per_host: Vec<(&str, usize)> = Vec::new();
    for c in clients {
        match per_host.iter_mut().find(|(h, _)| *h == c.host) {
            Some(e) => e.1 += 1,
            None => per_host.push((c.host.as_str(), 1)),
        }
    }
    for (host, n) in &per_host {
        if *n >= CONNECTIONS_PER_HOST_WARN {
            status = Status::Warn;
            hints.push(format!("{host} holds {n} connections: a pool without a limit, or a client created per request; cap the pool (e.g. 10–50 per process) and create the client once at start-up"));
        }
    }
    if clients.len() >= YOUNG_MIN_CONNECTIONS && young * 2 > clients.len() {
        status = Status::Warn;
        hints.push(format!("{young} of {} connections are younger than {YOUNG_SECONDS} s: the app opens a connection per request or job; create the client once and reuse it", clients.len()));
    }
    let shown: Vec<String> = groups
        .iter()
        .take(3)
        .map(|(h, l, n, _)| match l {
            Some(lib) => format!("{h} ×{n} ({lib})"),
            None => format!("{h} ×{n}"),
        })
        .collect();
    let summary = format!(
        "{} from {} · {} · idle p50 {} s, p90 {} s, max {} s",
        plural(clients.len(), "connection", "connections"),
        plural(hosts, "address", "addresses"),
        shown.join(", "),
        pct(0.5),
        pct(0.9),
        idle[idle.len() - 1]
    );
    let data = json!({
        "connections": clients.len(),
        "addresses": hosts,
        "younger_than_5s": young,
        "idle_seconds": {"p50": pct(0.5), "p90": pct(0.9), "max": idle[idle.len() - 1]},
        "groups": groups.iter().take(LISTED).map(|(h, l, n, age)| json!({"address": h, "lib": l, "connections": n, "oldest_age_seconds": age})).collect::<Vec<_>>(),
    });
    timed(
        check(
            CheckId::Connections,
            status,
            summary,
            (!hints.is_empty()).then(|| hints.join("\n")),
            data,
        ),
        &f.connections,
    )
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::checks::testing::findings;
    use crate::probe::Stage;
    use crate::probe::connections::{Client, ConnectionFacts};

    #[test]
    fn connections_warn_for_a_crowded_address_and_for_young_connections() {
        let client = |host: &str, age_s: u64| Client {
            id: 0,
            host: host.into(),
            lib: Some("ioredis 5.4.1".into()),
            name: None,
            age_s,
            idle_s: age_s / 2,
            pubsub: false,
            blocked: false,
        };
        let mut f = findings("redis://localhost", None);
        let mut clients: Vec<Client> = (0..200).map(|_| client("10.0.0.5", 600)).collect();
        clients.push(client("10.0.0.6", 600));
        f.connections = Stage::done(ConnectionFacts { clients }, Duration::ZERO);
        let c = connections(&f);
        assert_eq!(c.status, Status::Warn);
        assert!(
            c.summary.contains("10.0.0.5 ×200 (ioredis 5.4.1)"),
            "{}",
            c.summary
        );
        assert!(c.hint.unwrap().contains("10.0.0.5 holds 200 connections"));

        let clients: Vec<Client> = (0..30).map(|i| client("10.0.0.7", i % 3)).collect();
        f.connections = Stage::done(ConnectionFacts { clients }, Duration::ZERO);
        let c = connections(&f);
        assert_eq!(c.status, Status::Warn);
        assert!(
            c.hint
                .unwrap()
                .contains("30 of 30 connections are younger than 5 s")
        );

        let clients: Vec<Client> = (0..30).map(|_| client("10.0.0.7", 900)).collect();
        f.connections = Stage::done(ConnectionFacts { clients }, Duration::ZERO);
        assert_eq!(connections(&f).status, Status::Pass);
    }

    #[test]
    fn connections_are_grouped_by_address_and_library_with_idle_percentiles() {
        let client = |host: &str, lib: Option<&str>, idle_s: u64| Client {
            id: 0,
            host: host.into(),
            lib: lib.map(Into::into),
            name: None,
            age_s: 3600,
            idle_s,
            pubsub: false,
            blocked: false,
        };
        let mut clients: Vec<Client> = (0..6)
            .map(|i| client("10.0.0.5", Some("redis-py 5.0.1"), i * 10))
            .collect();
        clients.extend((0..3).map(|i| client("10.0.0.6", Some("ioredis 5.4.1"), i)));
        clients.push(client("10.0.0.6", None, 900));
        clients.push(client("10.0.0.9", None, 1));
        let mut f = findings("redis://localhost", None);
        f.connections = Stage::done(ConnectionFacts { clients }, Duration::from_micros(800));
        let c = connections(&f);
        assert_eq!(c.status, Status::Pass);
        assert_eq!(
            c.summary,
            "11 connections from 3 addresses · 10.0.0.5 ×6 (redis-py 5.0.1), 10.0.0.6 ×3 (ioredis 5.4.1), 10.0.0.6 ×1 · idle p50 10 s, p90 50 s, max 900 s"
        );
        assert_eq!(c.hint, None);
        assert_eq!(c.data["groups"].as_array().map(Vec::len), Some(4));
        assert_eq!(c.data["groups"][0]["oldest_age_seconds"], 3600);
        assert_eq!(c.duration_ms, Some(0.8));
    }

    #[test]
    fn no_other_client_passes_and_a_refused_client_list_fails_with_its_reason() {
        let mut f = findings("redis://localhost", None);
        f.connections = Stage::done(
            ConnectionFacts {
                clients: Vec::new(),
            },
            Duration::ZERO,
        );
        let c = connections(&f);
        assert_eq!(
            (c.status, c.summary.as_str()),
            (Status::Pass, "no other client is connected")
        );
        assert_eq!(c.data["connections"], 0);
        f.connections = Stage::failed(
            crate::failure::Failure::new(
                crate::failure::Reason::Noperm,
                "NOPERM this user has no permissions to run the 'client|list' command",
            ),
            Duration::ZERO,
        );
        let c = connections(&f);
        assert_eq!(c.status, Status::Fail);
        assert_eq!(c.data["reason"], "noperm");
        assert!(c.summary.contains("client|list"), "{}", c.summary);
        f.connections = Stage::not_asked("not part of this command");
        assert_eq!(connections(&f).status, Status::Skip);
    }
}
