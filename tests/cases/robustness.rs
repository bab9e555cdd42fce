//! The robustness matrix: hostile servers, broken networks, bad local input and secrets.
//!
//! A diagnostic runs exactly when things are broken, so it must never hang, crash, mislead or
//! leak. Every row runs the binary in human and JSON format (`both` asserts the password, which
//! every URL carries, leaks in neither and that both formats agree on the exit code), then checks
//! the reason, the exit code and the wall time of each run against `--timeout`. The rows of a
//! group run concurrently, so a group costs about its slowest row.

mod input;
mod network;
mod replies;
mod tls;

use std::any::Any;
use std::ffi::OsStr;
use std::process::Command;
use std::thread;
use std::time::{Duration, Instant};

use crate::support::run::{Run, both, run, secret_url};
use crate::support::{Behavior, FakeServer, panic_text};

/// Slack over `--timeout` for process start-up, TLS set-up and rendering on a busy CI machine.
const MARGIN: Duration = Duration::from_millis(500);

/// The deadline the hanging rows get: `--timeout 1` must end within 1.5 s.
const HANG: Duration = Duration::from_secs(1);

/// The deadline of rows that end on their own: long enough never to be what ends them.
const QUICK: Duration = Duration::from_secs(3);

/// What a row expects.
#[derive(Clone, Copy)]
enum Want {
    /// This check fails with one of these reasons (two only where the kernel decides a race).
    Fail(&'static str, &'static [&'static str]),
    /// No check fails (exit 0); `says` applies to this check.
    Pass(&'static str),
}

/// A running peer, the URL that reaches it (with the password) and extra flags.
struct Peer {
    url: String,
    flags: Vec<String>,
    // Keeps the servers alive until the row is done.
    _guard: Box<dyn Any + Send>,
}

impl Peer {
    /// A peer at `url`, kept alive by `guard`.
    fn new(url: String, guard: impl Any + Send) -> Peer {
        Peer {
            url,
            flags: Vec::new(),
            _guard: Box::new(guard),
        }
    }

    /// Adds `flag value` to the command line.
    fn flag(mut self, flag: &str, value: impl AsRef<OsStr>) -> Peer {
        self.flags.push(flag.into());
        self.flags
            .push(value.as_ref().to_str().expect("UTF-8 flag").into());
        self
    }
}

/// One row of the matrix.
struct Row {
    /// What the peer does, as the matrix prints it.
    name: &'static str,
    /// Starts the peer; `None` when this machine cannot host it (said on stderr).
    start: fn() -> Option<Peer>,
    /// `--timeout`; each run must end within it plus [`MARGIN`].
    timeout: Duration,
    /// The verdict the row must get.
    want: Want,
    /// Text the summary of the row's check must contain.
    says: Option<&'static str>,
}

/// A [`FakeServer`] with this behaviour, reached with the password.
fn fake(behavior: Behavior) -> Option<Peer> {
    let server = FakeServer::start(behavior);
    Some(Peer::new(secret_url("redis", server.port()), server))
}

/// `text` as a RESP bulk string.
fn bulk(text: &str) -> Vec<u8> {
    format!("${}\r\n{text}\r\n", text.len()).into_bytes()
}

/// Runs every row concurrently, prints the measured matrix, and fails naming the failed rows.
fn run_matrix(group: &str, rows: &[Row]) {
    let results: Vec<(&str, Result<String, String>)> = thread::scope(|s| {
        let handles: Vec<_> = rows
            .iter()
            .map(|row| {
                let handle = thread::Builder::new()
                    .name(row.name.into())
                    .spawn_scoped(s, || check_row(row))
                    .expect("spawn a row thread");
                (row.name, handle)
            })
            .collect();
        handles
            .into_iter()
            .map(|(name, h)| (name, h.join().map_err(|p| panic_text(&*p))))
            .collect()
    });
    eprintln!("{group}:");
    let mut failed = Vec::new();
    for (name, result) in &results {
        match result {
            Ok(line) => eprintln!("  {name:<48} {line}"),
            Err(why) => {
                eprintln!("  {name:<48} FAILED: {why}");
                failed.push(*name);
            }
        }
    }
    assert!(failed.is_empty(), "{group}: rows failed: {failed:?}");
}

/// Runs one row in both formats and checks it; returns "reason · human ms · json ms".
fn check_row(row: &Row) -> String {
    let Some(peer) = (row.start)() else {
        return "skipped: this machine cannot host it".into();
    };
    let timeout = format!("{}ms", row.timeout.as_millis());
    let mut args = vec![peer.url.as_str(), "--timeout", &timeout];
    args.extend(peer.flags.iter().map(String::as_str));
    let started = Instant::now();
    let json = both(&args);
    let human = started.elapsed().saturating_sub(json.elapsed);
    assert_no_panic(&json);
    let bound = row.timeout + MARGIN;
    assert!(
        human <= bound && json.elapsed <= bound,
        "{}: human {human:?}, JSON {:?}, over {bound:?}",
        row.name,
        json.elapsed
    );
    let shown = match row.want {
        Want::Pass(id) => {
            json.assert_code(0);
            let summary = json.check(id)["summary"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            if let Some(says) = row.says {
                assert!(summary.contains(says), "{}: {summary}", row.name);
            }
            "pass".to_string()
        }
        Want::Fail(id, reasons) => {
            json.assert_code(1);
            let check = json.check(id);
            let reason = check["data"]["reason"].as_str().unwrap_or_default();
            assert_eq!(check["status"], "fail", "{}: {check:#}", row.name);
            assert!(reasons.contains(&reason), "{}: {check:#}", row.name);
            assert!(
                check["hint"].is_string(),
                "{}: no hint: {check:#}",
                row.name
            );
            let summary = check["summary"].as_str().unwrap_or_default();
            if let Some(says) = row.says {
                assert!(summary.contains(says), "{}: {check:#}", row.name);
            }
            format!("{id} {reason}")
        }
    };
    format!(
        "{shown:<24} human {:>4} ms · json {:>4} ms",
        human.as_millis(),
        json.elapsed.as_millis()
    )
}

/// A panic would say so on stderr (and exit 101 in a debug build).
fn assert_no_panic(run: &Run) {
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
}

/// Like `both`, but with OS-string arguments and any base command; keeps both runs, since
/// the bad-input rows read the human text too.
fn both_os(base: impl Fn() -> Command, args: &[&OsStr]) -> (Run, Run) {
    let human = run(base().args(args));
    human.assert_no_secret();
    let json = run(base().args(args).args(["--format", "json"]));
    json.assert_no_secret();
    assert_eq!(
        human.code, json.code,
        "human and JSON exit codes differ\nhuman:\n{}{}",
        human.stdout, human.stderr
    );
    (human, json)
}
