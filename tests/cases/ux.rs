//! Everyday ergonomics, end to end: `wait`, many targets, `--format github`, passwords from
//! outside the URL, `url`, and the committed completions and manual page.
//!
//! The tests run the real binary against `redis-server` processes they start themselves, and
//! against fake servers that accept and never answer (a server that hangs).

use std::path::Path;
use std::thread;
use std::time::{Duration, Instant};

use crate::support::run::{SECRET, both, cmd, redcheck, run};
use crate::support::{Behavior, FakeServer, RedisServer, unused_port};

// ---------------------------------------------------------------- wait

#[test]
fn wait_passes_as_soon_as_a_late_server_is_up() {
    let port = unused_port();
    let url = format!("redis://127.0.0.1:{port}");
    let started = Instant::now();
    let waiting = thread::spawn(move || {
        run(cmd()
            .args(["wait", &url, "--timeout", "10s", "--interval", "100ms"])
            .args(["--max-interval", "200ms", "--format", "json"]))
    });
    thread::sleep(Duration::from_millis(600));
    let _server = RedisServer::builder().port(port).start();
    let up = started.elapsed();
    let run = waiting.join().expect("the waiting run");
    let done = started.elapsed();
    run.assert_code(0);
    // One pause (200 ms at most) plus one attempt after the server came up.
    assert!(
        done - up < Duration::from_millis(900),
        "up at {up:?}, done at {done:?}"
    );
    assert!(run.stderr.contains("attempt 1 failed"), "{}", run.stderr);
    assert!(run.stderr.contains("ready after"), "{}", run.stderr);
    assert_eq!(run.report()["verdict"], "pass");
}

#[test]
fn wait_gives_up_at_the_deadline_with_the_last_report() {
    let url = format!("redis://127.0.0.1:{}", unused_port());
    let run = redcheck(&["wait", &url, "--timeout", "1500ms", "--interval", "200ms"]);
    run.assert_code(1);
    let (took, stdout, stderr) = (run.elapsed, &run.stdout, &run.stderr);
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
    let server = RedisServer::start();
    let run = redcheck(&["wait", &server.url(), "--interval", "5s", "-q"]);
    run.assert_code(0);
    assert!(
        run.stderr.contains("ready after 1 attempt in"),
        "{}",
        run.stderr
    );
    assert!(run.elapsed < Duration::from_secs(2), "{:?}", run.elapsed);
}

#[test]
fn wait_attempt_never_outlives_the_overall_timeout() {
    let silent = FakeServer::start(Behavior::Silent);
    let run = redcheck(&[
        "wait",
        &silent.url(),
        "--timeout",
        "1s",
        "--attempt-timeout",
        "30s",
    ]);
    run.assert_code(1);
    assert!(
        run.elapsed < Duration::from_millis(1800),
        "{:?}: {}",
        run.elapsed,
        run.stderr
    );
}

#[test]
fn wait_does_not_retry_a_url_that_cannot_parse() {
    let run = redcheck(&["wait", "http://h", "--timeout", "5s"]);
    run.assert_code(1);
    assert!(
        run.stderr.contains("retrying would not help"),
        "{}",
        run.stderr
    );
    assert!(run.elapsed < Duration::from_secs(2), "{:?}", run.elapsed);
}

// ---------------------------------------------------------------- many targets

#[test]
fn many_targets_run_concurrently_keep_order_and_exit_with_the_worst() {
    let server = RedisServer::start();
    let refused = format!("redis://127.0.0.1:{}", unused_port());
    let silent: Vec<FakeServer> = (0..3)
        .map(|_| FakeServer::start(Behavior::Silent))
        .collect();
    let mut urls = vec![silent[0].url(), server.url(), refused.clone()];
    urls.extend(silent[1..].iter().map(FakeServer::url));
    let run = run(cmd()
        .args(&urls)
        .args(["--timeout", "1s", "--format", "json"]));
    run.assert_code(1);
    // Three targets each hang for the whole 1 s: together they must still take about 1 s.
    assert!(
        run.elapsed < Duration::from_millis(1800),
        "{:?}",
        run.elapsed
    );
    let reports = run.reports();
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
    let server = RedisServer::start();
    let refused = format!("redis://127.0.0.1:{}", unused_port());
    let run = redcheck(&[&server.url(), &refused]);
    run.assert_code(1);
    assert!(
        run.stdout
            .trim_end()
            .ends_with("2 targets: 1 passed, 0 with warnings, 1 failed"),
        "{}",
        run.stdout
    );
}

