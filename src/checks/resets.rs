//! `resets`: the server-side causes of "connection reset" that a healthy instant does not show —
//! an idle timeout (`timeout`), no TCP keep-alive, and the clients the server threw out since
//! start (evicted, output or query buffer over its limit, refused at maxclients).

use serde_json::{Value, json};

use super::{check, hints, skipped};
use crate::info::Info;
use crate::probe::session::ServerConfig;
use crate::probe::{Findings, Outcome, SkipCause};
use crate::text::show_uptime;
use crate::verdict::{Check, CheckId, Status};

/// A server idle timeout at or below this many seconds is a warning: pools commonly keep
/// connections idle for minutes, so they will meet it. Above it, it is worth knowing.
pub const SHORT_IDLE_TIMEOUT: u64 = 300;

/// The counters since start that mean the server closed or refused clients, each with what
/// causes it and what fixes it.
struct Counter {
    /// INFO field.
    field: &'static str,
    /// Short label for the summary.
    label: &'static str,
}

const COUNTERS: [Counter; 4] = [
    Counter {
        field: "client_output_buffer_limit_disconnections",
        label: "dropped at the output buffer limit",
    },
    Counter {
        field: "client_query_buffer_limit_disconnections",
        label: "dropped at the query buffer limit",
    },
    Counter {
        field: "evicted_clients",
        label: "evicted (maxmemory-clients)",
    },
    Counter {
        field: "rejected_connections",
        label: "refused",
    },
];

/// `resets`.
pub fn resets(f: &Findings) -> Check {
    let info = f.info.facts();
    let config = match &f.config.outcome {
        Outcome::Done(c) => Ok(c),
        Outcome::Skipped(why) => Err(why.why.as_str()),
        Outcome::Failed(failure, _) => Err(failure.cause.as_str()),
    };
    // Skipped for another reason (not asked, an earlier stage failed) says nothing of CONFIG.
    let config_ran = match &f.config.outcome {
        Outcome::Skipped(why) => why.cause == SkipCause::Forbidden,
        _ => true,
    };
    if info.is_none() && !config_ran {
        let why = match &f.info.outcome {
            Outcome::Skipped(why) => why.why.clone(),
            _ => "INFO failed".to_string(),
        };
        return skipped(CheckId::Resets, &why);
    }
    let mut status = Status::Pass;
    let mut parts = Vec::new();
    let mut hints_out = Vec::new();
    let mut data = json!({});

    // The server's own idle timeout.
    match config {
        Ok(cfg) => idle_timeout(cfg, &mut status, &mut parts, &mut hints_out),
        Err(why) if config_ran => {
            let documented = hints::provider(f).and_then(|p| p.idle_timeout.map(|t| (p, t)));
            status = status.max(Status::Info);
            match documented {
                Some((p, t)) => {
                    parts.push(format!(
                        "idle timeout not readable (CONFIG GET refused); {} documents {}",
                        p.name,
                        show_seconds(t.seconds)
                    ));
                    hints_out.push(format!(
                        "{} ({why}); {} closes connections idle for about {} ({}): keep the pool's health checks or keep-alive shorter than that, or retry once on a reset; redcheck idle URL measures the real cutoff",
                        "the server's idle timeout could not be read", p.name, show_seconds(t.seconds), t.what
                    ));
                    data["documented_idle_timeout_seconds"] = json!(t.seconds);
                    data["provider"] = json!(p.name);
                }
                None => {
                    parts.push("idle timeout not readable (CONFIG GET refused)".into());
                    hints_out.push(format!(
                        "the server's idle timeout could not be read ({why}): redcheck idle URL measures how long a connection may sit idle on this path"
                    ));
                }
            }
            data["config_error"] = json!(why);
        }
        Err(_) => {}
    }

    if let Ok(cfg) = config {
        data["timeout_seconds"] = json!(cfg.timeout);
        data["tcp_keepalive_seconds"] = json!(cfg.tcp_keepalive);
        data["client_output_buffer_limit"] = json!(cfg.output_buffer_limit);
        data["maxmemory_clients"] = json!(cfg.maxmemory_clients);
    }

    // Clients the server closed or refused since start.
    if let Some(info) = info {
        let uptime = info.server().uptime_seconds;
        let since = uptime.map_or_else(
            || "since start".to_string(),
            |u| format!("since start, {} ago", show_uptime(u)),
        );
        data["uptime_seconds"] = json!(uptime);
        let mut counts = serde_json::Map::new();
        for c in &COUNTERS {
            let Some(n) = info.get(c.field).and_then(|v| v.trim().parse::<u64>().ok()) else {
                continue;
            };
            counts.insert(c.field.into(), json!(n));
            if n == 0 {
                continue;
            }
            status = status.max(Status::Warn);
            parts.push(format!("{n} {}", c.label));
            hints_out.push(format!(
                "{n} {} {since}: {}",
                if n == 1 { "client" } else { "clients" },
                counter_hint(c.field, info, config.ok())
            ));
        }
        data["counters"] = Value::Object(counts);
    }

    if parts.is_empty() {
        parts.push("no idle timeout, and no client dropped or refused since start".into());
    }
    check(
        CheckId::Resets,
        status,
        parts.join(" · "),
        (!hints_out.is_empty()).then(|| hints_out.join("\n")),
        data,
    )
}

