//! The password never shows, whatever the server, the URL or the output format does.

use crate::support::run::{Run, SECRET, both, cmd, redcheck, run, secret_url};
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

/// A server that works well enough for every stage to run, and quotes `pw` wherever it can:
/// in the error replies to what it refuses (long enough that a 160-character cut falls inside
/// the password), in INFO fields and an INFO key, and, with `ping_fails`, in its PING reply.
fn echoing_everywhere(pw: &'static str, ping_fails: bool) -> FakeServer {
    FakeServer::start(Behavior::respond(move |args| {
        let word = |i: usize| {
            args.get(i)
                .map(|a| String::from_utf8_lossy(a).to_uppercase())
                .unwrap_or_default()
        };
        let all = args
            .iter()
            .map(|a| format!("'{}'", String::from_utf8_lossy(a)))
            .collect::<Vec<_>>()
            .join(" ");
        // The padding puts the password across the 160-character cut, 10 characters before it.
        let straddle = format!("-ERR {} {pw} and more\r\n", "x".repeat(145));
        match word(0).as_str() {
            "AUTH" | "SELECT" => b"+OK\r\n".to_vec(),
            "HELLO" => format!("-ERR unknown command 'HELLO', with args beginning with: {all}\r\n")
                .into_bytes(),
            "PING" if ping_fails => format!("-ERR PING refused for '{pw}'\r\n").into_bytes(),
            "PING" => b"+PONG\r\n".to_vec(),
            "INFO" => {
                let info = format!(
                    "# Server\r\nredis_version:7.2.4\r\nredis_mode:standalone\r\nuptime_in_seconds:100\r\n\
                     # Clients\r\nconnected_clients:1\r\nmaxclients:10000\r\n\
                     # Memory\r\nused_memory:1000000\r\nused_memory_rss:2000000\r\nmaxmemory:0\r\nmaxmemory_policy:{pw}\r\n\
                     # Persistence\r\nloading:0\r\n\
                     # Replication\r\nrole:slave\r\nmaster_host:{pw}\r\nmaster_port:6379\r\nmaster_link_status:down\r\n\
                     # Errorstats\r\nerrorstat_{pw}:count=5\r\n\
                     # Keyspace\r\n"
                );
                format!("${}\r\n{info}\r\n", info.len()).into_bytes()
            }
            _ => straddle.into_bytes(),
        }
    }))
}

/// The password, and every 8-character piece of it that starts it, must be nowhere.
fn assert_nothing_of(run: &Run, pw: &str, what: &str) {
    let trimmed = pw.trim_end_matches(['\r', '\n']);
    let prefix: String = trimmed.chars().take(8).collect();
    for (name, text) in [("stdout", &run.stdout), ("stderr", &run.stderr)] {
        assert!(
            !text.contains(&prefix),
            "{what}: the password (or its first 8 characters) leaked on {name}:\n{text}"
        );
    }
}

/// Every subcommand × every format, against servers that echo the password everywhere:
/// neither the password nor its first 8 characters appear on stdout, stderr or in the
/// GitHub step summary. Two passwords: one in the URL, one from a file with a CRLF ending.
#[test]
fn no_subcommand_or_format_prints_an_echoed_password() {
    const FROM_FILE: &str = "Crlf-Secret-9x\r";
    let dir = tempfile::tempdir().expect("temp dir");
    let pw_file = dir.path().join("pw");
    std::fs::write(&pw_file, format!("{FROM_FILE}\n")).expect("write the password file");
    for (pw, ping_fails) in [(SECRET, false), (SECRET, true), (FROM_FILE, false)] {
        let server = echoing_everywhere(pw, ping_fails);
        let url = if pw == SECRET {
            secret_url("redis", server.port())
        } else {
            server.url()
        };
        let subcommands: [&[&str]; 8] = [
            &["check"],
            &["tls"],
            &["memory"],
            &["latency", "--count", "3"],
            &["wait", "--interval", "50ms"],
            &["keys"],
            &["idle", "--ladder", "1s"],
            &["url"],
        ];
        for sub in subcommands {
            let metrics = ["check", "tls", "memory", "latency", "wait"].contains(&sub[0]);
            let formats: &[&str] = if metrics {
                &["human", "json", "github", "openmetrics"]
            } else {
                &["human", "json", "github"]
            };
            for &format in formats {
                let summary = dir.path().join("summary.md");
                let _ = std::fs::remove_file(&summary);
                let mut c = cmd();
                c.args(sub)
                    .arg(&url)
                    .args(["--format", format])
                    .env("GITHUB_STEP_SUMMARY", &summary);
                if sub[0] != "url" {
                    c.args(["--timeout", "1s"]);
                    // `tls` stops at the handshake: it takes no password.
                    if pw != SECRET && sub[0] != "tls" {
                        c.arg("--password-file").arg(&pw_file);
                    }
                }
                let what = format!("{} --format {format} (ping fails: {ping_fails})", sub[0]);
                let out = run(&mut c);
                assert_nothing_of(&out, pw, &what);
                assert!(
                    out.code == 0 || out.code == 1,
                    "{what}: exit {}\n{}{}",
                    out.code,
                    out.stdout,
                    out.stderr
                );
                if format == "github" && sub[0] != "url" {
                    let md = std::fs::read_to_string(&summary)
                        .unwrap_or_else(|e| panic!("{what}: no step summary: {e}"));
                    let prefix: String = pw.chars().take(8).collect();
                    assert!(
                        !md.contains(&prefix),
                        "{what}: the step summary leaked:\n{md}"
                    );
                }
            }
        }
        // The server was reached and did echo: the test proves something.
        let sent = server.commands();
        assert!(
            sent.iter()
                .any(|c| c.first().is_some_and(|w| w.eq_ignore_ascii_case("INFO"))),
            "INFO never reached the echoing server: {sent:?}"
        );
    }
}

