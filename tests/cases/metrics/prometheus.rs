//! End to end: a real `prometheus` runs the README's `scrape_configs` (the blackbox
//! relabelling) and alert rules against `redcheck serve` and real redis-servers, with the
//! intervals shortened to 1 s. Its HTTP API must show `redcheck_up` at 1, then 0 once a
//! server stops, and both alerts must go pending.

use std::fs;
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use serde_json::Value;

use super::{PROMETHEUS_REQUIRED, Serve, try_get};
use crate::support::redis::find_binary;
use crate::support::run::SECRET;
use crate::support::{LeafSpec, Pki, RedisServer, unused_port};

/// How long Prometheus may take to start and to see a change (scrapes are 1 s apart).
const SETTLE: Duration = Duration::from_secs(20);

/// The README's fenced ```yaml block that contains `marker`.
fn readme_yaml(marker: &str) -> String {
    let readme = include_str!("../../../README.md");
    readme
        .split("```yaml\n")
        .skip(1)
        .filter_map(|rest| rest.split_once("```").map(|(block, _)| block))
        .find(|block| block.contains(marker))
        .unwrap_or_else(|| panic!("no ```yaml block with {marker} in README.md"))
        .to_string()
}

/// `promtool check ARGS… FILE`; panics with promtool's words when it objects.
fn promtool_check(args: &[&str], file: &std::path::Path) {
    let promtool = find_binary("REDCHECK_PROMTOOL", "promtool")
        .unwrap_or_else(|| panic!("{PROMETHEUS_REQUIRED}"));
    let out = Command::new(promtool)
        .arg("check")
        .args(args)
        .arg(file)
        .output()
        .expect("run promtool");
    assert!(
        out.status.success(),
        "promtool check {args:?} rejected the README's YAML:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A prometheus process with its own config and TSDB in a temp dir, killed on drop.
struct Prometheus {
    child: Child,
    port: u16,
    dir: tempfile::TempDir,
}

impl Prometheus {
    /// Starts prometheus with the README's scrape_configs and rules, pointed at serve on
    /// `serve_port`, every interval 1 s.
    fn start(serve_port: u16) -> Prometheus {
        let binary = find_binary("REDCHECK_PROMETHEUS", "prometheus")
            .unwrap_or_else(|| panic!("{PROMETHEUS_REQUIRED}"));
        let mut dir = tempfile::Builder::new()
            .prefix("redcheck-prometheus-")
            .tempdir()
            .expect("a temp dir for prometheus");
        let scrape = readme_yaml("scrape_configs:")
            .replace("scrape_interval: 30s", "scrape_interval: 1s")
            .replace("scrape_timeout: 10s", "scrape_timeout: 1s")
            .replace(
                "redcheck.monitoring.svc:9121",
                &format!("127.0.0.1:{serve_port}"),
            );
        let config = format!(
            "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nrule_files: [rules.yml]\n{scrape}"
        );
        fs::write(dir.path().join("rules.yml"), readme_yaml("groups:")).expect("write rules.yml");
        let config_path = dir.path().join("prometheus.yml");
        fs::write(&config_path, config).expect("write prometheus.yml");
        // A free port may be taken before prometheus binds it: try another, as the
        // redis-server guard does.
        for _ in 0..3 {
            let log = fs::File::create(dir.path().join("prometheus.log")).expect("create the log");
            let port = unused_port();
            let child = Command::new(&binary)
                .arg(format!("--config.file={}", config_path.display()))
                .arg(format!(
                    "--storage.tsdb.path={}",
                    dir.path().join("data").display()
                ))
                .arg(format!("--web.listen-address=127.0.0.1:{port}"))
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(log)
                .spawn()
                .expect("start prometheus");
            let mut p = Prometheus { child, port, dir };
            match p.wait_ready() {
                Ok(()) => return p,
                Err(log) if log.contains("address already in use") => {
                    dir = std::mem::replace(&mut p.dir, tempfile::tempdir().expect("a temp dir"));
                }
                Err(log) => panic!("prometheus did not start:\n{log}"),
            }
        }
        panic!("prometheus lost the race for a free port 3 times");
    }

    /// Waits for `/-/ready`; the error is the log's tail when prometheus exits or never is.
    fn wait_ready(&mut self) -> Result<(), String> {
        let start = Instant::now();
        while start.elapsed() < SETTLE {
            if let Ok(Some(_)) = self.child.try_wait() {
                return Err(self.log());
            }
            if try_get(self.port, "/-/ready", "").is_some_and(|a| a.status == 200) {
                return Ok(());
            }
            thread::sleep(Duration::from_millis(100));
        }
        Err(self.log())
    }

    /// The value of an instant query's only result, if it has one yet.
    fn query(&self, promql: &str) -> Option<String> {
        let path = format!("/api/v1/query?query={}", encode(promql));
        let answer = try_get(self.port, &path, "")?;
        let json: Value = serde_json::from_str(&answer.body).ok()?;
        let result = json["data"]["result"].as_array()?;
        (result.len() == 1)
            .then(|| result[0]["value"][1].as_str().map(str::to_string))
            .flatten()
    }

    /// Polls `promql` until it reads `want`, or panics with prometheus' log after [`SETTLE`].
    fn wait_for(&mut self, promql: &str, want: &str) -> Duration {
        let start = Instant::now();
        loop {
            if self.query(promql).as_deref() == Some(want) {
                return start.elapsed();
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("prometheus exited ({status}):\n{}", self.log());
            }
            assert!(
                start.elapsed() < SETTLE,
                "{promql} did not read {want} within {SETTLE:?} (last: {:?});\nprometheus log:\n{}",
                self.query(promql),
                self.log()
            );
            thread::sleep(Duration::from_millis(200));
        }
    }

    fn log(&self) -> String {
        let text = fs::read_to_string(self.dir.path().join("prometheus.log")).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(30)..].join("\n")
    }
}

impl Drop for Prometheus {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Percent-encodes a query value.
fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[test]
fn the_readmes_scrape_config_and_alert_rules_pass_promtool() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let config = dir.path().join("prometheus.yml");
    fs::write(&config, readme_yaml("scrape_configs:")).expect("write prometheus.yml");
    promtool_check(&["config"], &config);
    let rules = dir.path().join("rules.yml");
    fs::write(&rules, readme_yaml("groups:")).expect("write rules.yml");
    promtool_check(&["rules"], &rules);
}

#[test]
fn prometheus_sees_targets_go_up_then_down_and_raises_both_alerts() {
    // The README's names: orders-cache over TLS (a certificate with 10 days left), jobs plain.
    let pki = Pki::new();
    let tls = RedisServer::builder()
        .password(SECRET)
        .tls_only(&pki.server_with(LeafSpec::expiring_in(&["127.0.0.1"], 10)))
        .start();
    let tls_port = tls.tls_port().expect("a TLS port");
    let jobs = RedisServer::builder().password(SECRET).start();
    let jobs_port = jobs.port();
    let dir = tempfile::tempdir().expect("a temp dir");
    let pw_file = dir.path().join("jobs-password");
    fs::write(&pw_file, format!("{SECRET}\n")).expect("write the password file");
    let targets = dir.path().join("targets.toml");
    fs::write(
        &targets,
        format!(
            "[targets.orders-cache]\nurl = \"rediss://127.0.0.1:{tls_port}/0\"\npassword_env = \"ORDERS_CACHE_PASSWORD\"\nuse = \"cache\"\n\
             [targets.jobs]\nurl = \"redis://127.0.0.1:{jobs_port}\"\npassword_file = '{}'\nuse = \"queue\"\n",
            pw_file.display()
        ),
    )
    .expect("write the targets file");
    let ca = pki.ca_pem();
    let serve = Serve::start(
        &[
            "--targets",
            targets.to_str().expect("a UTF-8 path"),
            "--cacert",
            ca.to_str().expect("a UTF-8 path"),
        ],
        &[("ORDERS_CACHE_PASSWORD", SECRET)],
    );
    let mut prometheus = Prometheus::start(serve.port);

    let jobs_up =
        format!("redcheck_up{{target=\"redis://127.0.0.1:{jobs_port}/0\",instance=\"jobs\"}}");
    let first = prometheus.wait_for(&jobs_up, "1");
    prometheus.wait_for("redcheck_up{instance=\"orders-cache\"}", "1");
    // Every scrape parsed: the probes (OpenMetrics, as Prometheus asks) and serve's counters.
    prometheus.wait_for("count(up{job=\"redcheck\"} == 1)", "2");
    prometheus.wait_for("up{job=\"redcheck-self\"}", "1");
    prometheus.wait_for("redcheck_ping_seconds_count{instance=\"jobs\"}", "10");
    prometheus.wait_for(
        "ALERTS{alertname=\"RedisTLSCertificateExpiresSoon\",instance=\"orders-cache\"}",
        "1",
    );

    drop(jobs);
    let then = prometheus.wait_for(&jobs_up, "0");
    let refused = "redcheck_check_status{instance=\"jobs\",check=\"tcp\",reason=\"refused\"}";
    prometheus.wait_for(refused, "3");
    prometheus.wait_for(
        "ALERTS{alertname=\"RedisTargetDown\",instance=\"jobs\",alertstate=\"pending\"}",
        "1",
    );
    prometheus.wait_for("redcheck_up{instance=\"orders-cache\"}", "1");
    eprintln!(
        "prometheus saw redcheck_up=1 after {first:?}, and 0 {then:?} after the server stopped"
    );
}
