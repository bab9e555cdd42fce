//! Real `redis-server` processes on loopback, one temp dir each, killed on drop.

use std::fs::{self, File};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use tempfile::TempDir;

use super::certs::TlsFiles;
use super::{loopback, unused_port};

/// The one line printed when redis-server (with TLS) is not usable: tests never skip silently.
pub const REDIS_REQUIRED: &str = "redis-server with TLS support is required: run scripts/test (it installs it), or apt-get install redis-server";

const READY_TIMEOUT: Duration = Duration::from_secs(10);
const START_ATTEMPTS: usize = 3;

/// Configures a [`RedisServer`]; get one from [`RedisServer::builder`].
#[derive(Debug, Clone, Default)]
pub struct RedisBuilder {
    password: Option<String>,
    users: Vec<(String, String, String)>,
    args: Vec<(String, String)>,
    tls: Option<TlsFiles>,
    tls_only: bool,
    client_cert: bool,
    binary: Option<PathBuf>,
    port: Option<u16>,
}

impl RedisBuilder {
    /// Sets `requirepass` (the default user's password).
    pub fn password(mut self, pw: &str) -> Self {
        self.password = Some(pw.to_string());
        self
    }

    /// Adds an enabled ACL user `user` with password `pw` and `rules` (e.g. `"+@all ~*"`).
    pub fn acl_user(mut self, user: &str, pw: &str, rules: &str) -> Self {
        self.users
            .push((user.to_string(), pw.to_string(), rules.to_string()));
        self
    }

    /// Adds `--k v`; `v` is split on whitespace, and `""`, `''` or an empty `v` is an empty argument.
    pub fn arg(mut self, k: &str, v: &str) -> Self {
        self.args.push((k.to_string(), v.to_string()));
        self
    }

    /// Also serves TLS with `certs` on a second free port; the plaintext port stays.
    pub fn tls(mut self, certs: &TlsFiles) -> Self {
        self.tls = Some(certs.clone());
        self.tls_only = false;
        self
    }

    /// Serves only TLS with `certs` (`port 0`, no plaintext listener).
    pub fn tls_only(mut self, certs: &TlsFiles) -> Self {
        self.tls = Some(certs.clone());
        self.tls_only = true;
        self
    }

    /// Requires TLS clients to present a certificate signed by the test CA (`tls-auth-clients yes`).
    pub fn require_client_cert(mut self) -> Self {
        self.client_cert = true;
        self
    }

    /// Listens on this plaintext port instead of a free one, e.g. one a client already waits
    /// for. A port that is taken is then a failure, not a reason to retry on another.
    pub fn port(mut self, port: u16) -> Self {
        self.port = Some(port);
        self
    }

    /// Uses this redis-server binary instead of `$REDCHECK_REDIS_SERVER` or `PATH`.
    pub fn binary(mut self, path: impl Into<PathBuf>) -> Self {
        self.binary = Some(path.into());
        self
    }

    /// Starts the server and waits until it answers; panics with the log's tail on failure.
    pub fn start(self) -> RedisServer {
        let binary = match &self.binary {
            Some(path) if path.is_file() => path.clone(),
            Some(_) => panic!("{REDIS_REQUIRED}"),
            None => find_binary("REDCHECK_REDIS_SERVER", "redis-server")
                .unwrap_or_else(|| panic!("{REDIS_REQUIRED}")),
        };
        if self.tls.is_some() && !has_tls_support(&binary) {
            panic!("{REDIS_REQUIRED}");
        }
        assert!(
            !self.client_cert || self.tls.is_some(),
            "require_client_cert() needs tls() or tls_only()"
        );
        assert!(
            !self.tls_only || self.port.is_none(),
            "port() sets the plaintext port, which tls_only() turns off"
        );

        let attempts = if self.port.is_some() {
            1
        } else {
            START_ATTEMPTS
        };
        let mut last_failure = String::new();
        for _ in 0..attempts {
            match self.try_start(&binary) {
                Ok(server) => return server,
                Err(Failure::PortRace(msg)) => last_failure = msg,
                Err(Failure::NoTls) => panic!("{REDIS_REQUIRED}"),
                Err(Failure::Fatal(msg)) => panic!("{msg}"),
            }
        }
        match self.port {
            Some(port) => panic!("redis-server could not listen on port {port}:\n{last_failure}"),
            None => panic!(
                "redis-server lost the race for a free port {attempts} times:\n{last_failure}"
            ),
        }
    }