/// `timeout` and `tcp-keepalive` as read with CONFIG GET.
fn idle_timeout(
    cfg: &ServerConfig,
    status: &mut Status,
    parts: &mut Vec<String>,
    hints: &mut Vec<String>,
) {
    match cfg.timeout {
        Some(0) => parts.push("no server idle timeout".into()),
        // A proxy may answer CONFIG GET with nothing: that is not "no timeout".
        None => parts.push("CONFIG GET timeout returned nothing".into()),
        Some(n) => {
            *status = (*status).max(if n <= SHORT_IDLE_TIMEOUT {
                Status::Warn
            } else {
                Status::Info
            });
            parts.push(format!(
                "the server closes clients idle for {}",
                show_seconds(n)
            ));
            hints.push(format!(
                "timeout {n}: the server closes a connection that sent no command for {} — a pooled connection idle longer fails on its next command (ECONNRESET, EPIPE, 'Connection closed'). Make the pool ping or health-check idle connections more often than every {}, or drop them before that age, or retry once on a reset (redcheck idle URL lists the client settings); or set timeout 0 on the server. TCP keep-alive does not help here: the server counts commands, not packets",
                show_seconds(n),
                show_seconds(n)
            ));
        }
    }
    if cfg.tcp_keepalive == Some(0) {
        *status = (*status).max(Status::Info);
        parts.push("tcp-keepalive off".into());
        hints.push("tcp-keepalive 0: the server never probes idle connections, so clients that vanished (a crashed host, a NAT mapping that expired) keep their slots and half-open connections go unnoticed; set tcp-keepalive 300 (the default since Redis 3.2.1)".into());
    }
}

