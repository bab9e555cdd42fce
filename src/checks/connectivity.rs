//! Verdicts for `url`, `dns`, `tcp`, `scheme`, `auth` and `ping`.

use serde_json::{Map, Value, json};

use super::{check, failed, hints, skipped, timed};
use crate::latency::{Stats, show_ms};
use crate::probe::{Findings, Outcome, Speaks};
use crate::text::show_addrs;
use crate::url::{Endpoint, Lint, LintLevel, PasswordSource, UrlError};
use crate::verdict::{Check, Status, millis};

/// `url`: the parsed parts and the lints.
pub fn url(f: &Findings) -> Check {
    let c = match (&f.url.outcome, &f.target) {
        (Outcome::Failed(failure, _), _) => match &f.url_error {
            Some(UrlError::Ambiguous { rfc, cli, fix }) => {
                let mut data = Map::new();
                data.insert(
                    "readings".into(),
                    json!([{"by": "rfc3986", "host": rfc}, {"by": "redis-cli", "host": cli}]),
                );
                failed("url", failure, Some(fix.clone()), data)
            }
            _ => failed("url", failure, hints::for_failure(failure, f), Map::new()),
        },
        (_, Some(t)) => {
            let mut parts = vec![format!(
                "{} ({})",
                t.scheme,
                if t.tls { "TLS" } else { "plaintext" }
            )];
            match (&t.endpoint, &t.sentinel) {
                // The endpoint of a Sentinel target is the master the Sentinels announced.
                (_, Some(s)) => parts.push(format!(
                    "{} · master {}",
                    crate::text::plural(s.nodes.len(), "Sentinel", "Sentinels"),
                    s.master
                )),
                (Endpoint::Tcp { host, port }, None) => parts.push(format!("{host}:{port}")),
                (Endpoint::Unix(p), None) => parts.push(p.display().to_string()),
            }
            parts.push(format!("db {}", t.db));
            // A password from outside the URL is named by its source, and what was done to it.
            let outside = match t.password_source {
                Some(PasswordSource::Env) => Some("password from REDISCLI_AUTH".to_string()),
                Some(PasswordSource::File { newline_stripped }) => Some(format!(
                    "password from --password-file{}",
                    if newline_stripped {
                        " (trailing newline stripped)"
                    } else {
                        ""
                    }
                )),
                Some(PasswordSource::Url) | None => None,
            };
            match (&t.username, &t.password, outside) {
                (Some(u), _, outside) => {
                    parts.push(format!("user {u}"));
                    parts.extend(outside);
                }
                (None, Some(_), Some(outside)) => parts.push(outside),
                (None, Some(_), None) => parts.push("password only".into()),
                (None, None, _) => parts.push("no credentials".into()),
            }
            // The scheme stage proved the port speaks plaintext: the guess that a port
            // providers use for TLS wants rediss:// is disproved, and must not fail --strict.
            let plaintext_proved = matches!(f.scheme.outcome, Outcome::Done(Speaks::Resp));
            let lints: Vec<&Lint> = t
                .lints
                .iter()
                .filter(|l| !(l.id == "tls-port" && plaintext_proved))
                .collect();
            let worst = lints.iter().map(|l| l.level).max();
            let status = match worst {
                Some(LintLevel::Warn) => Status::Warn,
                Some(LintLevel::Info) => Status::Info,
                None => Status::Pass,
            };
            let mut summary = parts.join(" · ");
            if let Some(first) = lints.iter().max_by_key(|l| l.level) {
                summary = format!("{summary} · {}", first.message);
            }
            let hint = (!lints.is_empty()).then(|| {
                lints
                    .iter()
                    .map(|l| l.hint.clone())
                    .collect::<Vec<_>>()
                    .join("\n")
            });
            let lints: Vec<Value> = t
                .lints
                .iter()
                .map(|l| {
                    json!({"id": l.id, "level": if l.level == LintLevel::Warn { "warn" } else { "info" },
                           "message": l.message, "hint": l.hint})
                })
                .collect();
            check(
                "url",
                status,
                summary,
                hint,
                json!({"scheme": t.scheme, "tls": t.tls, "db": t.db, "username": t.username,
                       "password_set": t.password.is_some(),
                       "password_source": t.password_source.map(PasswordSource::as_str),
                       "password_newline_stripped": matches!(t.password_source, Some(PasswordSource::File { newline_stripped: true })),
                       "insecure": t.insecure, "lints": lints}),
            )
        }
        _ => skipped("url", "not reached"),
    };
    timed(c, &f.url)
}

