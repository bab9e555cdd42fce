//! `redcheck memory` and `redcheck latency`.

use std::process::Stdio;
use std::thread;
use std::time::Duration;

use super::{Raw, url_with_password};
use crate::support::run::{SECRET, both, cmd, redcheck};
use crate::support::{RedisServer, unused_port};

#[test]
fn memory_shows_its_four_verdicts_and_the_numbers_behind_them() {
    let server = RedisServer::builder()
        .password(SECRET)
        .arg("maxmemory", "64mb")
        .arg("maxmemory-policy", "allkeys-lru")
        .start();
    let mut raw = Raw::authed(server.port());
    raw.cmd(&["SET", "job:1", "x"]);
    raw.cmd(&["SET", "cache:1", "x", "EX", "600"]);
    let url = url_with_password(server.port());
    let run = both(&["memory", &url, "--use", "queue"]);
    run.assert_code(1)
        .assert_fails("eviction", "eviction-policy");
    let r = run.report();
    let ids: Vec<&str> = r["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["memory", "eviction", "keyspace", "clients"]);
    let n = &r["numbers"];
    assert_eq!(n["memory"]["maxmemory_bytes"], 64 << 20);
    assert_eq!(n["memory"]["maxmemory_policy"], "allkeys-lru");
    assert_eq!(n["keyspace"][0]["keys"], 2);
    assert_eq!(n["keyspace"][0]["expires"], 1);
    assert!(n["clients"]["connected"].as_u64().unwrap() >= 1);

    let human = redcheck(&["memory", &url, "--use", "queue"]);
    human.assert_no_secret();
    for says in [
        "✘ eviction",
        "maxmemory 64.0 MiB",
        "db0: 2 keys · 1 with TTL",
        "connected · maxclients",
    ] {
        assert!(human.stdout.contains(says), "{says}:\n{}", human.stdout);
    }
    assert!(!human.stdout.contains(" ping "), "{}", human.stdout);
}

#[test]
fn counts_of_one_are_singular() {
    let server = RedisServer::builder()
        .arg("maxmemory", "64mb")
        .arg("maxmemory-policy", "volatile-lru")
        .start();
    let mut raw = Raw::connect(server.port());
    raw.cmd(&["SET", "k", "v"]);
    let human = redcheck(&["memory", &server.url(), "--use", "cache"]);
    for says in ["db0: 1 key · 0 with TTL", "1 of 1 key has no TTL"] {
        assert!(human.stdout.contains(says), "{says}:\n{}", human.stdout);
    }
    let json = redcheck(&[
        "memory",
        &server.url(),
        "--use",
        "cache",
        "--format",
        "json",
    ]);
    let eviction = json.check("eviction")["hint"].as_str().unwrap().to_string();
    assert!(eviction.contains("1 of 1 key has no TTL"), "{eviction}");
    // Only the url check runs for a scheme redcheck does not know.
    let one = redcheck(&["foo://x"]);
    assert!(one.stdout.contains(" · 1 check in "), "{}", one.stdout);
}

#[test]
fn memory_without_info_rights_warns_and_says_what_to_grant() {
    let server = RedisServer::builder()
        .acl_user("limited", SECRET, "+@connection +ping ~*")
        .start();
    let url = format!("redis://limited:{SECRET}@127.0.0.1:{}", server.port());
    let run = both(&["memory", &url]);
    run.assert_code(0);
    assert_eq!(run.report()["verdict"], "warn");
    let memory = run.check("memory");
    assert_eq!(memory["status"], "warn", "{memory:#}");
    let hint = memory["hint"].as_str().unwrap();
    assert!(hint.contains("ACL SETUSER limited +info"), "{hint}");
    redcheck(&["memory", &url, "--strict"]).assert_code(1);
}

#[test]
fn memory_of_an_unreachable_server_shows_why() {
    let url = format!("redis://:{SECRET}@127.0.0.1:{}", unused_port());
    let run = both(&["memory", &url]);
    run.assert_code(1).assert_fails("tcp", "refused");
    assert!(run.report()["numbers"].is_null());
}

#[test]
fn latency_counts_round_trips_with_microsecond_precision_and_a_histogram() {
    let server = RedisServer::builder().password(SECRET).start();
    let url = url_with_password(server.port());
    let run = both(&["latency", &url, "--count", "30", "--interval", "1ms"]);
    run.assert_code(0);
    let r = run.report();
    let l = &r["latency"];
    assert_eq!(l["stats"]["samples"], 30);
    assert_eq!(l["ended"], "count");
    assert_eq!(l["interval_ms"], 1.0);
    let counted: u64 = l["histogram"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["count"].as_u64().unwrap())
        .sum();
    assert_eq!(counted, 30);
    let p50 = l["stats"]["p50_ms"].as_f64().unwrap();
    assert!(p50 > 0.0 && p50 < 50.0, "{p50}");
    assert_eq!(run.status("latency"), "pass");
    assert_eq!(run.status("auth"), "pass");

    let human = redcheck(&["latency", &url, "--count", "10", "--interval", "1ms"]);
    assert!(human.stdout.contains("round trip min"), "{}", human.stdout);
    assert!(human.stdout.contains("█"), "{}", human.stdout);
    redcheck(&["latency", &url, "--watch", "--count", "5"]).assert_code(2);
}

#[test]
fn latency_elapsed_covers_the_sampling_run() {
    let server = RedisServer::start();
    // 10 round trips 40 ms apart: at least 360 ms, where the probe alone takes a few.
    let run = redcheck(&[
        "latency",
        &server.url(),
        "--count",
        "10",
        "--interval",
        "40ms",
        "--format",
        "json",
    ]);
    run.assert_code(0);
    let elapsed = run.report()["elapsed_ms"].as_f64().unwrap();
    assert!(elapsed >= 360.0, "{elapsed}");
}

#[test]
fn latency_watch_stops_cleanly_on_ctrl_c_and_prints_the_histogram() {
    let server = RedisServer::start();
    let child = cmd()
        .args(["latency", &server.url(), "--watch", "--interval", "5ms"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start redcheck latency --watch");
    thread::sleep(Duration::from_millis(500));
    let killed = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("run kill -INT");
    assert!(killed.success());
    let out = child.wait_with_output().expect("wait for redcheck");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(stdout.contains("stopped by Ctrl-C"), "{stdout}");
    assert!(stdout.contains("; interrupted by Ctrl-C)"), "{stdout}");
    assert!(stdout.contains("█"), "{stdout}");
}

#[test]
fn latency_against_a_closed_port_fails_at_tcp() {
    let run = both(&["latency", &format!("redis://127.0.0.1:{}", unused_port())]);
    run.assert_code(1).assert_fails("tcp", "refused");
    assert!(run.report()["latency"].is_null());
}
