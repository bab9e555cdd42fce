//! Bad local input: files, flags and URLs; each a one-line error naming the problem.

use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::OsStrExt;

use super::{assert_no_panic, both_os};
use crate::support::run::{SECRET, cmd};
use crate::support::{Pki, panic_text};

/// One bad local input: the arguments, the exit code and what the one-line error must say.
struct BadInput {
    /// What is wrong, as the matrix prints it.
    name: &'static str,
    /// The command line after `redcheck`.
    args: Vec<OsString>,
    /// An environment variable to set.
    env: Option<(&'static str, OsString)>,
    /// 2 for a usage error, 1 for a URL the `url` check fails.
    code: i32,
    /// Text the error (or the `url` check's summary) must contain.
    says: &'static str,
}

/// A row without environment.
fn bad(name: &'static str, args: &[&OsStr], code: i32, says: &'static str) -> BadInput {
    BadInput {
        name,
        args: args.iter().map(|a| a.to_os_string()).collect(),
        env: None,
        code,
        says,
    }
}

/// Shorthand for the argument lists.
fn os(s: &str) -> &OsStr {
    OsStr::new(s)
}

#[test]
fn bad_local_input_is_one_line_naming_the_problem() {
    let pki = Pki::new();
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty.pem");
    std::fs::write(&empty, "").unwrap();
    let not_pem = dir.path().join("not.pem");
    std::fs::write(&not_pem, "this is not a certificate\n").unwrap();
    let (cert, _) = pki.client("a");
    let (_, other_key) = pki.client("b");
    let tls_url = format!("rediss://:{SECRET}@127.0.0.1:1");
    let tls = os(&tls_url);
    let long = format!("redis://:{SECRET}@{}.example:6379", "a".repeat(20_000));
    let not_utf8 = [
        b"redis://:".as_slice(),
        SECRET.as_bytes(),
        b"\xff@127.0.0.1:1",
    ]
    .concat();
    let not_utf8 = OsStr::from_bytes(&not_utf8);
    let with = |suffix: &str| format!("redis://:{SECRET}@127.0.0.1{suffix}");
    let (bell, newline, port0, port70k, db_path, db_query) = (
        with(":6379\x07"),
        with(":6379\n"),
        with(":0"),
        with(":70000"),
        with(":6379/-1"),
        with(":6379?db=-1"),
    );
    let ctrl_in_password = format!("redis://:{SECRET}\x01@127.0.0.1:6379");
    let rows = vec![
        bad(
            "--cacert is a directory",
            &[tls, os("--cacert"), dir.path().as_os_str()],
            2,
            "cannot read the file",
        ),
        bad(
            "--cacert is missing",
            &[tls, os("--cacert"), os("/nonexistent/ca.pem")],
            2,
            "cannot read",
        ),
        bad(
            "--cacert is empty",
            &[tls, os("--cacert"), empty.as_os_str()],
            2,
            "is empty",
        ),
        bad(
            "--cacert is not PEM",
            &[tls, os("--cacert"), not_pem.as_os_str()],
            2,
            "BEGIN CERTIFICATE",
        ),
        bad(
            "--cacert is a private key",
            &[tls, os("--cacert"), other_key.as_os_str()],
            2,
            "BEGIN CERTIFICATE",
        ),
        bad(
            "--cert without --key",
            &[tls, os("--cert"), cert.as_os_str()],
            2,
            "--cert needs --key",
        ),
        bad(
            "--key without --cert",
            &[tls, os("--key"), other_key.as_os_str()],
            2,
            "--key needs --cert",
        ),
        bad(
            "a key that does not match the certificate",
            &[
                tls,
                os("--cert"),
                cert.as_os_str(),
                os("--key"),
                other_key.as_os_str(),
            ],
            2,
            "does not belong",
        ),
        bad("a URL of 20 000 characters", &[os(&long)], 1, "bytes long"),
        bad(
            "a bell character in the URL",
            &[os(&bell)],
            1,
            "control character",
        ),
        bad(
            "a trailing newline in the URL",
            &[os(&newline)],
            1,
            "trailing newline",
        ),
        bad(
            "a control character in the password",
            &[os(&ctrl_in_password)],
            1,
            "control character",
        ),
        bad(
            "invalid UTF-8 in the URL argument",
            &[not_utf8],
            2,
            "not valid UTF-8",
        ),
        BadInput {
            env: Some(("REDIS_URL", not_utf8.to_os_string())),
            ..bad("invalid UTF-8 in REDIS_URL", &[], 2, "not valid UTF-8")
        },
        bad("port 0", &[os(&port0)], 1, "port 0 is out of range"),
        bad(
            "port 70000",
            &[os(&port70k)],
            1,
            "port 70000 is out of range",
        ),
        bad("db -1 in the path", &[os(&db_path)], 1, "database '-1'"),
        bad("db -1 in the query", &[os(&db_query)], 1, "database '-1'"),
        bad(
            "a scheme that is not Redis",
            &[os(&format!("http://:{SECRET}@127.0.0.1"))],
            1,
            "unsupported scheme",
        ),
    ];
    let mut failed = Vec::new();
    eprintln!("bad local input:");
    for row in &rows {
        let outcome = std::panic::catch_unwind(|| check_bad_input(row));
        match outcome {
            Ok(line) => eprintln!("  {:<44} exit {} · {line}", row.name, row.code),
            Err(p) => {
                eprintln!("  {:<44} FAILED: {}", row.name, panic_text(&*p));
                failed.push(row.name);
            }
        }
    }
    assert!(failed.is_empty(), "bad input rows failed: {failed:?}");
}

/// Runs a bad-input row in both formats; returns the one line it printed.
fn check_bad_input(row: &BadInput) -> String {
    let args: Vec<&OsStr> = row.args.iter().map(OsString::as_os_str).collect();
    let base = || {
        let mut c = cmd();
        if let Some((k, v)) = &row.env {
            c.env(k, v);
        }
        c
    };
    let (human, json) = both_os(base, &args);
    for run in [&human, &json] {
        assert_no_panic(run);
        run.assert_code(row.code);
    }
    if row.code == 2 {
        for run in [&human, &json] {
            let lines: Vec<&str> = run.stderr.lines().collect();
            assert!(
                lines.len() == 1
                    && lines[0].starts_with("redcheck: error: ")
                    && lines[0].contains(row.says),
                "stderr should be one line saying {:?}:\n{}",
                row.says,
                run.stderr
            );
            assert!(run.stdout.is_empty(), "{}", run.stdout);
        }
        return human.stderr.trim_end().to_string();
    }
    // A URL that cannot be used is a failed `url` check, not a usage error.
    let url = json.check("url");
    let summary = url["summary"].as_str().unwrap_or_default();
    assert_eq!(url["status"], "fail", "{url:#}");
    assert!(
        matches!(
            url["data"]["reason"].as_str(),
            Some("invalid-url" | "unsupported-scheme")
        ),
        "{url:#}"
    );
    assert!(
        summary.contains(row.says) && !summary.contains('\n'),
        "{url:#}"
    );
    assert!(human.stderr.is_empty(), "{}", human.stderr);
    let line = human
        .stdout
        .lines()
        .find(|l| l.starts_with(" ✘ url "))
        .unwrap_or_else(|| panic!("no failed url line:\n{}", human.stdout));
    assert!(line.contains(row.says), "{line}");
    summary.to_string()
}
