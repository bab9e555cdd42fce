//! A Unix socket listener that never accepts and whose backlog is full: connects to it block.

use std::os::unix::net::{UnixListener, UnixStream};
use std::path::PathBuf;
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

/// A full, never-accepting Unix listener in a temporary directory; gone on drop.
pub struct FullUnixSocket {
    path: PathBuf,
    _fillers: Vec<UnixStream>,
    _listener: UnixListener,
    _dir: tempfile::TempDir,
}

impl FullUnixSocket {
    /// Binds a listener and connects to it without accepting until a connect blocks;
    /// `None` if connects never start blocking.
    pub fn start() -> Option<FullUnixSocket> {
        let dir = tempfile::tempdir().ok()?;
        let path = dir.path().join("full.sock");
        let listener = UnixListener::bind(&path).ok()?;
        // std listens with backlog SOMAXCONN; Linux queues backlog + 1 connections, then
        // blocks connect(2). std has no connect timeout for Unix sockets, so each connect
        // runs on a thread and the one that blocks is left behind.
        let somaxconn: usize = std::fs::read_to_string("/proc/sys/net/core/somaxconn")
            .ok()
            .and_then(|s| s.trim().parse().ok())
            .unwrap_or(4096);
        if somaxconn > 16 * 1024 {
            return None;
        }
        let mut fillers = Vec::with_capacity(somaxconn + 2);
        for _ in 0..somaxconn + 64 {
            let (tx, rx) = mpsc::channel();
            let p = path.clone();
            thread::spawn(move || {
                let _ = tx.send(UnixStream::connect(p));
            });
            match rx.recv_timeout(Duration::from_millis(200)) {
                Ok(Ok(stream)) => fillers.push(stream),
                Ok(Err(_)) => return None,
                Err(_) => {
                    return Some(FullUnixSocket {
                        path,
                        _fillers: fillers,
                        _listener: listener,
                        _dir: dir,
                    });
                }
            }
        }
        None
    }

    /// `unix://` URL of the socket, with `:password@` when given.
    pub fn url(&self, password: Option<&str>) -> String {
        let auth = password.map(|p| format!(":{p}@")).unwrap_or_default();
        format!("unix://{auth}{}", self.path.display())
    }
}
