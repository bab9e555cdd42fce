//! Persistence, replication, version, security and ACL limits.

use std::net::{IpAddr, Ipv4Addr, ToSocketAddrs};
use std::thread;

use super::{Raw, info_field, url_with_password, wait_until};
use crate::support::run::{SECRET, both};
use crate::support::{Behavior, FakeServer, RedisServer, unused_port};

#[test]
fn a_failed_snapshot_fails_persistence_and_writes_with_misconf() {
    let data = tempfile::tempdir().unwrap();
    let dir = data.path().join("rdb");
    std::fs::create_dir(&dir).unwrap();
    // Save points make a failed snapshot refuse writes (stop-writes-on-bgsave-error).
    let server = RedisServer::builder()
        .arg("dir", dir.to_str().unwrap())
        .arg("save", "3600 1")
        .start();
    // The directory vanishing under the server is the disk failure we can stage as root.
    std::fs::remove_dir_all(&dir).unwrap();
    Raw::connect(server.port()).cmd(&["BGSAVE"]);
    wait_until("the snapshot has failed", || {
        info_field(server.port(), "persistence", "rdb_last_bgsave_status").as_deref() == Some("err")
    });
    let run = both(&[&server.url(), "--write-probe"]);
    run.assert_code(1)
        .assert_fails("persistence", "misconf")
        .assert_fails("write", "misconf");
    assert!(
        run.check("persistence")["summary"]
            .as_str()
            .unwrap()
            .contains("rdb_last_bgsave_status:err")
    );
}

#[test]
fn loading_fails_persistence_with_its_progress() {
    let server = RedisServer::builder()
        .arg("enable-debug-command", "yes")
        .start();
    let mut raw = Raw::connect(server.port());
    assert_eq!(raw.cmd(&["DEBUG", "POPULATE", "3000"]), "OK");
    // A per-key delay and frequent event processing keep the reload answering, slowly.
    raw.cmd(&["CONFIG", "SET", "key-load-delay", "200"]);
    raw.cmd(&[
        "CONFIG",
        "SET",
        "loading-process-events-interval-bytes",
        "1024",
    ]);
    let reload = thread::spawn(move || raw.cmd(&["DEBUG", "RELOAD"]));
    wait_until("the server is loading", || {
        info_field(server.port(), "persistence", "loading").as_deref() == Some("1")
    });
    let run = both(&[&server.url()]);
    run.assert_code(1)
        .assert_fails("ping", "loading")
        .assert_fails("persistence", "loading");
    let summary = run.check("persistence")["summary"].to_string();
    assert!(summary.contains("% done"), "{summary}");
    assert_eq!(run.status("server"), "pass", "INFO answers while loading");
    assert_eq!(reload.join().unwrap(), "OK");
}

#[test]
fn a_replica_warns_and_a_replica_without_its_primary_fails() {
    let primary = RedisServer::builder()
        .arg("repl-diskless-sync-delay", "0")
        .start();
    let replica = RedisServer::builder()
        .arg("replicaof", &format!("127.0.0.1 {}", primary.port()))
        .start();
    wait_until("the replica is in sync", || {
        info_field(replica.port(), "replication", "master_link_status").as_deref() == Some("up")
    });
    assert!(
        Raw::connect(replica.port())
            .cmd(&["SET", "k", "v"])
            .starts_with("-READONLY")
    );
    let run = both(&[&replica.url(), "--write-probe"]);
    run.assert_code(1).assert_fails("write", "readonly");
    let c = run.check("replication");
    assert_eq!(c["status"], "warn", "{c:#}");
    assert!(
        c["summary"]
            .as_str()
            .unwrap()
            .contains(&primary.port().to_string())
    );
    assert!(c["hint"].as_str().unwrap().contains("READONLY"));
    assert!(
        run.check("errors")["data"]["counts"]["READONLY"]
            .as_u64()
            .unwrap()
            >= 1
    );

    let run = both(&[&primary.url()]);
    run.assert_code(0);
    assert_eq!(run.check("replication")["summary"], "primary · 1 replica");

    let orphan = RedisServer::builder()
        .arg("replicaof", &format!("127.0.0.1 {}", unused_port()))
        .start();
    both(&[&orphan.url()])
        .assert_code(1)
        .assert_fails("replication", "master-link-down");
}

