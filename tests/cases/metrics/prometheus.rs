//! End to end: a real `prometheus` scrapes `redcheck serve` (the blackbox relabelling from the
//! README) every second; its HTTP API must show `redcheck_up` at 1 for a live redis-server,
//! then 0 once that server is stopped.

use std::fs;
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use serde_json::Value;

use super::{PROMETHEUS_REQUIRED, Serve, try_get};
use crate::support::redis::find_binary;
use crate::support::run::SECRET;
use crate::support::{RedisServer, unused_port};

/// How long Prometheus may take to start and to see a change (scrapes are 1 s apart).
const SETTLE: Duration = Duration::from_secs(20);

/// A prometheus process with its own config and TSDB in a temp dir, killed on drop.
struct Prometheus {
    child: Child,
    port: u16,
    dir: tempfile::TempDir,
}

impl Prometheus {
    /// Starts prometheus scraping `/probe?target=NAME` and `/metrics` of `serve_port`.
    fn start(serve_port: u16, name: &str) -> Prometheus {
        let binary = find_binary("REDCHECK_PROMETHEUS", "prometheus")
            .unwrap_or_else(|| panic!("{PROMETHEUS_REQUIRED}"));
        let dir = tempfile::Builder::new()
            .prefix("redcheck-prometheus-")
            .tempdir()
            .expect("a temp dir for prometheus");
        // The README's scrape_configs, with a 1 s interval.
        let config = format!(
            "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n\
             scrape_configs:\n\
             \x20 - job_name: redcheck\n\
             \x20   metrics_path: /probe\n\
             \x20   static_configs:\n\
             \x20     - targets: [{name}]\n\
             \x20   relabel_configs:\n\
             \x20     - source_labels: [__address__]\n\
             \x20       target_label: __param_target\n\
             \x20     - source_labels: [__param_target]\n\
             \x20       target_label: instance\n\
             \x20     - target_label: __address__\n\
             \x20       replacement: 127.0.0.1:{serve_port}\n\
             \x20 - job_name: redcheck-self\n\
             \x20   static_configs:\n\
             \x20     - targets: ['127.0.0.1:{serve_port}']\n"
        );
        let config_path = dir.path().join("prometheus.yml");
        fs::write(&config_path, config).expect("write prometheus.yml");
        let log = fs::File::create(dir.path().join("prometheus.log")).expect("create the log");
        let port = unused_port();
        let child = Command::new(binary)
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
        Prometheus { child, port, dir }
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
fn prometheus_sees_a_target_go_up_then_down() {
    let server = RedisServer::builder().password(SECRET).start();
    let redis_port = server.port();
    let dir = tempfile::tempdir().expect("a temp dir");
    let targets = dir.path().join("targets.toml");
    fs::write(
        &targets,
        format!(
            "[targets.cache]\nurl = \"redis://127.0.0.1:{redis_port}\"\npassword_env = \"CACHE_REDIS_PASSWORD\"\n"
        ),
    )
    .expect("write the targets file");
    let targets = targets.to_str().expect("a UTF-8 path");
    let serve = Serve::start(&["--targets", targets], &[("CACHE_REDIS_PASSWORD", SECRET)]);
    let mut prometheus = Prometheus::start(serve.port, "cache");

    let up =
        format!("redcheck_up{{target=\"redis://127.0.0.1:{redis_port}/0\",instance=\"cache\"}}");
    let first = prometheus.wait_for(&up, "1");
    // Both scrapes parsed: the probe (OpenMetrics, as Prometheus asks) and serve's counters.
    prometheus.wait_for("up{job=\"redcheck\"}", "1");
    prometheus.wait_for("up{job=\"redcheck-self\"}", "1");
    prometheus.wait_for("redcheck_ping_seconds_count{instance=\"cache\"}", "10");

    drop(server);
    let then = prometheus.wait_for(&up, "0");
    let refused = "redcheck_check_status{instance=\"cache\",check=\"tcp\",reason=\"refused\"}";
    prometheus.wait_for(refused, "3");
    eprintln!(
        "prometheus saw redcheck_up=1 after {first:?} and 0 {then:?} after the server stopped"
    );
}
