//! A hostile environment: servers whose replies are built to exhaust memory or time, odd
//! local files (devices, FIFOs without a writer, files over the cap), a closed or full
//! stdout, and server text made to look like Markdown or to reorder the terminal.

use std::ffi::OsStr;
use std::io::Read;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use crate::support::run::{Run, SECRET, cmd, redcheck, run, secret_url};
use crate::support::{Behavior, FakeServer, Pki, RedisServer};

/// Slack over `--timeout` for process start-up and rendering on a busy machine.
const MARGIN: Duration = Duration::from_millis(500);

/// `text` as a RESP bulk string.
fn bulk(text: &str) -> Vec<u8> {
    format!("${}\r\n{text}\r\n", text.len()).into_bytes()
}

/// A fake that answers like a healthy Redis 7 with this INFO text, except where `quirk`
/// (command and first argument, upper case) returns a reply of its own.
fn redis_like(
    info: &'static str,
    quirk: impl Fn(&str, &str) -> Option<Vec<u8>> + Send + Sync + 'static,
) -> FakeServer {
    FakeServer::start(Behavior::respond(move |args| {
        let word = |i: usize| {
            args.get(i)
                .map(|a| String::from_utf8_lossy(a).to_ascii_uppercase())
                .unwrap_or_default()
        };
        if let Some(reply) = quirk(&word(0), &word(1)) {
            return reply;
        }
        match word(0).as_str() {
            "HELLO" => {
                b"%2\r\n$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$6\r\n7.0.15\r\n".to_vec()
            }
            "AUTH" | "SELECT" => b"+OK\r\n".to_vec(),
            "ACL" => b"+default\r\n".to_vec(),
            "PING" => b"+PONG\r\n".to_vec(),
            "INFO" => bulk(info),
            _ => b"-ERR unknown command\r\n".to_vec(),
        }
    }))
}

/// A plain healthy server.
const PLAIN_INFO: &str = "# Server\r\nredis_version:7.0.15\r\nredis_mode:standalone\r\n";

/// Runs a started child to the end, sampling its peak resident memory (VmHWM) meanwhile.
fn run_measured(mut child: Child) -> (Run, u64) {
    let status = format!("/proc/{}/status", child.id());
    let sampler = thread::spawn(move || {
        let mut peak_kib = 0u64;
        while let Ok(text) = std::fs::read_to_string(&status) {
            let Some(line) = text.lines().find(|l| l.starts_with("VmHWM:")) else {
                break; // a zombie has no memory left to report
            };
            let kib = line
                .split_whitespace()
                .nth(1)
                .and_then(|n| n.parse().ok())
                .unwrap_or(0);
            peak_kib = peak_kib.max(kib);
            thread::sleep(Duration::from_millis(2));
        }
        peak_kib
    });
    let started = Instant::now();
    let mut stdout = String::new();
    let mut stderr = String::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut stdout)
        .unwrap();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    let code = child.wait().unwrap().code().unwrap_or(-1);
    let run = Run {
        code,
        stdout,
        stderr,
        elapsed: started.elapsed(),
    };
    (run, sampler.join().unwrap() / 1024)
}

/// Runs a prepared command, killing it after `limit` (code -1 then): a run that would block
/// forever fails the test instead of hanging it.
fn run_within(c: &mut Command, limit: Duration) -> Run {
    let started = Instant::now();
    let mut child = c
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start redcheck");
    let drain = |mut r: Box<dyn Read + Send>| {
        thread::spawn(move || {
            let mut text = String::new();
            let _ = r.read_to_string(&mut text);
            text
        })
    };
    let out = drain(Box::new(child.stdout.take().unwrap()));
    let err = drain(Box::new(child.stderr.take().unwrap()));
    let code = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status.code().unwrap_or(-1);
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            break -1;
        }
        thread::sleep(Duration::from_millis(10));
    };
    Run {
        code,
        stdout: out.join().unwrap(),
        stderr: err.join().unwrap(),
        elapsed: started.elapsed(),
    }
}

/// `redcheck ARGS…` with stdout and stderr piped.
fn spawn(args: &[&str]) -> Child {
    cmd()
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start redcheck")
}

