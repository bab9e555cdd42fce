//! Runs the redcheck binary and reads what it printed.

use std::io::Read;
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use serde_json::Value;

/// The password every test URL carries, so every test can assert it never leaks.
pub const SECRET: &str = "Sekr1t-pa55word";

/// One finished run of the binary.
#[derive(Debug)]
pub struct Run {
    /// Exit code (-1 when killed by a signal).
    pub code: i32,
    /// Everything printed on stdout.
    pub stdout: String,
    /// Everything printed on stderr.
    pub stderr: String,
    /// Wall time.
    pub elapsed: Duration,
}

/// `SCHEME://:SECRET@127.0.0.1:PORT`: a loopback URL that carries the password.
pub fn secret_url(scheme: &str, port: u16) -> String {
    format!("{scheme}://:{SECRET}@127.0.0.1:{port}")
}

/// A `redcheck` command with a clean environment (no REDIS_URL, no colour, no CI hints) and
/// no standard input.
pub fn cmd() -> Command {
    let mut c = Command::new(assert_cmd::cargo::cargo_bin!("redcheck"));
    for var in [
        "REDIS_URL",
        "REDISCLI_AUTH",
        "NO_COLOR",
        "GITHUB_STEP_SUMMARY",
        "SSL_CERT_FILE",
        "SSL_CERT_DIR",
        // The name the tests give `--env`: a test that leaves it unset means unset.
        "CACHE_URL",
    ] {
        c.env_remove(var);
    }
    c.env("TERM", "dumb").stdin(Stdio::null());
    c
}

/// Runs `redcheck ARGS…`.
pub fn redcheck(args: &[&str]) -> Run {
    run(cmd().args(args))
}

/// Runs a prepared command.
pub fn run(c: &mut Command) -> Run {
    let start = Instant::now();
    let out = c.output().expect("run the redcheck binary");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        elapsed: start.elapsed(),
    }
}

/// Runs the same arguments in human and in JSON format, asserting the password leaks in
/// neither; returns the JSON run.
pub fn both(args: &[&str]) -> Run {
    let human = redcheck(args);
    human.assert_no_secret();
    let mut json_args = args.to_vec();
    json_args.extend(["--format", "json"]);
    let json = redcheck(&json_args);
    json.assert_no_secret();
    assert_eq!(
        human.code, json.code,
        "human and JSON exit codes differ\nhuman:\n{}",
        human.stdout
    );
    json
}

impl Run {
    /// Fails the test when [`SECRET`] appears anywhere in the output.
    pub fn assert_no_secret(&self) {
        for (name, text) in [("stdout", &self.stdout), ("stderr", &self.stderr)] {
            assert!(
                !text.contains(SECRET),
                "the password leaked on {name}:\n{text}"
            );
        }
    }

    /// The exit code, with the output in the failure message.
    pub fn assert_code(&self, want: i32) -> &Self {
        assert_eq!(
            self.code, want,
            "exit code\nstdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        self
    }

    /// Every JSON line on stdout.
    pub fn reports(&self) -> Vec<Value> {
        self.stdout
            .lines()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
            .collect()
    }

    /// The only JSON report.
    pub fn report(&self) -> Value {
        let mut all = self.reports();
        assert_eq!(all.len(), 1, "expected one report:\n{}", self.stdout);
        all.remove(0)
    }

    /// The check with this id in the only report.
    pub fn check(&self, id: &str) -> Value {
        let report = self.report();
        report["checks"]
            .as_array()
            .and_then(|checks| checks.iter().find(|c| c["id"] == id).cloned())
            .unwrap_or_else(|| panic!("no check '{id}' in:\n{}", self.stdout))
    }

    /// The ids of the only report's checks, in order.
    pub fn check_ids(&self) -> Vec<String> {
        self.report()["checks"]
            .as_array()
            .unwrap_or_else(|| panic!("no checks in:\n{}", self.stdout))
            .iter()
            .map(|c| c["id"].as_str().unwrap_or_default().to_string())
            .collect()
    }

    /// `status` of a check.
    pub fn status(&self, id: &str) -> String {
        self.check(id)["status"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    /// Asserts the check failed with this reason.
    pub fn assert_fails(&self, id: &str, reason: &str) -> &Self {
        let c = self.check(id);
        assert_eq!(c["status"], "fail", "{id} should fail:\n{c:#}");
        assert_eq!(c["data"]["reason"], reason, "{id} reason:\n{c:#}");
        assert!(
            c["hint"].is_string() || reason == "threshold",
            "{id} has no hint:\n{c:#}"
        );
        self
    }
}

/// Runs a started child to the end, sampling its peak resident memory (VmHWM) meanwhile.
pub fn run_measured(mut child: Child) -> (Run, u64) {
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
