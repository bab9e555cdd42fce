//! Verdicts for `url`, `dns`, `tcp`, `scheme`, `auth` and `ping`.

use serde_json::{Map, Value, json};

use super::{check, failed, hints, skipped, timed};
use crate::latency::{Stats, show_ms};
use crate::probe::{Findings, Outcome, Speaks};
use crate::text::show_addrs;
use crate::url::{Endpoint, Lint, LintLevel, PasswordSource, UrlError};
use crate::verdict::{Check, CheckId, Status, millis};

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
                failed(CheckId::Url, failure, Some(fix.clone()), data)
            }
            _ => failed(
                CheckId::Url,
                failure,
                hints::for_failure(failure, f),
                Map::new(),
            ),
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
                CheckId::Url,
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
        _ => skipped(CheckId::Url, "not reached"),
    };
    timed(c, &f.url)
}

/// `dns`: the addresses.
pub fn dns(f: &Findings) -> Check {
    let c = match &f.dns.outcome {
        Outcome::Done(d) if d.literal => check(
            CheckId::Dns,
            Status::Pass,
            format!("{} is an address, no lookup", d.addrs[0].ip()),
            None,
            json!({"addresses": [d.addrs[0].ip().to_string()]}),
        ),
        Outcome::Done(d) => {
            let n = d.addrs.len();
            let plural = if n == 1 { "address" } else { "addresses" };
            check(
                CheckId::Dns,
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
        Outcome::Failed(failure, _) => failed(
            CheckId::Dns,
            failure,
            hints::for_failure(failure, f),
            Map::new(),
        ),
        Outcome::Skipped(why) => skipped(CheckId::Dns, why),
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
                CheckId::Tcp,
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
            failed(CheckId::Tcp, failure, hints::for_failure(failure, f), data)
        }
        Outcome::Skipped(why) => skipped(CheckId::Tcp, why),
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
                CheckId::Scheme,
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
                failed(
                    CheckId::Scheme,
                    failure,
                    hints::for_failure(failure, f),
                    data,
                ),
                &f.scheme,
            )
        }
        Outcome::Skipped(why) => skipped(CheckId::Scheme, why),
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
                CheckId::Auth,
                status,
                summary,
                hint,
                json!({"user": a.user, "protocol": a.protocol, "authenticated": a.authenticated, "hello": a.hello, "notes": a.notes}),
            )
        }
        Outcome::Failed(failure, _) => failed(
            CheckId::Auth,
            failure,
            hints::for_failure(failure, f),
            Map::new(),
        ),
        Outcome::Skipped(why) => skipped(CheckId::Auth, why),
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
                check(CheckId::Ping, status, summary, hint, data)
            }
            None => skipped(CheckId::Ping, "no samples"),
        },
        Outcome::Failed(failure, _) => failed(
            CheckId::Ping,
            failure,
            hints::for_failure(failure, f),
            Map::new(),
        ),
        Outcome::Skipped(why) => skipped(CheckId::Ping, why),
    };
    timed(c, &f.ping)
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::checks::testing::{Build, findings};
    use crate::failure::{Failure, Reason};
    use crate::probe::Stage;
    use crate::probe::dns::DnsFacts;
    use crate::probe::session::PingDenied;
    use crate::probe::tcp::{Attempt, TcpFacts};

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

    fn reason(c: &Check) -> Option<&str> {
        c.data.get("reason").and_then(Value::as_str)
    }

    fn failure(reason: Reason, cause: &str) -> Failure {
        Failure::new(reason, cause)
    }

    #[test]
    fn url_summarises_the_parts_and_the_worst_lint() {
        type Case<'a> = (
            &'a str,
            Option<PasswordSource>,
            Status,
            &'a str,
            Option<&'a str>,
        );
        let cases: [Case<'_>; 6] = [
            (
                "redis://:pw@127.0.0.1:6379/2",
                None,
                Status::Pass,
                "redis (plaintext) · 127.0.0.1:6379 · db 2 · password only",
                None,
            ),
            (
                "rediss://app:pw@cache.example.com:6380",
                None,
                Status::Pass,
                "rediss (TLS) · cache.example.com:6380 · db 0 · user app",
                None,
            ),
            (
                "redis://127.0.0.1",
                Some(PasswordSource::File {
                    newline_stripped: true,
                }),
                Status::Pass,
                "redis (plaintext) · 127.0.0.1:6379 · db 0 · password from --password-file (trailing newline stripped)",
                None,
            ),
            (
                "redis://127.0.0.1",
                Some(PasswordSource::Env),
                Status::Pass,
                "redis (plaintext) · 127.0.0.1:6379 · db 0 · password from REDISCLI_AUTH",
                None,
            ),
            (
                "redis://cache.example.com",
                None,
                Status::Warn,
                "redis (plaintext) · cache.example.com:6379 · db 0 · no credentials · plaintext to cache.example.com: the password and data cross the network unencrypted",
                Some("use TLS where the server offers it: rediss://cache.example.com:6379/0"),
            ),
            (
                "redis://127.0.0.1:6379?foo=1",
                None,
                Status::Info,
                "redis (plaintext) · 127.0.0.1:6379 · db 0 · no credentials · query parameters not checked here: foo",
                Some("go-redis rejects unknown parameters"),
            ),
        ];
        for (raw, outside, status, summary, hint) in cases {
            let mut f = findings(raw, outside);
            f.url = Stage::done((), Duration::from_micros(21));
            let c = url(&f);
            assert_eq!((c.status, c.summary.as_str()), (status, summary), "{raw}");
            match hint {
                Some(h) => assert!(
                    c.hint.as_deref().unwrap_or("").contains(h),
                    "{raw}: {:?}",
                    c.hint
                ),
                None => assert_eq!(c.hint, None, "{raw}"),
            }
            assert_eq!(
                c.data["password_set"],
                outside.is_some() || raw.contains(":pw@"),
                "{raw}"
            );
            assert_eq!(
                c.data["password_newline_stripped"],
                matches!(
                    outside,
                    Some(PasswordSource::File {
                        newline_stripped: true
                    })
                ),
                "{raw}"
            );
            assert_eq!(c.duration_ms, Some(0.021));
        }
    }

    #[test]
    fn an_ambiguous_url_fails_with_both_readings_and_the_fix() {
        let raw = "redis://:pa/ss@127.0.0.1:6379";
        let e = crate::url::Target::parse(raw).expect_err("an ambiguous URL");
        let mut f = findings("redis://127.0.0.1", None);
        f.target = None;
        f.shown = crate::url::redact_raw(raw);
        f.url = Stage::failed(failure(Reason::InvalidUrl, &e.to_string()), Duration::ZERO);
        f.url_error = Some(e);
        let c = url(&f);
        assert_eq!(c.status, Status::Fail);
        assert_eq!(reason(&c), Some("invalid-url"));
        let readings = &c.data["readings"];
        assert_eq!(readings[0]["by"], "rfc3986");
        assert_eq!(readings[1]["by"], "redis-cli");
        assert_ne!(
            readings[0]["host"], readings[1]["host"],
            "two different hosts"
        );
        assert!(
            c.hint.unwrap().contains("%2F"),
            "the fix percent-encodes the '/'"
        );
        assert!(!c.summary.contains("pa/ss"), "{}", c.summary);
    }

    #[test]
    fn dns_names_the_addresses_or_the_failure() {
        let mut f = findings("redis://cache.example.com", None);
        f.dns = Stage::done(
            DnsFacts {
                addrs: vec![
                    "10.0.0.7:6379".parse().unwrap(),
                    "[fd00::7]:6379".parse().unwrap(),
                ],
                literal: false,
            },
            Duration::from_micros(1500),
        );
        let c = dns(&f);
        assert_eq!(c.status, Status::Pass);
        assert!(
            c.summary.starts_with("2 addresses (") && c.summary.ends_with(") in 1.50 ms"),
            "{}",
            c.summary
        );
        assert!(c.summary.contains("10.0.0.7"), "{}", c.summary);
        assert_eq!(c.data["addresses"], json!(["10.0.0.7", "fd00::7"]));

        let f = Build::healthy("redis://127.0.0.1:6379").done();
        let c = dns(&f);
        assert_eq!(c.summary, "127.0.0.1 is an address, no lookup");

        let cases = [
            (
                failure(
                    Reason::DnsFailed,
                    "cache.example.com: no such host (NXDOMAIN)",
                ),
                "dns-failed",
                "check the host name for typos",
            ),
            (
                failure(
                    Reason::Timeout,
                    "the resolver did not answer for cache.example.com within the deadline",
                ),
                "timeout",
                "getent hosts cache.example.com",
            ),
        ];
        for (fl, code, hint) in cases {
            let mut f = findings("redis://cache.example.com", None);
            f.dns = Stage::failed(fl.clone(), Duration::from_millis(2));
            f.skip_from(crate::probe::StageId::Tcp, "the host did not resolve");
            let c = dns(&f);
            assert_eq!(c.status, Status::Fail, "{code}");
            assert_eq!(reason(&c), Some(code));
            assert_eq!(c.summary, fl.cause);
            assert!(
                c.hint.as_deref().unwrap().contains(hint),
                "{code}: {:?}",
                c.hint
            );
            let t = tcp(&f);
            assert_eq!(
                (t.status, t.summary.as_str()),
                (Status::Skip, "the host did not resolve")
            );
        }
    }

    #[test]
    fn tcp_reports_the_peer_and_every_failed_attempt() {
        let a: std::net::SocketAddr = "10.0.0.7:6379".parse().unwrap();
        let b: std::net::SocketAddr = "10.0.0.8:6379".parse().unwrap();
        let attempt = |addr, error: Option<&str>| Attempt {
            addr,
            error: error.map(Into::into),
            took: Duration::from_millis(1),
        };
        let mut f = findings("redis://cache.example.com", None);
        f.tcp = Stage::done(
            TcpFacts {
                peer: b.to_string(),
                attempts: vec![
                    attempt(a, Some("refused (nothing listens on that port)")),
                    attempt(b, None),
                ],
            },
            Duration::from_micros(2500),
        );
        let c = tcp(&f);
        assert_eq!(c.status, Status::Info);
        assert_eq!(
            c.summary,
            "10.0.0.8:6379 in 2.50 ms (after 1 address(es) failed)"
        );
        assert_eq!(
            c.data["attempts"][0]["error"],
            "refused (nothing listens on that port)"
        );

        let cases = [
            (
                Reason::Refused,
                "refused (nothing listens on that port)",
                "refused",
                "is the server running?",
            ),
            (
                Reason::Timeout,
                "no answer within 2000 ms",
                "timeout",
                "firewall, security group",
            ),
            (
                Reason::Unreachable,
                "unreachable (No route to host (os error 113))",
                "unreachable",
                "no route to the host",
            ),
        ];
        for (r, why, code, hint) in cases {
            let mut f = findings("redis://10.0.0.7:6379", None);
            let cause = format!("{a}: {why}");
            f.tcp = Stage {
                outcome: Outcome::Failed(
                    failure(r, &cause),
                    Some(Box::new(TcpFacts {
                        peer: String::new(),
                        attempts: vec![attempt(a, Some(why))],
                    })),
                ),
                took: Duration::from_millis(2000),
            };
            let c = tcp(&f);
            assert_eq!(c.status, Status::Fail);
            assert_eq!(reason(&c), Some(code));
            assert_eq!(c.summary, cause);
            assert!(
                c.hint.as_deref().unwrap().contains(hint),
                "{code}: {:?}",
                c.hint
            );
            assert_eq!(c.data["attempts"][0]["address"], "10.0.0.7:6379");
            assert_eq!(c.duration_ms, Some(2000.0));
        }
    }

    #[test]
    fn scheme_mismatch_either_way_fails_with_the_url_to_use() {
        let cases = [
            (
                "redis://:pw@cache.example.com:6380",
                Reason::TlsExpected,
                "the plaintext exchange ended (connection reset); a TLS handshake on the same port was answered",
                "tls-expected",
                ("plaintext", "tls"),
                "the port speaks TLS: use rediss://:****@cache.example.com:6380/0",
            ),
            (
                "rediss://:pw@cache.example.com:6379",
                Reason::PlaintextExpected,
                "the server did not answer the TLS handshake; a plaintext PING on the same port got '-NOAUTH Authentication required.'",
                "plaintext-expected",
                ("tls", "plaintext"),
                "the port speaks plaintext: use redis://:****@cache.example.com:6379/0; the provider may offer TLS on another port",
            ),
        ];
        for (raw, r, cause, code, (said, spoke), hint) in cases {
            let mut f = findings(raw, None);
            f.scheme = Stage::failed(failure(r, cause), Duration::from_millis(3));
            let c = scheme(&f);
            assert_eq!(c.status, Status::Fail, "{raw}");
            assert_eq!(reason(&c), Some(code));
            assert_eq!(c.summary, cause);
            assert_eq!(
                (c.data["url"].as_str(), c.data["port"].as_str()),
                (Some(said), Some(spoke))
            );
            assert_eq!(c.hint.as_deref(), Some(hint), "{raw}");
            assert!(!c.hint.unwrap().contains("pw"), "no password in a hint");
        }
        for (raw, speaks, summary) in [
            (
                "redis://127.0.0.1",
                Speaks::Resp,
                "the port speaks plaintext RESP, as redis:// says",
            ),
            (
                "rediss://127.0.0.1",
                Speaks::Tls,
                "the port speaks TLS, as rediss:// says",
            ),
        ] {
            let mut f = findings(raw, None);
            f.scheme = Stage::done(speaks, Duration::ZERO);
            let c = scheme(&f);
            assert_eq!((c.status, c.summary.as_str()), (Status::Pass, summary));
        }
    }

    #[test]
    fn auth_failures_carry_the_servers_words_and_the_fix_for_this_url() {
        use crate::probe::session::classify;
        let cases = [
            (
                "redis://10.0.0.7:6379",
                classify("NOAUTH", "NOAUTH Authentication required.", false),
                "noauth",
                "the server needs a password",
            ),
            (
                "redis://app:pw@10.0.0.7:6379",
                classify(
                    "WRONGPASS",
                    "WRONGPASS invalid username-password pair or user is disabled.",
                    true,
                ),
                "wrongpass",
                "the user 'app' and this password must match an ACL user",
            ),
            (
                "redis://:pw@10.0.0.7:6379",
                classify(
                    "ERR",
                    "ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?",
                    false,
                ),
                "no-password-set",
                "the server has no password, and clients that send AUTH will fail: drop it from the URL (redis://10.0.0.7:6379/0)",
            ),
        ];
        for (raw, fl, code, hint) in cases {
            let mut f = findings(raw, None);
            f.auth = Stage::failed(fl, Duration::from_micros(300));
            let c = auth(&f);
            assert_eq!(c.status, Status::Fail, "{raw}");
            assert_eq!(reason(&c), Some(code), "{raw}");
            assert!(
                c.hint.as_deref().unwrap().contains(hint),
                "{raw}: {:?}",
                c.hint
            );
        }
    }

    #[test]
    fn auth_without_a_password_warns_only_off_this_host() {
        let c = auth(&Build::healthy("redis://127.0.0.1:6379").done());
        assert_eq!(c.status, Status::Pass);
        assert_eq!(c.summary, "as default (no password) · RESP3 in 0.310 ms");
        let c = auth(&Build::healthy("redis://10.0.0.7:6379").done());
        assert_eq!(c.status, Status::Warn);
        assert!(c.hint.unwrap().contains("set a password"));
        let c = auth(&Build::healthy("redis://app:pw@10.0.0.7:6379").done());
        assert_eq!(
            (c.status, c.summary.as_str()),
            (Status::Pass, "as app · RESP3 in 0.310 ms")
        );
    }

    #[test]
    fn ping_denied_by_the_acl_warns_with_the_grant() {
        let f = Build::healthy("redis://app:pw@127.0.0.1:6379")
            .with(|f| {
                f.ping_denied = Some(PingDenied {
                    refusal: "NOPERM User app has no permissions to run the 'ping' command".into(),
                    via: "ECHO",
                });
            })
            .done();
        let c = ping(&f);
        assert_eq!(c.status, Status::Warn);
        assert!(
            c.summary
                .starts_with("PING is not allowed for this user; via ECHO: 10 samples · p50"),
            "{}",
            c.summary
        );
        let hint = c.hint.unwrap();
        assert!(hint.contains("ACL SETUSER app +ping"), "{hint}");
        assert!(
            !hint.contains(SLOW_HINT),
            "fast round trips: no word on distance"
        );
        assert_eq!(c.data["via"], "ECHO");

        let healthy = ping(&Build::healthy("redis://127.0.0.1:6379").done());
        assert_eq!(healthy.status, Status::Pass);
        assert_eq!(
            healthy.summary,
            "10 samples · p50 0.020 ms · p99 0.040 ms · max 0.040 ms"
        );

        let slow = Build::healthy("redis://127.0.0.1:6379")
            .with(|f| f.ping = Stage::done(vec![Duration::from_millis(80); 5], Duration::ZERO))
            .done();
        let c = ping(&slow);
        assert_eq!(
            (c.status, c.hint.as_deref()),
            (Status::Warn, Some(SLOW_HINT))
        );

        let loading = Build::healthy("redis://127.0.0.1:6379")
            .with(|f| {
                f.ping = Stage::failed(
                    crate::probe::session::classify(
                        "LOADING",
                        "LOADING Redis is loading the dataset in memory",
                        false,
                    ),
                    Duration::ZERO,
                );
            })
            .done();
        let c = ping(&loading);
        assert_eq!(reason(&c), Some("loading"));
        assert!(
            c.hint
                .unwrap()
                .contains("redcheck wait redis://127.0.0.1:6379/0")
        );
    }
}