// ---- Section 3: bounded work for hostile replies -------------------------------------------

#[test]
fn replies_of_millions_of_tiny_elements_stay_under_64_mib_even_for_four_targets() {
    // The reply: a map announcing 2,796,000 pairs of nulls, 16 MiB in all; and the
    // same number of elements in aggregates that each announce few (4,000 arrays of 1,398).
    let mut map = b"%2796000\r\n".to_vec();
    map.extend(b"_\r\n_\r\n".repeat(2_796_000));
    let mut nested = b"*4000\r\n".to_vec();
    nested.extend(
        format!("*1398\r\n{}", "_\r\n".repeat(1398))
            .repeat(4000)
            .as_bytes(),
    );
    for (name, reply) in [
        ("a 2,796,000-pair map", map),
        ("4,000 arrays of 1,398", nested),
    ] {
        let server = FakeServer::start(Behavior::respond(move |_| reply.clone()));
        let url = secret_url("redis", server.port());
        let args = [&url, &url, &url, &url, "--format", "json", "--timeout", "5"];
        let (run, peak_mib) = run_measured(spawn(&args));
        run.assert_no_secret();
        run.assert_code(1);
        for report in run.reports() {
            let auth = report["checks"]
                .as_array()
                .and_then(|c| c.iter().find(|c| c["id"] == "auth"))
                .cloned()
                .unwrap_or_default();
            assert_eq!(auth["data"]["reason"], "protocol", "{auth:#}");
            let summary = auth["summary"].as_str().unwrap_or_default();
            assert!(
                summary.contains("more than 150,000 elements"),
                "{name}: {auth:#}"
            );
        }
        assert!(peak_mib < 64, "{name}: peak resident memory {peak_mib} MiB");
        eprintln!(
            "{name}, four targets → auth protocol · {} ms · peak {peak_mib} MiB",
            run.elapsed.as_millis()
        );
    }
}

/// `CLUSTER SHARDS` (RESP2) with one shard serving every slot and `nodes` nodes, each at
/// its own port on the URL's host: 41 bytes a node, so 24,000 fit in a 1 MiB reply.
fn shards_reply(nodes: u32) -> Vec<u8> {
    let mut out = b"*1\r\n*4\r\n$5\r\nslots\r\n*2\r\n:0\r\n:16383\r\n$5\r\nnodes\r\n".to_vec();
    out.extend(format!("*{nodes}\r\n").as_bytes());
    for i in 0..nodes {
        let id = format!("n{i:04}");
        let port = 20_000 + i;
        out.extend(
            format!(
                "*4\r\n$2\r\nid\r\n${}\r\n{id}\r\n$4\r\nport\r\n:{port}\r\n",
                id.len()
            )
            .as_bytes(),
        );
    }
    out
}

