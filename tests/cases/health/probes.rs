//! The pub/sub round trip, the opt-in write probe, and MONITOR's proof that the default run
//! writes nothing.

use std::collections::BTreeSet;
use std::time::Duration;

use super::{Raw, url_with_password};
use crate::support::run::{SECRET, both, redcheck};
use crate::support::{Behavior, FakeServer, Pki, RedisServer};

#[test]
fn pubsub_round_trip_over_tls_with_a_client_certificate() {
    let pki = Pki::new();
    let files = pki.server(&["localhost", "127.0.0.1"]);
    let server = RedisServer::builder()
        .password(SECRET)
        .tls(&files)
        .require_client_cert()
        .start();
    let (cert, key) = pki.client("app");
    let url = format!(
        "rediss://:{SECRET}@127.0.0.1:{}",
        server.tls_port().unwrap()
    );
    let ca = pki.ca_pem();
    let run = both(&[
        &url,
        "--cacert",
        ca.to_str().unwrap(),
        "--cert",
        cert.to_str().unwrap(),
        "--key",
        key.to_str().unwrap(),
    ]);
    run.assert_code(0);
    let c = run.check("pubsub");
    assert_eq!(c["status"], "pass", "{c:#}");
    assert_eq!(c["data"]["receivers"], 1);
    assert!(c["data"]["delay_ms"].as_f64().unwrap() > 0.0);
    assert!(
        c["data"]["channel"]
            .as_str()
            .unwrap()
            .starts_with("redcheck:pubsub:")
    );
    assert!(c["hint"].as_str().unwrap().contains("its own client"));
}

/// A proxy-like fake: RESP2, confirms SUBSCRIBE, counts no subscriber on PUBLISH and never
/// delivers, or (`refuse`) rejects SUBSCRIBE outright.
/// How a pub/sub [`proxy`] treats SUBSCRIBE.
#[derive(Clone, Copy, PartialEq)]
enum Subscribe {
    /// Confirms it, then drops every message.
    Confirm,
    /// Refuses it as an unsupported command.
    Refuse,
    /// Never answers it.
    Ignore,
}

fn proxy(subscribe: Subscribe) -> FakeServer {
    FakeServer::start(Behavior::respond(move |args| {
        let name = String::from_utf8_lossy(&args[0]).to_ascii_uppercase();
        match name.as_str() {
            "PING" => b"+PONG\r\n".to_vec(),
            "INFO" => {
                let text = "# Server\r\nredis_version:7.0.15\r\n";
                format!("${}\r\n{text}\r\n", text.len()).into_bytes()
            }
            "SUBSCRIBE" if subscribe == Subscribe::Refuse => {
                b"-ERR unsupported command 'subscribe'\r\n".to_vec()
            }
            "SUBSCRIBE" if subscribe == Subscribe::Ignore => Vec::new(),
            "SUBSCRIBE" => {
                let channel = String::from_utf8_lossy(&args[1]).into_owned();
                format!(
                    "*3\r\n$9\r\nsubscribe\r\n${}\r\n{channel}\r\n:1\r\n",
                    channel.len()
                )
                .into_bytes()
            }
            "PUBLISH" => b":0\r\n".to_vec(),
            other => format!("-ERR unknown command '{other}'\r\n").into_bytes(),
        }
    }))
}

#[test]
fn a_proxy_that_drops_messages_fails_pubsub_and_one_that_refuses_it_warns() {
    let lost = proxy(Subscribe::Confirm);
    let run = redcheck(&[&lost.url(), "--format", "json", "--timeout", "4"]);
    run.assert_code(1).assert_fails("pubsub", "pubsub-lost");
    let c = run.check("pubsub");
    assert!(
        c["summary"].as_str().unwrap().contains("did not arrive"),
        "{c:#}"
    );
    assert!(c["hint"].as_str().unwrap().contains("proxy"));
    assert!(
        run.elapsed < Duration::from_millis(3000),
        "waited {:?}, past the 2 s delivery window",
        run.elapsed
    );

    let refusing = proxy(Subscribe::Refuse);
    let run = both(&[&refusing.url()]);
    run.assert_code(0);
    let c = run.check("pubsub");
    assert_eq!(c["status"], "warn", "{c:#}");
    assert!(
        c["summary"]
            .as_str()
            .unwrap()
            .contains("unsupported command")
    );
}

#[test]
fn the_overall_deadline_cutting_the_delivery_wait_short_is_a_timeout_not_a_lost_message() {
    let lost = proxy(Subscribe::Confirm);
    // The delivery window (2 s) ends earlier when the overall deadline does.
    let run = redcheck(&[&lost.url(), "--format", "json", "--timeout", "1"]);
    run.assert_code(1).assert_fails("pubsub", "timeout");
    let c = run.check("pubsub");
    assert_eq!(c["data"]["step"], "the delivery", "{c:#}");
    assert!(
        c["hint"].as_str().unwrap().contains("raise --timeout"),
        "{c:#}"
    );
    assert!(
        run.elapsed < Duration::from_millis(1500),
        "waited {:?} past the deadline",
        run.elapsed
    );
}

