//! The keyspace sample, the inferred workloads and their verdicts, CLIENT LIST, and `redcheck
//! keys`: real redis-server instances loaded with the keys real libraries wrote
//! (tests/fixtures/keyspaces/, recorded by scripts/record-keyspaces).

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::time::Duration;

use serde_json::{Value, json};

use crate::support::RedisServer;
use crate::support::redis::RedisBuilder;
use crate::support::resp_cmd;
use crate::support::run::{Run, SECRET, both, redcheck};

/// `redis://:SECRET@127.0.0.1:PORT`.
fn url(server: &RedisServer) -> String {
    format!("redis://:{SECRET}@127.0.0.1:{}", server.port())
}

/// A password-protected server with a 64 MB maxmemory under `policy`.
fn server(policy: &str) -> RedisBuilder {
    RedisServer::builder()
        .password(SECRET)
        .arg("maxmemory", "64mb")
        .arg("maxmemory-policy", policy)
}

/// One authenticated connection that pipelines commands and waits for all of their replies.
struct Loader {
    stream: TcpStream,
    pending: Vec<u8>,
}

impl Loader {
    fn new(port: u16) -> Loader {
        let stream = TcpStream::connect(("127.0.0.1", port)).expect("connect to the test server");
        stream
            .set_read_timeout(Some(Duration::from_secs(30)))
            .expect("set a read timeout");
        let mut l = Loader {
            stream,
            pending: Vec::new(),
        };
        l.cmd(&["AUTH", SECRET]);
        l
    }

    fn cmd(&mut self, args: &[&str]) -> &mut Loader {
        self.pending.extend(resp_cmd(args));
        self
    }

    /// Sends what is pending, then reads until the marker echoes back; panics on an error reply.
    fn flush(&mut self) {
        self.cmd(&["ECHO", "loader-done"]);
        self.stream
            .write_all(&std::mem::take(&mut self.pending))
            .expect("send the commands");
        let mut seen = Vec::new();
        let mut buf = [0u8; 65536];
        while !seen.ends_with(b"$11\r\nloader-done\r\n") {
            let n = self.stream.read(&mut buf).expect("read the replies");
            assert!(n > 0, "the server closed the connection");
            seen.extend_from_slice(&buf[..n]);
        }
        let text = String::from_utf8_lossy(&seen);
        assert!(
            !text.starts_with('-') && !text.contains("\r\n-"),
            "an error reply: {text}"
        );
    }

    /// Writes every key of a recorded fixture with its type, and its TTL unless `keep_ttl`
    /// is false.
    fn fixture(&mut self, name: &str, keep_ttl: bool) -> &mut Loader {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/keyspaces")
            .join(format!("{name}.json"));
        let text = std::fs::read_to_string(&path).expect("read the fixture");
        let v: Value = serde_json::from_str(&text).expect("fixture JSON");
        for k in v["keys"].as_array().expect("keys") {
            let key = k["key"].as_str().unwrap();
            match k["type"].as_str().unwrap() {
                "string" => self.cmd(&["SET", key, "1"]),
                "list" => self.cmd(&["RPUSH", key, "x"]),
                "hash" => self.cmd(&["HSET", key, "f", "v"]),
                "set" => self.cmd(&["SADD", key, "m"]),
                "zset" => self.cmd(&["ZADD", key, "1", "m"]),
                "stream" => self.cmd(&["XADD", key, "*", "f", "v"]),
                other => panic!("{name}: type {other}"),
            };
            let ttl = k["ttl_ms"].as_i64().unwrap();
            if keep_ttl && ttl > 0 {
                // Recorded TTLs can be a minute: keep them long enough for the test.
                let ttl = ttl.max(600_000).to_string();
                self.cmd(&["PEXPIRE", key, &ttl]);
            }
        }
        self
    }

    /// `count` strings `prefix:<i>`, the first `with_ttl` of them with a 10-minute TTL.
    fn strings(&mut self, prefix: &str, count: usize, with_ttl: usize) -> &mut Loader {
        for i in 0..count {
            let key = format!("{prefix}:{i}");
            if i < with_ttl {
                self.cmd(&["SET", &key, "x", "EX", "600"]);
            } else {
                self.cmd(&["SET", &key, "x"]);
            }
        }
        self
    }
}