#[test]
fn a_cluster_announcing_24000_nodes_dials_1000_and_counts_the_rest_within_the_timeout() {
    const NODES: u32 = 24_000;
    let shards = shards_reply(NODES);
    assert!(shards.len() < 1 << 20, "{} bytes", shards.len());
    let server = redis_like(
        "# Server\r\nredis_version:7.0.15\r\nredis_mode:cluster\r\n# Cluster\r\ncluster_enabled:1\r\n",
        move |cmd, sub| match (cmd, sub) {
            ("CLUSTER", "INFO") => Some(bulk(&format!(
                "cluster_state:ok\r\ncluster_slots_assigned:16384\r\ncluster_slots_ok:16384\r\ncluster_known_nodes:{NODES}\r\n"
            ))),
            ("CLUSTER", "MYID") => Some(bulk("n0000")),
            ("CLUSTER", "SHARDS") => Some(shards.clone()),
            _ => None,
        },
    );
    let url = secret_url("redis", server.port());
    let timeout = Duration::from_secs(2);
    let json = redcheck(&[&url, "--format", "json", "--timeout", "2"]);
    json.assert_no_secret();
    let cluster = json.check("cluster");
    eprintln!(
        "24,000 announced nodes, --timeout 2 → cluster {} · {} ms",
        cluster["status"],
        json.elapsed.as_millis()
    );
    let nodes = cluster["data"]["nodes"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(nodes.len(), 1000, "{}", cluster["summary"]);
    assert_eq!(cluster["data"]["not_tried_over_cap"], 23_000, "{cluster:#}");
    assert_eq!(cluster["status"], "fail", "{cluster:#}");
    let summary = cluster["summary"].as_str().unwrap_or_default();
    assert!(
        summary.contains("23000 more announced nodes not tried (redcheck dials at most 1000)"),
        "{summary}"
    );
    assert!(
        json.elapsed < timeout + MARGIN,
        "--timeout 2 took {:?}",
        json.elapsed
    );
}

#[test]
fn threads_that_cannot_start_are_no_abort() {
    // A stack no address space can hold: every thread spawn fails, as under a pids limit.
    let server = redis_like(PLAIN_INFO, |_, _| None);
    let url = secret_url("redis", server.port());
    let refused = secret_url("redis", crate::support::unused_port());
    let mut c = cmd();
    c.env("RUST_MIN_STACK", "281474976710656").args([
        &url,
        &refused,
        "--format",
        "json",
        "--timeout",
        "3",
    ]);
    let run = run(&mut c);
    run.assert_no_secret();
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    run.assert_code(1);
    let reports = run.reports();
    assert_eq!(reports.len(), 2, "{}", run.stdout);
    // Probed all the same (a warning: the fake refuses pub/sub), and in argument order.
    let ping = reports[0]["checks"]
        .as_array()
        .and_then(|c| c.iter().find(|c| c["id"] == "ping"))
        .cloned()
        .unwrap_or_default();
    assert_eq!(ping["status"], "pass", "{:#}", reports[0]);
    assert_eq!(reports[1]["verdict"], "fail", "{:#}", reports[1]);
}

// ---- Section 4: local input bounded too ----------------------------------------------------

/// Makes a FIFO at `path` with mkfifo (coreutils).
fn mkfifo(path: &Path) {
    let made = Command::new("mkfifo")
        .arg(path)
        .status()
        .expect("mkfifo (coreutils) is needed");
    assert!(made.success(), "mkfifo {}", path.display());
}

/// A file of `len` bytes (sparse: nothing is written).
fn big_file(dir: &Path, len: u64) -> PathBuf {
    let path = dir.join("big.pem");
    std::fs::File::create(&path).unwrap().set_len(len).unwrap();
    path
}

#[test]
fn local_files_are_capped_devices_refused_and_pipes_bounded_by_the_timeout() {
    let pki = Pki::new();
    let dir = tempfile::tempdir().unwrap();
    let (cert, key) = pki.client("a");
    let gigabyte = big_file(dir.path(), 1 << 30);
    let fifo = dir.path().join("fifo");
    mkfifo(&fifo);
    let tls = format!("rediss://:{SECRET}@127.0.0.1:1");
    let plain = "redis://127.0.0.1:1".to_string();
    let in_query = |file: &Path| format!("rediss://127.0.0.1:1/0?ssl_ca_certs={}", file.display());
    let s = |p: &Path| p.to_str().unwrap().to_string();
    let rows: Vec<(&str, Vec<String>, &str)> = vec![
        (
            "--password-file /dev/zero",
            vec![plain.clone(), "--password-file".into(), "/dev/zero".into()],
            "a character device, not a regular file or a pipe",
        ),
        (
            "--cacert /dev/urandom",
            vec![tls.clone(), "--cacert".into(), "/dev/urandom".into()],
            "a character device",
        ),
        (
            "--cacert of 1 GB",
            vec![tls.clone(), "--cacert".into(), s(&gigabyte)],
            "more than 1 MiB",
        ),
        (
            "--cert of 1 GB",
            vec![
                tls.clone(),
                "--cert".into(),
                s(&gigabyte),
                "--key".into(),
                s(&key),
            ],
            "--cert",
        ),
        (
            "--key /dev/zero",
            vec![
                tls.clone(),
                "--cert".into(),
                s(&cert),
                "--key".into(),
                "/dev/zero".into(),
            ],
            "--key /dev/zero: cannot read the file: it is a character device",
        ),
        (
            "?ssl_ca_certs=/dev/zero",
            vec![in_query(Path::new("/dev/zero"))],
            "?ssl_ca_certs= /dev/zero",
        ),
        (
            "?ssl_ca_certs= of 1 GB",
            vec![in_query(&gigabyte)],
            "more than 1 MiB",
        ),
        (
            "--password-file: a FIFO without a writer",
            vec![plain.clone(), "--password-file".into(), s(&fifo)],
            "nothing (or not all of it) arrived from the pipe within --timeout (1 s)",
        ),
        (
            "--cacert: a FIFO without a writer",
            vec![tls.clone(), "--cacert".into(), s(&fifo)],
            "within --timeout (1 s)",
        ),
    ];
    let mut failed = Vec::new();
    eprintln!("bounded local input:");
    for (name, args, says) in &rows {
        let run = run_within(
            cmd().args(args).args(["--timeout", "1"]),
            Duration::from_secs(5),
        );
        let ok = run.code == 2
            && run.stderr.lines().count() == 1
            && run.stderr.contains(says)
            && run.elapsed < Duration::from_secs(1) + MARGIN
            && !run.stderr.contains(SECRET);
        eprintln!(
            "  {name:<44} exit {} · {} ms · {}",
            run.code,
            run.elapsed.as_millis(),
            run.stderr.trim_end()
        );
        if !ok {
            failed.push(*name);
        }
    }
    assert!(
        failed.is_empty(),
        "rows failed (want exit 2 within 1.5 s naming the problem): {failed:?}"
    );
}

#[test]
fn a_password_from_a_pipe_that_delivers_in_time_is_used() {
    let server = RedisServer::builder().password(SECRET).start();
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("password");
    mkfifo(&fifo);
    let writer = {
        let fifo = fifo.clone();
        thread::spawn(move || {
            // Opening blocks until redcheck opens the other end.
            std::fs::write(&fifo, format!("{SECRET}\n")).unwrap();
        })
    };
    let url = format!("redis://127.0.0.1:{}", server.port());
    let run = redcheck(&[
        &url,
        "--password-file",
        fifo.to_str().unwrap(),
        "--format",
        "json",
        "--timeout",
        "5",
    ]);
    // Had redcheck never opened the FIFO, the writer would wait forever: open its other end
    // without blocking (O_NONBLOCK) so the writer finishes either way.
    let _unblock = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(0o4000)
        .open(&fifo);
    writer.join().unwrap();
    run.assert_no_secret();
    let auth = run.check("auth");
    assert_eq!(auth["status"], "pass", "{auth:#}\n{}", run.stderr);
}

#[test]
fn a_step_summary_that_cannot_be_written_warns_and_keeps_the_exit_code() {
    let server = redis_like(PLAIN_INFO, |_, _| None);
    let url = secret_url("redis", server.port());
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("summary");
    mkfifo(&fifo);
    for (name, path, says) in [
        (
            "a FIFO nobody reads",
            fifo.as_os_str(),
            "nothing took the output within 1 s",
        ),
        (
            "/dev/full",
            OsStr::new("/dev/full"),
            "No space left on device",
        ),
        (
            "a directory",
            dir.path().as_os_str(),
            "redcheck: warning: $GITHUB_STEP_SUMMARY",
        ),
    ] {
        let run = run_within(
            cmd().env("GITHUB_STEP_SUMMARY", path).args([
                &url,
                "--format",
                "github",
                "--timeout",
                "1",
            ]),
            Duration::from_secs(5),
        );
        run.assert_no_secret();
        assert_eq!(
            run.code, 0,
            "{name}: the check passed\n{}{}",
            run.stdout, run.stderr
        );
        assert!(
            run.stderr
                .contains("redcheck: warning: $GITHUB_STEP_SUMMARY")
                && run.stderr.contains(says),
            "{name}: {}",
            run.stderr
        );
        assert!(run.stdout.contains("pass"), "{name}: {}", run.stdout);
        assert!(
            run.elapsed < Duration::from_secs(2) + MARGIN,
            "{name}: {:?}",
            run.elapsed
        );
    }
}

// ---- Section 5: smaller ones ---------------------------------------------------------------

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