/// Cause and fix of one counter, naming the configured limit when CONFIG could be read.
fn counter_hint(field: &str, info: &Info, cfg: Option<&ServerConfig>) -> String {
    match field {
        "client_output_buffer_limit_disconnections" => {
            let limit = cfg
                .and_then(|c| c.output_buffer_limit.as_deref())
                .map(|l| {
                    let pubsub = class_limit(l, "pubsub")
                        .map(|p| format!("pubsub {p}"))
                        .unwrap_or_default();
                    let normal = class_limit(l, "normal")
                        .map(|p| format!("; normal {p}"))
                        .unwrap_or_default();
                    format!(" (client-output-buffer-limit: {pubsub}{normal})")
                })
                .unwrap_or_default();
            format!(
                "were disconnected because their output buffer passed client-output-buffer-limit{limit}: usually a pub/sub subscriber that reads slower than publishers write (slow work in its message handler), or a client that asks for a huge reply (KEYS, HGETALL, LRANGE 0 -1 on a big key); keep handlers fast or hand messages to a queue, read big values in pages (SCAN, HSCAN), or raise the pubsub limit"
            )
        }
        "client_query_buffer_limit_disconnections" => "were disconnected because their query buffer passed client-query-buffer-limit (1 GiB by default): a pipeline or MULTI sent far ahead of reading its replies, or one huge argument; send pipelines in batches (a few thousand commands) and read replies as you go".into(),
        "evicted_clients" => {
            let limit = cfg
                .and_then(|c| c.maxmemory_clients.as_deref())
                .map(|m| format!(" (maxmemory-clients {m})"))
                .unwrap_or_default();
            format!(
                "were evicted: all clients together used more memory than maxmemory-clients{limit}, and the server closed the biggest; look for clients with large buffers (CLIENT LIST: tot-mem, omem, qbuf), cut huge replies and unread pipelines, or raise maxmemory-clients"
            )
        }
        _ => {
            let max = info
                .clients()
                .maxclients
                .map(|m| format!("maxclients {m}"))
                .unwrap_or_else(|| "maxclients".into());
            format!(
                "were refused: {max} was reached (or protected mode turned a remote client away; the server log says which), and the app saw 'max number of clients reached' or a reset; create one client or pool per process and reuse it, close idle connections, or raise {max} or the plan's limit"
            )
        }
    }
}

/// The `hard soft seconds` limit of one class in `client-output-buffer-limit`, shown in MiB.
fn class_limit(limits: &str, class: &str) -> Option<String> {
    let words: Vec<&str> = limits.split_whitespace().collect();
    let at = words.iter().position(|w| w.eq_ignore_ascii_case(class))?;
    let (hard, soft, secs) = (words.get(at + 1)?, words.get(at + 2)?, words.get(at + 3)?);
    let size = |b: &str| -> String {
        match b.parse::<u64>() {
            Ok(0) => "none".into(),
            Ok(n) => crate::text::bytes(n),
            Err(_) => b.to_string(),
        }
    };
    Some(format!(
        "hard {}, soft {} for {secs} s",
        size(hard),
        size(soft)
    ))
}