/// The namespace with this pattern in the workloads check.
fn namespace(run: &Run, pattern: &str) -> Value {
    let c = run.check("workloads");
    c["data"]["namespaces"]
        .as_array()
        .and_then(|ns| ns.iter().find(|n| n["pattern"] == pattern).cloned())
        .unwrap_or_else(|| panic!("no namespace {pattern}:\n{c:#}"))
}

/// The hint of a check, or "".
fn hint(run: &Run, id: &str) -> String {
    run.check(id)["hint"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

#[test]
fn every_recorded_library_is_recognised_on_a_real_server() {
    let s = server("noeviction").start();
    let mut l = Loader::new(s.port());
    for lib in [
        "bullmq",
        "bee-queue",
        "rq",
        "celery",
        "dramatiq",
        "arq",
        "connect-redis",
        "rate-limit-redis",
        "rate-limiter-flexible",
        "django",
    ] {
        l.fixture(lib, true);
    }
    l.flush();
    let run = both(&[&url(&s)]);
    for (pattern, library, usage) in [
        ("bull:email:*", "BullMQ", "queue"),
        ("bq:email:*", "Bee-Queue", "queue"),
        ("rq:*", "RQ", "queue"),
        ("celery", "Celery", "queue"),
        ("_kombu.binding.*", "Celery", "queue"),
        ("dramatiq:*", "Dramatiq", "queue"),
        ("arq:*", "arq", "queue"),
        ("sess:*", "connect-redis", "session"),
        ("rl:*", "express-rate-limit", "rate-limit"),
        ("rlflx:*", "rate-limiter-flexible", "rate-limit"),
        (":1:django.contrib.sessions.cache*", "Django", "session"),
        (":1:product:*", "Django", "cache"),
    ] {
        let n = namespace(&run, pattern);
        assert_eq!(n["library"], library, "{n:#}");
        assert_eq!(n["use"], usage, "{n:#}");
        assert!(
            n["evidence"].as_str().unwrap().contains("key layout"),
            "{n:#}"
        );
    }
    // Bull alone (no BullMQ markers) is Bull.
    let bull = server("noeviction").start();
    Loader::new(bull.port()).fixture("bull", true).flush();
    let run = redcheck(&[&url(&bull), "--format", "json"]);
    assert_eq!(namespace(&run, "bull:email:*")["library"], "Bull");
}

#[test]
fn a_queue_beside_a_cache_under_allkeys_lru_fails_naming_both() {
    let s = server("allkeys-lru").start();
    let mut l = Loader::new(s.port());
    l.fixture("bullmq", true)
        .strings("product", 500, 500)
        .flush();
    let run = both(&[&url(&s)]);
    run.assert_code(1)
        .assert_fails("eviction", "eviction-policy");
    let eviction = run.check("eviction");
    assert_eq!(eviction["data"]["workload_source"], "keyspace-sample");
    assert!(
        eviction["summary"]
            .as_str()
            .unwrap()
            .contains("from the keyspace sample"),
        "{eviction:#}"
    );
    let h = hint(&run, "eviction");
    assert!(
        h.contains("bull:email:* (BullMQ queue) shares an allkeys-lru instance with product:* (cache): evictions can drop jobs — use noeviction here and put the cache in its own instance"),
        "{h}"
    );
    // Any policy: a queue and a cache in one instance is worth saying.
    assert_eq!(run.status("workloads"), "info");
    assert!(hint(&run, "workloads").contains("share this instance"));

    // --use still wins, and the summary says it was used.
    let run = both(&[&url(&s), "--use", "cache"]);
    run.assert_code(0);
    let eviction = run.check("eviction");
    assert_eq!(eviction["status"], "pass");
    assert_eq!(eviction["data"]["workload_source"], "--use");
    assert!(
        eviction["summary"].as_str().unwrap().contains("(--use)"),
        "{eviction:#}"
    );
}

#[test]
fn sessions_under_allkeys_lru_fail() {
    let s = server("allkeys-lfu").start();
    Loader::new(s.port()).fixture("connect-redis", true).flush();
    let run = both(&[&url(&s)]);
    run.assert_code(1)
        .assert_fails("eviction", "eviction-policy");
    let h = hint(&run, "eviction");
    assert!(
        h.contains("sess:* (connect-redis session) lives in an allkeys-lfu instance: evictions can drop sessions"),
        "{h}"
    );
}

#[test]
fn without_maxmemory_a_wrong_policy_is_a_warning() {
    let s = RedisServer::builder()
        .password(SECRET)
        .arg("maxmemory-policy", "allkeys-lru")
        .start();
    Loader::new(s.port()).fixture("bullmq", true).flush();
    let run = both(&[&url(&s)]);
    assert_eq!(run.status("eviction"), "warn");
}

#[test]
fn cache_keys_without_ttl_under_volatile_lru_warn_by_prefix() {
    let s = server("volatile-lru").start();
    Loader::new(s.port()).strings("product", 5000, 20).flush();
    // Every key read: the exact share (the default reads a few per namespace, and 8 of 5,000
    // would likely miss the 20 with a TTL that make the namespace look like a cache).
    let run = both(&[
        &url(&s),
        "--sample-keys",
        "5000",
        "--sample-read",
        "5000",
        "--sample-budget",
        "5s",
    ]);
    assert_eq!(run.status("eviction"), "warn");
    let h = hint(&run, "eviction");
    assert!(
        h.contains("product:* (cache) 4,980 of 5,000 sampled have none"),
        "{h}"
    );
    assert_eq!(run.status("workloads"), "warn");
    let h = hint(&run, "workloads");
    assert!(
        h.contains("product:* 4,980 of 5,000 sampled without TTL"),
        "{h}"
    );
}

#[test]
fn noeviction_with_only_a_cache_warns() {
    let s = server("noeviction").start();
    Loader::new(s.port()).strings("product", 200, 200).flush();
    let run = both(&[&url(&s)]);
    assert_eq!(run.status("eviction"), "warn");
    assert!(hint(&run, "eviction").contains("noeviction with only cache data"));
    // The same data under allkeys-lru is right.
    let s = server("allkeys-lru").start();
    Loader::new(s.port()).strings("product", 200, 200).flush();
    let run = both(&[&url(&s)]);
    assert_eq!(run.status("eviction"), "pass");
    assert_eq!(run.status("workloads"), "pass");
}

#[test]
fn rate_limit_counters_and_sessions_without_ttl_warn() {
    let s = server("noeviction").start();
    Loader::new(s.port())
        .fixture("rate-limit-redis", false)
        .fixture("rate-limiter-flexible", true)
        .fixture("connect-redis", false)
        .flush();
    let run = both(&[&url(&s)]);
    assert_eq!(run.status("workloads"), "warn");
    let h = hint(&run, "workloads");
    assert!(
        h.contains("rl:* (express-rate-limit rate-limit): 2 of 2 sampled rate-limit counters have no TTL: INCR then EXPIRE is not atomic"),
        "{h}"
    );
    assert!(
        h.contains("SET key 0 EX window NX then INCR, a Lua script, or MULTI"),
        "{h}"
    );
    // rate-limiter-flexible's counters kept their TTL: not named.
    assert!(!h.contains("rlflx"), "{h}");
    assert!(
        h.contains("sess:* (connect-redis session): 2 of 2 sampled sessions have no TTL"),
        "{h}"
    );
}

#[test]
fn the_recorded_ttls_pass() {
    let s = server("noeviction").start();
    Loader::new(s.port())
        .fixture("rate-limit-redis", true)
        .fixture("connect-redis", true)
        .fixture("bullmq", true)
        .flush();
    let run = both(&[&url(&s)]);
    assert_eq!(run.status("workloads"), "pass", "{}", run.stdout);
    assert_eq!(run.status("eviction"), "pass", "{}", run.stdout);
}

#[test]
fn sampling_can_be_turned_off_and_an_empty_database_passes() {
    let s = server("allkeys-lru").start();
    Loader::new(s.port()).fixture("bullmq", true).flush();
    let run = both(&[&url(&s), "--sample-keys", "0"]);
    assert_eq!(run.status("workloads"), "skip");
    assert!(
        run.check("workloads")["summary"]
            .as_str()
            .unwrap()
            .contains("--sample-keys 0")
    );
    // Without the sample, the eviction check is back to INFO alone.
    assert_eq!(run.status("eviction"), "info");
    let empty = server("allkeys-lru").start();
    let run = both(&[&url(&empty)]);
    assert_eq!(run.status("workloads"), "pass");
}

/// Every command MONITOR reports, as `NAME` or `NAME SUBCOMMAND` for CLIENT and MEMORY.
fn monitored(monitor: &mut BufReader<TcpStream>) -> BTreeSet<String> {
    monitor
        .get_ref()
        .set_read_timeout(Some(Duration::from_millis(300)))
        .unwrap();
    let mut seen = BTreeSet::new();
    let mut line = String::new();
    loop {
        line.clear();
        match monitor.read_line(&mut line) {
            Ok(0) | Err(_) => break,
            Ok(_) => {}
        }
        let words: Vec<String> = line
            .split("] ")
            .nth(1)
            .unwrap_or_default()
            .split(' ')
            .map(|w| w.trim().trim_matches('"').to_ascii_uppercase())
            .collect();
        let Some(name) = words.first().filter(|w| !w.is_empty()) else {
            continue;
        };
        let entry = match name.as_str() {
            "CLIENT" | "MEMORY" => format!("{name} {}", words.get(1).cloned().unwrap_or_default()),
            _ => name.clone(),
        };
        seen.insert(entry);
    }
    seen
}

#[test]
fn the_sample_sends_only_scan_type_pttl_dbsize_client_list_and_memory_usage() {
    let s = server("noeviction").start();
    Loader::new(s.port())
        .fixture("bullmq", true)
        .strings("product", 300, 300)
        .flush();
    let mut monitor = BufReader::new(TcpStream::connect(("127.0.0.1", s.port())).unwrap());
    monitor
        .get_mut()
        .write_all(&[resp_cmd(&["AUTH", SECRET]), resp_cmd(&["MONITOR"])].concat())
        .unwrap();
    let mut ok = String::new();
    monitor.read_line(&mut ok).unwrap();
    ok.clear();
    monitor.read_line(&mut ok).unwrap();
    assert_eq!(ok.trim(), "+OK");
    let u = url(&s);
    redcheck(&[&u, "--sample-keys", "0"]).assert_code(0);
    let without = monitored(&mut monitor);
    redcheck(&[&u]).assert_code(0);
    let with = monitored(&mut monitor);
    redcheck(&["keys", &u]).assert_code(0);
    let keys = monitored(&mut monitor);
    let allowed: BTreeSet<String> = [
        "SCAN",
        "TYPE",
        "PTTL",
        "DBSIZE",
        "CLIENT LIST",
        "MEMORY USAGE",
    ]
    .iter()
    .map(|s| (*s).to_string())
    .collect();
    for (what, seen) in [("the default run", &with), ("redcheck keys", &keys)] {
        let added: BTreeSet<&String> = seen.difference(&without).collect();
        for cmd in &added {
            assert!(allowed.contains(*cmd), "{what} sent {cmd}: {seen:?}");
        }
        for needed in ["SCAN", "TYPE", "PTTL", "DBSIZE"] {
            assert!(seen.contains(needed), "{what}: no {needed} in {seen:?}");
        }
        assert!(!seen.contains("KEYS") && !seen.contains("GET"), "{seen:?}");
    }
    assert!(keys.contains("MEMORY USAGE"), "{keys:?}");
    // MONITOR leaves out admin commands such as CLIENT LIST; the connections check shows it ran.
    let run = redcheck(&[&u, "--format", "json"]);
    assert_eq!(run.status("connections"), "pass", "{}", run.stdout);
}

/// `INFO commandstats` as command → calls, read on a connection of its own (after AUTH).
fn commandstats(port: u16) -> std::collections::BTreeMap<String, u64> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    s.write_all(
        &[
            resp_cmd(&["AUTH", SECRET]),
            resp_cmd(&["INFO", "commandstats"]),
        ]
        .concat(),
    )
    .unwrap();
    let mut seen = Vec::new();
    let mut buf = [0u8; 65536];
    // +OK, then one bulk string: its length is on the line after +OK.
    loop {
        let text = String::from_utf8_lossy(&seen).into_owned();
        if let Some(rest) = text.strip_prefix("+OK\r\n$")
            && let Some((len, body)) = rest.split_once("\r\n")
            && body.len() >= len.parse::<usize>().unwrap()
        {
            return body
                .lines()
                .filter_map(|l| l.strip_prefix("cmdstat_"))
                .filter_map(|l| {
                    let (name, rest) = l.split_once(':')?;
                    let calls = rest.strip_prefix("calls=")?.split(',').next()?;
                    Some((name.to_string(), calls.parse().ok()?))
                })
                .collect();
        }
        let n = s.read(&mut buf).expect("read INFO");
        assert!(n > 0, "the server closed the connection");
        seen.extend_from_slice(&buf[..n]);
    }
}

#[test]
fn the_default_sample_costs_the_server_a_few_dozen_commands() {
    let s = server("allkeys-lru").start();
    Loader::new(s.port())
        .fixture("bullmq", true)
        .strings("product", 600, 600)
        .strings("sess", 300, 0)
        .cmd(&["CONFIG", "RESETSTAT"])
        .flush();
    let run = both(&[&url(&s)]);
    let calls = commandstats(s.port());
    let sent: u64 = calls
        .iter()
        .filter(|(name, _)| !matches!(name.as_str(), "config|resetstat" | "echo" | "auth"))
        .map(|(_, n)| n)
        .sum();
    // Both runs (human and JSON): 8 keys read each, and at most 40 commands in all per run.
    assert_eq!((calls["type"], calls["pttl"]), (16, 16), "{calls:?}");
    assert!(sent <= 2 * 40, "{sent} commands for two runs: {calls:?}");
    let w = run.check("workloads");
    let summary = w["summary"].as_str().unwrap();
    assert!(
        summary.contains("all 911 keys sampled, 8 read"),
        "{summary}"
    );
    // Every namespace is seen by name, the biggest read first; the verdict names the queue.
    for pattern in ["product:*", "sess:*", "bull:email:*"] {
        let n = namespace(&run, pattern);
        assert!(n["read"].as_u64().unwrap() >= 1, "{n:#}");
    }
    assert_eq!(namespace(&run, "bull:email:*")["library"], "BullMQ");
    run.assert_code(1)
        .assert_fails("eviction", "eviction-policy");
}

#[test]
fn an_acl_user_without_the_sample_commands_gets_skips_not_failures() {
    let s = server("allkeys-lru")
        .acl_user("app", SECRET, "+@all -scan -dbsize -client -memory ~* &*")
        .start();
    Loader::new(s.port()).fixture("bullmq", true).flush();
    let u = format!("redis://app:{SECRET}@127.0.0.1:{}", s.port());
    let run = both(&[&u]);
    let w = run.check("workloads");
    assert_eq!(w["status"], "skip", "{w:#}");
    assert!(
        w["summary"].as_str().unwrap().contains("not allowed"),
        "{w:#}"
    );
    let c = run.check("connections");
    assert_eq!(c["status"], "skip", "{c:#}");
    assert!(
        c["summary"]
            .as_str()
            .unwrap()
            .contains("CLIENT LIST is not allowed")
    );
    // Nothing failed because of them (the eviction verdict falls back to INFO alone).
    assert_eq!(run.status("eviction"), "info");
    let keys = both(&["keys", &u]);
    assert_eq!(keys.status("workloads"), "skip", "{}", keys.stdout);
    // MEMORY refused alone: the table is still there, without sizes, and says why.
    let s = server("noeviction")
        .acl_user("nomem", SECRET, "+@all -memory ~* &*")
        .start();
    Loader::new(s.port()).fixture("bullmq", true).flush();
    let u = format!("redis://nomem:{SECRET}@127.0.0.1:{}", s.port());
    let run = both(&["keys", &u]);
    let db = &run.report()["databases"][0];
    assert!(
        db["memory_note"].as_str().unwrap().contains("MEMORY USAGE"),
        "{db:#}"
    );
    assert!(!db["namespaces"].as_array().unwrap().is_empty());
}

#[test]
fn connections_are_grouped_by_address_and_young_ones_warn() {
    let s = RedisServer::builder().password(SECRET).start();
    let held: Vec<TcpStream> = (0..210)
        .map(|_| TcpStream::connect(("127.0.0.1", s.port())).unwrap())
        .collect();
    // Every connection reaches the server's list before the check reads it.
    crate::support::redis_ping(s.port());
    std::thread::sleep(Duration::from_millis(200));
    let run = both(&[&url(&s)]);
    let c = run.check("connections");
    assert_eq!(c["status"], "warn", "{c:#}");
    assert!(c["data"]["connections"].as_u64().unwrap() >= 210, "{c:#}");
    assert_eq!(c["data"]["groups"][0]["address"], "127.0.0.1");
    let h = c["hint"].as_str().unwrap();
    assert!(h.contains("127.0.0.1 holds 21"), "{h}");
    assert!(h.contains("younger than 5 s"), "{h}");
    assert!(h.contains("create the client once and reuse it"), "{h}");
    drop(held);
}

#[test]
fn keys_prints_the_namespace_table_of_every_database_with_keys() {
    let s = server("noeviction").start();
    let mut l = Loader::new(s.port());
    l.fixture("bullmq", true).strings("product", 300, 300);
    l.cmd(&["SELECT", "3"]).fixture("connect-redis", true);
    l.flush();
    let u = url(&s);
    let run = both(&["keys", &u]);
    let r = run.report();
    let dbs: Vec<u64> = r["databases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["db"].as_u64().unwrap())
        .collect();
    assert_eq!(dbs, [0, 3]);
    let db0 = &r["databases"][0];
    let product = db0["namespaces"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["pattern"] == "product:*")
        .unwrap();
    assert_eq!(product["estimated"], 300);
    assert_eq!(product["with_ttl"], 300);
    assert!(product["estimated_bytes"].as_u64().unwrap() > 0);
    assert!(!db0["biggest"].as_array().unwrap().is_empty());
    let human = redcheck(&["keys", &u]);
    human.assert_no_secret();
    for says in [
        "namespace",
        "TTL p50/p90",
        "product:*",
        "bull:email:*",
        "queue (BullMQ)",
        "biggest keys seen",
        "db3",
    ] {
        assert!(human.stdout.contains(says), "{says}:\n{}", human.stdout);
    }
    // --db and --pattern narrow it.
    let one = redcheck(&["keys", &u, "--db", "3", "--format", "json"]);
    assert_eq!(one.report()["databases"].as_array().unwrap().len(), 1);
    let sess = redcheck(&["keys", &u, "--pattern", "product:1*", "--format", "json"]);
    let ns = &sess.report()["databases"][0]["namespaces"];
    assert_eq!(ns.as_array().unwrap().len(), 1, "{ns:#}");
    assert_eq!(ns[0]["pattern"], "product:*");
    assert_eq!(ns[0]["sampled"], 111);
    // --format github: the same text, then the annotations (a session without TTL warns).
    let mut l = Loader::new(s.port());
    l.cmd(&["SELECT", "3"])
        .cmd(&["SET", "sess:Qm4Vb8Nc2Xz6Lk1Jh5Gf9Ds3Ap7Wo0Ei", "{}"])
        .flush();
    let gh = redcheck(&["keys", &u, "--format", "github"]);
    assert!(gh.stdout.contains("::warning"), "{}", gh.stdout);
    assert!(
        gh.stdout.contains("namespace") && !gh.stdout.contains('\x1b'),
        "{}",
        gh.stdout
    );
}

#[test]
fn keys_estimates_a_known_mix_within_ten_percent() {
    let s = server("noeviction")
        .arg("enable-debug-command", "yes")
        .start();
    let mut l = Loader::new(s.port());
    // 200,000 keys: 60% product, 25% sess, 10% jobs, 5% lock.
    l.cmd(&["DEBUG", "POPULATE", "120000", "product"])
        .cmd(&["DEBUG", "POPULATE", "50000", "sess"])
        .cmd(&["DEBUG", "POPULATE", "20000", "jobs"])
        .cmd(&["DEBUG", "POPULATE", "10000", "lock"])
        .flush();
    let run = both(&["keys", &url(&s), "--sample", "20000", "--budget", "20s"]);
    let db = &run.report()["databases"][0];
    assert_eq!(db["estimate"], true);
    for (pattern, truth) in [
        ("product:*", 120_000.0),
        ("sess:*", 50_000.0),
        ("jobs:*", 20_000.0),
        ("lock:*", 10_000.0),
    ] {
        let n = db["namespaces"]
            .as_array()
            .unwrap()
            .iter()
            .find(|n| n["pattern"] == pattern)
            .unwrap_or_else(|| panic!("no {pattern}: {db:#}"));
        let est = n["estimated"].as_f64().unwrap();
        assert!(
            (est - truth).abs() <= truth * 0.10,
            "{pattern}: estimated {est}, truth {truth}"
        );
    }
}

#[test]
fn keys_samples_every_primary_of_a_cluster() {
    let node = || {
        RedisServer::builder()
            .password(SECRET)
            .arg("cluster-enabled", "yes")
            .arg("cluster-announce-ip", "127.0.0.1")
            .start()
    };
    let (a, b) = (node(), node());
    Loader::new(a.port())
        .cmd(&["CLUSTER", "ADDSLOTSRANGE", "0", "8191"])
        .cmd(&["CLUSTER", "MEET", "127.0.0.1", &b.port().to_string()])
        .flush();
    Loader::new(b.port())
        .cmd(&["CLUSTER", "ADDSLOTSRANGE", "8192", "16383"])
        .flush();
    let started = std::time::Instant::now();
    while ![&a, &b].iter().all(|s| {
        let info = s.cli(&["CLUSTER", "INFO"]);
        info.contains("cluster_state:ok") && info.contains("cluster_known_nodes:2")
    }) {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the cluster never formed"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    // {b} hashes to slot 3300 (node a), {a} to 15495 (node b).
    let mut la = Loader::new(a.port());
    la.strings("product:{b}", 50, 50).flush();
    let mut lb = Loader::new(b.port());
    for i in 0..30 {
        lb.cmd(&["RPUSH", &format!("jobs:{{a}}:{i}"), "x"]);
    }
    lb.flush();
    let run = both(&["keys", &url(&a)]);
    let r = run.report();
    let dbs = r["databases"].as_array().unwrap();
    assert_eq!(dbs.len(), 2, "{r:#}");
    let nodes: BTreeSet<String> = dbs
        .iter()
        .map(|d| d["node"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        nodes,
        BTreeSet::from([
            format!("127.0.0.1:{}", a.port()),
            format!("127.0.0.1:{}", b.port())
        ])
    );
    let patterns: BTreeSet<String> = dbs
        .iter()
        .flat_map(|d| d["namespaces"].as_array().unwrap().iter())
        .map(|n| n["pattern"].as_str().unwrap().to_string())
        .collect();
    assert!(
        patterns.contains("product:{b}:*") && patterns.contains("jobs:{a}:*"),
        "{patterns:?}"
    );
    // The verdicts see both: the queue on b and the cache on a.
    assert!(
        hint(&run, "workloads").contains("share this instance"),
        "{}",
        run.stdout
    );
    // The default check samples only the node in the URL, and says so.
    let run = both(&[&url(&a)]);
    let summary = run.check("workloads")["summary"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(summary.contains("this node only"), "{summary}");
}

#[test]
fn keys_the_acl_hides_are_counted_not_described() {
    let s = server("noeviction")
        .acl_user("cacheonly", SECRET, "+@all ~cache:* &*")
        .start();
    Loader::new(s.port())
        .fixture("bullmq", true)
        .strings("cache", 10, 10)
        .flush();
    let u = format!("redis://cacheonly:{SECRET}@127.0.0.1:{}", s.port());
    // By default 8 keys are read, 4 of each namespace: the 4 BullMQ ones are refused, and the
    // namespace is still known by its names (SCAN is not limited by key patterns).
    let run = both(&[&u]);
    let w = run.check("workloads");
    assert_eq!(w["data"]["unreadable"], 4, "{w:#}");
    let bull = w["data"]["namespaces"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["pattern"] == "bull:email:*")
        .unwrap_or_else(|| panic!("{w:#}"));
    assert_eq!(
        (&bull["read"], &bull["library"]),
        (&json!(0), &json!("BullMQ"))
    );
    let run = both(&[&u, "--sample-read", "100"]);
    let w = run.check("workloads");
    assert_eq!(w["data"]["unreadable"], 11, "{w:#}");
    let read: Vec<(&str, u64)> = w["data"]["namespaces"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| (n["pattern"].as_str().unwrap(), n["read"].as_u64().unwrap()))
        .collect();
    assert_eq!(read, [("bull:email:*", 0), ("cache:*", 10)]);
    assert!(
        w["summary"]
            .as_str()
            .unwrap()
            .contains("11 keys the ACL would not describe")
    );
    let human = redcheck(&["keys", &u]);
    assert!(
        human.stdout.contains("11 keys the ACL would not describe"),
        "{}",
        human.stdout
    );
}
