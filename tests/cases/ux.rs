//! Everyday ergonomics, end to end: `wait`, many targets, `--format github`, passwords from
//! outside the URL, `url`, and the committed completions and manual page.
//!
//! The tests run the real binary against `redis-server` processes they start themselves, and
//! against listeners that accept and never answer (a server that hangs).

use std::io::Read;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use assert_cmd::cargo::CommandCargoExt;

/// A `redis-server` on a free loopback port, killed on drop.
struct RedisServer {
    port: u16,
    child: Child,
}

impl RedisServer {
    /// Starts a server with no persistence on a free port.
    fn start(extra: &[&str]) -> RedisServer {
        RedisServer::on(free_port(), extra)
    }

    /// Starts a server on `port` and waits until it accepts connections.
    fn on(port: u16, extra: &[&str]) -> RedisServer {
        let child = Command::new("redis-server")
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no"])
            .args(extra)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!("redis-server is required: run scripts/test (it installs it) ({e})")
            });
        let server = RedisServer { port, child };
        let until = Instant::now() + Duration::from_secs(5);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < until,
                "redis-server did not start on {port}"
            );
            thread::sleep(Duration::from_millis(10));
        }
        server
    }

    fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.child.kill().ok();
        self.child.wait().ok();
    }
}

/// A port nothing listens on (bound, then released).
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// A listener that accepts connections and never answers: each check runs into its deadline.
fn silent_server() -> (String, TcpListener) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!(
        "redis://127.0.0.1:{}",
        listener.local_addr().unwrap().port()
    );
    let l = listener.try_clone().unwrap();
    thread::spawn(move || {
        let mut held = Vec::new();
        for s in l.incoming().flatten() {
            held.push(s);
        }
    });
    (url, listener)
}

/// The binary with an environment that cannot leak into the test.
fn redcheck() -> Command {
    let mut cmd = Command::cargo_bin("redcheck").expect("the binary");
    for var in [
        "REDIS_URL",
        "REDISCLI_AUTH",
        "GITHUB_STEP_SUMMARY",
        "CACHE_URL",
    ] {
        cmd.env_remove(var);
    }
    cmd.env("NO_COLOR", "1").stdin(Stdio::null());
    cmd
}

/// Runs to completion; returns (exit code, stdout, stderr, wall time).
fn run(cmd: &mut Command) -> (i32, String, String, Duration) {
    let started = Instant::now();
    let out = cmd.output().expect("run redcheck");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        started.elapsed(),
    )
}

fn json_lines(stdout: &str) -> Vec<serde_json::Value> {
    stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

fn check<'a>(report: &'a serde_json::Value, id: &str) -> &'a serde_json::Value {
    report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .unwrap_or_else(|| panic!("no {id} check in {report}"))
}

// ---------------------------------------------------------------- wait

#[test]
fn wait_passes_as_soon_as_a_late_server_is_up() {
    let port = free_port();
    let url = format!("redis://127.0.0.1:{port}");
    let started = Instant::now();
    let mut child = redcheck()
        .args(["wait", &url, "--timeout", "10s", "--interval", "100ms"])
        .args(["--max-interval", "200ms", "--format", "json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    thread::sleep(Duration::from_millis(600));
    let _server = RedisServer::on(port, &[]);
    let up = started.elapsed();
    let status = child.wait().unwrap();
    let done = started.elapsed();
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    let mut stdout = String::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut stdout)
        .unwrap();
    assert_eq!(status.code(), Some(0), "{stderr}");
    // One pause (200 ms at most) plus one attempt after the server came up.
    assert!(
        done - up < Duration::from_millis(900),
        "up at {up:?}, done at {done:?}"
    );
    assert!(stderr.contains("attempt 1 failed"), "{stderr}");
    assert!(stderr.contains("ready after"), "{stderr}");
    assert_eq!(json_lines(&stdout)[0]["verdict"], "pass");
}

#[test]
fn wait_gives_up_at_the_deadline_with_the_last_report() {
    let url = format!("redis://127.0.0.1:{}", free_port());
    let (code, stdout, stderr, took) =
        run(redcheck().args(["wait", &url, "--timeout", "1500ms", "--interval", "200ms"]));
    assert_eq!(code, 1, "{stderr}");
    assert!(
        took >= Duration::from_millis(1300) && took < Duration::from_millis(2500),
        "{took:?}"
    );
    // Not a terminal: one plain line per failed attempt, then the verdict, all on stderr.
    assert!(
        stderr.contains("attempt 1 failed at 0.0 s: tcp:"),
        "{stderr}"
    );
    assert!(stderr.contains("attempt 2 failed"), "{stderr}");
    assert!(stderr.contains("gave up after"), "{stderr}");
    assert!(stdout.contains("✘ tcp"), "{stdout}");
    assert!(!stdout.contains("attempt"), "stdout stays clean: {stdout}");
}

#[test]
fn wait_answers_at_once_when_the_server_is_healthy() {
    let server = RedisServer::start(&[]);
    let (code, _, stderr, took) =
        run(redcheck().args(["wait", &server.url(), "--interval", "5s", "-q"]));
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("ready after 1 attempt in"), "{stderr}");
    assert!(took < Duration::from_secs(2), "{took:?}");
}

