//! The `idle` verdict: the cutoff the ladder found, who cut, and the client settings that keep
//! a pool under it.
//!
//! The client settings were read in each library's source (commits named so they can be
//! looked up again):
//! - ioredis `lib/redis/RedisOptions.ts` (6aaca84): `keepAlive: 0` by default, and
//!   `lib/Redis.ts` calls `stream.setKeepAlive(true, options.keepAlive)` whenever it is a
//!   number: keep-alive is on, but 0 leaves the OS's first-probe delay (2 h on Linux).
//! - node-redis `packages/client/lib/client/socket.ts` (9f98831): `socket.keepAlive` defaults
//!   to 5000 ms; `packages/client/lib/client/index.ts` (2670714): `pingInterval` "Send `PING`
//!   command at interval (in ms). Useful with Redis deployments that do not honor TCP
//!   Keep-Alive."
//! - redis-py `redis/connection.py` (34817ce): `health_check_interval` (seconds, default 0)
//!   makes `check_health` PING a connection idle longer than it before the next command, and
//!   reconnect if that fails; `socket_keepalive` is on by default there with idle 30 s,
//!   interval 5 s, 3 probes (older releases left it off).
//! - go-redis `options.go` (216593c): `ConnMaxIdleTime` "Should be less than server's
//!   timeout", default 30 minutes; the default dialer's keep-alive starts after 30 s idle.
//! - Jedis `JedisPoolConfig.java` / `ConnectionPoolConfig.java` (9bcb5c6): `testWhileIdle`
//!   true, `minEvictableIdleTime` 60 s, `timeBetweenEvictionRuns` 30 s (a bare commons-pool
//!   `GenericObjectPoolConfig` has none of these); `DefaultJedisSocketFactory` sets
//!   `setKeepAlive(true)` with the OS's delays.
//! - Lettuce `core/SocketOptions.java` (b0bcdd8): `keepAlive` on by default; `KeepAliveOptions`
//!   idle 13 s, interval 13 s, count 3, applied only with epoll, io_uring or NIO on Java 11+.

use std::time::Duration;

use serde_json::json;

use super::check;
use super::resets::show_seconds;
use crate::probe::Findings;
use crate::probe::idle::{Fate, Ladder, Rung, Sign};
use crate::report::{IdleSummary, RungInfo};
use crate::verdict::{Check, CheckId, Status, millis};

/// Redis checks idle clients about once a second and compares whole seconds: a close by
/// `timeout N` arrives up to this much after N.
const TIMEOUT_SLACK: Duration = Duration::from_millis(2500);

