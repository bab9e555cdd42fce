//! `--format openmetrics`, `--output FILE` and `redcheck serve`, checked by the real consumers:
//! Debian's `promtool check metrics` reads every scenario's output, and a real `prometheus`
//! scrapes `serve` (see `metrics/prometheus.rs`).

mod prometheus;
mod serve;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use crate::support::redis::find_binary;
use crate::support::run::{Run, SECRET, redcheck, secret_url};
use crate::support::{LeafSpec, Pki, RedisServer, unused_port};

/// The one line printed when Prometheus' tools are missing: tests never skip silently.
const PROMETHEUS_REQUIRED: &str = "promtool and prometheus are required: run scripts/test (it installs them), or apt-get install prometheus";

/// `promtool check metrics` on `text`; panics with promtool's words when it objects.
fn promtool_accepts(text: &str, what: &str) {
    let promtool = find_binary("REDCHECK_PROMTOOL", "promtool")
        .unwrap_or_else(|| panic!("{PROMETHEUS_REQUIRED}"));
    let mut child = Command::new(promtool)
        .args(["check", "metrics"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run promtool");
    child
        .stdin
        .take()
        .expect("promtool's stdin")
        .write_all(text.as_bytes())
        .expect("feed promtool");
    let out = child.wait_with_output().expect("wait for promtool");
    assert!(
        out.status.success() && out.stdout.is_empty() && out.stderr.is_empty(),
        "promtool check metrics rejected {what} ({}):\n{}{}\n--- the text:\n{text}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The value of the one sample whose line starts with `prefix` (name and labels).
fn value(text: &str, prefix: &str) -> f64 {
    let hits: Vec<&str> = text
        .lines()
        .filter_map(|l| l.strip_prefix(prefix))
        .filter_map(|rest| rest.strip_prefix(' '))
        .collect();
    assert_eq!(hits.len(), 1, "want one sample {prefix}:\n{text}");
    hits[0].parse().expect("a sample value")
}

/// Runs `redcheck ARGS… --format openmetrics`, checks the text with promtool and the
/// password's absence, and returns the run.
fn openmetrics(what: &str, args: &[&str]) -> Run {
    let mut all = args.to_vec();
    all.extend(["--format", "openmetrics"]);
    let run = redcheck(&all);
    run.assert_no_secret();
    assert!(run.stdout.ends_with("# EOF\n"), "{what}:\n{}", run.stdout);
    promtool_accepts(&run.stdout, what);
    run
}

/// `redis://:****@127.0.0.1:PORT/0`: how a target with the test password is labelled.
fn masked(scheme: &str, port: u16) -> String {
    format!("{scheme}://:****@127.0.0.1:{port}/0")
}

#[test]
fn promtool_accepts_pass_warn_fail_tls_and_several_targets() {
    let plain = RedisServer::builder().password(SECRET).start();
    let full = RedisServer::builder()
        .password(SECRET)
        .arg("maxmemory", "100mb")
        .arg("maxmemory-policy", "noeviction")
        .start();
    let pki = Pki::new();
    let files = pki.server_with(LeafSpec::valid(&["127.0.0.1"]));
    let tls = RedisServer::builder().password(SECRET).tls(&files).start();
    let tls_port = tls.tls_port().expect("a TLS port");
    let ca = pki.ca_pem();
    let refused = unused_port();

    let pass_url = secret_url("redis", plain.port());
    let pass = openmetrics("a passing target", &[&pass_url]);
    pass.assert_code(0);
    let t = masked("redis", plain.port());
    assert_eq!(
        value(&pass.stdout, &format!("redcheck_up{{target=\"{t}\"}}")),
        1.0
    );
    let ping = format!("redcheck_ping_seconds_count{{target=\"{t}\"}}");
    assert_eq!(value(&pass.stdout, &ping), 10.0);
    let info = format!("redcheck_info{{target=\"{t}\",server=\"redis\",version=\"");
    assert!(pass.stdout.contains(&info), "{}", pass.stdout);

    let warn_url = secret_url("redis", full.port());
    let warn = openmetrics("a warning", &[&warn_url, "--use", "cache"]);
    warn.assert_code(0);
    let t = masked("redis", full.port());
    let eviction = format!("redcheck_check_status{{target=\"{t}\",check=\"eviction\"}}");
    assert_eq!(value(&warn.stdout, &eviction), 2.0);
    let ratio = value(
        &warn.stdout,
        &format!("redcheck_memory_used_ratio{{target=\"{t}\"}}"),
    );
    assert!(ratio > 0.0 && ratio < 0.1, "{ratio}");

    let fail_url = secret_url("redis", refused);
    let fail = openmetrics("a failure", &[&fail_url]);
    fail.assert_code(1);
    let t = masked("redis", refused);
    assert_eq!(
        value(&fail.stdout, &format!("redcheck_up{{target=\"{t}\"}}")),
        0.0
    );
    let tcp = format!("redcheck_check_status{{target=\"{t}\",check=\"tcp\",reason=\"refused\"}}");
    assert_eq!(value(&fail.stdout, &tcp), 3.0);

    let tls_url = secret_url("rediss", tls_port);
    let ca_arg = ca.to_str().expect("a UTF-8 path");
    let over_tls = openmetrics("a TLS target", &[&tls_url, "--cacert", ca_arg]);
    over_tls.assert_code(0);
    let t = masked("rediss", tls_port);
    let expiry = value(
        &over_tls.stdout,
        &format!("redcheck_tls_cert_expiry_timestamp_seconds{{target=\"{t}\"}}"),
    );
    assert_eq!(expiry, not_after(&files.cert));

    let several = openmetrics(
        "several targets",
        &[
            &pass_url, &warn_url, &fail_url, &tls_url, "--cacert", ca_arg,
        ],
    );
    several.assert_code(1);
    assert_eq!(
        several.stdout.matches("# TYPE redcheck_up gauge").count(),
        1
    );
    assert_eq!(several.stdout.matches("redcheck_up{").count(), 4);

    // The subcommands that keep part of the checklist give the metrics of that part.
    let tls_only = openmetrics("redcheck tls", &["tls", &tls_url, "--cacert", ca_arg]);
    tls_only.assert_code(0);
    assert!(
        tls_only
            .stdout
            .contains("redcheck_tls_cert_expiry_timestamp_seconds{"),
        "{}",
        tls_only.stdout
    );
    openmetrics("redcheck memory", &["memory", &warn_url]).assert_code(0);
    let latency = openmetrics(
        "redcheck latency",
        &["latency", &pass_url, "--count", "20", "--interval", "1ms"],
    );
    let t = masked("redis", plain.port());
    let count = format!("redcheck_ping_seconds_count{{target=\"{t}\"}}");
    assert_eq!(value(&latency.stdout, &count), 20.0);

    // wait's final report is the same text.
    let waited = openmetrics(
        "wait's final report",
        &["wait", &pass_url, "--timeout", "5s"],
    );
    waited.assert_code(0);
    assert!(waited.stdout.contains("redcheck_up{"), "{}", waited.stdout);
}

/// The leaf's notAfter as Unix seconds, read by `openssl x509` and `date`, not by redcheck.
fn not_after(cert: &Path) -> f64 {
    let out = Command::new("openssl")
        .args(["x509", "-noout", "-enddate", "-in"])
        .arg(cert)
        .output()
        .expect("run openssl x509");
    let text = String::from_utf8_lossy(&out.stdout);
    let when = text
        .trim()
        .strip_prefix("notAfter=")
        .unwrap_or_else(|| panic!("openssl x509 -enddate said: {text}"));
    let out = Command::new("date")
        .args(["-u", "-d", when, "+%s"])
        .output()
        .expect("run date");
    String::from_utf8_lossy(&out.stdout)
        .trim()
        .parse()
        .unwrap_or_else(|_| panic!("date -d '{when}' said: {out:?}"))
}

#[test]
fn output_file_is_replaced_whole_and_stdout_stays_empty() {
    let server = RedisServer::start();
    let dir = tempfile::tempdir().expect("a temp dir");
    let file = dir.path().join("redcheck.prom");
    std::fs::write(&file, "stale\n").expect("seed the file");
    let path = file.to_str().expect("a UTF-8 path");
    let run = redcheck(&[&server.url(), "--format", "openmetrics", "--output", path]);
    run.assert_code(0);
    assert_eq!(run.stdout, "");
    let text = std::fs::read_to_string(&file).expect("read the output");
    assert!(text.ends_with("# EOF\n"), "{text}");
    promtool_accepts(&text, "the --output file");
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .expect("list the dir")
        .map(|e| e.expect("an entry").file_name())
        .collect();
    assert_eq!(names, ["redcheck.prom"], "a temporary file was left behind");

    // A failing target still writes its file (the collector must see it down), exit 1.
    let down = format!("redis://127.0.0.1:{}", unused_port());
    redcheck(&[&down, "--format", "openmetrics", "--output", path]).assert_code(1);
    let text = std::fs::read_to_string(&file).expect("read the output");
    assert!(
        text.contains("redcheck_up{target=\"redis://127.0.0.1:"),
        "{text}"
    );
    assert!(text.contains("} 0\n"), "{text}");

    let nowhere = redcheck(&[&down, "--output", "/nonexistent-dir/x.prom"]);
    nowhere.assert_code(2);
    assert!(nowhere.stderr.contains("--output"), "{}", nowhere.stderr);
}

#[test]
fn url_has_no_metrics_to_give() {
    let run = redcheck(&["url", "redis://h:6379", "--format", "openmetrics"]);
    run.assert_code(2);
    assert!(run.stderr.contains("openmetrics"), "{}", run.stderr);
}

/// A `redcheck serve` process on a free loopback port, killed on drop.
struct Serve {
    child: Child,
    port: u16,
}

impl Serve {
    /// Starts `redcheck serve --listen 127.0.0.1:0 ARGS…` with `env`, and reads the port it
    /// bound from its first line on stderr.
    fn start(args: &[&str], env: &[(&str, &str)]) -> Serve {
        let mut cmd = crate::support::run::cmd();
        cmd.args(["serve", "--listen", "127.0.0.1:0"]).args(args);
        cmd.envs(env.iter().copied());
        cmd.stdout(Stdio::null()).stderr(Stdio::piped());
        let mut child = cmd.spawn().expect("start redcheck serve");
        let mut stderr = child.stderr.take().expect("serve's stderr");
        let mut line = Vec::new();
        let mut byte = [0u8; 1];
        while stderr.read(&mut byte).is_ok_and(|n| n == 1) && byte[0] != b'\n' {
            line.push(byte[0]);
        }
        let line = String::from_utf8_lossy(&line).into_owned();
        let port = line
            .split("http://127.0.0.1:")
            .nth(1)
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| {
                let _ = child.kill();
                panic!("redcheck serve did not say where it listens: {line:?}")
            });
        Serve { child, port }
    }

    /// The server's resident memory in KiB, from /proc.
    fn rss_kib(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .expect("read /proc/PID/status");
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|v| v.parse().ok())
            .expect("VmRSS in /proc/PID/status")
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An HTTP answer.
#[derive(Debug)]
struct Answer {
    status: u16,
    head: String,
    body: String,
}

/// Sends `request` (raw bytes) to 127.0.0.1:`port` and reads the answer to EOF, each read
/// bounded by `timeout`.
fn send(port: u16, request: &[u8], timeout: Duration) -> Answer {
    let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connect to serve");
    s.set_read_timeout(Some(timeout))
        .expect("set a read timeout");
    s.write_all(request).expect("send the request");
    let mut raw = Vec::new();
    s.read_to_end(&mut raw)
        .unwrap_or_else(|e| panic!("read the answer ({e}); got so far: {raw:?}"));
    parse_answer(&raw)
}

/// `GET path`, or `None` when nothing answers (a server still starting).
fn try_get(port: u16, path: &str, headers: &str) -> Option<Answer> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    let req =
        format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n{headers}\r\n");
    s.write_all(req.as_bytes()).ok()?;
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).ok()?;
    raw.windows(4)
        .any(|w| w == b"\r\n\r\n")
        .then(|| parse_answer(&raw))
}

fn parse_answer(raw: &[u8]) -> Answer {
    let text = String::from_utf8_lossy(raw).into_owned();
    let (head, body) = text
        .split_once("\r\n\r\n")
        .unwrap_or_else(|| panic!("no HTTP head in {text:?}"));
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status in {head:?}"));
    Answer {
        status,
        head: head.to_string(),
        body: body.to_string(),
    }
}

/// `GET path` with extra header lines.
fn get(port: u16, path: &str, headers: &str) -> Answer {
    let req = format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{headers}\r\n");
    send(port, req.as_bytes(), Duration::from_secs(15))
}
