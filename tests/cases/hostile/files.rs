//! Issue 10, section 4: local files read and written with bounds (size, kind, time).

use std::ffi::OsStr;
use std::io::Read;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use super::{MARGIN, PLAIN_INFO, redis_like};
use crate::support::run::{Run, SECRET, cmd, redcheck, secret_url};
use crate::support::{Pki, RedisServer};

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
