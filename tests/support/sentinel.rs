//! Real Sentinel topologies on loopback: a master, a replica and `redis-server CONF --sentinel`
//! processes. Sentinels take seconds to find each other, so one shared topology is started once
//! per test binary ([`shared`]); tests that disturb a topology start their own small one.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::thread;
use std::time::{Duration, Instant};

use tempfile::TempDir;

use super::certs::TlsFiles;
use super::redis::{REDIS_REQUIRED, RedisServer, find_binary};
use super::run::SECRET;
use super::unused_port;

/// The Sentinels' own password (their `requirepass`), distinct from the data nodes' [`SECRET`].
pub const SENTINEL_SECRET: &str = "Sentinel-0wn-pa55";

/// How long Sentinels may take to see the master, its replica and each other.
const SETTLE: Duration = Duration::from_secs(20);

/// One `redis-server CONF --sentinel` process, killed on drop.
#[derive(Debug)]
pub struct Sentinel {
    child: Child,
    dir: TempDir,
    port: u16,
    password: Option<String>,
    tls: Option<TlsFiles>,
}

impl Sentinel {
    /// Starts a Sentinel on `port` (0: a free one) with `conf` after its `port`/`bind` lines.
    pub fn start(port: u16, password: Option<&str>, conf: &str) -> Sentinel {
        Sentinel::start_with(port, password, None, conf)
    }

    /// As [`Sentinel::start`], serving only TLS with `tls` (and speaking TLS to the master).
    pub fn start_tls(port: u16, tls: &TlsFiles, conf: &str) -> Sentinel {
        Sentinel::start_with(port, None, Some(tls), conf)
    }