/// `idle`: the verdict, and the summary behind it.
pub fn idle(f: &Findings, ladder: &Ladder, answer_within: Duration) -> (Check, IdleSummary) {
    let server_timeout = f.config.facts().and_then(|c| c.timeout);
    let first_cut = ladder.rungs.iter().find(|r| r.fate.is_cut());
    let survived = ladder
        .rungs
        .iter()
        .filter(|r| r.fate == Fate::Alive && first_cut.is_none_or(|c| r.idle < c.idle))
        .map(|r| r.idle)
        .max();
    // A close or reset that arrived by itself dates the cut better than the rung does: the
    // earliest one seen on any connection.
    let cut_at = ladder
        .rungs
        .iter()
        .filter(|r| r.fate.is_cut())
        .filter_map(|r| r.noticed.filter(|(_, s)| *s != Sign::Bytes).map(|(t, _)| t))
        .min();
    let cut_by = first_cut.map(|c| who(c, cut_at, survived, server_timeout));
    let held = ladder
        .rungs
        .iter()
        .filter(|r| r.fate != Fate::NotOpened)
        .count();
    let summary = IdleSummary {
        connections: held,
        keepalive_seconds: ladder.keepalive.map(|k| k.as_secs_f64()),
        answer_within_seconds: answer_within.as_secs_f64(),
        survived_seconds: survived.map(|d| d.as_secs_f64()),
        cut_seconds: first_cut.map(|c| c.idle.as_secs_f64()),
        cut_at_seconds: cut_at.map(|d| round3(d.as_secs_f64())),
        cut_by,
        server_timeout_seconds: server_timeout,
        interrupted: ladder.interrupted,
        rungs: ladder.rungs.iter().map(rung_info).collect(),
    };
    let data = json!({
        "cut_by": cut_by,
        "survived_seconds": summary.survived_seconds,
        "cut_seconds": summary.cut_seconds,
        "cut_at_seconds": summary.cut_at_seconds,
        "connections": held,
    });
    let check = match (first_cut, cut_by) {
        (Some(cut), Some(by)) => {
            let bound = cut_at.unwrap_or(cut.idle).min(cut.idle);
            let between = match survived {
                Some(s) => format!("survived {}, cut by {}", show(s), show(cut.idle)),
                None => format!("even the shortest idle ({}) was cut", show(cut.idle)),
            };
            let (summary_text, fix) = match by {
                "server-timeout" => (
                    format!(
                        "the server closes idle connections after {} (timeout {}): {between}",
                        show(cut_at.unwrap_or(cut.idle)),
                        server_timeout.unwrap_or_default()
                    ),
                    // The setting is the bound, not when its close happened to arrive.
                    server_fix(Duration::from_secs(server_timeout.unwrap_or_default()).min(bound)),
                ),
                "closed" => (
                    format!(
                        "idle connections are closed cleanly (EOF) after {}: {between}",
                        show(bound)
                    ),
                    format!("{}; {}", closed_by_whom(server_timeout), server_fix(bound)),
                ),
                "reset" => (
                    format!("idle connections are reset (RST): {between}"),
                    format!(
                        "{}\na server restart resets connections too: if redcheck URL shows a short uptime, that was it",
                        middlebox_fix(bound, false)
                    ),
                ),
                _ => (
                    format!(
                        "idle connections go silent (a PING unanswered for {}): {between}",
                        show(answer_within)
                    ),
                    middlebox_fix(bound, true),
                ),
            };
            let keepalive_note = ladder
                .keepalive
                .map(|k| format!("\nthis was with TCP keep-alive every {}: {}", show(k), if by == "server-timeout" || by == "closed" {
                    "keep-alive packets carry no command, so they do not reset the server's timeout"
                } else {
                    "keep-alive at that interval did not keep this path open; try a shorter one"
                }))
                .unwrap_or_default();
            check(
                CheckId::Idle,
                Status::Warn,
                summary_text,
                Some(format!("{fix}{keepalive_note}")),
                data,
            )
        }
        _ => none_cut(ladder, survived, data),
    };
    (check, summary)
}

/// The verdict when nothing was cut: all survived, or nothing could be learned.
fn none_cut(ladder: &Ladder, survived: Option<Duration>, data: serde_json::Value) -> Check {
    let broken: Vec<&Rung> = ladder
        .rungs
        .iter()
        .filter(|r| matches!(r.fate, Fate::Broken | Fate::NotOpened))
        .collect();
    let with_keepalive = ladder
        .keepalive
        .map(|k| format!(" with TCP keep-alive every {}", show(k)))
        .unwrap_or_default();
    match survived {
        Some(s) if ladder.interrupted => check(
            CheckId::Idle,
            Status::Info,
            format!(
                "interrupted: every connection probed so far survived, up to {}{with_keepalive}",
                show(s)
            ),
            Some("the longer rungs were not reached: run again with a longer wait, or --for a shorter one".into()),
            data,
        ),
        Some(s) if broken.is_empty() => {
            let hint = ladder.keepalive.map(|k| format!(
                "TCP keep-alive every {} keeps this path open: set the client's keep-alive at or under it (ioredis keepAlive, node-redis socket.keepAlive, redis-py socket_keepalive_options, Lettuce KeepAliveOptions)",
                show(k)
            ));
            check(
                CheckId::Idle,
                Status::Pass,
                format!("every connection survived, up to {} idle{with_keepalive}", show(s)),
                hint,
                data,
            )
        }
        _ if ladder.interrupted && broken.is_empty() => check(
            CheckId::Idle,
            Status::Info,
            "interrupted before the first probe",
            None,
            data,
        ),
        _ => {
            let why: Vec<String> = broken
                .iter()
                .map(|r| {
                    format!(
                        "{}: {} ({})",
                        show(r.idle),
                        r.fate.as_str(),
                        r.detail.as_deref().unwrap_or("no detail")
                    )
                })
                .collect();
            check(
                CheckId::Idle,
                Status::Warn,
                format!("{} of {} connections could not be judged", broken.len(), ladder.rungs.len()),
                Some(why.join("\n")),
                data,
            )
        }
    }
}