#[test]
fn env_names_add_targets_after_the_arguments() {
    let server = RedisServer::start();
    let refused = format!("redis://127.0.0.1:{}", unused_port());
    let run = run(cmd()
        .args([&refused, "--env", "CACHE_URL", "--format", "json"])
        .env("CACHE_URL", server.url()));
    run.assert_code(1);
    let reports = run.reports();
    assert_eq!(reports.len(), 2);
    assert_eq!(reports[1]["verdict"], "pass");

    // cmd() removes CACHE_URL, so here it is unset.
    let run = redcheck(&[&refused, "--env", "CACHE_URL"]);
    run.assert_code(2);
    assert!(run.stderr.contains("--env CACHE_URL"), "{}", run.stderr);
}

// ---------------------------------------------------------------- --format github

#[test]
fn github_format_annotates_problems_and_appends_a_step_summary() {
    let server = RedisServer::start();
    let refused = format!("redis://127.0.0.1:{}", unused_port());
    let dir = tempfile::tempdir().unwrap();
    let summary = dir.path().join("summary.md");
    std::fs::write(&summary, "earlier step\n").unwrap();
    let run = run(cmd()
        .args([
            &server.url(),
            &refused,
            "--format",
            "github",
            "--color",
            "auto",
        ])
        .env("GITHUB_STEP_SUMMARY", &summary));
    run.assert_code(1);
    let stdout = &run.stdout;
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
    let server = RedisServer::start();
    let run = redcheck(&[&server.url(), "--format", "github"]);
    run.assert_code(0);
    assert!(
        !run.stdout.lines().any(|l| l.starts_with("::error")),
        "{}",
        run.stdout
    );
}

#[test]
fn memory_and_latency_annotate_under_format_github() {
    let server = RedisServer::builder().password(SECRET).start();
    let wrong = format!("redis://:wrong@127.0.0.1:{}", server.port());
    let dir = tempfile::tempdir().unwrap();
    for sub in [
        &["memory"][..],
        &["latency", "--count", "3", "--interval", "1ms"],
    ] {
        let summary = dir.path().join(format!("{}.md", sub[0]));
        let run = run(cmd()
            .args(sub)
            .args([&wrong, "--format", "github"])
            .env("GITHUB_STEP_SUMMARY", &summary));
        run.assert_code(1);
        let annotations: Vec<&str> = run.stdout.lines().filter(|l| l.starts_with("::")).collect();
        assert_eq!(annotations.len(), 1, "{sub:?}: {}", run.stdout);
        assert!(
            annotations[0].starts_with("::error title=redcheck auth::redis://"),
            "{sub:?}: {}",
            annotations[0]
        );
        assert!(!run.stdout.contains('\u{1b}'), "{sub:?}: no colour");
        let md = std::fs::read_to_string(&summary).unwrap();
        assert!(md.starts_with("### ❌ redcheck"), "{sub:?}: {md}");
        assert!(md.contains("| ❌ | auth |"), "{sub:?}: {md}");
    }
    // A passing run keeps its text and raises no error.
    let ok = format!("redis://:{SECRET}@127.0.0.1:{}", server.port());
    let run = redcheck(&["memory", &ok, "--format", "github"]);
    run.assert_code(0);
    run.assert_no_secret();
    assert!(run.stdout.contains("keyspace"), "{}", run.stdout);
    assert!(!run.stdout.contains("::error"), "{}", run.stdout);
}

// ---------------------------------------------------------------- passwords outside argv