/// `2 s`, `5 min`, `10 min 30 s`.
pub fn show_seconds(s: u64) -> String {
    match (s / 60, s % 60) {
        (0, s) => format!("{s} s"),
        (m, 0) => format!("{m} min"),
        (m, s) => format!("{m} min {s} s"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testing::findings;
    use crate::probe::Stage;
    use std::time::Duration;

    fn with(url: &str, info: &str, config: Stage<ServerConfig>) -> Findings {
        let mut f = findings(url, None);
        f.info = Stage::done(Info::parse(info), Duration::ZERO);
        f.config = config;
        f
    }

    fn cfg(timeout: u64, keepalive: u64) -> Stage<ServerConfig> {
        Stage::done(
            ServerConfig {
                timeout: Some(timeout),
                tcp_keepalive: Some(keepalive),
                output_buffer_limit: Some(
                    "normal 0 0 0 slave 268435456 67108864 60 pubsub 1048576 0 0".into(),
                ),
                maxmemory_clients: Some("0".into()),
            },
            Duration::ZERO,
        )
    }

    const QUIET: &str = "# Server\r\nuptime_in_seconds:200000\r\n# Stats\r\nrejected_connections:0\r\nevicted_clients:0\r\n";

    #[test]
    fn a_short_server_timeout_warns_a_long_one_informs_none_passes() {
        let c = resets(&with("redis://h", QUIET, cfg(2, 300)));
        assert_eq!(c.status, Status::Warn, "{}", c.summary);
        assert!(c.summary.contains("idle for 2 s"), "{}", c.summary);
        assert!(
            c.hint
                .as_deref()
                .unwrap()
                .contains("more often than every 2 s")
        );
        assert_eq!(
            resets(&with("redis://h", QUIET, cfg(3600, 300))).status,
            Status::Info
        );
        let c = resets(&with("redis://h", QUIET, cfg(0, 300)));
        assert_eq!(c.status, Status::Pass, "{}", c.summary);
        let c = resets(&with("redis://h", QUIET, cfg(0, 0)));
        assert_eq!(c.status, Status::Info);
        assert!(c.hint.unwrap().contains("tcp-keepalive 300"));
    }

    #[test]
    fn an_empty_config_answer_is_not_taken_for_no_timeout() {
        let empty = Stage::done(ServerConfig::default(), Duration::ZERO);
        let c = resets(&with("redis://h", QUIET, empty));
        assert!(c.summary.contains("returned nothing"), "{}", c.summary);
        assert!(
            !c.summary.contains("no server idle timeout"),
            "{}",
            c.summary
        );
    }

    #[test]
    fn a_refused_config_is_never_a_failure_and_falls_back_to_the_provider() {
        let refused =
            || Stage::forbidden("CONFIG GET is not allowed: ERR unknown command 'CONFIG'");
        let c = resets(&with(
            "rediss://:pw@contoso.redis.cache.windows.net:6380",
            QUIET,
            refused(),
        ));
        assert_eq!(c.status, Status::Info, "{}", c.summary);
        assert!(
            c.summary.contains("Azure Cache for Redis documents 10 min"),
            "{}",
            c.summary
        );
        assert!(c.hint.unwrap().contains("unknown command 'CONFIG'"));
        let c = resets(&with("redis://10.1.2.3", QUIET, refused()));
        assert_eq!(c.status, Status::Info);
        assert!(c.hint.unwrap().contains("redcheck idle"));
    }

    #[test]
    fn counters_since_start_warn_with_the_window_and_the_limit() {
        let info = "# Server\r\nuptime_in_seconds:864000\r\n# Clients\r\nmaxclients:20\r\n# Stats\r\nrejected_connections:3\r\nevicted_clients:0\r\nclient_query_buffer_limit_disconnections:0\r\nclient_output_buffer_limit_disconnections:5\r\n";
        let c = resets(&with("redis://h", info, cfg(0, 300)));
        assert_eq!(c.status, Status::Warn);
        assert!(
            c.summary.contains("5 dropped at the output buffer limit"),
            "{}",
            c.summary
        );
        assert!(c.summary.contains("3 refused"), "{}", c.summary);
        let hint = c.hint.unwrap();
        assert!(hint.contains("since start, 10 days ago"), "{hint}");
        assert!(
            hint.contains("pubsub hard 1.0 MiB, soft none for 0 s"),
            "{hint}"
        );
        assert!(hint.contains("maxclients 20"), "{hint}");
    }

    #[test]
    fn output_buffer_classes_are_read_by_name() {
        let l = "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60";
        assert_eq!(
            class_limit(l, "pubsub").as_deref(),
            Some("hard 32.0 MiB, soft 8.0 MiB for 60 s")
        );
        assert_eq!(class_limit(l, "replica"), None);
        assert_eq!(class_limit("pubsub 1", "pubsub"), None);
    }

    #[test]
    fn an_unreached_server_skips_with_the_reason_and_a_healthy_one_passes_with_its_settings() {
        let mut f = findings("redis://h", None);
        f.skip_from(crate::probe::StageId::Info, "could not connect");
        let c = resets(&f);
        assert_eq!(
            (c.status, c.summary.as_str()),
            (Status::Skip, "could not connect")
        );

        let f = crate::checks::testing::Build::healthy("redis://127.0.0.1:6379").done();
        let c = resets(&f);
        assert_eq!(c.status, Status::Pass, "{}", c.summary);
        assert!(
            c.summary.contains("no server idle timeout"),
            "{}",
            c.summary
        );
        assert_eq!(c.data["timeout_seconds"], 0);
        assert_eq!(c.data["tcp_keepalive_seconds"], 300);
        assert_eq!(c.data["counters"]["rejected_connections"], 0);
        assert!(c.data.get("config_error").is_none());
    }
}