/// Who cut: the server's timeout when a clean close came when `timeout` says, else by how.
fn who(
    cut: &Rung,
    cut_at: Option<Duration>,
    survived: Option<Duration>,
    server_timeout: Option<u64>,
) -> &'static str {
    match cut.fate {
        Fate::Closed => {
            let matches = server_timeout.filter(|t| *t > 0).is_some_and(|t| {
                let t = Duration::from_secs(t);
                // Dated by the close itself, or bracketed by the rungs when it was not seen.
                let dated =
                    cut_at.is_some_and(|a| a + TIMEOUT_SLACK >= t && a <= t + TIMEOUT_SLACK);
                let bracketed = cut_at.is_none()
                    && t <= cut.idle
                    && survived.is_none_or(|s| s <= t + TIMEOUT_SLACK);
                dated || bracketed
            });
            if matches { "server-timeout" } else { "closed" }
        }
        Fate::Reset => "reset",
        _ => "silence",
    }
}

/// Who closes cleanly when the server's own timeout does not explain it.
fn closed_by_whom(server_timeout: Option<u64>) -> String {
    match server_timeout {
        Some(0) => "the server's timeout is 0 (never), so something in front of it closed the connection: a proxy (Envoy, HAProxy, Twemproxy) or a managed service's front end with an idle timeout of its own".into(),
        Some(t) => format!("the server's timeout is {t} s, which does not match: a proxy in front of it closed the connection"),
        None => "the server's timeout could not be read (CONFIG GET refused): a clean close is what the server's timeout does, or a proxy's".into(),
    }
}

/// Keeping a pool under a server's (or proxy's) idle close.
fn server_fix(cut: Duration) -> String {
    let under = under(cut);
    format!(
        "keep pooled connections busier than {cut_s} or retire them sooner — node-redis: pingInterval under {ms} ms; redis-py: health_check_interval={secs} (PINGs a connection idle longer before using it, and reconnects if that fails); go-redis: ConnMaxIdleTime under {cut_s} (default 30 min); Jedis: pool testWhileIdle=true with minEvictableIdleTime and timeBetweenEvictionRuns under {cut_s} (JedisPoolConfig: 60 s and 30 s); ioredis and Lettuce reconnect on the close, so only a command sent into it needs a retry. Or set timeout 0 on the server. TCP keep-alive does not help: the server counts commands, not packets",
        cut_s = show(cut),
        ms = under.as_millis(),
        secs = under.as_secs().max(1),
    )
}

/// Keeping a middlebox's flow state alive.
fn middlebox_fix(cut: Duration, silent: bool) -> String {
    let under = under(cut);
    let secs = under.as_secs().max(1);
    let silence = if silent {
        "; a dropped flow leaves a client waiting for its read timeout, so set a command timeout too"
    } else {
        ""
    };
    format!(
        "something between you and the server (NAT gateway, load balancer, firewall, kube-proxy conntrack) forgets flows idle for {cut_s}: turn TCP keep-alive on under it — ioredis: keepAlive: {ms} (ms; the default 0 keeps the OS's 2 h); node-redis: socket.keepAlive (5000 ms by default, already under it); redis-py: socket_keepalive=True with socket_keepalive_options={{TCP_KEEPIDLE: {secs}}} (on with 30 s in current releases); go-redis: its default dialer probes after 30 s idle; Jedis: keep-alive is on with the OS's 2 h, so use testWhileIdle with timeBetweenEvictionRuns under {cut_s}; Lettuce: SocketOptions.keepAlive(KeepAliveOptions idle {secs} s; needs epoll, io_uring or Java 11+ NIO); or lower the host's default (sysctl net.ipv4.tcp_keepalive_time={secs}). Check it with redcheck idle --keepalive {secs}s{silence}",
        cut_s = show(cut),
        ms = under.as_millis(),
    )
}

/// A setting safely under a cutoff: two thirds of it, in whole seconds when that is at least 1.
fn under(cut: Duration) -> Duration {
    let d = cut.mul_f64(2.0 / 3.0);
    if d >= Duration::from_secs(1) {
        Duration::from_secs(d.as_secs())
    } else {
        d
    }
}