    fn try_start(&self, binary: &Path) -> Result<RedisServer, Failure> {
        let dir = tempfile::Builder::new()
            .prefix("redcheck-redis-")
            .tempdir()
            .expect("create temp dir for redis-server");
        let port = match self.port {
            _ if self.tls_only => 0,
            Some(port) => port,
            None => unused_port(),
        };
        let tls_port = self.tls.as_ref().map(|_| unused_port());
        let log = dir.path().join("redis.log");

        let mut cmd = Command::new(binary);
        cmd.arg("--port").arg(port.to_string());
        cmd.args(["--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]);
        cmd.args(["--daemonize", "no"]);
        cmd.arg("--dir").arg(dir.path());
        cmd.arg("--logfile").arg(&log);
        if let Some(pw) = &self.password {
            cmd.args(["--requirepass", pw]);
        }
        for (user, pw, rules) in &self.users {
            cmd.args(["--user", user, "on"]).arg(format!(">{pw}"));
            cmd.args(rules.split_whitespace());
        }
        if let (Some(tls), Some(tls_port)) = (&self.tls, tls_port) {
            cmd.arg("--tls-port").arg(tls_port.to_string());
            cmd.arg("--tls-cert-file").arg(&tls.cert);
            cmd.arg("--tls-key-file").arg(&tls.key);
            cmd.arg("--tls-ca-cert-file").arg(&tls.ca);
            let auth = if self.client_cert { "yes" } else { "no" };
            cmd.args(["--tls-auth-clients", auth]);
        }
        for (k, v) in &self.args {
            cmd.arg(format!("--{k}"));
            cmd.args(split_value(v));
        }
        // Config errors go to stdout/stderr before the logfile exists: keep them for the panic.
        let out = File::create(dir.path().join("stdout.log")).expect("create stdout.log");
        let err = File::create(dir.path().join("stderr.log")).expect("create stderr.log");
        cmd.stdin(Stdio::null()).stdout(out).stderr(err);
        let child = cmd
            .spawn()
            .unwrap_or_else(|e| panic!("spawn {}: {e}", binary.display()));

        let mut server = RedisServer {
            child,
            dir,
            port,
            tls_port,
            password: self.password.clone(),
            tls: self.tls.clone(),
        };
        server.wait_ready()?;
        Ok(server)
    }
}

enum Failure {
    PortRace(String),
    NoTls,
    Fatal(String),
}

/// A running redis-server on 127.0.0.1, killed (and its temp dir removed) on drop.
#[derive(Debug)]
pub struct RedisServer {
    child: Child,
    dir: TempDir,
    port: u16,
    tls_port: Option<u16>,
    password: Option<String>,
    tls: Option<TlsFiles>,
}

impl RedisServer {
    /// A builder with the defaults: plaintext, no password, no TLS.
    pub fn builder() -> RedisBuilder {
        RedisBuilder::default()
    }

    /// Starts a plain server with no password.
    pub fn start() -> RedisServer {
        RedisBuilder::default().start()
    }

    /// The plaintext port (0 for a TLS-only server).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The server's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The TLS port, if TLS is served.
    pub fn tls_port(&self) -> Option<u16> {
        self.tls_port
    }

    /// `redis://127.0.0.1:PORT` for the plaintext port, without credentials.
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    /// `rediss://127.0.0.1:TLS_PORT`, without credentials; panics if TLS is not served.
    pub fn tls_url(&self) -> String {
        let port = self
            .tls_port
            .expect("tls_url() on a server started without TLS");
        format!("rediss://127.0.0.1:{port}")
    }

    /// The server's temp dir (working dir, `redis.log`, `stdout.log`, `stderr.log`).
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// The server's log so far.
    pub fn log(&self) -> String {
        fs::read_to_string(self.dir.path().join("redis.log")).unwrap_or_default()
    }

    /// Runs `redis-cli ARGS` against the server (plaintext port, or TLS if TLS-only) and returns
    /// its stdout without the trailing newline; panics if redis-cli cannot run or exits non-zero.
    pub fn cli(&self, args: &[&str]) -> String {
        let cli = find_binary("REDCHECK_REDIS_CLI", "redis-cli")
            .unwrap_or_else(|| panic!("{REDIS_REQUIRED}"));
        let mut cmd = Command::new(cli);
        cmd.args(["-h", "127.0.0.1"]);
        if self.port != 0 {
            cmd.arg("-p").arg(self.port.to_string());
        } else {
            let tls = self
                .tls
                .as_ref()
                .expect("a server without plaintext port has TLS");
            let port = self
                .tls_port
                .expect("a server without plaintext port has a TLS port");
            cmd.arg("-p").arg(port.to_string()).arg("--tls");
            cmd.arg("--cacert").arg(&tls.ca);
            // The server leaf also carries clientAuth, so it passes tls-auth-clients yes.
            cmd.arg("--cert").arg(&tls.cert).arg("--key").arg(&tls.key);
        }
        if let Some(pw) = &self.password {
            cmd.args(["-a", pw, "--no-auth-warning"]);
        }
        cmd.args(args);
        let out = cmd.output().expect("run redis-cli");
        assert!(
            out.status.success(),
            "redis-cli {args:?} failed ({}): {}{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout)
            .trim_end_matches(['\r', '\n'])
            .to_string()
    }

    fn wait_ready(&mut self) -> Result<(), Failure> {
        let deadline = Instant::now() + READY_TIMEOUT;
        loop {
            if let Some(status) = self.child.try_wait().expect("poll redis-server") {
                return Err(self.classify_exit(&format!("redis-server exited early ({status})")));
            }
            if self.is_ready() {
                return Ok(());
            }
            if Instant::now() >= deadline {
                let _ = self.child.kill();
                let _ = self.child.wait();
                return Err(Failure::Fatal(self.failure_report(&format!(
                    "redis-server not ready after {READY_TIMEOUT:?}"
                ))));
            }
            thread::sleep(Duration::from_millis(10));
        }
    }

    // The log line guards against a stranger that grabbed our port answering in our place.
    fn is_ready(&self) -> bool {
        if !self.log().contains("Ready to accept connections") {
            return false;
        }
        let plain_ok = self.port == 0 || answers_resp(self.port);
        let tls_ok = self.tls_port.is_none_or(|p| {
            TcpStream::connect_timeout(&loopback(p), Duration::from_millis(200)).is_ok()
        });
        plain_ok && tls_ok
    }

    fn classify_exit(&self, what: &str) -> Failure {
        let output = self.all_output();
        if output.contains("Address already in use") {
            Failure::PortRace(self.failure_report(what))
        } else if self.tls.is_some() && mentions_missing_tls(&output) {
            Failure::NoTls
        } else {
            Failure::Fatal(self.failure_report(what))
        }
    }

    fn all_output(&self) -> String {
        ["stdout.log", "stderr.log", "redis.log"]
            .iter()
            .map(|f| fs::read_to_string(self.dir.path().join(f)).unwrap_or_default())
            .collect::<Vec<_>>()
            .join("\n")
    }

    fn failure_report(&self, what: &str) -> String {
        let output = self.all_output();
        let lines: Vec<&str> = output.lines().filter(|l| !l.trim().is_empty()).collect();
        let tail = lines[lines.len().saturating_sub(20)..].join("\n");
        format!("{what}; last output:\n{tail}")
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Finds a binary via env var `env` (if set and non-empty) or else `name` on `PATH`.
pub fn find_binary(env: &str, name: &str) -> Option<PathBuf> {
    if let Some(path) = std::env::var_os(env).filter(|v| !v.is_empty()) {
        let path = PathBuf::from(path);
        return path.is_file().then_some(path);
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
}

// `redis-server --version` does not say whether TLS was compiled in; a TLS build links
// OpenSSL, whose symbol name shows up in the binary (Debian links libssl dynamically).
fn has_tls_support(binary: &Path) -> bool {
    let bytes = fs::read(binary).unwrap_or_default();
    bytes.windows(11).any(|w| w == b"SSL_CTX_new")
}

fn mentions_missing_tls(output: &str) -> bool {
    let lower = output.to_lowercase();
    lower.contains("not compiled with tls")
        || lower.contains("tls is not supported")
        || (lower.contains("bad directive") && lower.contains("tls"))
}

fn answers_resp(port: u16) -> bool {
    let Ok(mut s) = TcpStream::connect_timeout(&loopback(port), Duration::from_millis(200)) else {
        return false;
    };
    let _ = s.set_read_timeout(Some(Duration::from_millis(500)));
    if s.write_all(b"*1\r\n$4\r\nPING\r\n").is_err() {
        return false;
    }
    let mut first = [0u8; 1];
    // "+PONG", or "-NOAUTH ..." when a password is set: either way it is serving.
    matches!(s.read(&mut first), Ok(1) if first[0] == b'+' || first[0] == b'-')
}

fn split_value(v: &str) -> Vec<String> {
    let parts: Vec<String> = v
        .split_whitespace()
        .map(|p| match p {
            "\"\"" | "''" => String::new(),
            other => other.to_string(),
        })
        .collect();
    if parts.is_empty() {
        vec![String::new()]
    } else {
        parts
    }
}