/// The fields the server filled with the password are there, masked, not dropped.
#[test]
fn an_info_field_equal_to_the_password_is_masked_not_lost() {
    let server = echoing_everywhere(SECRET, false);
    let url = secret_url("redis", server.port());
    let out = redcheck(&["memory", &url, "--format", "json", "--timeout", "2s"]);
    out.assert_no_secret();
    let report = out.report();
    assert_eq!(
        report["numbers"]["memory"]["maxmemory_policy"], "****",
        "{report:#}"
    );
    let check = redcheck(&[&url, "--format", "json", "--timeout", "2s"]);
    check.assert_no_secret();
    let errors = check.check("errors");
    assert!(errors.to_string().contains("****"), "{errors:#}");
}

/// A very short password is masked only where a field is exactly it: it does not rewrite the
/// address (which would reveal it) nor any other text.
#[test]
fn a_short_password_does_not_rewrite_unrelated_text() {
    let server = echoing_everywhere("0", false);
    let url = format!("redis://:0@127.0.0.1:{}", server.port());
    let out = redcheck(&[&url, "--format", "json", "--timeout", "2s"]);
    assert!(out.stdout.contains("127.0.0.1"), "{}", out.stdout);
    assert!(!out.stdout.contains("127.****"), "{}", out.stdout);
    let report = out.report();
    assert_eq!(
        report["target"]["url"],
        format!("redis://:****@127.0.0.1:{}/0", server.port())
    );
}

/// A password that the RFC reading and redis-cli's reading would send to different hosts is
/// sent to neither; where both readings agree, it goes only to the host they name.
#[test]
fn a_password_goes_only_to_the_host_both_readings_name() {
    let named = echoing_server();
    let other = echoing_server();
    // An '@' in a query value or a fragment: both readings agree on `named`.
    for tail in [
        format!("/0?client_name=app@127.0.0.1:{}", other.port()),
        format!("/0#owner=ops@127.0.0.1:{}", other.port()),
    ] {
        let url = format!("redis://:{SECRET}@127.0.0.1:{}{tail}", named.port());
        let out = redcheck(&[&url, "--format", "json", "--timeout", "2s"]);
        out.assert_no_secret();
    }
    assert_eq!(
        other.connections(),
        0,
        "the other host was contacted: {:?}",
        other.commands()
    );
    assert!(
        named.commands().iter().flatten().any(|w| w == SECRET),
        "the named host got the password: {:?}",
        named.commands()
    );
    // A raw '/' or '@' in the password: the readings differ, nothing is sent anywhere.
    for url in [
        format!("redis://:{SECRET}/x@127.0.0.1:{}", other.port()),
        format!("redis://:a@{SECRET}@127.0.0.1:{}", other.port()),
        format!(
            "redis://127.0.0.1:{}/0?password={SECRET}@127.0.0.1:{}",
            named.port(),
            other.port()
        ),
    ] {
        let out = redcheck(&[&url, "--format", "json", "--timeout", "2s"]);
        out.assert_code(1);
        assert_nothing_of(&out, SECRET, &url);
        let check = out.check("url");
        assert_eq!(check["data"]["reason"], "invalid-url", "{check:#}");
        assert_eq!(
            check["data"]["readings"].as_array().map(Vec::len),
            Some(2),
            "{check:#}"
        );
        let explained = redcheck(&["url", &url]);
        explained.assert_code(1);
        assert_nothing_of(&explained, SECRET, &url);
        assert!(
            explained.stdout.contains("names two hosts"),
            "{}",
            explained.stdout
        );
    }
    assert_eq!(
        other.connections(),
        0,
        "the other host was contacted: {:?}",
        other.commands()
    );
}
