//! Proves each support helper does what it says, so a failing redcheck test means redcheck.

use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use crate::support::fake::{Behavior, Expect, FakeServer, Parsed, blackhole_addr, parse_command};
use crate::support::redis::{REDIS_REQUIRED, RedisServer, find_binary};
use crate::support::{
    LeafSpec, Pki, loopback, panic_text, redis_ping, resp_cmd, roundtrip, unused_port,
};

const SECOND: Duration = Duration::from_secs(1);

fn connect(port: u16) -> TcpStream {
    let stream =
        TcpStream::connect_timeout(&loopback(port), SECOND).expect("connect to test server");
    stream
        .set_read_timeout(Some(SECOND))
        .expect("set read timeout");
    stream
}

/// Sends each command on one connection and returns the first line of each reply.
fn session(port: u16, commands: &[&[&str]]) -> Vec<String> {
    let mut stream = connect(port);
    commands
        .iter()
        .map(|cmd| {
            stream.write_all(&resp_cmd(cmd)).expect("send command");
            read_line(&mut stream)
        })
        .collect()
}

fn read_line(stream: &mut TcpStream) -> String {
    let mut line = Vec::new();
    let mut byte = [0u8; 1];
    while !line.ends_with(b"\r\n") {
        match stream.read(&mut byte) {
            Ok(1) => line.push(byte[0]),
            other => panic!("reply ended early ({other:?}) after {line:?}"),
        }
    }
    line.truncate(line.len() - 2);
    String::from_utf8_lossy(&line).into_owned()
}

