//! Redis behind Sentinel: the URL followed the way a Sentinel-aware client follows it, against
//! real `redis-server --sentinel` processes (one shared topology, see support/sentinel.rs).

use std::process::Stdio;
use std::thread;
use std::time::Duration;

use crate::support::run::{Run, SECRET, both, cmd, redcheck, run};
use crate::support::sentinel::{SENTINEL_SECRET, Sentinel, shared, start_replica};
use crate::support::{Pki, RedisServer, unused_port};

/// Runs in human and JSON format with the Sentinel password from the flag; neither password
/// may appear anywhere.
fn check(url: &str, extra: &[&str]) -> Run {
    let mut args = vec![url, "--sentinel-password", SENTINEL_SECRET];
    args.extend(extra);
    let json = both(&args);
    assert_no_sentinel_secret(&json);
    json
}

fn assert_no_sentinel_secret(run: &Run) {
    for text in [&run.stdout, &run.stderr] {
        assert!(
            !text.contains(SENTINEL_SECRET),
            "the Sentinel password leaked:\n{text}"
        );
    }
}

#[test]
fn a_healthy_setup_resolves_the_master_and_shows_the_topology() {
    let t = shared();
    let run = check(&t.url("mymaster"), &[]);
    run.assert_code(0);
    let ids = run.check_ids();
    assert_eq!(
        ids[..5],
        ["url", "sentinel", "master", "replicas", "dns"],
        "{ids:?}"
    );
    assert_eq!(run.status("sentinel"), "pass", "{}", run.check("sentinel"));
    let topo = run.check("sentinel")["data"].clone();
    let master = format!("127.0.0.1:{}", t.master.port());
    assert_eq!(topo["master_name"], "mymaster");
    assert_eq!(topo["master"], master.as_str());
    assert_eq!(topo["agree"], true);
    assert_eq!(topo["quorum"], 2);
    assert!(
        topo["ckquorum"]
            .as_str()
            .unwrap()
            .starts_with("OK 3 usable"),
        "{topo}"
    );
    assert_eq!(topo["flags"], serde_json::json!(["master"]));
    let sentinels = topo["sentinels"].as_array().unwrap();
    assert_eq!(sentinels.len(), 3);
    for s in sentinels {
        assert_eq!(
            (s["ok"].as_bool(), s["authenticated"].as_bool()),
            (Some(true), Some(true)),
            "{s}"
        );
        assert_eq!(s["master"], master.as_str());
        assert!(s["ms"].as_f64().is_some_and(|ms| ms > 0.0), "{s}");
    }
    assert_eq!(topo["announced_by"].as_array().unwrap().len(), 3);
    assert_eq!(
        topo["known_sentinels"].as_array().unwrap().len(),
        3,
        "each knows the two others"
    );
    let mut monitored: Vec<&str> = topo["monitored"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|v| v.as_str())
        .collect();
    monitored.sort_unstable();
    assert_eq!(monitored, ["gone", "mymaster", "stale"]);
    let replica = &topo["replicas"][0];
    assert_eq!(
        replica["address"],
        format!("127.0.0.1:{}", t.replica.port())
    );
    assert_eq!(
        (replica["reachable"].as_bool(), replica["role"].as_str()),
        (Some(true), Some("slave"))
    );
    assert_eq!(run.status("master"), "pass");
    assert_eq!(run.check("master")["data"]["role"], "master");
    assert_eq!(run.status("replicas"), "pass");
    // The usual doctor ran against the master the Sentinels announced.
    assert_eq!(run.report()["target"]["port"], t.master.port());
    assert_eq!(run.status("auth"), "pass");
    assert_eq!(run.check("replication")["status"], "pass");

    let human = redcheck(&[&t.url("mymaster"), "--sentinel-password", SENTINEL_SECRET]);
    assert!(
        human.stdout.contains(" topology mymaster · quorum 2"),
        "{}",
        human.stdout
    );
    assert!(
        human.stdout.contains(&format!("   master   {master}")),
        "{}",
        human.stdout
    );
    assert!(human.stdout.contains("   replica  "), "{}", human.stdout);
    assert!(
        human
            .stdout
            .contains(&format!("redis+sentinel://:****@{}/mymaster/0", t.hosts())),
        "{}",
        human.stdout
    );
}