/// `dns`: the addresses.
pub fn dns(f: &Findings) -> Check {
    let c = match &f.dns.outcome {
        Outcome::Done(d) if d.literal => check(
            "dns",
            Status::Pass,
            format!("{} is an address, no lookup", d.addrs[0].ip()),
            None,
            json!({"addresses": [d.addrs[0].ip().to_string()]}),
        ),
        Outcome::Done(d) => {
            let n = d.addrs.len();
            let plural = if n == 1 { "address" } else { "addresses" };
            check(
                "dns",
                Status::Pass,
                format!(
                    "{n} {plural} ({}) in {}",
                    show_addrs(&d.addrs),
                    show_ms(millis(f.dns.took))
                ),
                None,
                json!({"addresses": d.addrs.iter().map(|a| a.ip().to_string()).collect::<Vec<_>>()}),
            )
        }
        Outcome::Failed(failure, _) => {
            failed("dns", failure, hints::for_failure(failure, f), Map::new())
        }
        Outcome::Skipped(why) => skipped("dns", why),
    };
    timed(c, &f.dns)
}

/// `tcp`: which address answered, and which did not.
pub fn tcp(f: &Findings) -> Check {
    let attempts = |facts: &crate::probe::tcp::TcpFacts| -> Value {
        facts
            .attempts
            .iter()
            .map(|a| json!({"address": a.addr.to_string(), "error": a.error, "ms": millis(a.took)}))
            .collect()
    };
    let c = match &f.tcp.outcome {
        Outcome::Done(t) => {
            let failed_before = t.attempts.iter().filter(|a| a.error.is_some()).count();
            let mut summary = format!("{} in {}", t.peer, show_ms(millis(f.tcp.took)));
            let status = if failed_before > 0 {
                summary.push_str(&format!(" (after {failed_before} address(es) failed)"));
                Status::Info
            } else {
                Status::Pass
            };
            check(
                "tcp",
                status,
                summary,
                None,
                json!({"address": t.peer, "attempts": attempts(t)}),
            )
        }
        Outcome::Failed(failure, facts) => {
            let mut data = Map::new();
            if let Some(t) = facts {
                data.insert("attempts".into(), attempts(t));
            }
            failed("tcp", failure, hints::for_failure(failure, f), data)
        }
        Outcome::Skipped(why) => skipped("tcp", why),
    };
    timed(c, &f.tcp)
}

/// `scheme`: whether the URL's transport is the one the port speaks.
pub fn scheme(f: &Findings) -> Check {
    let url_tls = f.target.as_ref().is_some_and(|t| t.tls);
    let says = if url_tls { "rediss://" } else { "redis://" };
    match &f.scheme.outcome {
        Outcome::Done(speaks) => {
            let (what, name) = match speaks {
                Speaks::Tls => ("TLS", "tls"),
                Speaks::Resp => ("plaintext RESP", "plaintext"),
            };
            check(
                "scheme",
                Status::Pass,
                format!("the port speaks {what}, as {says} says"),
                None,
                json!({"url": if url_tls { "tls" } else { "plaintext" }, "port": name}),
            )
        }
        Outcome::Failed(failure, _) => {
            let port = if url_tls { "plaintext" } else { "tls" };
            let mut data = Map::new();
            data.insert(
                "url".into(),
                json!(if url_tls { "tls" } else { "plaintext" }),
            );
            data.insert("port".into(), json!(port));
            timed(
                failed("scheme", failure, hints::for_failure(failure, f), data),
                &f.scheme,
            )
        }
        Outcome::Skipped(why) => skipped("scheme", why),
    }
}