/// Runs `redis-cli --tls` against `port`; returns (exit ok, stdout + stderr).
fn tls_cli(port: u16, ca: &Path, client: Option<(&Path, &Path)>, args: &[&str]) -> (bool, String) {
    let cli = find_binary("REDCHECK_REDIS_CLI", "redis-cli").expect("redis-cli on PATH");
    let mut cmd = Command::new(cli);
    cmd.args([
        "-h",
        "127.0.0.1",
        "-p",
        &port.to_string(),
        "--tls",
        "--cacert",
    ]);
    cmd.arg(ca);
    if let Some((cert, key)) = client {
        cmd.arg("--cert").arg(cert).arg("--key").arg(key);
    }
    let out = cmd.args(args).output().expect("run redis-cli --tls");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

fn panic_message(f: impl FnOnce() + std::panic::UnwindSafe) -> String {
    let payload = std::panic::catch_unwind(f).expect_err("expected a panic");
    panic_text(&*payload)
}

// ---- RESP helpers ----

#[test]
fn resp_cmd_encodes_bulk_array() {
    assert_eq!(resp_cmd(&["GET", "k"]), b"*2\r\n$3\r\nGET\r\n$1\r\nk\r\n");
    assert_eq!(resp_cmd(&[]), b"*0\r\n");
}

#[test]
fn parse_command_handles_resp_inline_and_partial() {
    let full = resp_cmd(&["AUTH", "user", "p w"]);
    let expected = vec![b"AUTH".to_vec(), b"user".to_vec(), b"p w".to_vec()];
    assert_eq!(parse_command(&full), Parsed::Command(expected, full.len()));
    for cut in 1..full.len() {
        assert_eq!(
            parse_command(&full[..cut]),
            Parsed::Incomplete,
            "cut at {cut}"
        );
    }
    assert_eq!(
        parse_command(b"ping  x\r\n"),
        Parsed::Command(vec![b"ping".to_vec(), b"x".to_vec()], 9)
    );
    assert_eq!(parse_command(b"*1\r\nxx\r\n"), Parsed::Invalid);
}

// ---- real redis-server ----

#[test]
fn plain_server_answers_ping() {
    let server = RedisServer::start();
    assert!(redis_ping(server.port()));
    assert_eq!(server.url(), format!("redis://127.0.0.1:{}", server.port()));
    assert_eq!(server.tls_port(), None);
    assert_eq!(server.cli(&["PING"]), "PONG");
    assert!(server.dir().join("redis.log").is_file());
    assert!(server.log().contains("Ready to accept connections"));
}

#[test]
fn server_is_killed_on_drop() {
    let server = RedisServer::start();
    let port = server.port();
    drop(server);
    assert!(!redis_ping(port), "server still answers after drop");
}

#[test]
fn server_listens_on_a_chosen_port() {
    let port = unused_port();
    let server = RedisServer::builder().port(port).start();
    assert_eq!(server.port(), port);
    assert!(redis_ping(port));
}

#[test]
fn a_chosen_port_that_is_taken_panics_naming_it() {
    let taken = RedisServer::start();
    let port = taken.port();
    let msg = panic_message(move || {
        RedisServer::builder().port(port).start();
    });
    assert!(
        msg.contains(&format!("could not listen on port {port}")),
        "{msg}"
    );
    assert!(msg.contains("Address already in use"), "{msg}");
}

#[test]
fn password_server_says_noauth_then_accepts_the_password() {
    let server = RedisServer::builder().password("s3cret").start();
    let reply = roundtrip(server.port(), &resp_cmd(&["PING"])).expect("PING without AUTH");
    assert!(reply.starts_with(b"-NOAUTH"), "{reply:?}");
    assert!(!redis_ping(server.port()));
    assert_eq!(
        session(
            server.port(),
            &[&["AUTH", "wrong"], &["AUTH", "s3cret"], &["PING"]]
        ),
        [
            "-WRONGPASS invalid username-password pair or user is disabled.",
            "+OK",
            "+PONG"
        ]
    );
    assert_eq!(server.cli(&["PING"]), "PONG");
}

#[test]
fn acl_users_and_extra_args_apply() {
    let server = RedisServer::builder()
        .acl_user("alice", "pw-a", "+@all ~*")
        .acl_user("pinger", "pw-p", "-@all +ping +auth")
        .arg("maxmemory-policy", "allkeys-lru")
        .arg("rename-command", "FLUSHALL ''")
        .start();
    let port = server.port();
    assert_eq!(
        session(port, &[&["AUTH", "alice", "pw-a"], &["SET", "k", "v"]]),
        ["+OK", "+OK"]
    );
    let pinger = session(port, &[&["AUTH", "pinger", "pw-p"], &["PING"], &["INFO"]]);
    assert_eq!(pinger[..2], ["+OK", "+PONG"]);
    assert!(pinger[2].starts_with("-NOPERM"), "{pinger:?}");
    assert_eq!(
        server.cli(&["CONFIG", "GET", "maxmemory-policy"]),
        "maxmemory-policy\nallkeys-lru"
    );
    assert!(server.cli(&["FLUSHALL"]).contains("unknown command"));
}

#[test]
fn tls_server_handshakes_with_the_minted_ca() {
    let pki = Pki::new();
    let certs = pki.server(&["localhost", "127.0.0.1"]);
    let server = RedisServer::builder().tls(&certs).start();
    let tls_port = server.tls_port().expect("TLS port");
    assert!(redis_ping(server.port()), "plaintext port stays");
    assert_eq!(server.tls_url(), format!("rediss://127.0.0.1:{tls_port}"));

    let (ok, out) = tls_cli(tls_port, &pki.ca_pem(), None, &["PING"]);
    assert!(ok && out.trim() == "PONG", "{out}");
    // Same server, CA the client does not know: must fail verification.
    let (_, out) = tls_cli(tls_port, &pki.other_ca_pem(), None, &["PING"]);
    assert!(!out.contains("PONG"), "{out}");
    assert!(out.contains("certificate verify failed"), "{out}");
}

#[test]
fn tls_only_server_with_client_auth_rejects_clients_without_cert() {
    let pki = Pki::new();
    let certs = pki.server(&["localhost", "127.0.0.1"]);
    let server = RedisServer::builder()
        .tls_only(&certs)
        .require_client_cert()
        .start();
    let tls_port = server.tls_port().expect("TLS port");
    assert_eq!(server.port(), 0);

    let (_, out) = tls_cli(tls_port, &pki.ca_pem(), None, &["PING"]);
    assert!(!out.contains("PONG"), "no client cert was accepted: {out}");
    let (cert, key) = pki.client("alice");
    let (ok, out) = tls_cli(tls_port, &pki.ca_pem(), Some((&cert, &key)), &["PING"]);
    assert!(ok && out.trim() == "PONG", "{out}");
    assert_eq!(server.cli(&["PING"]), "PONG");
}

#[test]
fn redis_serves_an_expired_certificate() {
    let pki = Pki::new();
    let certs = pki.server_with(LeafSpec::expired(&["localhost", "127.0.0.1"]));
    let server = RedisServer::builder().tls_only(&certs).start();
    let tls_port = server.tls_port().expect("TLS port");
    let (_, out) = tls_cli(tls_port, &pki.ca_pem(), None, &["PING"]);
    assert!(out.contains("certificate verify failed"), "{out}");
    let Some(openssl) = find_binary("NO_SUCH_VAR_FOR_REDCHECK", "openssl") else {
        eprintln!("openssl not found: not checking why verification failed");
        return;
    };
    let out = Command::new(openssl)
        .args([
            "s_client",
            "-connect",
            &format!("127.0.0.1:{tls_port}"),
            "-CAfile",
        ])
        .arg(pki.ca_pem())
        .stdin(std::process::Stdio::null())
        .output()
        .expect("run openssl s_client");
    let out = String::from_utf8_lossy(&out.stdout);
    assert!(out.contains("(certificate has expired)"), "{out}");
}

#[test]
fn missing_binary_panics_with_the_one_line() {
    let msg = panic_message(|| {
        RedisServer::builder()
            .binary("/nonexistent/redis-server")
            .start();
    });
    assert_eq!(msg, REDIS_REQUIRED);
}

#[test]
fn binary_without_tls_panics_with_the_one_line_when_tls_is_asked() {
    let pki = Pki::new();
    let certs = pki.server(&["localhost"]);
    let no_tls = find_binary("NO_SUCH_VAR_FOR_REDCHECK", "true").expect("`true` on PATH");
    let msg = panic_message(move || {
        RedisServer::builder().binary(no_tls).tls(&certs).start();
    });
    assert_eq!(msg, REDIS_REQUIRED);
}

#[test]
fn bad_config_panics_with_the_log_tail() {
    let msg = panic_message(|| {
        RedisServer::builder().arg("no-such-directive", "1").start();
    });
    assert!(msg.contains("exited early"), "{msg}");
    assert!(msg.contains("Bad directive"), "{msg}");
}

// ---- certificates ----

/// `openssl verify` output for `cert` against `ca` with extra options, or None without openssl.
fn openssl_verify(ca: &Path, cert: &Path, extra: &[&str]) -> Option<String> {
    let openssl = find_binary("NO_SUCH_VAR_FOR_REDCHECK", "openssl")?;
    let out = Command::new(openssl)
        .args(["verify", "-CAfile"])
        .arg(ca)
        .args(extra)
        .arg(cert)
        .output()
        .expect("run openssl verify");
    Some(format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    ))
}