#[test]
fn one_sentinel_down_of_three_is_a_warning_and_github_annotates_it() {
    let t = shared();
    let dead = unused_port();
    let url = format!(
        "redis+sentinel://:{SECRET}@127.0.0.1:{},127.0.0.1:{},127.0.0.1:{dead}/mymaster/0",
        t.sentinels[0].port(),
        t.sentinels[1].port()
    );
    let run = check(&url, &[]);
    run.assert_code(0);
    let c = run.check("sentinel");
    assert_eq!(c["status"], "warn", "{c}");
    let summary = c["summary"].as_str().unwrap();
    assert!(
        summary.contains("2 of 3 Sentinels agree")
            && summary.contains("1 of 3 Sentinels did not answer"),
        "{summary}"
    );
    assert!(summary.contains(&format!("127.0.0.1:{dead}")), "{summary}");
    let down = &c["data"]["sentinels"][2];
    assert_eq!(
        (
            down["ok"].as_bool(),
            down["stage"].as_str(),
            down["reason"].as_str()
        ),
        (Some(false), Some("tcp"), Some("refused"))
    );
    assert_eq!(run.status("master"), "pass");
    let step_summary = tempfile::NamedTempFile::new().expect("a temp file for the step summary");
    let gh = crate::support::run::run(
        cmd()
            .args([
                url.as_str(),
                "--sentinel-password",
                SENTINEL_SECRET,
                "--format",
                "github",
            ])
            .env("GITHUB_STEP_SUMMARY", step_summary.path()),
    );
    let md = std::fs::read_to_string(step_summary.path()).expect("read the step summary");
    assert!(
        md.contains("| sentinel | 127.0.0.1:")
            && md.contains(&format!("| sentinel | 127.0.0.1:{dead} | ❌ ")),
        "{md}"
    );
    assert!(
        md.contains("| master | 127.0.0.1:") && md.contains("| replica | 127.0.0.1:"),
        "{md}"
    );
    assert!(
        !md.contains(SENTINEL_SECRET) && !md.contains(SECRET),
        "{md}"
    );
    assert!(gh.stdout.contains(" topology mymaster"), "{}", gh.stdout);
    assert!(
        gh.stdout.contains("::warning title=redcheck sentinel::"),
        "{}",
        gh.stdout
    );
    assert_no_sentinel_secret(&gh);
    // --strict makes the warning fail the run.
    redcheck(&[&url, "--sentinel-password", SENTINEL_SECRET, "--strict"]).assert_code(1);
}

#[test]
fn no_sentinel_reachable_fails_sentinel_unreachable() {
    let url = format!(
        "redis+sentinel://127.0.0.1:{},127.0.0.1:{}/mymaster",
        unused_port(),
        unused_port()
    );
    let run = both(&[&url]);
    run.assert_code(1)
        .assert_fails("sentinel", "sentinel-unreachable");
    assert!(
        run.check("sentinel")["summary"]
            .as_str()
            .unwrap()
            .starts_with("none of the 2 Sentinels answered")
    );
    assert_eq!(run.status("master"), "skip");
    assert_eq!(run.status("tcp"), "skip");
}

#[test]
fn an_unknown_master_name_lists_the_names_the_sentinels_monitor() {
    let t = shared();
    let run = check(&t.url("MyMaster"), &[]);
    run.assert_code(1)
        .assert_fails("sentinel", "unknown-master");
    let c = run.check("sentinel");
    let summary = c["summary"].as_str().unwrap();
    assert!(
        summary.contains("'MyMaster'") && summary.contains("mymaster") && summary.contains("stale"),
        "{summary}"
    );
    assert!(
        c["hint"]
            .as_str()
            .unwrap()
            .contains("redis+sentinel://:****@"),
        "{c}"
    );
}

#[test]
fn a_master_announced_where_nothing_listens_fails_announced_unreachable() {
    let t = shared();
    let run = check(&t.url("gone"), &[]);
    run.assert_code(1)
        .assert_fails("master", "announced-unreachable");
    let c = run.check("master");
    let summary = c["summary"].as_str().unwrap();
    assert!(
        summary.contains(&format!("127.0.0.1:{}", t.gone_port)),
        "{summary}"
    );
    assert!(
        summary.contains(&format!("127.0.0.1:{}", t.sentinels[0].port())),
        "names who announced it: {summary}"
    );
    assert!(c["hint"].as_str().unwrap().contains("announce-ip"), "{c}");
    run.assert_fails("tcp", "refused");
}