fn rung_info(r: &Rung) -> RungInfo {
    RungInfo {
        idle_seconds: r.idle.as_secs_f64(),
        fate: r.fate.as_str(),
        probed_after_seconds: r.probed_after.map(|d| round3(d.as_secs_f64())),
        noticed: r.noticed.map(|(_, s)| s.as_str()),
        noticed_after_seconds: r.noticed.map(|(d, _)| round3(d.as_secs_f64())),
        rtt_ms: r.rtt.map(millis),
        detail: r.detail.clone(),
    }
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// `2 s`, `1.5 s`, `2 min`, `10 min 30 s`.
pub fn show(d: Duration) -> String {
    if d < Duration::from_secs(60) {
        let s = format!("{:.1}", d.as_secs_f64());
        format!("{} s", s.trim_end_matches(".0"))
    } else {
        show_seconds(d.as_secs())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testing::findings;
    use crate::probe::Stage;
    use crate::probe::session::ServerConfig;

    fn rung(idle: u64, fate: Fate, noticed: Option<(f64, Sign)>) -> Rung {
        Rung {
            idle: Duration::from_secs(idle),
            fate,
            probed_after: Some(Duration::from_secs(idle)),
            noticed: noticed.map(|(t, s)| (Duration::from_secs_f64(t), s)),
            rtt: (fate == Fate::Alive).then_some(Duration::from_micros(300)),
            detail: None,
        }
    }

    fn ladder(rungs: Vec<Rung>) -> Ladder {
        Ladder {
            rungs,
            interrupted: false,
            keepalive: None,
        }
    }

    fn with_timeout(t: u64) -> Findings {
        let mut f = findings("redis://h", None);
        f.config = Stage::done(
            ServerConfig {
                timeout: Some(t),
                ..ServerConfig::default()
            },
            Duration::ZERO,
        );
        f
    }

    #[test]
    fn a_clean_close_at_the_servers_timeout_is_the_servers() {
        let l = ladder(vec![
            rung(1, Fate::Alive, None),
            rung(3, Fate::Closed, Some((2.4, Sign::Eof))),
            rung(5, Fate::Closed, Some((2.4, Sign::Eof))),
        ]);
        let (c, s) = idle(&with_timeout(2), &l, Duration::from_secs(1));
        assert_eq!(c.status, Status::Warn);
        assert_eq!(s.cut_by, Some("server-timeout"));
        assert_eq!(s.survived_seconds, Some(1.0));
        assert_eq!(s.cut_at_seconds, Some(2.4));
        assert!(
            c.summary.contains("after 2.4 s (timeout 2)"),
            "{}",
            c.summary
        );
        let hint = c.hint.unwrap();
        assert!(hint.contains("health_check_interval=1"), "{hint}");
        assert!(hint.contains("ConnMaxIdleTime under 2 s"), "{hint}");
    }

    #[test]
    fn a_close_the_timeout_does_not_explain_is_a_proxys() {
        let l = ladder(vec![
            rung(1, Fate::Alive, None),
            rung(3, Fate::Closed, Some((2.0, Sign::Eof))),
        ]);
        let (c, s) = idle(&with_timeout(0), &l, Duration::from_secs(1));
        assert_eq!(s.cut_by, Some("closed"));
        assert!(c.hint.unwrap().contains("timeout is 0"));
    }

    #[test]
    fn resets_and_silence_point_at_a_middlebox_and_keepalive() {
        let l = ladder(vec![rung(1, Fate::Alive, None), rung(4, Fate::Reset, None)]);
        let (c, s) = idle(&with_timeout(0), &l, Duration::from_secs(1));
        assert_eq!(s.cut_by, Some("reset"));
        let hint = c.hint.unwrap();
        assert!(hint.contains("keepAlive: 2000"), "{hint}");
        assert!(hint.contains("--keepalive 2s"), "{hint}");
        let l = ladder(vec![
            rung(1, Fate::Alive, None),
            rung(4, Fate::Silent, None),
        ]);
        let (c, s) = idle(&with_timeout(0), &l, Duration::from_secs(1));
        assert_eq!(s.cut_by, Some("silence"));
        assert!(c.summary.contains("go silent"), "{}", c.summary);
        assert!(c.hint.unwrap().contains("command timeout"));
    }

    #[test]
    fn all_alive_passes_and_interrupted_informs() {
        let (c, s) = idle(
            &with_timeout(0),
            &ladder(vec![rung(1, Fate::Alive, None), rung(2, Fate::Alive, None)]),
            Duration::from_secs(1),
        );
        assert_eq!(c.status, Status::Pass);
        assert_eq!(s.cut_by, None);
        assert!(c.summary.contains("up to 2 s"), "{}", c.summary);
        let mut l = ladder(vec![
            rung(1, Fate::Alive, None),
            rung(9, Fate::NotProbed, None),
        ]);
        l.interrupted = true;
        let (c, s) = idle(&with_timeout(0), &l, Duration::from_secs(1));
        assert_eq!(c.status, Status::Info);
        assert!(s.interrupted);
    }

    #[test]
    fn durations_read_well() {
        assert_eq!(show(Duration::from_millis(2400)), "2.4 s");
        assert_eq!(show(Duration::from_secs(2)), "2 s");
        assert_eq!(show(Duration::from_secs(600)), "10 min");
        assert_eq!(under(Duration::from_secs(600)), Duration::from_secs(400));
    }

    #[test]
    fn keepalive_is_named_in_the_verdict_and_in_what_it_could_not_do() {
        let mut l = ladder(vec![rung(1, Fate::Alive, None), rung(2, Fate::Alive, None)]);
        l.keepalive = Some(Duration::from_secs(30));
        let (c, s) = idle(&with_timeout(0), &l, Duration::from_secs(1));
        assert_eq!(c.status, Status::Pass);
        assert_eq!(
            c.summary,
            "every connection survived, up to 2 s idle with TCP keep-alive every 30 s"
        );
        assert!(
            c.hint
                .unwrap()
                .starts_with("TCP keep-alive every 30 s keeps this path open")
        );
        assert_eq!(s.keepalive_seconds, Some(30.0));

        let mut l = ladder(vec![
            rung(1, Fate::Alive, None),
            rung(3, Fate::Closed, Some((2.0, Sign::Eof))),
        ]);
        l.keepalive = Some(Duration::from_secs(1));
        let (c, _) = idle(&with_timeout(2), &l, Duration::from_secs(1));
        assert!(
            c.hint.unwrap().ends_with("this was with TCP keep-alive every 1 s: keep-alive packets carry no command, so they do not reset the server's timeout")
        );

        let mut l = ladder(vec![rung(1, Fate::Alive, None), rung(4, Fate::Reset, None)]);
        l.keepalive = Some(Duration::from_secs(1));
        let (c, _) = idle(&with_timeout(0), &l, Duration::from_secs(1));
        assert!(c.hint.unwrap().ends_with(
            "keep-alive at that interval did not keep this path open; try a shorter one"
        ));
    }

    #[test]
    fn a_cut_at_the_first_rung_and_connections_that_could_not_be_judged_warn() {
        let l = ladder(vec![
            rung(5, Fate::Reset, None),
            rung(10, Fate::Reset, None),
        ]);
        let (c, s) = idle(&with_timeout(0), &l, Duration::from_secs(1));
        assert_eq!(c.status, Status::Warn);
        assert_eq!(
            c.summary,
            "idle connections are reset (RST): even the shortest idle (5 s) was cut"
        );
        assert_eq!(s.survived_seconds, None);
        assert_eq!(c.data["cut_seconds"], 5.0);

        let mut broken = rung(5, Fate::Broken, None);
        broken.detail = Some("the reply was not RESP".into());
        let l = ladder(vec![broken, rung(10, Fate::NotOpened, None)]);
        let (c, s) = idle(&with_timeout(0), &l, Duration::from_secs(1));
        assert_eq!(c.status, Status::Warn);
        assert_eq!(c.summary, "2 of 2 connections could not be judged");
        assert_eq!(
            c.hint.as_deref(),
            Some("5 s: broken (the reply was not RESP)\n10 s: not-opened (no detail)")
        );
        assert_eq!(s.connections, 1, "a connection never opened is not held");

        let mut l = ladder(vec![rung(5, Fate::NotProbed, None)]);
        l.interrupted = true;
        let (c, _) = idle(&with_timeout(0), &l, Duration::from_secs(1));
        assert_eq!(
            (c.status, c.summary.as_str()),
            (Status::Info, "interrupted before the first probe")
        );
    }
}
