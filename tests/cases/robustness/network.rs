//! Peers that hang, reset or close, and names that do not resolve.

use std::net::UdpSocket;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use super::{HANG, MARGIN, Peer, QUICK, Row, Want, both_os, bulk, fake, run_matrix};
use crate::support::run::{SECRET, cmd, secret_url};
use crate::support::tls_fake::{TlsBehavior, TlsFake};
use crate::support::unix::FullUnixSocket;
use crate::support::{Behavior, FakeServer, Pki, blackhole_addr};

#[test]
fn every_hanging_peer_is_cut_off_at_the_deadline() {
    run_matrix(
        "hangs (--timeout 1)",
        &[
            Row {
                name: "never accepts (full backlog, SYNs unanswered)",
                start: || {
                    let Some(addr) = blackhole_addr() else {
                        eprintln!("no blackhole: somaxconn is too large to fill");
                        return None;
                    };
                    // --connect-timeout stays at its 3 s default: the overall deadline must win.
                    Some(Peer::new(format!("redis://:{SECRET}@{addr}"), ()))
                },
                timeout: HANG,
                want: Want::Fail("tcp", &["timeout"]),
                says: None,
            },
            Row {
                name: "Unix socket: never accepts (full backlog)",
                start: || {
                    let Some(full) = FullUnixSocket::start() else {
                        eprintln!("no full Unix socket: connects never blocked");
                        return None;
                    };
                    // --connect-timeout stays at its 3 s default: the overall deadline must win.
                    Some(Peer::new(full.url(Some(SECRET)), full))
                },
                timeout: HANG,
                want: Want::Fail("tcp", &["timeout"]),
                says: None,
            },
            Row {
                name: "accepts and stays silent",
                start: || fake(Behavior::Silent),
                timeout: HANG,
                want: Want::Fail("auth", &["timeout"]),
                says: None,
            },
            Row {
                name: "answers one byte per second",
                start: || fake(Behavior::Drip(b"+OK\r\n".to_vec(), Duration::from_secs(1))),
                timeout: HANG,
                want: Want::Fail("auth", &["timeout"]),
                says: None,
            },
            Row {
                // Every read makes progress, so only the overall deadline can end it.
                name: "answers one byte per 50 ms",
                start: || {
                    let reply = bulk(&"x".repeat(200));
                    fake(Behavior::Drip(reply, Duration::from_millis(50)))
                },
                timeout: HANG,
                want: Want::Fail("auth", &["timeout"]),
                says: None,
            },
            Row {
                name: "announces a 10^12-byte bulk, then stalls",
                start: || {
                    fake(Behavior::Drip(
                        b"$1000000000000\r\n".to_vec(),
                        Duration::ZERO,
                    ))
                },
                timeout: HANG,
                want: Want::Fail("auth", &["timeout"]),
                says: None,
            },
            Row {
                // redis:// at it: the plaintext exchange is closed, so redcheck asks the port
                // for TLS; each byte of that answer must not get a window of its own.
                name: "closes plaintext, drips a TLS answer one byte per 900 ms",
                start: || {
                    fake(Behavior::DripToTls(
                        vec![0x16, 3, 3],
                        Duration::from_millis(900),
                    ))
                },
                timeout: HANG,
                want: Want::Fail("auth", &["closed"]),
                says: None,
            },
            Row {
                name: "TLS: accepts and never answers the ClientHello",
                start: || {
                    let server = FakeServer::start(Behavior::Silent);
                    let url = secret_url("rediss", server.port());
                    Some(Peer::new(url, server))
                },
                timeout: HANG,
                want: Want::Fail("tls", &["timeout"]),
                says: None,
            },
            Row {
                name: "TLS: handshake completes, then silence",
                start: || {
                    let pki = Pki::new();
                    let server = TlsFake::start(TlsBehavior::SilentAfterHandshake(
                        pki.server(&["127.0.0.1"]),
                    ));
                    let url = secret_url("rediss", server.port());
                    let ca = pki.ca_pem();
                    Some(Peer::new(url, (server, pki)).flag("--cacert", ca))
                },
                timeout: HANG,
                want: Want::Fail("auth", &["timeout"]),
                says: None,
            },
        ],
    );
}