    fn start_with(
        port: u16,
        password: Option<&str>,
        tls: Option<&TlsFiles>,
        conf: &str,
    ) -> Sentinel {
        let binary = find_binary("REDCHECK_REDIS_SERVER", "redis-server")
            .unwrap_or_else(|| panic!("{REDIS_REQUIRED}"));
        let dir = tempfile::Builder::new()
            .prefix("redcheck-sentinel-")
            .tempdir()
            .expect("create a temp dir for a Sentinel");
        let port = if port == 0 { unused_port() } else { port };
        let mut text = format!(
            "bind 127.0.0.1\ndir {}\nlogfile {}\n",
            dir.path().display(),
            dir.path().join("sentinel.log").display()
        );
        match tls {
            Some(t) => text.push_str(&format!(
                "port 0\ntls-port {port}\ntls-cert-file {}\ntls-key-file {}\ntls-ca-cert-file {}\ntls-auth-clients no\ntls-replication yes\n",
                t.cert.display(),
                t.key.display(),
                t.ca.display()
            )),
            None => text.push_str(&format!("port {port}\n")),
        }
        if let Some(pw) = password {
            text.push_str(&format!("requirepass {pw}\n"));
        }
        text.push_str(conf);
        // Sentinel rewrites its config file: it must be writable and its own.
        let conf_path = dir.path().join("sentinel.conf");
        fs::write(&conf_path, text).expect("write sentinel.conf");
        let child = Command::new(&binary)
            .arg(&conf_path)
            .arg("--sentinel")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("spawn {} --sentinel: {e}", binary.display()));
        let s = Sentinel {
            child,
            dir,
            port,
            password: password.map(str::to_string),
            tls: tls.cloned(),
        };
        s.wait_until(|s| s.cli(&["PING"]) == "PONG", "answers PING");
        s
    }

    /// Its port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Its process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Its temp dir (config and log).
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// `redis-cli` against it (with its password), stdout trimmed; errors come back as text.
    pub fn cli(&self, args: &[&str]) -> String {
        let cli = find_binary("REDCHECK_REDIS_CLI", "redis-cli")
            .unwrap_or_else(|| panic!("{REDIS_REQUIRED}"));
        let mut cmd = Command::new(cli);
        cmd.args(["-h", "127.0.0.1", "-p", &self.port.to_string()]);
        if let Some(pw) = &self.password {
            cmd.args(["-a", pw, "--no-auth-warning"]);
        }
        if let Some(t) = &self.tls {
            cmd.arg("--tls").arg("--cacert").arg(&t.ca);
        }
        let out = cmd.args(args).output().expect("run redis-cli");
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    /// Polls `ready` until it holds; panics with the Sentinel's log after [`SETTLE`].
    pub fn wait_until(&self, ready: impl Fn(&Sentinel) -> bool, what: &str) {
        let deadline = Instant::now() + SETTLE;
        while !ready(self) {
            assert!(
                Instant::now() < deadline,
                "Sentinel on port {} never {what}; log:\n{}",
                self.port,
                fs::read_to_string(self.dir.path().join("sentinel.log")).unwrap_or_default()
            );
            thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Sentinel {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The shared topology: master and replica with password [`SECRET`], three Sentinels with
/// password [`SENTINEL_SECRET`] monitoring
/// - `mymaster`: the master (quorum 2);
/// - `stale`: the replica, as if a Sentinel still believed it the master;
/// - `gone`: an address where nothing listens.
pub struct Topology {
    /// The master.
    pub master: RedisServer,
    /// Its replica.
    pub replica: RedisServer,
    /// Three Sentinels.
    pub sentinels: Vec<Sentinel>,
    /// The port `gone` is announced at.
    pub gone_port: u16,
}

impl Topology {
    /// `127.0.0.1:P1,127.0.0.1:P2,…` of the Sentinels.
    pub fn hosts(&self) -> String {
        self.sentinels
            .iter()
            .map(|s| format!("127.0.0.1:{}", s.port()))
            .collect::<Vec<_>>()
            .join(",")
    }

    /// `redis+sentinel://:SECRET@HOSTS/NAME/0`.
    pub fn url(&self, name: &str) -> String {
        format!("redis+sentinel://:{SECRET}@{}/{name}/0", self.hosts())
    }
}

/// The topology every read-only Sentinel test shares, started on first use. Its processes
/// outlive the test binary's statics, so a watcher kills them when the binary exits.
pub fn shared() -> &'static Topology {
    static TOPOLOGY: OnceLock<Topology> = OnceLock::new();
    TOPOLOGY.get_or_init(|| {
        let master = RedisServer::builder().password(SECRET).start();
        let replica = start_replica(&master, SECRET, &[]);
        let gone_port = unused_port();
        let conf = format!(
            "sentinel monitor mymaster 127.0.0.1 {m} 2\n\
             sentinel auth-pass mymaster {SECRET}\n\
             sentinel down-after-milliseconds mymaster 5000\n\
             sentinel failover-timeout mymaster 60000\n\
             sentinel monitor stale 127.0.0.1 {r} 2\n\
             sentinel auth-pass stale {SECRET}\n\
             sentinel monitor gone 127.0.0.1 {gone_port} 2\n",
            m = master.port(),
            r = replica.port(),
        );
        let sentinels: Vec<Sentinel> = (0..3)
            .map(|_| Sentinel::start(0, Some(SENTINEL_SECRET), &conf))
            .collect();
        for s in &sentinels {
            s.wait_until(
                |s| {
                    s.cli(&["SENTINEL", "CKQUORUM", "mymaster"])
                        .starts_with("OK 3 ")
                        && s.cli(&["SENTINEL", "REPLICAS", "mymaster"])
                            .contains("slave")
                },
                "saw the two other Sentinels and the replica",
            );
        }
        let mut pids: Vec<u32> = sentinels.iter().map(Sentinel::pid).collect();
        pids.extend([master.pid(), replica.pid()]);
        let mut dirs: Vec<PathBuf> = sentinels.iter().map(|s| s.dir().to_path_buf()).collect();
        dirs.extend([master.dir().to_path_buf(), replica.dir().to_path_buf()]);
        reap_on_exit(&pids, &dirs);
        Topology {
            master,
            replica,
            sentinels,
            gone_port,
        }
    })
}

/// A replica of `master` (`masterauth`/`requirepass` `password`, extra `args`), once its link is up.
pub fn start_replica(master: &RedisServer, password: &str, args: &[(&str, &str)]) -> RedisServer {
    let mut b = RedisServer::builder()
        .arg("replicaof", &format!("127.0.0.1 {}", master.port()))
        .arg("replica-announce-ip", "127.0.0.1");
    if !password.is_empty() {
        b = b.password(password).arg("masterauth", password);
    }
    for (k, v) in args {
        b = b.arg(k, v);
    }
    let replica = b.start();
    let deadline = Instant::now() + SETTLE;
    while !replica
        .cli(&["INFO", "replication"])
        .contains("master_link_status:up")
    {
        assert!(
            Instant::now() < deadline,
            "the replica never linked up:\n{}",
            replica.log()
        );
        thread::sleep(Duration::from_millis(20));
    }
    replica
}

/// Kills `pids` and removes `dirs` once this test process has exited: statics are never dropped.
fn reap_on_exit(pids: &[u32], dirs: &[PathBuf]) {
    let pids: Vec<String> = pids.iter().map(u32::to_string).collect();
    let dirs: Vec<String> = dirs.iter().map(|d| d.display().to_string()).collect();
    let script = format!(
        "while kill -0 {me} 2>/dev/null; do sleep 0.5; done; kill {} 2>/dev/null; sleep 0.5; rm -rf {}",
        pids.join(" "),
        dirs.join(" "),
        me = std::process::id()
    );
    // Deliberately not waited for: it must outlive this process to do its job.
    #[allow(clippy::zombie_processes)]
    let _watcher = Command::new("sh")
        .args(["-c", &script])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn the watcher that stops the shared Sentinel topology");
}