/// Whether `openssl x509 -checkend` says `cert` is still valid `days` from now.
fn valid_in_days(cert: &Path, days: i64) -> bool {
    let secs = days * 86_400;
    Command::new("openssl")
        .args(["x509", "-noout", "-checkend", &secs.to_string(), "-in"])
        .arg(cert)
        .status()
        .expect("run openssl x509 -checkend")
        .success()
}

#[test]
fn certificate_variants_have_the_intended_validity() {
    let pki = Pki::new();
    let sans = ["localhost", "127.0.0.1"];
    let good = pki.server(&sans);
    let (client_cert, client_key) = pki.client("alice");
    let cases = [
        (
            pki.server_with(LeafSpec::expired(&sans)),
            "certificate has expired",
        ),
        (
            pki.server_with(LeafSpec::not_yet_valid(&sans)),
            "certificate is not yet valid",
        ),
        (
            pki.server_with(LeafSpec::self_signed(&sans)),
            "self-signed certificate",
        ),
        (
            pki.server_with(LeafSpec::other_ca(&sans)),
            "unable to get local issuer certificate",
        ),
    ];
    for files in cases.iter().map(|(f, _)| f).chain([&good]) {
        for path in [&files.cert, &files.key, &files.ca] {
            let pem = std::fs::read_to_string(path).expect("read PEM");
            assert!(
                pem.starts_with("-----BEGIN"),
                "{} is not PEM",
                path.display()
            );
        }
        assert_eq!(files.ca, pki.ca_pem());
    }
    assert!(client_key.is_file());

    let Some(out) = openssl_verify(
        &pki.ca_pem(),
        &good.cert,
        &["-verify_hostname", "localhost"],
    ) else {
        eprintln!("openssl not found: trusting rcgen for certificate validity");
        return;
    };
    assert!(out.contains(": OK"), "good leaf: {out}");
    let out = openssl_verify(&pki.ca_pem(), &good.cert, &["-verify_ip", "127.0.0.1"]);
    assert!(out.is_some_and(|o| o.contains(": OK")), "IP SAN");
    assert!(valid_in_days(&good.cert, 360) && !valid_in_days(&good.cert, 366));

    for (files, error) in &cases {
        let out = openssl_verify(&pki.ca_pem(), &files.cert, &[]).expect("openssl");
        assert!(out.contains(error), "want {error:?}: {out}");
    }
    let expiring = pki.server_with(LeafSpec::expiring_in(&sans, 5));
    let out = openssl_verify(&pki.ca_pem(), &expiring.cert, &[]).expect("openssl");
    assert!(out.contains(": OK"), "expiring leaf is valid today: {out}");
    assert!(valid_in_days(&expiring.cert, 4) && !valid_in_days(&expiring.cert, 6));

    let wrong = pki.server_with(LeafSpec::wrong_host());
    let out = openssl_verify(
        &pki.ca_pem(),
        &wrong.cert,
        &["-verify_hostname", "localhost"],
    );
    assert!(
        out.is_some_and(|o| o.contains("hostname mismatch")),
        "wrong host"
    );

    let out = openssl_verify(&pki.ca_pem(), &client_cert, &["-purpose", "sslclient"]);
    assert!(out.is_some_and(|o| o.contains(": OK")), "client cert");
    let out = openssl_verify(&pki.other_ca_pem(), &good.cert, &[]).expect("openssl");
    assert!(
        !out.contains(": OK"),
        "other CA must not vouch for the good leaf: {out}"
    );
}

