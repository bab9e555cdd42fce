//! Issue 10, section 5: what redcheck prints stays inert (Markdown, bidi controls, secret
//! query values) and a closed or full stdout is no crash.

use std::ffi::OsStr;
use std::io::Read;
use std::os::unix::ffi::OsStrExt;
use std::time::Duration;

use super::{PLAIN_INFO, redis_like, spawn};
use crate::support::run::{Run, SECRET, cmd, redcheck, run, secret_url};

#[test]
fn a_rediscli_auth_that_is_not_utf8_is_named() {
    let server = redis_like(PLAIN_INFO, |_, _| None);
    let url = format!("redis://127.0.0.1:{}", server.port());
    let mut c = cmd();
    c.env("REDISCLI_AUTH", OsStr::from_bytes(b"pa\xffss"))
        .arg(&url);
    let run = run(&mut c);
    run.assert_code(2);
    assert!(
        run.stderr
            .contains("REDISCLI_AUTH is set but is not valid UTF-8"),
        "{}",
        run.stderr
    );
}

#[test]
fn server_text_in_the_step_summary_is_no_markdown() {
    const EVIL: &str = "7.2 [rotate here](https://evil.example) ![x](https://evil.example/p.png) *bold* _it_ `code` \\";
    let server = redis_like(
        "# Server\r\nredis_version:7.2 [rotate here](https://evil.example) ![x](https://evil.example/p.png) *bold* _it_ `code` \\\r\nredis_mode:standalone\r\n",
        |_, _| None,
    );
    let dir = tempfile::tempdir().unwrap();
    let summary = dir.path().join("summary.md");
    let url = secret_url("redis", server.port());
    let mut c = cmd();
    c.env("GITHUB_STEP_SUMMARY", &summary)
        .args([&url, "--format", "github", "--timeout", "3"]);
    let run = run(&mut c);
    run.assert_no_secret();
    let md = std::fs::read_to_string(&summary).unwrap();
    assert!(!md.contains(SECRET), "{md}");
    assert!(
        md.contains("7.2"),
        "the version should be in the summary:\n{md}"
    );
    assert!(
        !md.contains("](https://")
            && !md.contains("![")
            && !md.contains("*bold*")
            && !md.contains(EVIL),
        "live Markdown in the step summary:\n{md}"
    );
    assert!(
        md.contains("\\[rotate here\\]\\(https://evil.example\\) \\!\\[x\\]"),
        "{md}"
    );
}

#[test]
fn bidi_controls_are_escaped_in_the_collapsed_skipped_line() {
    // INFO refused with a message that flips the rest of the line: every INFO-based check is
    // skipped for that one reason, collapsed into one line.
    let server = redis_like(PLAIN_INFO, |cmd, _| {
        (cmd == "INFO").then(|| {
            "-NOPERM this user has no permissions to run the 'info' command \u{202e}evil\u{2066}\r\n"
                .as_bytes()
                .to_vec()
        })
    });
    let url = secret_url("redis", server.port());
    let run = redcheck(&[&url, "--timeout", "3"]);
    run.assert_no_secret();
    let collapsed = run
        .stdout
        .lines()
        .find(|l| l.contains(", ") && l.contains("skipped: INFO is not allowed"))
        .unwrap_or_else(|| panic!("no collapsed skipped line:\n{}", run.stdout));
    assert!(
        !run.stdout.contains('\u{202e}') && !run.stdout.contains('\u{2066}'),
        "raw bidi controls:\n{}",
        run.stdout
    );
    assert!(collapsed.contains("\\u{202e}evil\\u{2066}"), "{collapsed}");
}

/// Runs `redcheck ARGS…` with its stdout closed before it writes anything.
fn with_closed_stdout(args: &[&str]) -> Run {
    let mut child = spawn(args);
    drop(child.stdout.take());
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    let code = child.wait().unwrap().code().unwrap_or(-1);
    Run {
        code,
        stdout: String::new(),
        stderr,
        elapsed: Duration::ZERO,
    }
}

#[test]
fn a_closed_or_full_stdout_is_no_panic_and_a_closed_one_no_error() {
    for shell in ["bash", "zsh", "fish"] {
        let run = with_closed_stdout(&["completions", shell]);
        assert_eq!(
            (run.code, run.stderr.as_str()),
            (0, ""),
            "completions {shell}"
        );
    }
    let run = with_closed_stdout(&["man"]);
    assert_eq!((run.code, run.stderr.as_str()), (0, ""), "man");
    // `url` keeps its own verdict's code: 0 for a fine URL, 1 for one that cannot be used.
    let run = with_closed_stdout(&["url", "redis://127.0.0.1:6379/0"]);
    assert_eq!((run.code, run.stderr.as_str()), (0, ""), "url");
    let run = with_closed_stdout(&["url", "http://127.0.0.1:6379"]);
    assert_eq!(
        (run.code, run.stderr.as_str()),
        (1, ""),
        "url of another scheme"
    );
    let server = redis_like(PLAIN_INFO, |_, _| None);
    let url = secret_url("redis", server.port());
    let run = with_closed_stdout(&[&url, "--timeout", "3"]);
    assert_eq!((run.code, run.stderr.as_str()), (0, ""), "check");
    // A full disk is a real failure, said in one line, but never a panic.
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .expect("/dev/full");
    let out = cmd()
        .args(["completions", "zsh"])
        .stdout(full)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(
        stderr.starts_with("redcheck: error: writing the completions: ")
            && stderr.lines().count() == 1,
        "{stderr}"
    );
}

#[test]
fn query_values_named_like_secrets_are_masked() {
    let url = format!(
        "redis://127.0.0.1:1/0?auth={SECRET}&requirepass={SECRET}&passwd={SECRET}&secret={SECRET}&api_token={SECRET}&client_name=app"
    );
    for args in [
        vec!["url", url.as_str()],
        vec!["url", url.as_str(), "--format", "json"],
        vec![url.as_str(), "--timeout", "1"],
        vec![url.as_str(), "--timeout", "1", "--format", "json"],
    ] {
        let run = redcheck(&args);
        run.assert_no_secret();
        assert!(
            run.stdout.contains("auth=****"),
            "{args:?}:\n{}",
            run.stdout
        );
        assert!(
            run.stdout.contains("client_name=app"),
            "{args:?}:\n{}",
            run.stdout
        );
    }
    // A URL that does not parse is redacted the same way.
    let broken = format!("redis:/127.0.0.1?requirepass={SECRET}");
    let run = redcheck(&["url", &broken]);
    run.assert_no_secret();
}
