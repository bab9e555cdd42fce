//! Replies that are not Redis, replies too large or too deep, and server error replies.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::Stdio;
use std::thread;
use std::time::{Duration, Instant};

use super::{Peer, QUICK, Row, Want, bulk, fake, run_matrix};
use crate::support::run::{SECRET, both, cmd, run_measured, secret_url};
use crate::support::{Behavior, FakeServer, RedisServer, resp_cmd};

#[test]
fn garbage_is_a_protocol_failure_that_shows_the_first_bytes() {
    run_matrix(
        "garbage",
        &[
            Row {
                name: "an HTTP response",
                start: || {
                    fake(Behavior::Garbage(
                        b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n".to_vec(),
                    ))
                },
                timeout: QUICK,
                want: Want::Fail("auth", &["protocol"]),
                says: Some("HTTP/1.1"),
            },
            Row {
                name: "random bytes",
                start: || {
                    // Fixed "random" bytes: a leading 0x16 0x03 would read as TLS instead.
                    let noise: Vec<u8> = (0u32..64)
                        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8 | 0x80)
                        .collect();
                    fake(Behavior::Garbage(noise))
                },
                timeout: QUICK,
                want: Want::Fail("auth", &["protocol"]),
                says: Some("first bytes"),
            },
            Row {
                name: "a 10^12-byte bulk, streamed",
                start: || fake(Behavior::Garbage(terabyte_bulk())),
                timeout: QUICK,
                want: Want::Fail("auth", &["protocol"]),
                says: Some("larger than 1 MiB"),
            },
            Row {
                name: "arrays nested 100 000 deep",
                start: || {
                    let mut nested = b"*1\r\n".repeat(100_000);
                    nested.extend_from_slice(b":1\r\n");
                    fake(Behavior::Garbage(nested))
                },
                timeout: QUICK,
                want: Want::Fail("auth", &["protocol"]),
                says: Some("nested"),
            },
            Row {
                name: "an invalid RESP3 type byte",
                start: || fake(Behavior::Garbage(b"?what\r\n".to_vec())),
                timeout: QUICK,
                want: Want::Fail("auth", &["protocol"]),
                says: Some("?what"),
            },
        ],
    );
}

/// A bulk header announcing 10^12 bytes, followed by 17 MiB of them (over the 1 MiB cap).
fn terabyte_bulk() -> Vec<u8> {
    let mut bytes = b"$1000000000000\r\n".to_vec();
    bytes.resize(bytes.len() + (17 << 20), b'x');
    bytes
}