#[test]
fn password_file_is_used_and_its_newline_stripped() {
    let server = RedisServer::builder().password(SECRET).start();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("pw");
    std::fs::write(&file, format!("{SECRET}\n")).unwrap();
    // both() also proves the password leaks in neither format.
    let run = both(&[&server.url(), "--password-file", file.to_str().unwrap()]);
    run.assert_code(0);
    let url = run.check("url");
    assert_eq!(url["data"]["password_source"], "password-file");
    assert_eq!(url["data"]["password_newline_stripped"], true);
    assert!(
        url["summary"]
            .as_str()
            .unwrap()
            .contains("trailing newline stripped")
    );
    assert_eq!(run.report()["target"]["url"], format!("{}/0", server.url()));
}

#[test]
fn memory_and_latency_take_password_file_too() {
    let server = RedisServer::builder().password(SECRET).start();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("pw");
    std::fs::write(&file, format!("{SECRET}\n")).unwrap();
    let file = file.to_str().unwrap();
    let url = server.url();
    for args in [
        vec!["memory", &url, "--password-file", file, "--format", "json"],
        vec!["latency", &url, "--count", "3", "--interval", "1ms"]
            .into_iter()
            .chain(["--password-file", file, "--format", "json"])
            .collect(),
    ] {
        let run = redcheck(&args);
        run.assert_code(0);
        run.assert_no_secret();
        let measured = if args[0] == "memory" {
            "memory"
        } else {
            "latency"
        };
        assert_eq!(run.status(measured), "pass", "{args:?}: {}", run.stdout);
    }
}

#[test]
fn rediscli_auth_is_read_like_redis_cli_does() {
    let server = RedisServer::builder().password(SECRET).start();
    let run_with = |password: &str| {
        run(cmd()
            .args([&server.url(), "--format", "json"])
            .env("REDISCLI_AUTH", password))
    };
    let right = run_with(SECRET);
    right.assert_code(0);
    assert_eq!(
        right.check("url")["data"]["password_source"],
        "REDISCLI_AUTH"
    );
    right.assert_no_secret();

    let wrong = run_with("wrong");
    wrong.assert_code(1);
    assert_eq!(wrong.status("auth"), "fail");
}

#[test]
fn an_unreadable_password_file_is_a_usage_error() {
    let run = redcheck(&["redis://127.0.0.1:1", "--password-file", "/nonexistent/pw"]);
    run.assert_code(2);
    assert!(
        run.stderr.contains("--password-file /nonexistent/pw"),
        "{}",
        run.stderr
    );
}

// ---------------------------------------------------------------- url

#[test]
fn url_shows_parts_lints_and_every_client_without_the_password() {
    let raw = format!("REDISS://default:{SECRET}@cache.example.com:6380/0?foo=1");
    let run = redcheck(&["url", &raw]);
    run.assert_code(0);
    assert!(run.elapsed < Duration::from_secs(2));
    run.assert_no_secret();
    let stdout = &run.stdout;
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
    assert!(
        stdout.contains("connects without TLS where the URL asks for it"),
        "{stdout}"
    );
    assert!(stdout.contains("ioredis 6.0.0"), "{stdout}");
}

#[test]
fn url_json_has_one_reading_per_client() {
    let run = run(cmd()
        .args(["url", "--format", "json"])
        .env("REDIS_URL", format!("redis://{SECRET}@h/0")));
    run.assert_code(0);
    run.assert_no_secret();
    let r = run.report();
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
            ("ioredis", "differs"),
            ("node-redis", "differs"),
            ("node-redis", "differs"),
            ("redis-rs", "differs"),
            ("go-redis", "differs"),
            ("Jedis", "rejects"),
            ("Lettuce", "same"),
        ]
    );
    assert_eq!(r["parts"]["password_set"], true);
}

#[test]
fn url_exits_1_for_a_url_redcheck_cannot_use() {
    let run = redcheck(&["url", "redis+ssl://:pw@h:6380"]);
    run.assert_code(1);
    assert!(run.stdout.contains("unsupported scheme"), "{}", run.stdout);
    assert!(run.stdout.contains("read by: Lettuce"), "{}", run.stdout);
    let strict = redcheck(&["url", "redis://h:6379", "--strict"]);
    assert_eq!(
        strict.code, 1,
        "--strict counts the plaintext-remote warning"
    );
}

