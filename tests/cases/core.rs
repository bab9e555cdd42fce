//! The staged doctor against real servers: verdicts, reasons, exit codes, the JSON contract.

use crate::support::run::{SECRET, both, cmd, redcheck, run, secret_url};
use crate::support::{RedisServer, unused_port};

#[test]
fn a_healthy_server_passes_every_stage_and_the_json_has_the_contract_shape() {
    let server = RedisServer::builder().password(SECRET).start();
    let run = both(&[&secret_url("redis", server.port())]);
    run.assert_code(0);
    let r = run.report();
    assert_eq!(r["version"], 1);
    assert_eq!(r["tool"]["name"], "redcheck");
    assert_eq!(r["verdict"], "pass");
    assert!(r["elapsed_ms"].as_f64().is_some_and(|ms| ms > 0.0));
    assert_eq!(
        r["target"]["url"],
        format!("redis://:****@127.0.0.1:{}/0", server.port())
    );
    assert_eq!(
        (r["target"]["port"].as_u64(), r["target"]["tls"].as_bool()),
        (Some(u64::from(server.port())), Some(false))
    );
    assert_eq!(
        run.check_ids(),
        [
            "url",
            "dns",
            "tcp",
            "scheme",
            "tls",
            "auth",
            "ping",
            "server",
            "memory",
            "eviction",
            "keyspace",
            "clients",
            "errors",
            "persistence",
            "replication",
            "resets",
            "workloads",
            "connections",
            "cluster",
            "version",
            "pubsub",
            "write"
        ]
    );
    for c in r["checks"].as_array().unwrap() {
        for key in ["status", "summary", "hint", "duration_ms", "data"] {
            assert!(c.get(key).is_some(), "{key} missing in {c}");
        }
    }
    assert_eq!(run.status("tls"), "skip");
    assert_eq!(run.check("auth")["data"]["user"], "default");
    let ping = run.check("ping")["data"].clone();
    for key in ["samples", "min_ms", "p50_ms", "p95_ms", "p99_ms", "max_ms"] {
        assert!(ping[key].is_number(), "ping.{key}: {ping}");
    }
    assert_eq!(ping["samples"], 10);
    let server_data = run.check("server")["data"].clone();
    assert_eq!(
        (
            server_data["name"].as_str(),
            server_data["mode"].as_str(),
            server_data["role"].as_str()
        ),
        (Some("redis"), Some("standalone"), Some("master"))
    );
    let memory = run.check("memory")["data"].clone();
    assert!(
        memory["used_bytes"].as_u64().is_some_and(|b| b > 0),
        "{memory}"
    );
    assert!(
        memory["used_percent"].is_null(),
        "no maxmemory means no percentage: {memory}"
    );
    assert_eq!(run.check("eviction")["data"]["policy"], "noeviction");
}

#[test]
fn samples_flag_sets_the_number_of_round_trips() {
    let server = RedisServer::start();
    let run = redcheck(&[&server.url(), "--samples", "25", "--format", "json"]);
    run.assert_code(0);
    assert_eq!(run.check("ping")["data"]["samples"], 25);
}

#[test]
fn missing_password_is_noauth() {
    let server = RedisServer::builder().password(SECRET).start();
    let run = both(&[&server.url()]);
    run.assert_code(1).assert_fails("auth", "noauth");
    assert_eq!(run.status("ping"), "skip");
}

#[test]
fn wrong_password_is_wrongpass() {
    let server = RedisServer::builder().password("the-real-one").start();
    both(&[&secret_url("redis", server.port())])
        .assert_code(1)
        .assert_fails("auth", "wrongpass");
}

#[test]
fn a_password_for_a_server_without_one_fails_as_apps_would() {
    let server = RedisServer::start();
    let run = both(&[&secret_url("redis", server.port())]);
    run.assert_code(1).assert_fails("auth", "no-password-set");
    let hint = run.check("auth")["hint"].as_str().unwrap().to_string();
    assert!(
        hint.contains(&format!("redis://127.0.0.1:{}/0", server.port())),
        "{hint}"
    );
}

#[test]
fn acl_user_is_reported_and_a_user_without_info_skips_server_checks() {
    let server = RedisServer::builder()
        .acl_user("app", SECRET, "+@all ~*")
        .acl_user("limited", SECRET, "+@connection +ping ~*")
        .start();
    let url = |user: &str| format!("redis://{user}:{SECRET}@127.0.0.1:{}", server.port());
    let run = both(&[&url("app")]);
    run.assert_code(0);
    assert_eq!(run.check("auth")["data"]["user"], "app");

    let run = both(&[&url("limited")]);
    run.assert_code(0);
    assert_eq!(run.check("auth")["data"]["user"], "limited");
    for id in ["memory", "eviction"] {
        assert_eq!(run.status(id), "skip", "{id}");
        assert!(
            run.check(id)["summary"]
                .as_str()
                .unwrap()
                .contains("INFO is not allowed")
        );
    }
    assert_eq!(
        run.check("server")["data"]["name"],
        "redis",
        "HELLO still names the server"
    );
}

#[test]
fn database_out_of_range_is_invalid_db() {
    let server = RedisServer::start();
    both(&[&format!("{}/99", server.url())])
        .assert_code(1)
        .assert_fails("auth", "invalid-db");
}

