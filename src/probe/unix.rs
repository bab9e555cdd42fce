//! `tcp` for `unix://` targets: connect to the socket file, bounded by the deadline.

use std::io;
use std::os::unix::net::UnixStream;
use std::path::Path;
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use crate::deadline::Deadline;
use crate::failure::{Failure, Reason};

/// Connects to the socket at `path` within `per_attempt` (and the deadline).
///
/// A listener whose backlog is full never completes a blocking connect and std has no
/// `connect_timeout` for Unix sockets, so the connect runs on a helper thread and we stop
/// waiting at the bound; the thread ends whenever the kernel lets it.
pub fn connect(
    path: &Path,
    per_attempt: Duration,
    deadline: Deadline,
) -> Result<UnixStream, Failure> {
    let shown = path.display().to_string();
    let limit = deadline.capped(per_attempt).map_err(|_| {
        Failure::new(
            Reason::Timeout,
            format!("no time left to connect to {shown}"),
        )
    })?;
    let (tx, rx) = mpsc::channel();
    let target = path.to_path_buf();
    thread::Builder::new()
        .name("unix-connect".into())
        .spawn(move || {
            let _ = tx.send(UnixStream::connect(target));
        })
        .map_err(|e| {
            Failure::new(
                Reason::Unreachable,
                format!("could not start the connect: {e}"),
            )
        })?;
    match rx.recv_timeout(limit) {
        Ok(Ok(stream)) => Ok(stream),
        Ok(Err(e)) => Err(classify(&shown, &e)),
        Err(_) => Err(Failure::new(
            Reason::Timeout,
            format!(
                "{shown}: the listener did not accept within {} ms (its backlog may be full)",
                limit.as_millis()
            ),
        )),
    }
}

fn classify(shown: &str, e: &io::Error) -> Failure {
    match e.kind() {
        io::ErrorKind::NotFound => Failure::new(
            Reason::Unreachable,
            format!("no socket at {shown}: check the path and the server's unixsocket setting"),
        ),
        io::ErrorKind::PermissionDenied => Failure::new(
            Reason::Unreachable,
            format!("{shown}: permission denied: check unixsocketperm / the user's group"),
        )
        .with_os(io::ErrorKind::PermissionDenied),
        io::ErrorKind::ConnectionRefused => Failure::new(
            Reason::Refused,
            format!("{shown}: refused (the socket file exists but nothing listens on it)"),
        ),
        io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock => Failure::new(
            Reason::Timeout,
            format!("{shown}: the listener did not accept in time"),
        ),
        _ => Failure::new(Reason::Unreachable, format!("{shown}: {e}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::net::UnixListener;
    use std::time::Instant;

    const LONG: Duration = Duration::from_secs(5);

    #[test]
    fn a_missing_socket_names_the_path_and_the_setting() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("none.sock");
        let f = connect(&path, LONG, Deadline::after(LONG)).unwrap_err();
        assert_eq!(f.reason, Reason::Unreachable);
        assert!(f.cause.starts_with("no socket at "), "{}", f.cause);
        assert!(f.cause.contains("unixsocket"), "{}", f.cause);
    }

    #[test]
    fn a_socket_file_without_a_listener_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("dead.sock");
        drop(UnixListener::bind(&path).unwrap());
        let f = connect(&path, LONG, Deadline::after(LONG)).unwrap_err();
        assert_eq!(f.reason, Reason::Refused, "{}", f.cause);
    }

    #[test]
    fn a_listener_connects() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ok.sock");
        let _l = UnixListener::bind(&path).unwrap();
        assert!(connect(&path, LONG, Deadline::after(LONG)).is_ok());
    }

    #[test]
    fn no_time_left_is_a_timeout_without_waiting() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ok.sock");
        let _l = UnixListener::bind(&path).unwrap();
        let started = Instant::now();
        let f = connect(&path, LONG, Deadline::after(Duration::ZERO)).unwrap_err();
        assert_eq!(f.reason, Reason::Timeout);
        assert!(started.elapsed() < Duration::from_millis(100));
    }
}
