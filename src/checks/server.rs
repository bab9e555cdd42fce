//! Verdicts from one INFO: `server`, and the dispatch of the other INFO-derived checks.

use serde_json::json;

use super::memory::{eviction, memory};
use super::{Options, check, skipped, timed};
use crate::info::Info;
use crate::probe::{Findings, Outcome};
use crate::report::{Check, Status};

/// The INFO-derived checks, or skips explaining why there are none.
pub fn checks(f: &Findings, opts: &Options) -> Vec<Check> {
    match &f.info.outcome {
        Outcome::Done(info) => {
            vec![
                timed(server(info), &f.info),
                memory(f, info),
                eviction(info, opts),
            ]
        }
        Outcome::Skipped(why) if why.starts_with("INFO is not allowed") => {
            vec![
                server_from_hello(f, why),
                skipped("memory", why),
                skipped("eviction", why),
            ]
        }
        Outcome::Failed(failure, _) => vec![
            timed(
                super::failed(
                    "server",
                    failure,
                    super::hints::for_reason(failure.reason, f),
                    serde_json::Map::new(),
                ),
                &f.info,
            ),
            skipped("memory", "INFO failed"),
            skipped("eviction", "INFO failed"),
        ],
        Outcome::Skipped(why) => ["server", "memory", "eviction"]
            .into_iter()
            .map(|id| skipped(id, why))
            .collect(),
    }
}

fn server(info: &Info) -> Check {
    let s = info.server();
    let name = match s.name.as_str() {
        "redis" => "Redis",
        "valkey" => "Valkey",
        "keydb" => "KeyDB",
        "dragonfly" => "Dragonfly",
        other => other,
    };
    let mut parts = vec![format!(
        "{name} {}",
        s.version.as_deref().unwrap_or("(version unknown)")
    )];
    parts.extend(s.mode.clone());
    parts.extend(s.role.clone());
    if let Some(up) = s.uptime_seconds {
        parts.push(format!("up {}", show_uptime(up)));
    }
    check(
        "server",
        Status::Pass,
        parts.join(" · "),
        None,
        json!({"name": s.name, "version": s.version, "mode": s.mode, "role": s.role, "uptime_seconds": s.uptime_seconds}),
    )
}

/// When INFO is forbidden, HELLO (Redis ≥ 6) still names the server.
fn server_from_hello(f: &Findings, why: &str) -> Check {
    let Some(auth) = f.auth.facts().filter(|a| !a.hello_fields.is_empty()) else {
        return skipped("server", why);
    };
    let get = |k: &str| {
        auth.hello_fields
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.clone())
    };
    let name = get("server")
        .unwrap_or_else(|| "unknown".into())
        .to_ascii_lowercase();
    let (version, mode, role) = (get("version"), get("mode"), get("role"));
    let role = role.map(|r| {
        if r == "slave" {
            "replica".to_string()
        } else {
            r
        }
    });
    let summary = [
        Some(format!("{name} {}", version.as_deref().unwrap_or(""))),
        mode.clone(),
        role.clone(),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" · ");
    check(
        "server",
        Status::Pass,
        format!("{summary} (from HELLO; {why})"),
        None,
        json!({"name": name, "version": version, "mode": mode, "role": role, "uptime_seconds": null}),
    )
}

fn show_uptime(secs: u64) -> String {
    match secs {
        s if s >= 2 * 86_400 => format!("{} days", s / 86_400),
        s if s >= 7200 => format!("{} hours", s / 3600),
        s if s >= 120 => format!("{} minutes", s / 60),
        s => format!("{s} s"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uptimes() {
        assert_eq!(show_uptime(12 * 86_400 + 5), "12 days");
        assert_eq!(show_uptime(59), "59 s");
    }
}
