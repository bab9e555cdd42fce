//! Verdicts from one INFO: `server`, and the dispatch of the other INFO-derived checks.

use crate::text::show_uptime;
use serde_json::json;

use super::memory::{eviction, keyspace, memory};
use super::{Options, check, clients, durability, failed, hints, object, skipped, timed};
use crate::failure::{Failure, Reason};
use crate::info::Info;
use crate::probe::{Findings, Outcome, SkipCause};
use crate::verdict::{Check, CheckId, Status};

/// Checks that need INFO, after `server`, in report order.
const INFO_CHECKS: [CheckId; 7] = [
    CheckId::Memory,
    CheckId::Eviction,
    CheckId::Keyspace,
    CheckId::Clients,
    CheckId::Errors,
    CheckId::Persistence,
    CheckId::Replication,
];

/// The INFO-derived checks, or skips explaining why there are none.
pub fn checks(f: &Findings, opts: &Options) -> Vec<Check> {
    let rest_skipped =
        |why: &str| -> Vec<Check> { INFO_CHECKS.iter().map(|id| skipped(*id, why)).collect() };
    match &f.info.outcome {
        Outcome::Done(info) => vec![
            timed(server(info), &f.info),
            memory(f, info),
            eviction(f, info, opts),
            keyspace(f, info, opts),
            clients::clients(info),
            clients::errors(info),
            durability::persistence(f, info),
            durability::replication(f, info),
        ],
        Outcome::Skipped(why) if why.cause == SkipCause::Forbidden => {
            let mut out = vec![server_from_hello(f, why)];
            out.extend(rest_skipped(why));
            out
        }
        Outcome::Failed(failure, _) => {
            let mut out = vec![timed(
                super::failed(
                    CheckId::Server,
                    failure,
                    super::hints::for_failure(failure, f),
                    serde_json::Map::new(),
                ),
                &f.info,
            )];
            out.extend(rest_skipped("INFO failed"));
            out
        }
        Outcome::Skipped(why) => {
            let mut out = vec![skipped(CheckId::Server, why)];
            out.extend(rest_skipped(why));
            out
        }
    }
}

/// `server`: product, version, mode, role, uptime.
fn server(info: &Info) -> Check {
    let s = info.server();
    let name = display_name(&s.name);
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
        CheckId::Server,
        Status::Pass,
        parts.join(" · "),
        None,
        json!({"name": s.name, "version": s.version, "mode": s.mode, "role": s.role, "uptime_seconds": s.uptime_seconds}),
    )
}

/// When INFO is forbidden, HELLO (Redis ≥ 6) still names the server.
fn server_from_hello(f: &Findings, why: &str) -> Check {
    let Some(auth) = f.auth.facts().filter(|a| !a.hello_fields.is_empty()) else {
        return skipped(CheckId::Server, why);
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
        CheckId::Server,
        Status::Pass,
        format!("{summary} (from HELLO; {why})"),
        None,
        json!({"name": name, "version": version, "mode": mode, "role": role, "uptime_seconds": null}),
    )
}

/// Releases before these no longer get fixes upstream (product, major, minor).
const END_OF_LIFE_BEFORE: &[(&str, u32, u32)] = &[("redis", 6, 2)];

/// `version`: end-of-life releases, and a user name sent to a server without ACL users.
pub fn version(f: &Findings) -> Check {
    let (name, version) = match f.info.facts() {
        Some(info) => {
            let s = info.server();
            (s.name, s.version)
        }
        None => match hello_field(f, "server") {
            Some(name) => (name.to_ascii_lowercase(), hello_field(f, "version")),
            None => {
                // Say why INFO is missing (a failed stage before it), not only that it is.
                let why = match &f.info.outcome {
                    crate::probe::Outcome::Skipped(why) if why.cause != SkipCause::NotRun => {
                        why.why.as_str()
                    }
                    _ => "neither INFO nor HELLO named the server",
                };
                return skipped(CheckId::Version, why);
            }
        },
    };
    let Some(version) = version else {
        return skipped(CheckId::Version, "the server did not say its version");
    };
    let (major, minor) = major_minor(&version);
    let shown = format!("{} {version}", display_name(&name));
    let user = f.target.as_ref().and_then(|t| t.username.clone());
    let eol = major.is_some()
        && END_OF_LIFE_BEFORE.iter().any(|(product, maj, min)| {
            *product == name && (major, minor) < (Some(*maj), Some(*min))
        });
    let data = json!({"name": name, "version": version, "end_of_life": eol, "username_in_url": user.is_some()});
    // Redis before 6 (and KeyDB built on it) has one password and an AUTH that takes only it.
    let no_acl = matches!(name.as_str(), "redis" | "keydb") && major.is_some_and(|m| m < 6);
    if let (true, Some(u)) = (no_acl, &user) {
        let failure = Failure::new(
            Reason::AuthArity,
            format!(
                "{shown} has no ACL users, yet the URL names user '{u}': clients that send AUTH {u} <password> get 'wrong number of arguments'"
            ),
        );
        let hint = hints::for_reason(Reason::AuthArity, f);
        return failed(CheckId::Version, &failure, hint, object(data));
    }
    if eol {
        return check(
            CheckId::Version,
            Status::Warn,
            format!("{shown} is past its end of life"),
            Some(format!(
                "{shown} no longer gets security or bug fixes upstream: plan an upgrade to a maintained release (Redis 7.2 or later, or Valkey)"
            )),
            data,
        );
    }
    check(CheckId::Version, Status::Pass, shown, None, data)
}

/// A field of the HELLO reply.
fn hello_field(f: &Findings, key: &str) -> Option<String> {
    f.auth
        .facts()?
        .hello_fields
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.clone())
}

/// `7.0.15` → (7, 0).
fn major_minor(version: &str) -> (Option<u32>, Option<u32>) {
    let mut parts = version.split('.').map(|p| {
        let digits: String = p.chars().take_while(char::is_ascii_digit).collect();
        digits.parse().ok()
    });
    (parts.next().flatten(), parts.next().flatten())
}

/// The product as people write it.
fn display_name(name: &str) -> &str {
    match name {
        "redis" => "Redis",
        "valkey" => "Valkey",
        "keydb" => "KeyDB",
        "dragonfly" => "Dragonfly",
        other => other,
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

    #[test]
    fn versions_split() {
        assert_eq!(major_minor("7.0.15"), (Some(7), Some(0)));
        assert_eq!(major_minor("6.2"), (Some(6), Some(2)));
        assert_eq!(major_minor("5"), (Some(5), None));
        assert_eq!(major_minor("unstable"), (None, None));
    }
}