#[test]
fn an_unanswered_subscribe_is_named_as_such() {
    let silent = proxy(Subscribe::Ignore);
    let run = redcheck(&[&silent.url(), "--format", "json", "--timeout", "1"]);
    run.assert_code(1).assert_fails("pubsub", "timeout");
    let c = run.check("pubsub");
    let hint = c["hint"].as_str().unwrap();
    assert!(hint.contains("SUBSCRIBE went unanswered"), "{c:#}");
    assert!(!hint.contains("the second connection failed"), "{c:#}");
    assert!(
        run.elapsed < Duration::from_millis(1500),
        "{:?}",
        run.elapsed
    );
}

#[test]
fn the_write_probe_is_off_by_default_and_cleans_up_after_itself() {
    let help = redcheck(&["--help"]);
    let (_, flag) = help
        .stdout
        // The flag's own entry, not the mention in the text after the options.
        .split_once("--write-probe")
        .expect("--write-probe in --help");
    let flag = flag.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        flag.contains("Off by default: the default run is read-only"),
        "{flag}"
    );

    let server = RedisServer::builder().password(SECRET).start();
    let url = url_with_password(server.port());
    let run = both(&[&url]);
    let c = run.check("write");
    assert_eq!(c["status"], "skip");
    assert!(c["summary"].as_str().unwrap().contains("--write-probe"));

    let run = both(&[&url, "--write-probe"]);
    run.assert_code(0);
    let c = run.check("write");
    assert_eq!(c["status"], "pass", "{c:#}");
    assert_eq!(c["data"]["ttl_seconds"], 30);
    assert!(
        c["data"]["key"]
            .as_str()
            .unwrap()
            .starts_with("redcheck:probe:")
    );
    assert_eq!(Raw::authed(server.port()).cmd(&["DBSIZE"]), "0");
}

/// The command names MONITOR reported, e.g. `"PING"` from
/// `+1712345678.123456 [0 127.0.0.1:50000] "PING"`.
fn monitored(monitor: &mut Raw) -> BTreeSet<String> {
    monitor.timeout(Duration::from_millis(200));
    let mut names = BTreeSet::new();
    while let Some(line) = monitor.read() {
        if let Some(name) = line.split("] \"").nth(1).and_then(|r| r.split('"').next()) {
            names.insert(name.to_ascii_uppercase());
        }
    }
    names
}

#[test]
fn the_default_run_issues_no_write_command() {
    let server = RedisServer::builder().password(SECRET).start();
    let mut monitor = Raw::authed(server.port());
    assert_eq!(monitor.cmd(&["MONITOR"]), "OK");
    both(&[&url_with_password(server.port())]).assert_code(0);
    let seen = monitored(&mut monitor);
    for expected in ["HELLO", "PING", "INFO", "SUBSCRIBE", "PUBLISH"] {
        assert!(seen.contains(expected), "{expected} not seen: {seen:?}");
    }
    // CONFIG GET reads the idle timeout and buffer limits (`resets`). MONITOR does not show
    // admin commands, so the server's command counters tell: GET, and nothing else of CONFIG.
    let stats = Raw::authed(server.port()).cmd(&["INFO", "commandstats"]);
    let config: Vec<&str> = stats
        .lines()
        .filter(|l| l.starts_with("cmdstat_config"))
        .collect();
    assert!(
        !config.is_empty() && config.iter().all(|l| l.starts_with("cmdstat_config|get:")),
        "{stats}"
    );
    // The server itself says which commands write.
    let mut admin = Raw::authed(server.port());
    for name in &seen {
        let flags = admin.cmd(&["COMMAND", "INFO", name]);
        assert!(
            !flags.lines().any(|l| l == "write"),
            "{name} is a write command; the default run sent it ({seen:?})"
        );
    }
    // And MONITOR does see writes when they are asked for.
    both(&[&url_with_password(server.port()), "--write-probe"]).assert_code(0);
    let seen = monitored(&mut monitor);
    assert!(seen.contains("SET") && seen.contains("DEL"), "{seen:?}");
}

#[test]
fn every_verdict_comes_without_config() {
    // Managed providers rename or block CONFIG; nothing redcheck says may depend on it.
    let server = RedisServer::builder()
        .password(SECRET)
        .arg("rename-command", "CONFIG \"\"")
        .arg("maxmemory", "64mb")
        .arg("maxmemory-policy", "allkeys-lru")
        .start();
    let mut raw = Raw::authed(server.port());
    assert!(
        raw.cmd(&["CONFIG", "GET", "maxmemory"])
            .starts_with("-ERR unknown command")
    );
    raw.cmd(&["SET", "cache:1", "x", "EX", "600"]);
    let run = both(&[
        &url_with_password(server.port()),
        "--use",
        "cache",
        "--write-probe",
    ]);
    run.assert_code(0);
    for c in run.report()["checks"].as_array().unwrap() {
        let (id, status) = (c["id"].as_str().unwrap(), c["status"].as_str().unwrap());
        let expected_skips = ["tls", "cluster"];
        assert!(
            status != "skip" || expected_skips.contains(&id),
            "{id} was skipped without CONFIG: {c:#}"
        );
    }
    assert_eq!(run.check("memory")["data"]["maxmemory_bytes"], 64 << 20);
    assert_eq!(run.check("eviction")["status"], "pass");
}