// ---- fake servers ----

#[test]
fn unused_port_refuses() {
    let err = TcpStream::connect(("127.0.0.1", unused_port())).expect_err("nothing listens");
    assert_eq!(err.kind(), ErrorKind::ConnectionRefused);
}

#[test]
fn fake_reset_on_accept_resets() {
    let fake = FakeServer::start(Behavior::ResetOnAccept);
    let mut stream = connect(fake.port());
    stream.write_all(&resp_cmd(&["PING"])).expect("write PING");
    let err = stream.read(&mut [0u8; 16]).expect_err("read after RST");
    assert_eq!(err.kind(), ErrorKind::ConnectionReset);
    assert_eq!(fake.commands(), [["PING"]]);
}

#[test]
fn fake_close_on_accept_gives_eof() {
    let fake = FakeServer::start(Behavior::CloseOnAccept);
    let mut stream = connect(fake.port());
    assert_eq!(stream.read(&mut [0u8; 16]).expect("clean EOF"), 0);
    assert_eq!(fake.url(), format!("redis://127.0.0.1:{}", fake.port()));
}

#[test]
fn fake_silent_never_answers_and_drops_fast() {
    let fake = FakeServer::start(Behavior::Silent);
    let mut stream = connect(fake.port());
    stream
        .set_read_timeout(Some(Duration::from_millis(200)))
        .expect("set read timeout");
    stream.write_all(&resp_cmd(&["PING"])).expect("write PING");
    let err = stream.read(&mut [0u8; 16]).expect_err("no answer");
    assert!(
        matches!(err.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut),
        "{err}"
    );
    assert_eq!(fake.commands(), [["PING"]]);
    let port = fake.port();
    let started = Instant::now();
    drop(fake);
    assert!(
        started.elapsed() < SECOND,
        "drop took {:?}",
        started.elapsed()
    );
    let err = TcpStream::connect(("127.0.0.1", port)).expect_err("stopped server refuses");
    assert_eq!(err.kind(), ErrorKind::ConnectionRefused);
    assert_eq!(stream.read(&mut [0u8; 16]).expect("EOF once dropped"), 0);
}

