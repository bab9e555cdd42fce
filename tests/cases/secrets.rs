//! The password never shows, whatever the server, the URL or the output format does.

use crate::support::run::{SECRET, both, cmd, redcheck, run, secret_url};
use crate::support::{Behavior, FakeServer};

/// A server (or proxy) that quotes the password it was sent back in its error.
fn echoing_server() -> FakeServer {
    FakeServer::start(Behavior::respond(|args| {
        let sent: Vec<String> = args
            .iter()
            .map(|a| String::from_utf8_lossy(a).into_owned())
            .collect();
        format!(
            "-ERR invalid password '{}' (sent: {})\r\n",
            sent.last().map_or("", String::as_str),
            sent.join(" ")
        )
        .into_bytes()
    }))
}

#[test]
fn a_server_echoing_the_password_does_not_leak_it() {
    let server = echoing_server();
    let url = secret_url("redis", server.port());
    let json = both(&[&url, "--timeout", "2"]);
    let auth = json.check("auth");
    assert_eq!(auth["status"], "fail", "{auth:#}");
    assert!(
        auth["summary"]
            .as_str()
            .unwrap_or_default()
            .contains("****"),
        "{auth:#}"
    );
    let github = redcheck(&[&url, "--timeout", "2", "--format", "github"]);
    github.assert_no_secret();
    assert!(github.stdout.contains("::error"), "{}", github.stdout);
    let wait = redcheck(&[
        "wait",
        &url,
        "--timeout",
        "700ms",
        "--interval",
        "100ms",
        "--format",
        "github",
    ]);
    wait.assert_no_secret();
    assert!(wait.stderr.contains("attempt 1 failed"), "{}", wait.stderr);
    assert!(!SECRET.is_empty());
}

#[test]
fn a_password_missing_its_at_is_not_echoed() {
    let url = format!("redis://default:{SECRET}");
    let json = both(&[&url]);
    json.assert_code(1).assert_fails("url", "invalid-url");
    let explained = redcheck(&["url", &url]);
    explained.assert_no_secret();
    let explained = redcheck(&["url", &url, "--format", "json"]);
    explained.assert_no_secret();
}

#[test]
fn an_outside_password_goes_to_a_single_target_only() {
    let ours = echoing_server();
    let vendor = echoing_server();
    for how in ["REDISCLI_AUTH", "--password-file"] {
        let dir = tempfile::tempdir().expect("temp dir");
        let file = dir.path().join("pw");
        std::fs::write(&file, SECRET).expect("write the password file");
        let mut c = cmd();
        c.args([&ours.url(), "--env", "CACHE_URL", "--format", "json"])
            .env("CACHE_URL", vendor.url());
        match how {
            "REDISCLI_AUTH" => c.env("REDISCLI_AUTH", SECRET),
            _ => c.arg("--password-file").arg(&file),
        };
        let multi = run(&mut c);
        multi.assert_no_secret();
        let reports = multi.reports();
        assert_eq!(reports.len(), 2, "{}", multi.stdout);
        for r in &reports {
            let url = r["checks"]
                .as_array()
                .and_then(|cs| cs.iter().find(|c| c["id"] == "url"))
                .expect("a url check");
            assert!(
                url.to_string().contains("password-not-sent"),
                "{how}: {url:#}"
            );
        }
    }
    for server in [&ours, &vendor] {
        let sent = server.commands();
        assert!(
            !sent.iter().flatten().any(|w| w.contains(SECRET)),
            "the password went to a server: {sent:?}"
        );
    }
    // One target: it is used as before.
    let single = run(cmd().arg(ours.url()).env("REDISCLI_AUTH", SECRET));
    single.assert_no_secret();
    assert!(
        ours.commands().iter().flatten().any(|w| w == SECRET),
        "a single target gets the password"
    );
}
