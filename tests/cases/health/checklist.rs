//! Eviction against `--use`, memory thresholds, fragmentation, keyspace, clients, errors.

use std::net::TcpStream;

use super::{Raw, info_field, url_with_password, wait_until};
use crate::support::RedisServer;
use crate::support::run::{SECRET, both, redcheck};

/// Stores `plain` keys without a TTL and `expiring` keys with one.
fn seed(port: u16, plain: usize, expiring: usize) {
    let mut raw = Raw::connect(port);
    for i in 0..plain {
        assert_eq!(raw.cmd(&["SET", &format!("job:{i}"), "x"]), "OK");
    }
    for i in 0..expiring {
        assert_eq!(
            raw.cmd(&["SET", &format!("cache:{i}"), "x", "EX", "3600"]),
            "OK"
        );
    }
}

/// Runs the check (JSON) with `--use WORKLOAD` when given, without the keyspace sample: these
/// are the INFO-only verdicts (tests/cases/keyspace.rs judges the sample's).
fn eviction(url: &str, workload: Option<&str>) -> serde_json::Value {
    let mut args = vec![url, "--format", "json", "--sample-keys", "0"];
    if let Some(w) = workload {
        args.extend(["--use", w]);
    }
    redcheck(&args).check("eviction")
}

#[test]
fn eviction_policy_is_judged_against_each_workload() {
    // Status without --use, then for cache, queue, session, mixed; 3 of 5 keys have no TTL.
    let table = [
        ("allkeys-lru", ["info", "pass", "fail", "fail", "fail"]),
        ("volatile-lru", ["info", "warn", "pass", "pass", "pass"]),
        ("noeviction", ["info", "warn", "pass", "pass", "pass"]),
    ];
    let workloads = [
        None,
        Some("cache"),
        Some("queue"),
        Some("session"),
        Some("mixed"),
    ];
    for (policy, want) in table {
        let server = RedisServer::builder()
            .arg("maxmemory", "64mb")
            .arg("maxmemory-policy", policy)
            .start();
        seed(server.port(), 3, 2);
        for (workload, want) in workloads.iter().zip(want) {
            let c = eviction(&server.url(), *workload);
            assert_eq!(c["status"], want, "{policy} {workload:?}:\n{c:#}");
            assert!(c["hint"].is_string(), "{c:#}");
            assert_eq!(c["data"]["policy"], policy);
            if want == "fail" {
                assert_eq!(c["data"]["reason"], "eviction-policy", "{c:#}");
            }
        }
        let hint = |w| eviction(&server.url(), Some(w))["hint"].to_string();
        match policy {
            "allkeys-lru" => assert!(hint("queue").contains("silently drop jobs")),
            "volatile-lru" => assert!(hint("queue").contains("never dropped")),
            _ => assert!(hint("cache").contains("OOM")),
        }
    }
    // Every key with a TTL: fine for mixed data under allkeys-*, but volatile-* may then
    // evict sessions before they expire.
    for (policy, workload, want) in [
        ("allkeys-lru", "mixed", "pass"),
        ("volatile-lru", "session", "warn"),
    ] {
        let server = RedisServer::builder()
            .arg("maxmemory", "64mb")
            .arg("maxmemory-policy", policy)
            .start();
        seed(server.port(), 0, 3);
        let c = eviction(&server.url(), Some(workload));
        assert_eq!(c["status"], want, "{policy} {workload}:\n{c:#}");
    }
}

/// Writes 64 KiB values until the server answers OOM.
fn fill_until_oom(port: u16) {
    let mut raw = Raw::authed(port);
    let value = "x".repeat(64 << 10);
    for i in 0.. {
        let reply = raw.cmd(&["SET", &format!("fill:{i}"), &value]);
        if reply.starts_with("-OOM") {
            return;
        }
        assert_eq!(reply, "OK");
        assert!(i < 10_000, "maxmemory never reached");
    }
}