/// `auth`: who we are and how we got in.
pub fn auth(f: &Findings) -> Check {
    let c = match &f.auth.outcome {
        Outcome::Done(a) => {
            let how = if a.authenticated {
                format!("as {}", a.user)
            } else {
                format!("as {} (no password)", a.user)
            };
            let mut summary = format!(
                "{how} · RESP{} in {}",
                a.protocol,
                show_ms(millis(f.auth.took))
            );
            if let Some(note) = a.notes.first() {
                summary = format!("{summary} · {note}");
            }
            let remote = f
                .target
                .as_ref()
                .and_then(|t| t.host())
                .is_some_and(|h| !h.is_loopback());
            let (status, hint) = if !a.authenticated && remote {
                (
                    Status::Warn,
                    Some("anyone who can reach this port can read and write every key: set a password (requirepass or an ACL user)".to_string()),
                )
            } else {
                (Status::Pass, None)
            };
            check(
                "auth",
                status,
                summary,
                hint,
                json!({"user": a.user, "protocol": a.protocol, "authenticated": a.authenticated, "hello": a.hello, "notes": a.notes}),
            )
        }
        Outcome::Failed(failure, _) => {
            failed("auth", failure, hints::for_failure(failure, f), Map::new())
        }
        Outcome::Skipped(why) => skipped("auth", why),
    };
    timed(c, &f.auth)
}

/// Round trips slower than this are worth a word.
pub const SLOW_P50_MS: f64 = 50.0;

/// What to do about slow round trips.
pub const SLOW_HINT: &str =
    "every command pays this round trip: run the app in the server's region and zone, or pipeline";

/// `ping`: latency statistics.
pub fn ping(f: &Findings) -> Check {
    let c = match &f.ping.outcome {
        Outcome::Done(samples) => match Stats::from_samples(samples) {
            Some(s) => {
                let summary = format!(
                    "{} samples · p50 {} · p99 {} · max {}",
                    s.samples,
                    show_ms(s.p50_ms),
                    show_ms(s.p99_ms),
                    show_ms(s.max_ms)
                );
                let (mut status, mut hint) = if s.p50_ms >= SLOW_P50_MS {
                    (Status::Warn, Some(SLOW_HINT.to_string()))
                } else {
                    (Status::Pass, None)
                };
                let mut data = serde_json::to_value(s).unwrap_or(Value::Null);
                let summary = match &f.ping_denied {
                    Some(denied) => {
                        status = Status::Warn;
                        let user = f.auth.facts().map_or("USER", |a| a.user.as_str());
                        let grant = format!(
                            "the ACL forbids PING ({}): the connection works, and latency was timed with {} instead; clients send PING for health checks and pool validation (redis-py health_check_interval, node-redis pingInterval, Jedis testWhileIdle), which will fail: grant it with ACL SETUSER {user} +ping",
                            denied.refusal, denied.via
                        );
                        hint = Some(match hint {
                            Some(slow) => format!("{grant}\n{slow}"),
                            None => grant,
                        });
                        data["denied"] = json!(denied.refusal);
                        data["via"] = json!(denied.via);
                        format!(
                            "PING is not allowed for this user; via {}: {summary}",
                            denied.via
                        )
                    }
                    None => summary,
                };
                check("ping", status, summary, hint, data)
            }
            None => skipped("ping", "no samples"),
        },
        Outcome::Failed(failure, _) => {
            failed("ping", failure, hints::for_failure(failure, f), Map::new())
        }
        Outcome::Skipped(why) => skipped("ping", why),
    };
    timed(c, &f.ping)
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::checks::testing::findings;
    use crate::probe::Stage;

    #[test]
    fn a_plaintext_port_proved_by_the_scheme_check_drops_the_tls_port_lint() {
        let mut f = findings("redis://10.0.0.3:6378", None);
        assert_eq!(url(&f).status, Status::Warn, "unproved, the guess stands");
        f.scheme = Stage {
            outcome: Outcome::Done(Speaks::Resp),
            took: Duration::ZERO,
        };
        let c = url(&f);
        assert_eq!(c.status, Status::Pass, "{}", c.summary);
        assert!(!c.summary.contains("TLS"), "{}", c.summary);
    }
}