#[test]
fn url_refused_by_redcheck_still_shows_what_each_library_does() {
    // A trailing newline: redcheck refuses it; the libraries drop it, redis-cli keeps it.
    let raw = format!("redis://:{SECRET}@h:6379/0\n");
    let run = redcheck(&["url", "--format", "json", &raw]);
    run.assert_code(1);
    run.assert_no_secret();
    let r = run.report();
    assert_eq!(r["verdict"], "fail");
    let clients = r["clients"].as_array().unwrap();
    assert_eq!(clients.len(), 7, "{clients:?}");
    for c in clients {
        assert_eq!(c["source"], "recorded");
        assert_eq!(c["password"], true, "{c}");
        assert_eq!(c["host"], "h", "{c}");
    }
    let human = redcheck(&["url", &raw]);
    human.assert_no_secret();
    assert!(
        human.stdout.contains("redis-cli 7.0.15"),
        "{}",
        human.stdout
    );
    assert!(
        human.stdout.contains("keeps the tab or newline"),
        "{}",
        human.stdout
    );
}

#[test]
fn url_verdict_in_json_and_quiet_output() {
    let verdict =
        |raw: &str| redcheck(&["url", raw, "--format", "json"]).report()["verdict"].clone();
    assert_eq!(verdict("redis://127.0.0.1:6379/0"), "pass");
    // A lint at warn level (plaintext to a remote host).
    assert_eq!(verdict("redis://cache.example.com:6379/0"), "warn");
    // No lint warns, but Jedis refuses a URL without a port.
    assert_eq!(verdict("redis://localhost/0"), "warn");
    assert_eq!(verdict("redis+ssl://h:6380"), "fail");

    let raw = format!("REDISS://default:{SECRET}@cache.example.com:6380/0?foo=1");
    let run = redcheck(&["url", "-q", &raw]);
    run.assert_code(0);
    run.assert_no_secret();
    let out = &run.stdout;
    assert!(out.contains("scheme-case"), "{out}");
    assert!(out.contains("go-redis 9.22 (source) rejects"), "{out}");
    assert!(!out.contains("How client libraries"), "{out}");
    assert!(!out.contains(" host "), "no parts under -q: {out}");
    let last = out.lines().last().unwrap();
    assert!(
        last.starts_with("rediss://default:****@cache.example.com:6380/0?foo=1 · warn: "),
        "{last}"
    );

    let pass = redcheck(&["url", "-q", "redis://127.0.0.1:6379/0"]);
    pass.assert_code(0);
    assert_eq!(pass.stdout.lines().count(), 1, "{}", pass.stdout);
    assert!(pass.stdout.contains(" · pass: "), "{}", pass.stdout);

    let fail = redcheck(&["url", "-q", "redis+ssl://h:6380"]);
    fail.assert_code(1);
    assert!(
        fail.stdout.contains("unsupported scheme"),
        "{}",
        fail.stdout
    );
    assert!(!fail.stdout.contains("read by"), "{}", fail.stdout);

    redcheck(&["url", "redis://localhost/0", "--strict"]).assert_code(1);
}

// ---------------------------------------------------------------- completions and manual

/// Every generated file, and the arguments that print it.
const GENERATED: &[(&str, &[&str])] = &[
    ("completions/redcheck.bash", &["completions", "bash"]),
    ("completions/_redcheck", &["completions", "zsh"]),
    ("completions/redcheck.fish", &["completions", "fish"]),
    ("completions/_redcheck.ps1", &["completions", "powershell"]),
    ("completions/redcheck.elvish", &["completions", "elvish"]),
    ("docs/redcheck.1", &["man"]),
];

#[test]
fn committed_completions_and_manual_match_the_binary() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut stale = Vec::new();
    for (file, args) in GENERATED {
        let fresh = redcheck(args);
        assert_eq!(fresh.code, 0, "{args:?}: {}", fresh.stderr);
        let committed = std::fs::read_to_string(root.join(file)).unwrap_or_default();
        if committed != fresh.stdout {
            stale.push(*file);
        }
    }
    assert!(
        stale.is_empty(),
        "{} differ from what the binary generates: run scripts/gen-completions and commit the result",
        stale.join(", ")
    );
}