#[test]
fn wait_attempt_never_outlives_the_overall_timeout() {
    let (url, _listener) = silent_server();
    let (code, _, stderr, took) =
        run(redcheck().args(["wait", &url, "--timeout", "1s", "--attempt-timeout", "30s"]));
    assert_eq!(code, 1, "{stderr}");
    assert!(took < Duration::from_millis(1800), "{took:?}: {stderr}");
}

#[test]
fn wait_does_not_retry_a_url_that_cannot_parse() {
    let (code, _, stderr, took) = run(redcheck().args(["wait", "http://h", "--timeout", "5s"]));
    assert_eq!(code, 1);
    assert!(stderr.contains("retrying would not help"), "{stderr}");
    assert!(took < Duration::from_secs(2), "{took:?}");
}

// ---------------------------------------------------------------- many targets

#[test]
fn many_targets_run_concurrently_keep_order_and_exit_with_the_worst() {
    let server = RedisServer::start(&[]);
    let refused = format!("redis://127.0.0.1:{}", free_port());
    let silent: Vec<(String, TcpListener)> = (0..3).map(|_| silent_server()).collect();
    let mut urls = vec![silent[0].0.clone(), server.url(), refused.clone()];
    urls.extend(silent[1..].iter().map(|(u, _)| u.clone()));
    let (code, stdout, stderr, took) =
        run(redcheck()
            .args(&urls)
            .args(["--timeout", "1s", "--format", "json"]));
    assert_eq!(code, 1, "{stderr}");
    // Three targets each hang for the whole 1 s: together they must still take about 1 s.
    assert!(took < Duration::from_millis(1800), "{took:?}");
    let reports = json_lines(&stdout);
    let shown: Vec<String> = reports
        .iter()
        .map(|r| {
            r["target"]["url"]
                .as_str()
                .unwrap()
                .strip_suffix("/0")
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(shown, urls);
    let verdicts: Vec<&str> = reports
        .iter()
        .map(|r| r["verdict"].as_str().unwrap())
        .collect();
    assert_eq!(verdicts, ["fail", "pass", "fail", "fail", "fail"]);
}

#[test]
fn many_targets_end_with_a_summary_line() {
    let server = RedisServer::start(&[]);
    let refused = format!("redis://127.0.0.1:{}", free_port());
    let (code, stdout, _, _) = run(redcheck().args([&server.url(), &refused]));
    assert_eq!(code, 1);
    assert!(
        stdout
            .trim_end()
            .ends_with("2 targets: 1 passed, 0 with warnings, 1 failed"),
        "{stdout}"
    );
}

#[test]
fn env_names_add_targets_after_the_arguments() {
    let server = RedisServer::start(&[]);
    let refused = format!("redis://127.0.0.1:{}", free_port());
    let (code, stdout, stderr, _) = run(redcheck()
        .args([&refused, "--env", "CACHE_URL", "--format", "json"])
        .env("CACHE_URL", server.url()));
    assert_eq!(code, 1, "{stderr}");
    let reports = json_lines(&stdout);
    assert_eq!(reports.len(), 2);
    assert_eq!(reports[1]["verdict"], "pass");

    let (code, _, stderr, _) = run(redcheck().args([&refused, "--env", "CACHE_URL"]));
    assert_eq!(code, 2);
    assert!(stderr.contains("--env CACHE_URL"), "{stderr}");
}

// ---------------------------------------------------------------- --format github

#[test]
fn github_format_annotates_problems_and_appends_a_step_summary() {
    let server = RedisServer::start(&[]);
    let refused = format!("redis://127.0.0.1:{}", free_port());
    let dir = tempfile::tempdir().unwrap();
    let summary = dir.path().join("summary.md");
    std::fs::write(&summary, "earlier step\n").unwrap();
    let (code, stdout, _, _) = run(redcheck()
        .args([
            &server.url(),
            &refused,
            "--format",
            "github",
            "--color",
            "auto",
        ])
        .env_remove("NO_COLOR")
        .env("GITHUB_STEP_SUMMARY", &summary));
    assert_eq!(code, 1);
    let annotations: Vec<&str> = stdout.lines().filter(|l| l.starts_with("::")).collect();
    assert_eq!(annotations.len(), 1, "{stdout}");
    assert!(
        annotations[0].starts_with(&format!("::error title=redcheck tcp::{refused}/0: ")),
        "{}",
        annotations[0]
    );
    assert!(
        annotations[0].contains("%0A→ "),
        "hint on its own line: {}",
        annotations[0]
    );
    assert!(!stdout.contains('\u{1b}'), "no colour in GitHub logs");
    assert!(
        stdout.contains("✓ ping"),
        "the checklist stays in the log: {stdout}"
    );
    let md = std::fs::read_to_string(&summary).unwrap();
    assert!(
        md.starts_with("earlier step\n### ✅ redcheck"),
        "appended: {md}"
    );
    assert!(md.contains("| ❌ | tcp |"), "{md}");
}

#[test]
fn github_format_is_quiet_about_passing_targets() {
    let server = RedisServer::start(&[]);
    let (code, stdout, _, _) = run(redcheck().args([&server.url(), "--format", "github"]));
    assert_eq!(code, 0);
    assert!(
        !stdout.lines().any(|l| l.starts_with("::error")),
        "{stdout}"
    );
}

// ---------------------------------------------------------------- passwords outside argv

#[test]
fn password_file_is_used_and_its_newline_stripped() {
    let server = RedisServer::start(&["--requirepass", "s3cret-pw"]);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("pw");
    std::fs::write(&file, "s3cret-pw\n").unwrap();
    let (code, stdout, stderr, _) = run(redcheck()
        .args([&server.url(), "--format", "json", "--password-file"])
        .arg(&file));
    assert_eq!(code, 0, "{stdout}{stderr}");
    let url = check(&json_lines(&stdout)[0], "url").clone();
    assert_eq!(url["data"]["password_source"], "password-file");
    assert_eq!(url["data"]["password_newline_stripped"], true);
    assert!(
        url["summary"]
            .as_str()
            .unwrap()
            .contains("trailing newline stripped")
    );
    assert!(!stdout.contains("s3cret-pw") && !stderr.contains("s3cret-pw"));
    assert_eq!(
        json_lines(&stdout)[0]["target"]["url"],
        format!("{}/0", server.url())
    );
}

#[test]
fn rediscli_auth_is_read_like_redis_cli_does() {
    let server = RedisServer::start(&["--requirepass", "s3cret-pw"]);
    let (code, stdout, _, _) = run(redcheck()
        .args([&server.url(), "--format", "json"])
        .env("REDISCLI_AUTH", "s3cret-pw"));
    assert_eq!(code, 0, "{stdout}");
    assert_eq!(
        check(&json_lines(&stdout)[0], "url")["data"]["password_source"],
        "REDISCLI_AUTH"
    );
    assert!(!stdout.contains("s3cret-pw"));

    let (code, stdout, _, _) = run(redcheck()
        .args([&server.url(), "--format", "json"])
        .env("REDISCLI_AUTH", "wrong"));
    assert_eq!(code, 1);
    assert_eq!(check(&json_lines(&stdout)[0], "auth")["status"], "fail");
}

#[test]
fn an_unreadable_password_file_is_a_usage_error() {
    let (code, _, stderr, _) =
        run(redcheck().args(["redis://127.0.0.1:1", "--password-file", "/nonexistent/pw"]));
    assert_eq!(code, 2);
    assert!(
        stderr.contains("--password-file /nonexistent/pw"),
        "{stderr}"
    );
}

// ---------------------------------------------------------------- url

#[test]
fn url_shows_parts_lints_and_every_client_without_the_password() {
    let raw = "REDISS://default:hunter2@cache.example.com:6380/0?foo=1";
    let (code, stdout, stderr, took) = run(redcheck().args(["url", raw]));
    assert_eq!(code, 0, "{stderr}");
    assert!(took < Duration::from_secs(2));
    assert!(!stdout.contains("hunter2"), "{stdout}");
    assert!(stdout.contains("rediss://default:****@cache.example.com:6380/0?foo=1"));
    assert!(stdout.contains("scheme-case"), "{stdout}");
    for client in [
        "redis-cli",
        "redis-py",
        "ioredis",
        "node-redis",
        "go-redis",
        "redis-rs",
        "Jedis",
        "Lettuce",
    ] {
        assert!(stdout.contains(client), "{client} missing:\n{stdout}");
    }
    assert!(stdout.contains("redis: unexpected option: foo"), "{stdout}");
    assert!(stdout.contains("TLS stays off"), "{stdout}");
}

#[test]
fn url_json_has_one_reading_per_client() {
    let (code, stdout, _, _) = run(redcheck()
        .args(["url", "--format", "json"])
        .env("REDIS_URL", "redis://hunter2@h/0"));
    assert_eq!(code, 0);
    assert!(!stdout.contains("hunter2"), "{stdout}");
    let r: serde_json::Value = serde_json::from_str(stdout.trim()).unwrap();
    let verdicts: Vec<(&str, &str)> = r["clients"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["client"].as_str().unwrap(),
                c["verdict"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        verdicts,
        [
            ("redis-cli", "same"),
            ("redis-py", "differs"),
            ("ioredis", "differs"),
            ("node-redis", "differs"),
            ("go-redis", "differs"),
            ("redis-rs", "differs"),
            ("Jedis", "rejects"),
            ("Lettuce", "same"),
        ]
    );
    assert_eq!(r["parts"]["password_set"], true);
}

#[test]
fn url_exits_1_for_a_url_redcheck_cannot_use() {
    let (code, stdout, _, _) = run(redcheck().args(["url", "redis+ssl://:pw@h:6380"]));
    assert_eq!(code, 1);
    assert!(stdout.contains("unsupported scheme"), "{stdout}");
    assert!(stdout.contains("read by: Lettuce"), "{stdout}");
    let (code, _, _, _) = run(redcheck().args(["url", "redis://h:6379", "--strict"]));
    assert_eq!(code, 1, "--strict counts the plaintext-remote warning");
}

// ---------------------------------------------------------------- completions and manual

/// Every generated file, and the arguments that print it.
const GENERATED: &[(&str, &[&str])] = &[
    ("completions/redcheck.bash", &["completions", "bash"]),
    ("completions/_redcheck", &["completions", "zsh"]),
    ("completions/redcheck.fish", &["completions", "fish"]),
    ("completions/_redcheck.ps1", &["completions", "powershell"]),
    ("completions/redcheck.elvish", &["completions", "elvish"]),
    ("doc/redcheck.1", &["man"]),
];

#[test]
fn committed_completions_and_manual_match_the_binary() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut stale = Vec::new();
    for (file, args) in GENERATED {
        let (code, fresh, stderr, _) = run(redcheck().args(*args));
        assert_eq!(code, 0, "{args:?}: {stderr}");
        let path: PathBuf = root.join(file);
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        if committed != fresh {
            stale.push(*file);
        }
    }
    assert!(
        stale.is_empty(),
        "{} differ from what the binary generates: run scripts/gen-completions and commit the result",
        stale.join(", ")
    );
}