#[test]
fn an_acl_user_without_info_or_channels_gets_skips_not_failures() {
    let server = RedisServer::builder()
        .acl_user("limited", SECRET, "+@connection +ping ~*")
        .start();
    let url = format!("redis://limited:{SECRET}@127.0.0.1:{}", server.port());
    let run = both(&[&url]);
    run.assert_code(0);
    for id in [
        "memory",
        "eviction",
        "keyspace",
        "clients",
        "errors",
        "persistence",
        "replication",
    ] {
        let c = run.check(id);
        assert_eq!(c["status"], "skip", "{c:#}");
        assert!(
            c["summary"]
                .as_str()
                .unwrap()
                .contains("INFO is not allowed")
        );
    }
    assert_eq!(run.status("pubsub"), "skip");
    assert_eq!(
        run.status("version"),
        "pass",
        "HELLO still names the version"
    );
    assert_eq!(run.check("version")["data"]["version"], "7.0.15");
}

/// A name for this machine other than `localhost`, and the address it resolves to here. The
/// checks judge the URL's host, so to them it is a remote host, yet a server on it is
/// reachable from the test.
fn remote_name() -> (String, IpAddr) {
    let name = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .or_else(|| {
            let out = std::process::Command::new("hostname").output().ok()?;
            Some(String::from_utf8_lossy(&out.stdout).into_owned())
        })
        .map(|n| n.trim().to_string())
        .filter(|n| !n.is_empty() && n != "localhost")
        .expect("this machine has a host name other than localhost");
    let ip = (name.as_str(), 0)
        .to_socket_addrs()
        .ok()
        .and_then(|mut a| a.find(|a| a.is_ipv4()))
        .map(|a| a.ip())
        .unwrap_or_else(|| panic!("the host name {name} resolves to no IPv4 address"));
    (name, ip)
}

#[test]
fn no_password_and_plaintext_to_a_remote_host_warn() {
    let (name, ip) = remote_name();
    let mut builder = RedisServer::builder().arg("protected-mode", "no");
    if ip != IpAddr::V4(Ipv4Addr::LOCALHOST) {
        builder = builder.arg("bind", &format!("127.0.0.1 {ip}"));
    }
    let server = builder.start();
    let run = both(&[&format!("redis://{name}:{}", server.port())]);
    run.assert_code(0);
    let auth = run.check("auth");
    assert_eq!(auth["status"], "warn", "{auth:#}");
    assert!(
        auth["hint"]
            .as_str()
            .unwrap()
            .contains("anyone who can reach")
    );
    let url = run.check("url");
    assert_eq!(url["status"], "warn", "{url:#}");
    assert!(
        url["data"]["lints"]
            .to_string()
            .contains("plaintext-remote")
    );
    let memory = run.check("memory");
    assert_eq!(memory["status"], "warn", "{memory:#}");
    assert!(memory["hint"].as_str().unwrap().contains("no maxmemory"));
}

/// A server that answers as Redis 5.0.6 did, INFO included (captured from the real one).
fn redis_5() -> FakeServer {
    const INFO: &str = include_str!("../../fixtures/info/redis-5.0.txt");
    FakeServer::start(Behavior::respond(|args| {
        let name = String::from_utf8_lossy(&args[0]).to_ascii_uppercase();
        match name.as_str() {
            "AUTH" if args.len() == 3 => {
                b"-ERR wrong number of arguments for 'auth' command\r\n".to_vec()
            }
            "AUTH" | "SELECT" => b"+OK\r\n".to_vec(),
            "PING" => b"+PONG\r\n".to_vec(),
            "INFO" => format!("${}\r\n{INFO}\r\n", INFO.len()).into_bytes(),
            other => format!("-ERR unknown command '{other}'\r\n").into_bytes(),
        }
    }))
}

#[test]
fn redis_5_is_past_end_of_life_and_a_user_name_for_it_fails_auth_arity() {
    // No Redis < 6 binary is installed here; the fake replays a real 5.0.6 INFO.
    let server = redis_5();
    let run = both(&[&server.url()]);
    run.assert_code(0);
    let c = run.check("version");
    assert_eq!(c["status"], "warn", "{c:#}");
    assert_eq!(c["data"]["end_of_life"], true);
    assert!(c["hint"].as_str().unwrap().contains("upgrade"));

    // A user name with no password connects as default, so INFO is read; the app's client
    // would send AUTH user password, which Redis 5 rejects.
    let run = both(&[&format!("redis://app:@127.0.0.1:{}", server.port())]);
    run.assert_code(1).assert_fails("version", "auth-arity");

    let run = both(&[&format!("redis://app:{SECRET}@127.0.0.1:{}", server.port())]);
    run.assert_code(1).assert_fails("auth", "auth-arity");
    assert_eq!(run.status("version"), "skip");
}

#[test]
fn a_current_redis_passes_version() {
    let server = RedisServer::builder().password(SECRET).start();
    let run = both(&[&url_with_password(server.port())]);
    let c = run.check("version");
    assert_eq!(c["status"], "pass", "{c:#}");
    assert_eq!(c["data"]["end_of_life"], false);
}