#[test]
fn memory_near_and_at_maxmemory_says_what_comes_next() {
    let server = RedisServer::builder()
        .password(SECRET)
        .arg("maxmemory", "4mb")
        .arg("maxmemory-policy", "noeviction")
        .start();
    let url = url_with_password(server.port());
    fill_until_oom(server.port());
    let run = both(&[&url, "--use", "queue", "--write-probe"]);
    run.assert_code(1).assert_fails("memory", "threshold");
    let memory = run.check("memory");
    assert!(
        memory["hint"]
            .as_str()
            .unwrap()
            .contains("OOM errors are coming"),
        "{memory:#}"
    );
    assert!(memory["data"]["used_percent"].as_f64().unwrap() >= 95.0);
    run.assert_fails("write", "oom");
    assert_eq!(run.status("eviction"), "pass", "noeviction suits a queue");
    let errors = run.check("errors");
    assert_eq!(errors["status"], "info", "{errors:#}");
    assert!(errors["data"]["counts"]["OOM"].as_u64().unwrap() >= 1);

    // The same data under allkeys-lru with room to spare: 80–95 % warns, from 95 % fails.
    let mut admin = Raw::authed(server.port());
    assert_eq!(
        admin.cmd(&["CONFIG", "SET", "maxmemory-policy", "allkeys-lru"]),
        "OK"
    );
    for (percent, status, says) in [
        (87, "warn", "evictions start"),
        (97, "fail", "evictions are under way"),
    ] {
        let used: u64 = super::field(&admin.cmd(&["INFO", "memory"]), "used_memory")
            .and_then(|v| v.parse().ok())
            .expect("used_memory");
        let max = (used * 100 / percent).to_string();
        assert_eq!(admin.cmd(&["CONFIG", "SET", "maxmemory", &max]), "OK");
        let run = both(&[&url]);
        let memory = run.check("memory");
        assert_eq!(memory["status"], status, "{memory:#}");
        assert!(
            memory["hint"].as_str().unwrap().contains(says),
            "{memory:#}"
        );
    }
}

/// `mem_fragmentation_ratio` as INFO reports it now.
fn fragmentation(port: u16) -> f64 {
    info_field(port, "memory", "mem_fragmentation_ratio")
        .and_then(|v| v.parse().ok())
        .unwrap_or(1.0)
}

#[test]
fn fragmentation_above_one_and_a_half_warns_with_the_waste() {
    let server = RedisServer::builder()
        .arg("enable-debug-command", "yes")
        .start();
    let mut raw = Raw::connect(server.port());
    assert_eq!(
        raw.cmd(&["DEBUG", "POPULATE", "150000", "key", "1000"]),
        "OK"
    );
    // Deleting three keys in four leaves every allocator page partly used: RSS stays.
    let script = "for i=0,149999 do if i%4~=0 then redis.call('del','key:'..i) end end";
    raw.cmd(&["EVAL", script, "0"]);
    wait_until("fragmentation is above 1.5", || {
        fragmentation(server.port()) > 1.5
    });
    let run = redcheck(&[&server.url(), "--format", "json"]);
    let memory = run.check("memory");
    assert_eq!(memory["status"], "warn", "{memory:#}");
    assert!(memory["hint"].as_str().unwrap().contains("activedefrag"));
}

#[test]
fn fragmentation_below_one_warns_that_memory_is_not_in_ram() {
    let server = RedisServer::start();
    // A client announcing a 400 MB argument makes the server allocate it at once; the pages
    // stay untouched, so used memory far exceeds RSS, as when pages are swapped out.
    let mut holder = TcpStream::connect(("127.0.0.1", server.port())).unwrap();
    std::io::Write::write_all(
        &mut holder,
        b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$400000000\r\nabc",
    )
    .unwrap();
    wait_until("fragmentation is below 1", || {
        fragmentation(server.port()) < 1.0
    });
    let run = redcheck(&[&server.url(), "--format", "json"]);
    let memory = run.check("memory");
    assert_eq!(memory["status"], "warn", "{memory:#}");
    assert!(memory["hint"].as_str().unwrap().contains("not in RAM"));
}