#[test]
fn a_sentinel_that_announces_a_replica_fails_not_master() {
    let t = shared();
    let run = check(&t.url("stale"), &[]);
    run.assert_code(1).assert_fails("master", "not-master");
    let summary = run.check("master")["summary"].as_str().unwrap().to_string();
    assert!(
        summary.contains("role:slave")
            && summary.contains(&format!("replicating 127.0.0.1:{}", t.master.port())),
        "{summary}"
    );
}

#[test]
fn a_plain_url_at_a_sentinel_port_is_never_passed_as_a_data_node() {
    let t = shared();
    let url = format!(
        "redis://:{SENTINEL_SECRET}@127.0.0.1:{}",
        t.sentinels[0].port()
    );
    let run = run(cmd().args([url.as_str(), "--format", "json"]));
    assert_no_sentinel_secret(&run);
    run.assert_code(1)
        .assert_fails("sentinel", "sentinel-not-data-node");
    let c = run.check("sentinel");
    assert!(
        c["summary"]
            .as_str()
            .unwrap()
            .contains(&format!("mymaster (127.0.0.1:{})", t.master.port())),
        "{c}"
    );
    let hint = c["hint"].as_str().unwrap();
    assert!(
        hint.contains(&format!(
            "redis+sentinel://:****@127.0.0.1:{}/gone/0 (gone is one of 3 names",
            t.sentinels[0].port()
        )),
        "{hint}"
    );
    assert!(hint.contains("--sentinel-master gone"), "{hint}");
    assert_eq!(run.status("memory"), "skip");
    assert_eq!(run.status("pubsub"), "skip");
}

#[test]
fn sentinel_master_turns_a_plain_url_into_a_sentinel_one() {
    let t = shared();
    let url = format!("redis://:{SECRET}@127.0.0.1:{}/0", t.sentinels[1].port());
    let run = check(&url, &["--sentinel-master", "mymaster"]);
    run.assert_code(0);
    assert_eq!(run.status("master"), "pass");
    // One Sentinel in the URL while it knows two more: a single point of failure, said.
    let c = run.check("sentinel");
    assert_eq!(c["status"], "warn", "{c}");
    assert!(
        c["summary"]
            .as_str()
            .unwrap()
            .contains("the URL names 1 Sentinel, which knows 2 more"),
        "{c}"
    );
    assert_eq!(
        run.report()["target"]["url"],
        format!(
            "redis+sentinel://:****@127.0.0.1:{}/mymaster/0",
            t.sentinels[1].port()
        )
    );
}

#[test]
fn sentinels_with_their_own_password_need_it_and_never_show_it() {
    let t = shared();
    // Without it: the Sentinels refuse, and the hint names the flag.
    let run = both(&[&t.url("mymaster")]);
    run.assert_code(1).assert_fails("sentinel", "noauth");
    let hint = run.check("sentinel")["hint"].as_str().unwrap().to_string();
    assert!(hint.contains("--sentinel-password"), "{hint}");
    // The data nodes' password is not the Sentinels'.
    let wrong = both(&[&t.url("mymaster"), "--sentinel-password", SECRET]);
    wrong.assert_code(1).assert_fails("sentinel", "wrongpass");
    // In the URL, as the redis-py helpers spell it: masked wherever the URL is shown.
    let url = format!("{}?sentinel_password={SENTINEL_SECRET}", t.url("mymaster"));
    let run = both(&[&url]);
    assert_no_sentinel_secret(&run);
    run.assert_code(0);
    assert!(
        run.report()["target"]["url"]
            .as_str()
            .unwrap()
            .ends_with("/mymaster/0?sentinel_password=****")
    );
    // From the environment, out of argv.
    let env = run_env(&t.url("mymaster"));
    env.assert_code(0);
}

fn run_env(url: &str) -> Run {
    let r = run(cmd()
        .args([url, "--format", "json"])
        .env("REDCHECK_SENTINEL_PASSWORD", SENTINEL_SECRET));
    assert_no_sentinel_secret(&r);
    r
}