/// A UDP socket on a loopback address of its own, port 53, that never answers.
fn silent_resolver() -> Option<(UdpSocket, String)> {
    let pid = std::process::id();
    (0..16u32).find_map(|i| {
        let n = pid.wrapping_add(i);
        let ip = format!("127.{}.{}.53", (n >> 8) % 250 + 1, n % 250 + 1);
        UdpSocket::bind((ip.as_str(), 53)).ok().map(|s| (s, ip))
    })
}

#[test]
fn a_resolver_that_never_answers_is_cut_off_at_the_deadline() {
    // glibc waits 5 s per query and retries; redcheck must stop waiting at --timeout. The
    // binary runs in its own mount namespace whose /etc/resolv.conf points at a resolver
    // that never answers; that needs root (or CAP_SYS_ADMIN) and unshare(1).
    let probe = Command::new("unshare")
        .args(["--mount", "--", "true"])
        .stderr(Stdio::null())
        .status();
    if !probe.is_ok_and(|s| s.success()) {
        eprintln!("skipped: unshare --mount is not allowed here, so no private resolv.conf");
        return;
    }
    let Some((_resolver, ip)) = silent_resolver() else {
        eprintln!("skipped: cannot bind UDP port 53 on a loopback address");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let conf = dir.path().join("resolv.conf");
    std::fs::write(&conf, format!("nameserver {ip}\n")).unwrap();
    let url = format!("redis://:{SECRET}@slow-dns.example:6379");
    let (human, json) = both_os(
        || in_namespace_with(&conf),
        &[url.as_ref(), "--timeout".as_ref(), "1".as_ref()],
    );
    for run in [&human, &json] {
        assert!(run.elapsed <= HANG + MARGIN, "took {:?}", run.elapsed);
    }
    json.assert_code(1).assert_fails("dns", "timeout");
    eprintln!(
        "resolver never answers → dns timeout · human {} ms · json {} ms",
        human.elapsed.as_millis(),
        json.elapsed.as_millis()
    );
}

/// `redcheck` run through `unshare --mount` with `conf` bound over /etc/resolv.conf, keeping
/// the clean environment of `cmd()`.
fn in_namespace_with(conf: &Path) -> Command {
    let base = cmd();
    let mut c = Command::new("unshare");
    c.args(["--mount", "--", "sh", "-c"])
        .arg(r#"mount --bind "$0" /etc/resolv.conf && exec "$@""#)
        .arg(conf)
        .arg(base.get_program());
    for (k, v) in base.get_envs() {
        match v {
            Some(v) => c.env(k, v),
            None => c.env_remove(k),
        };
    }
    c
}

#[test]
fn broken_connections_are_classified() {
    run_matrix(
        "broken connections",
        &[
            Row {
                name: "accepts then resets (RST)",
                start: || fake(Behavior::ResetOnAccept),
                timeout: QUICK,
                want: Want::Fail("auth", &["reset"]),
                says: None,
            },
            Row {
                name: "reads the command, then closes",
                start: || fake(Behavior::Garbage(Vec::new())),
                timeout: QUICK,
                want: Want::Fail("auth", &["closed"]),
                says: None,
            },
            Row {
                // Closing at accept races our first write: the kernel may answer it with RST.
                name: "accepts then closes at once",
                start: || fake(Behavior::CloseOnAccept),
                timeout: QUICK,
                want: Want::Fail("auth", &["closed", "reset"]),
                says: None,
            },
            Row {
                // Offline, a resolver that cannot be reached is `timeout` at the deadline.
                name: "a name that does not resolve",
                start: || {
                    let url = format!("redis://:{SECRET}@does-not-exist.invalid:6379");
                    Some(Peer::new(url, ()))
                },
                timeout: QUICK,
                want: Want::Fail("dns", &["dns-failed", "timeout"]),
                says: None,
            },
        ],
    );
}
