//! `redcheck idle`: the server's own `timeout` told apart from a middlebox that resets or
//! silently drops idle flows (tests/support/middlebox.rs), keep-alive, Ctrl-C, and the output.
//! Ladders are in seconds so the suite stays fast.

use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::support::middlebox::{Forget, Middlebox};
use crate::support::run::{SECRET, cmd, redcheck, run};
use crate::support::{Pki, RedisServer, unused_port};

/// `redcheck idle URL ARGS… --format json`, checked for the password; the report.
fn idle_json(url: &str, args: &[&str]) -> (Value, Duration) {
    let mut all = vec!["idle", url];
    all.extend(args);
    all.extend(["--format", "json"]);
    let r = redcheck(&all);
    r.assert_no_secret();
    r.assert_code(0);
    (r.report(), r.elapsed)
}

fn fates(report: &Value) -> Vec<String> {
    report["idle"]["rungs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["fate"].as_str().unwrap().to_string())
        .collect()
}

fn idle_check(report: &Value) -> Value {
    report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "idle")
        .cloned()
        .unwrap_or_else(|| panic!("no idle check: {report:#}"))
}

#[test]
fn the_servers_own_timeout_is_named_and_ends_the_run_when_it_closes() {
    let server = RedisServer::builder()
        .password(SECRET)
        .arg("timeout", "2")
        .start();
    let url = format!("redis://:{SECRET}@127.0.0.1:{}", server.port());
    let (r, took) = idle_json(&url, &["--ladder", "1s,6s,8s", "--timeout", "3s"]);
    let s = &r["idle"];
    assert_eq!(s["cut_by"], "server-timeout", "{s:#}");
    assert_eq!(s["server_timeout_seconds"], 2);
    assert_eq!(s["survived_seconds"], 1.0);
    assert_eq!(s["connections"], 3);
    assert_eq!(fates(&r), ["alive", "closed", "closed"]);
    assert_eq!(s["rungs"][1]["noticed"], "eof");
    let at = s["cut_at_seconds"].as_f64().unwrap();
    assert!((2.0..5.0).contains(&at), "{at}");
    // The closes arrived by themselves, so nobody waited for the 6 s and 8 s rungs.
    assert!(took < Duration::from_secs(6), "{took:?}");
    let c = idle_check(&r);
    assert_eq!(c["status"], "warn");
    let hint = c["hint"].as_str().unwrap();
    for says in [
        "health_check_interval",
        "pingInterval",
        "ConnMaxIdleTime",
        "testWhileIdle",
    ] {
        assert!(hint.contains(says), "{says}: {hint}");
    }
    // Under --format github the verdict is an annotation.
    let gh = redcheck(&[
        "idle",
        &url,
        "--ladder",
        "1s,4s",
        "--timeout",
        "3s",
        "--format",
        "github",
    ]);
    gh.assert_no_secret();
    assert!(
        gh.stdout.contains("::warning title=redcheck idle::"),
        "{}",
        gh.stdout
    );
    // The default check's verdict on the same server sits above the ladder.
    assert_eq!(
        r["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == "resets")
            .unwrap()["status"],
        "warn"
    );
}

#[test]
fn over_tls_the_ladder_uses_the_same_trust_and_credentials() {
    let pki = Pki::new();
    let certs = pki.server(&["localhost", "127.0.0.1"]);
    let server = RedisServer::builder()
        .password(SECRET)
        .tls_only(&certs)
        .arg("timeout", "2")
        .start();
    let port = server.tls_port().expect("a TLS port");
    let url = format!("rediss://:{SECRET}@127.0.0.1:{port}");
    let ca = pki.ca_pem();
    let (r, _) = idle_json(
        &url,
        &[
            "--ladder",
            "1s,6s",
            "--timeout",
            "3s",
            "--cacert",
            ca.to_str().unwrap(),
        ],
    );
    assert_eq!(r["idle"]["cut_by"], "server-timeout", "{:#}", r["idle"]);
    assert_eq!(fates(&r), ["alive", "closed"]);
}

#[test]
fn a_middlebox_that_resets_idle_flows_is_not_the_server() {
    let server = RedisServer::start();
    let mb = Middlebox::start(server.port(), Duration::from_secs(2), Forget::Reset);
    let url = format!("redis://127.0.0.1:{}", mb.port());
    let (r, _) = idle_json(&url, &["--ladder", "1s,3s", "--timeout", "3s"]);
    assert_eq!(r["idle"]["cut_by"], "reset", "{:#}", r["idle"]);
    assert_eq!(fates(&r), ["alive", "reset"]);
    assert_eq!(r["idle"]["server_timeout_seconds"], 0);
    let hint = idle_check(&r)["hint"].as_str().unwrap().to_string();
    for says in [
        "keepAlive",
        "socket_keepalive",
        "KeepAliveOptions",
        "--keepalive",
    ] {
        assert!(hint.contains(says), "{says}: {hint}");
    }
}

#[test]
fn a_middlebox_that_drops_idle_flows_is_heard_as_silence() {
    let server = RedisServer::start();
    let mb = Middlebox::start(server.port(), Duration::from_secs(2), Forget::Drop);
    let url = format!("redis://127.0.0.1:{}", mb.port());
    let (r, _) = idle_json(&url, &["--ladder", "1s,3s", "--timeout", "3s"]);
    assert_eq!(r["idle"]["cut_by"], "silence", "{:#}", r["idle"]);
    assert_eq!(fates(&r), ["alive", "silent"]);
    let c = idle_check(&r);
    assert!(
        c["summary"].as_str().unwrap().contains("go silent"),
        "{c:#}"
    );
}

#[test]
fn keepalive_is_set_and_a_path_that_cuts_nothing_passes() {
    let server = RedisServer::start();
    let (r, _) = idle_json(
        &server.url(),
        &["--ladder", "1s,2s", "--keepalive", "1s", "--timeout", "5s"],
    );
    assert_eq!(r["idle"]["keepalive_seconds"], 1.0);
    assert_eq!(r["idle"]["cut_by"], Value::Null);
    assert_eq!(fates(&r), ["alive", "alive"]);
    let c = idle_check(&r);
    assert_eq!(c["status"], "pass", "{c:#}");
    assert!(
        c["summary"]
            .as_str()
            .unwrap()
            .contains("with TCP keep-alive every 1 s")
    );

    // Human output: the ladder under the checklist, and one line per rung on stderr.
    let human = redcheck(&["idle", &server.url(), "--ladder", "1s", "--timeout", "5s"]);
    human.assert_code(0);
    for says in ["✓ idle", "ladder 1 connections held idle", "answered in"] {
        assert!(human.stdout.contains(says), "{says}:\n{}", human.stdout);
    }
    for says in ["holding 1 idle connections", "redcheck idle: 1 s: alive"] {
        assert!(human.stderr.contains(says), "{says}:\n{}", human.stderr);
    }
}

#[test]
fn ctrl_c_reports_what_was_learned_so_far() {
    let server = RedisServer::start();
    let mut child = cmd()
        .args(["idle", &server.url(), "--ladder", "1s,60s"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start redcheck idle");
    // The first rung's line says the Ctrl-C handler is in place and one rung is done.
    let mut stderr = BufReader::new(child.stderr.take().expect("stderr"));
    let mut seen = String::new();
    while !seen.contains("1 s: alive") {
        let mut line = String::new();
        assert!(
            stderr.read_line(&mut line).expect("read stderr") > 0,
            "redcheck ended early:\n{seen}"
        );
        seen.push_str(&line);
    }
    let killed = Instant::now();
    let status = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("run kill");
    assert!(status.success());
    let out = child.wait_with_output().expect("redcheck idle output");
    assert!(
        killed.elapsed() < Duration::from_secs(5),
        "{:?}",
        killed.elapsed()
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    for says in [
        "interrupted: every connection probed so far survived, up to 1 s",
        "not-probed",
        "interrupted before its turn",
    ] {
        assert!(stdout.contains(says), "{says}:\n{stdout}");
    }
}

#[test]
fn an_unreachable_server_fails_before_any_connection_is_held() {
    let r = run(cmd().args([
        "idle",
        &format!("redis://127.0.0.1:{}", unused_port()),
        "--format",
        "json",
    ]));
    r.assert_code(1);
    let report = r.report();
    assert_eq!(report["idle"], Value::Null);
    assert!(r.stderr.is_empty(), "{}", r.stderr);
}