/// A master with a replica that cannot be promoted (REPLICAOF renamed away) and one Sentinel
/// of quorum 1: `SENTINEL FAILOVER` stays under way for its whole failover-timeout.
#[test]
fn wait_resolves_the_master_once_a_sentinel_answers_and_a_failover_under_way_is_named() {
    let master = RedisServer::start();
    let replica = start_replica(
        &master,
        "",
        &[
            ("rename-command", "REPLICAOF \"\""),
            ("rename-command", "SLAVEOF \"\""),
        ],
    );
    let port = unused_port();
    let url = format!("redis+sentinel://127.0.0.1:{port}/mymaster");
    // `wait` starts before the Sentinel does: it must retry until a master is resolved and healthy.
    let waiter = cmd()
        .args([
            "wait",
            &url,
            "--timeout",
            "30s",
            "--interval",
            "200ms",
            "--max-interval",
            "500ms",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start redcheck wait");
    thread::sleep(Duration::from_millis(700));
    let conf = format!(
        "sentinel monitor mymaster 127.0.0.1 {} 1\n\
         sentinel down-after-milliseconds mymaster 60000\n\
         sentinel failover-timeout mymaster 60000\n",
        master.port()
    );
    let sentinel = Sentinel::start(port, None, &conf);
    sentinel.wait_until(
        |s| {
            s.cli(&["SENTINEL", "REPLICAS", "mymaster"])
                .contains("slave")
        },
        "saw the replica",
    );
    let out = waiter.wait_with_output().expect("wait for redcheck wait");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stderr}\n{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(
        stderr.contains("attempt 1 failed") && stderr.contains("sentinel"),
        "{stderr}"
    );
    assert!(stderr.contains("redcheck wait: ready after"), "{stderr}");

    assert_eq!(sentinel.cli(&["SENTINEL", "FAILOVER", "mymaster"]), "OK");
    sentinel.wait_until(
        |s| {
            s.cli(&["SENTINEL", "MASTER", "mymaster"])
                .contains("failover_in_progress")
        },
        "started the failover",
    );
    let run = both(&[&url]);
    run.assert_code(0);
    let c = run.check("sentinel");
    assert_eq!(c["status"], "warn", "{c}");
    assert!(
        c["summary"]
            .as_str()
            .unwrap()
            .contains("a failover is under way"),
        "{c}"
    );
    assert!(
        c["data"]["flags"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f == "failover_in_progress"),
        "{c}"
    );
    assert!(c["hint"].as_str().unwrap().contains("redcheck wait"), "{c}");
    // A replica the Sentinels still announce but that is gone: a warning naming it.
    let replica_port = replica.port();
    drop(replica);
    let run = both(&[&url]);
    run.assert_code(0);
    let c = run.check("replicas");
    assert_eq!(c["status"], "warn", "{c}");
    assert!(
        c["summary"]
            .as_str()
            .unwrap()
            .contains(&format!("127.0.0.1:{replica_port} unreachable")),
        "{c}"
    );
    assert_eq!(c["data"]["replicas"][0]["reason"], "refused", "{c}");
    // `redcheck tls` takes one server, not a list of Sentinels.
    let tls = redcheck(&["tls", &url]);
    tls.assert_code(2);
    assert!(tls.stderr.contains("names Sentinels"), "{}", tls.stderr);
}

/// rediss+sentinel: TLS to the Sentinels and to the master, one set of TLS flags for both.
#[test]
fn rediss_sentinel_speaks_tls_to_the_sentinels_and_the_master() {
    let pki = Pki::new();
    let certs = pki.server(&["127.0.0.1", "localhost"]);
    let master = RedisServer::builder().tls_only(&certs).start();
    let conf = format!(
        "sentinel monitor mymaster 127.0.0.1 {} 1\n",
        master.tls_port().expect("a TLS port")
    );
    let sentinel = Sentinel::start_tls(0, &certs, &conf);
    sentinel.wait_until(
        |s| {
            s.cli(&["SENTINEL", "MASTER", "mymaster"])
                .contains("role-reported\nmaster")
        },
        "reached the TLS master",
    );
    let url = format!("rediss+sentinel://127.0.0.1:{}/mymaster", sentinel.port());
    let ca = pki.ca_pem();
    let run = both(&[&url, "--cacert", ca.to_str().unwrap()]);
    run.assert_code(0);
    assert_eq!(run.status("sentinel"), "pass", "{}", run.check("sentinel"));
    assert_eq!(run.check("sentinel")["data"]["sentinels"][0]["tls"], true);
    assert_eq!(run.status("master"), "pass");
    assert_eq!(run.status("tls"), "pass");
    // Without the CA the Sentinels' certificate does not verify: said as the tls check says it.
    let run = both(&[&url]);
    run.assert_code(1)
        .assert_fails("sentinel", "unknown-issuer");
    let c = run.check("sentinel");
    assert!(
        c["summary"]
            .as_str()
            .unwrap()
            .starts_with("every Sentinel failed the TLS handshake"),
        "{c}"
    );
    assert!(c["hint"].as_str().unwrap().contains("--cacert"), "{c}");
}

#[test]
fn url_explains_a_sentinel_url_and_how_each_client_takes_it() {
    let url = format!(
        "redis-sentinel://{SECRET}@s1:26379,s2/0?sentinel_password={SENTINEL_SECRET}&timeout=10s#mymaster"
    );
    let run = redcheck(&["url", &url, "--format", "json"]);
    run.assert_no_secret();
    assert_no_sentinel_secret(&run);
    let r = run.report();
    // After ?sentinel_password=, a parameter redcheck does not know may be a piece of the
    // password (a raw '&'): Lettuce's `timeout` is neither passed on nor shown, and a lint
    // says so.
    assert_eq!(
        r["url"],
        "redis-sentinel://:****@s1:26379,s2:26379/mymaster/0?sentinel_password=****"
    );
    assert!(
        r["lints"].to_string().contains("after ?sentinel_password="),
        "{}",
        r["lints"]
    );
    let s = &r["parts"]["sentinel"];
    assert_eq!(s["sentinels"], serde_json::json!(["s1:26379", "s2:26379"]));
    assert_eq!(
        (s["master_name"].as_str(), s["master_from"].as_str()),
        (Some("mymaster"), Some("fragment"))
    );
    assert_eq!(s["password_set"], true);
    let client = |name: &str| {
        r["clients"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["client"] == name)
            .cloned()
            .unwrap()
    };
    assert_eq!(client("Lettuce")["verdict"], "same");
    assert_eq!(client("ioredis")["verdict"], "rejects");
    assert!(
        client("ioredis")["notes"][0]
            .as_str()
            .unwrap()
            .contains("sentinelPassword")
    );
    assert!(
        client("go-redis")["notes"][0]
            .as_str()
            .unwrap()
            .contains("master_name=mymaster&addr=s2:26379")
    );
}

/// A real Sentinel of three going away (its own small topology: the shared one stays whole).
#[test]
fn a_real_sentinel_going_down_leaves_a_warning_not_a_failure() {
    let master = RedisServer::start();
    let _replica = start_replica(&master, "", &[]);
    let conf = format!("sentinel monitor mymaster 127.0.0.1 {} 2\n", master.port());
    let mut sentinels: Vec<Sentinel> = (0..3).map(|_| Sentinel::start(0, None, &conf)).collect();
    for s in &sentinels {
        s.wait_until(
            |s| {
                s.cli(&["SENTINEL", "CKQUORUM", "mymaster"])
                    .starts_with("OK 3 ")
            },
            "saw the two others",
        );
    }
    let hosts: Vec<String> = sentinels
        .iter()
        .map(|s| format!("127.0.0.1:{}", s.port()))
        .collect();
    let gone = sentinels.pop().expect("three Sentinels");
    let gone_port = gone.port();
    drop(gone);
    let url = format!("redis+sentinel://{}/mymaster", hosts.join(","));
    let run = both(&[&url]);
    run.assert_code(0);
    let c = run.check("sentinel");
    assert_eq!(c["status"], "warn", "{c}");
    let summary = c["summary"].as_str().unwrap();
    assert!(
        summary.contains("2 of 3 Sentinels agree")
            && summary.contains(&format!(
                "1 of 3 Sentinels did not answer: 127.0.0.1:{gone_port}"
            )),
        "{summary}"
    );
    assert_eq!(run.status("master"), "pass");
    assert_eq!(run.status("replicas"), "pass");
}