#[test]
fn a_reply_announcing_a_terabyte_is_refused_without_allocating_it() {
    let server = FakeServer::start(Behavior::Garbage(terabyte_bulk()));
    let child = cmd()
        .args([
            &secret_url("redis", server.port()),
            "--format",
            "json",
            "--timeout",
            "5",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start redcheck");
    let (run, peak_mib) = run_measured(child);
    let elapsed = run.elapsed;
    run.assert_no_secret();
    run.assert_code(1).assert_fails("auth", "protocol");
    assert!(elapsed < Duration::from_secs(3), "took {elapsed:?}");
    // The reader may buffer up to its 1 MiB cap; anything near 10^12 would abort the process.
    assert!(peak_mib < 64, "peak resident memory {peak_mib} MiB");
    eprintln!(
        "10^12-byte bulk → auth protocol · {} ms · peak {peak_mib} MiB",
        elapsed.as_millis()
    );
}

#[test]
fn server_errors_are_named() {
    run_matrix(
        "server errors",
        &[
            Row {
                name: "-DENIED (protected mode)",
                start: || {
                    redis_like(|_, _| {
                        Some(b"-DENIED Redis is running in protected mode because protected mode is enabled\r\n".to_vec())
                    })
                },
                timeout: QUICK,
                want: Want::Fail("auth", &["protected-mode"]),
                says: None,
            },
            Row {
                name: "-ERR max number of clients (real server)",
                start: max_clients_reached,
                timeout: QUICK,
                want: Want::Fail("auth", &["max-clients"]),
                says: None,
            },
            Row {
                // Loading, Redis still serves AUTH, HELLO and ACL but refuses PING.
                name: "-LOADING on PING",
                start: || {
                    redis_like(|name, _| {
                        (name == "PING").then(|| {
                            b"-LOADING Redis is loading the dataset in memory\r\n".to_vec()
                        })
                    })
                },
                timeout: QUICK,
                want: Want::Fail("ping", &["loading"]),
                says: None,
            },
            Row {
                // What Redis answers PING when a background save failed (stop-writes-on-bgsave-error).
                name: "-MISCONF on PING",
                start: || {
                    redis_like(|name, _| {
                        (name == "PING").then(|| {
                            b"-MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk.\r\n".to_vec()
                        })
                    })
                },
                timeout: QUICK,
                want: Want::Fail("ping", &["misconf"]),
                says: None,
            },
            Row {
                // redcheck sends no writes; a write-guarding proxy in front of a replica can.
                name: "-READONLY on PING",
                start: || {
                    redis_like(|name, _| {
                        (name == "PING").then(|| {
                            b"-READONLY You can't write against a read only replica.\r\n".to_vec()
                        })
                    })
                },
                timeout: QUICK,
                want: Want::Fail("ping", &["readonly"]),
                says: None,
            },
            Row {
                // A Lua script past lua-time-limit: every other command gets BUSY.
                name: "-BUSY on PING",
                start: || {
                    redis_like(|name, _| {
                        (name == "PING").then(|| {
                            b"-BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.\r\n".to_vec()
                        })
                    })
                },
                timeout: QUICK,
                want: Want::Fail("ping", &["busy"]),
                says: None,
            },
            Row {
                // A replica with replica-serve-stale-data no and its link down.
                name: "-MASTERDOWN on PING",
                start: || {
                    redis_like(|name, _| {
                        (name == "PING").then(|| {
                            b"-MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.\r\n".to_vec()
                        })
                    })
                },
                timeout: QUICK,
                want: Want::Fail("ping", &["master-link-down"]),
                says: None,
            },
            Row {
                // redcheck sends no keys; a cluster proxy that redirects everything can.
                name: "-MOVED on INFO",
                start: || {
                    redis_like(|name, _| {
                        (name == "INFO").then(|| b"-MOVED 3999 127.0.0.1:6381\r\n".to_vec())
                    })
                },
                timeout: QUICK,
                want: Want::Fail("server", &["moved"]),
                says: None,
            },
            Row {
                name: "-NOPERM on PING (real server, ACL -ping)",
                start: || {
                    let server = RedisServer::builder()
                        .acl_user("app", SECRET, "+@all -ping ~*")
                        .start();
                    let url = format!("redis://app:{SECRET}@127.0.0.1:{}", server.port());
                    Some(Peer::new(url, server))
                },
                timeout: QUICK,
                // The connection works: latency is timed with ECHO, and PING is a warning.
                want: Want::Pass("ping"),
                says: Some("PING is not allowed for this user; via ECHO"),
            },
            Row {
                name: "unknown HELLO, password only: falls back",
                start: || redis_like(redis5),
                timeout: QUICK,
                want: Want::Pass("auth"),
                says: Some("RESP2"),
            },
            Row {
                // A proxy in front of Redis 7 that does not pass HELLO: AUTH user pass works.
                name: "unknown HELLO, user and password: falls back",
                start: || {
                    redis_like(|name, _| match name {
                        "HELLO" => Some(b"-ERR unknown command 'HELLO'\r\n".to_vec()),
                        _ => None,
                    })
                    .map(|p| Peer {
                        url: p.url.replacen("://:", "://app:", 1),
                        ..p
                    })
                },
                timeout: QUICK,
                want: Want::Pass("auth"),
                says: Some("RESP2"),
            },
            Row {
                name: "a user name against Redis 5 (AUTH arity)",
                start: || {
                    redis_like(redis5).map(|p| Peer {
                        url: p.url.replacen("://:", "://app:", 1),
                        ..p
                    })
                },
                timeout: QUICK,
                want: Want::Fail("auth", &["auth-arity"]),
                says: None,
            },
        ],
    );
}

/// A real redis-server with `maxclients 1` and its one client slot taken.
fn max_clients_reached() -> Option<Peer> {
    let server = RedisServer::builder()
        .password(SECRET)
        .arg("maxclients", "1")
        .start();
    // The readiness probe's connection may not be released yet: retry until ours is served.
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let mut holder = TcpStream::connect(("127.0.0.1", server.port())).unwrap();
        holder
            .set_read_timeout(Some(Duration::from_secs(1)))
            .unwrap();
        let mut hello = resp_cmd(&["AUTH", SECRET]);
        hello.extend(resp_cmd(&["PING"]));
        holder.write_all(&hello).unwrap();
        let mut got = Vec::new();
        let mut chunk = [0u8; 256];
        while let Ok(n @ 1..) = holder.read(&mut chunk) {
            got.extend_from_slice(&chunk[..n]);
            if got.ends_with(b"PONG\r\n") || got.starts_with(b"-") {
                break;
            }
        }
        if got.ends_with(b"PONG\r\n") {
            return Some(Peer::new(
                secret_url("redis", server.port()),
                (server, holder),
            ));
        }
        assert!(
            Instant::now() < deadline,
            "could not take the only client slot"
        );
        thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn an_unknown_error_reply_is_shown_as_the_servers_error_not_as_not_redis() {
    let Some(peer) = redis_like(|name, _| {
        (name == "PING").then(|| b"-WEIRDCODE the disk is on fire\r\n".to_vec())
    }) else {
        return;
    };
    let json = both(&[peer.url.as_str(), "--timeout", "3"]);
    json.assert_code(1).assert_fails("ping", "protocol");
    let hint = json.check("ping")["hint"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(
        hint.contains("the server answered with an error")
            && hint.contains("the disk is on fire")
            && !hint.contains("does not speak Redis"),
        "{hint}"
    );
    let busy = redis_like(|name, _| {
        (name == "PING").then(|| b"-BUSY Redis is busy running a script.\r\n".to_vec())
    })
    .expect("a fake server");
    let json = both(&[busy.url.as_str(), "--timeout", "3"]);
    let hint = json.check("ping")["hint"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(hint.contains("SCRIPT KILL"), "{hint}");
}

/// A fake that answers like a healthy Redis 7, except where `quirk` (command in upper case,
/// argument count) returns a reply of its own.
fn redis_like(quirk: fn(&str, usize) -> Option<Vec<u8>>) -> Option<Peer> {
    fake(Behavior::respond(move |args| {
        let name = String::from_utf8_lossy(&args[0]).to_ascii_uppercase();
        if let Some(reply) = quirk(&name, args.len()) {
            return reply;
        }
        match name.as_str() {
            "HELLO" => {
                b"%2\r\n$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$6\r\n7.0.15\r\n".to_vec()
            }
            "AUTH" | "SELECT" => b"+OK\r\n".to_vec(),
            "ACL" => b"+default\r\n".to_vec(),
            "PING" => b"+PONG\r\n".to_vec(),
            "INFO" => bulk("# Server\r\nredis_version:7.0.15\r\nredis_mode:standalone\r\n"),
            _ => b"-ERR unknown command\r\n".to_vec(),
        }
    }))
}

/// A Redis 5 as a fake: no `HELLO`, no ACL, `AUTH` takes only a password.
fn redis5(name: &str, argc: usize) -> Option<Vec<u8>> {
    match name {
        "HELLO" => Some(b"-ERR unknown command 'HELLO'\r\n".to_vec()),
        "ACL" => Some(b"-ERR unknown command 'ACL'\r\n".to_vec()),
        "AUTH" if argc == 3 => {
            Some(b"-ERR wrong number of arguments for 'auth' command\r\n".to_vec())
        }
        "INFO" => Some(bulk(
            "# Server\r\nredis_version:5.0.14\r\nredis_mode:standalone\r\n",
        )),
        _ => None,
    }
}