#[test]
fn keyspace_names_an_empty_url_database_several_databases_and_keys_without_ttl() {
    let server = RedisServer::start();
    let mut raw = Raw::connect(server.port());
    raw.cmd(&["SELECT", "3"]);
    raw.cmd(&["SET", "a", "1"]);
    raw.cmd(&["SET", "b", "1", "EX", "100"]);
    raw.cmd(&["SELECT", "5"]);
    raw.cmd(&["SET", "c", "1"]);
    let run = both(&[&server.url(), "--use", "cache"]);
    let c = run.check("keyspace");
    assert_eq!(c["status"], "info", "{c:#}");
    let hint = c["hint"].as_str().unwrap();
    for says in [
        "db 0, which holds no keys; they live in db 3",
        "2 logical databases",
        "2 of 3 keys have no TTL",
    ] {
        assert!(hint.contains(says), "{says}: {hint}");
    }
    assert_eq!(
        (
            c["data"]["keys"].as_u64(),
            c["data"]["keys_with_ttl"].as_u64()
        ),
        (Some(3), Some(1))
    );
    assert_eq!(c["data"]["databases"].as_array().unwrap().len(), 2);
    let run = both(&[&format!("{}/3", server.url())]);
    assert_eq!(run.status("keyspace"), "info", "several dbs still");
}

#[test]
fn clients_at_maxclients_and_refused_connections() {
    let server = RedisServer::builder().arg("maxclients", "1").start();
    // The guard's readiness probe may still hold the only slot for a moment: retry until the
    // holder gets it.
    let mut holder = None;
    wait_until("the holder takes the only slot", || {
        let mut raw = Raw::connect(server.port());
        let pong = raw.cmd(&["PING"]) == "PONG";
        if pong {
            holder = Some(raw);
        }
        pong
    });
    let holder = holder.expect("the holder connection");
    both(&[&server.url()])
        .assert_code(1)
        .assert_fails("auth", "max-clients");
    drop(holder);
    wait_until("the holder is gone", || {
        info_field(server.port(), "clients", "connected_clients").as_deref() == Some("1")
    });
    let run = both(&[&server.url()]);
    let c = run.check("clients");
    assert_eq!(c["status"], "warn", "{c:#}");
    assert!(c["data"]["rejected_connections"].as_u64().unwrap() >= 1);
    assert_eq!(c["data"]["used_percent"], 100.0);
    let hint = c["hint"].as_str().unwrap();
    assert!(hint.contains("maxclients 1"), "{hint}");
    let resets = run.check("resets");
    assert_eq!(resets["status"], "warn", "{resets:#}");
    let hint = resets["hint"].as_str().unwrap();
    assert!(
        hint.contains("were refused: maxclients 1 was reached") && hint.contains("since start"),
        "{hint}"
    );
    // The pub/sub connection needs a slot of its own, and there is none.
    run.assert_fails("pubsub", "max-clients");
}

#[test]
fn connection_churn_and_blocked_clients() {
    let server = RedisServer::start();
    for _ in 0..600 {
        drop(TcpStream::connect(("127.0.0.1", server.port())).unwrap());
    }
    let mut worker = Raw::connect(server.port());
    worker.send(&["BLPOP", "jobs", "0"]);
    wait_until("the connections are counted and BLPOP blocks", || {
        let text = Raw::connect(server.port()).cmd(&["INFO"]);
        super::field(&text, "blocked_clients").as_deref() == Some("1")
            && super::field(&text, "total_connections_received")
                .and_then(|v| v.parse::<u64>().ok())
                .is_some_and(|n| n >= 600)
    });
    let run = both(&[&server.url()]);
    let c = run.check("clients");
    assert_eq!(c["status"], "warn", "{c:#}");
    let hint = c["hint"].as_str().unwrap();
    assert!(hint.contains("create one client or pool"), "{hint}");
    assert!(hint.contains("blocking command"), "{hint}");
    assert!(c["summary"].as_str().unwrap().contains("1 blocked"));
    assert_eq!(c["data"]["blocked"], 1);
}

#[test]
fn errorstats_count_auth_failures_since_start() {
    let server = RedisServer::builder().password(SECRET).start();
    let mut stranger = Raw::connect(server.port());
    assert!(stranger.cmd(&["GET", "x"]).starts_with("-NOAUTH"));
    assert!(stranger.cmd(&["AUTH", "not-it"]).starts_with("-WRONGPASS"));
    let run = both(&[&url_with_password(server.port())]);
    run.assert_code(0);
    let c = run.check("errors");
    assert_eq!(c["status"], "info", "{c:#}");
    assert!(c["data"]["counts"]["NOAUTH"].as_u64().unwrap() >= 1);
    assert!(c["data"]["counts"]["WRONGPASS"].as_u64().unwrap() >= 1);
    assert!(c["hint"].as_str().unwrap().contains("stale"));
}