#[test]
fn fake_drip_sends_byte_by_byte() {
    let delay = Duration::from_millis(30);
    let fake = FakeServer::start(Behavior::Drip(b"+PONG\r\n".to_vec(), delay));
    let mut stream = connect(fake.port());
    let started = Instant::now();
    stream.write_all(&resp_cmd(&["PING"])).expect("write PING");
    let (mut got, mut reads) = (Vec::new(), 0);
    while got.len() < 7 {
        let mut buf = [0u8; 16];
        let n = stream.read(&mut buf).expect("read drip");
        assert!(n > 0, "EOF mid-drip");
        got.extend_from_slice(&buf[..n]);
        reads += 1;
    }
    assert_eq!(got, b"+PONG\r\n");
    assert!(reads >= 4, "bytes came in {reads} reads");
    assert!(started.elapsed() >= delay * 6, "{:?}", started.elapsed());
}

#[test]
fn fake_garbage_answers_then_closes() {
    let garbage = b"HTTP/1.1 400 Bad Request\r\n\r\n".to_vec();
    let fake = FakeServer::start(Behavior::Garbage(garbage.clone()));
    let mut stream = connect(fake.port());
    stream.write_all(&resp_cmd(&["PING"])).expect("write PING");
    let mut got = Vec::new();
    stream.read_to_end(&mut got).expect("read to EOF");
    assert_eq!(got, garbage);
}

#[test]
fn fake_script_replays_per_connection_then_pongs() {
    let fake = FakeServer::start(Behavior::Script(vec![
        (
            Expect::Command("HELLO"),
            b"-ERR unknown command 'HELLO'\r\n".to_vec(),
        ),
        (Expect::Command("auth"), b"+OK\r\n".to_vec()),
        (Expect::Any, b":42\r\n".to_vec()),
    ]));
    let port = fake.port();
    let replies = session(
        port,
        &[
            &["hello", "3"],
            &["AUTH", "pw"],
            &["GET", "k"],
            &["PING"],
            &["INFO"],
        ],
    );
    assert_eq!(
        replies,
        [
            "-ERR unknown command 'HELLO'",
            "+OK",
            ":42",
            "+PONG",
            "-ERR unknown command"
        ]
    );
    // A second connection starts the script again; a wrong command is called out.
    let replies = session(port, &[&["PING"]]);
    assert!(
        replies[0].starts_with("-ERR fake: expected Command(\"HELLO\")"),
        "{replies:?}"
    );
    // Inline commands count too.
    let reply = roundtrip(port, b"HELLO\r\n").expect("inline HELLO");
    assert_eq!(reply, b"-ERR unknown command 'HELLO'\r\n");
    assert_eq!(fake.connections(), 3);
    let commands = fake.commands();
    assert_eq!(commands[0], ["hello", "3"]);
    assert_eq!(commands[1], ["AUTH", "pw"]);
    assert_eq!(commands.len(), 7);
}

#[test]
fn fake_empty_script_answers_redis_ping() {
    let fake = FakeServer::start(Behavior::Script(Vec::new()));
    assert!(redis_ping(fake.port()));
}

#[test]
fn fake_respond_uses_the_closure() {
    let fake = FakeServer::start(Behavior::respond(|args| {
        format!(":{}\r\n", args.len()).into_bytes()
    }));
    assert_eq!(
        session(fake.port(), &[&["A"], &["B", "c", "d"]]),
        [":1", ":3"]
    );
}

#[test]
fn blackhole_makes_connects_hang() {
    let addr = blackhole_addr().expect("blackhole works on Linux loopback");
    let addr: SocketAddr = addr.parse().expect("blackhole address");
    let started = Instant::now();
    let err = TcpStream::connect_timeout(&addr, Duration::from_millis(300))
        .expect_err("connect to a full listener must hang");
    assert_eq!(err.kind(), ErrorKind::TimedOut, "{err}");
    assert!(started.elapsed() >= Duration::from_millis(290));
}