#[test]
fn refused_port_fails_tcp_and_skips_the_rest() {
    let run = both(&[&secret_url("redis", unused_port())]);
    run.assert_code(1).assert_fails("tcp", "refused");
    // The hint says what to do, not what the summary already said.
    let hint = run.check("tcp")["hint"].as_str().unwrap().to_string();
    assert!(
        hint.starts_with("is the server running?") && hint.contains("6379"),
        "{hint}"
    );
    for id in ["scheme", "tls", "auth", "ping", "server"] {
        assert_eq!(run.status(id), "skip", "{id}");
    }
}

#[test]
fn skipped_checks_with_one_reason_share_a_line() {
    let url = secret_url("redis", unused_port());
    let human = redcheck(&[&url]);
    let skipped: Vec<&str> = human
        .stdout
        .lines()
        .filter(|l| l.starts_with(" - "))
        .collect();
    assert!(
        skipped.contains(
            &" - scheme, tls, auth, ping, server, memory, eviction, keyspace, clients, errors, \
               persistence, replication, resets, workloads, connections, cluster, version, pubsub \
               skipped: could not connect"
        ),
        "{}",
        human.stdout
    );
    // A lone skipped check keeps its column.
    assert!(
        skipped
            .iter()
            .any(|l| l.starts_with(" - write       skipped:")),
        "{}",
        human.stdout
    );
    // JSON keeps one entry per check.
    let json = redcheck(&[&url, "--format", "json"]);
    assert_eq!(json.status("memory"), "skip");
    assert_eq!(json.status("cluster"), "skip");
}

#[test]
fn usage_errors_exit_2_with_one_line() {
    let run = redcheck(&[]);
    run.assert_code(2);
    assert!(run.stderr.contains("REDIS_URL"), "{}", run.stderr);
    redcheck(&["--no-such-flag", "redis://localhost"]).assert_code(2);
    redcheck(&["--timeout", "soon", "redis://localhost"]).assert_code(2);
}

#[test]
fn an_empty_redis_url_is_no_url_at_all() {
    // CI with a missing secret exports REDIS_URL="": a usage error, not a target.
    for value in ["", "  "] {
        for sub in [
            &[][..],
            &["wait"],
            &["memory"],
            &["latency"],
            &["tls"],
            &["url"],
        ] {
            let run = run(cmd().env("REDIS_URL", value).args(sub));
            run.assert_code(2);
            assert!(
                run.stderr.contains("set REDIS_URL (it is set but empty)"),
                "{sub:?}: {}",
                run.stderr
            );
            assert!(run.stdout.is_empty(), "{sub:?}: {}", run.stdout);
        }
    }
}

#[test]
fn redis_url_from_the_environment() {
    let server = RedisServer::start();
    let run = run(cmd()
        .env("REDIS_URL", server.url())
        .args(["--format", "json"]));
    run.assert_code(0);
    assert_eq!(run.report()["target"]["port"], u64::from(server.port()));
}

#[test]
fn no_escape_codes_in_a_pipe_unless_asked() {
    let server = RedisServer::start();
    let plain = redcheck(&[&server.url()]);
    assert!(
        !plain.stdout.contains('\x1b') && !plain.stderr.contains('\x1b'),
        "{:?}",
        plain.stdout
    );
    let coloured = redcheck(&[&server.url(), "--color", "always"]);
    assert!(coloured.stdout.contains("\x1b["), "{:?}", coloured.stdout);
    let no_color = run(cmd()
        .env("NO_COLOR", "1")
        .args([&server.url(), "--color", "auto"]));
    assert!(!no_color.stdout.contains('\x1b'));
}

#[test]
fn quiet_prints_only_problems_and_strict_fails_on_warnings() {
    let server = RedisServer::start();
    let quiet = redcheck(&[&server.url(), "-q"]);
    quiet.assert_code(0);
    assert!(!quiet.stdout.contains("✓"), "{}", quiet.stdout);
    assert!(quiet.stdout.contains("pass"), "{}", quiet.stdout);
    // Header, one blank line, summary: no empty checklist between two blank lines.
    let lines: Vec<&str> = quiet.stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{}", quiet.stdout);
    assert!(
        lines[1].is_empty() && lines[2].starts_with(" pass · "),
        "{lines:?}"
    );
    // noeviction for a cache is a warning: fine by default, a failure under --strict.
    let run = redcheck(&[&server.url(), "--use", "cache", "--format", "json"]);
    run.assert_code(0);
    assert_eq!(run.status("eviction"), "warn");
    let strict = redcheck(&[&server.url(), "--use", "cache", "--strict"]);
    strict.assert_code(1);
    let last = strict.stdout.trim_end().lines().last().unwrap().to_string();
    assert!(last.starts_with(" fail (--strict) · 1 warning"), "{last}");
}

#[test]
fn human_output_is_a_checklist_with_hints() {
    let server = RedisServer::builder().password(SECRET).start();
    let run = redcheck(&[&server.url()]);
    run.assert_code(1);
    assert!(
        run.stdout.starts_with(&format!(
            "redcheck {} · redis://127.0.0.1:",
            env!("CARGO_PKG_VERSION")
        )),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains(" ✘ auth "), "{}", run.stdout);
    assert!(
        run.stdout.contains("→ the server needs a password"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .trim_end()
            .lines()
            .last()
            .unwrap()
            .starts_with(" fail · 1 failed"),
        "{}",
        run.stdout
    );
}
