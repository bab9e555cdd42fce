//! Integration-test support: real redis-server guards, a test PKI, scripted fake servers.

/// Test PKI: CA, server leaves (good and broken), client certs.
pub mod certs;
/// Scripted fake servers, refused and blackholed addresses.
pub mod fake;
/// A loopback proxy that resets or silently drops flows idle past a limit.
pub mod middlebox;
/// Certificates made with the openssl command line, as people make them.
pub mod openssl;
/// Real redis-server processes.
pub mod redis;
/// Running the redcheck binary.
pub mod run;
/// Sentinel topologies: a master, a replica and `redis-server --sentinel` processes.
pub mod sentinel;
/// TLS peers that break the handshake or go silent after it; openssl s_server for TLS 1.0/1.1.
pub mod tls_fake;
/// A Unix socket listener with a full backlog.
pub mod unix;

use std::any::Any;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

// `self::` because the main crate also depends on a crate named `redis`.
pub use self::certs::{LeafSpec, Pki};
pub use self::fake::{Behavior, FakeServer, blackhole_addr};
pub use self::redis::RedisServer;

/// Encodes a command as a RESP array of bulk strings.
pub fn resp_cmd(args: &[&str]) -> Vec<u8> {
    let mut out = format!("*{}\r\n", args.len()).into_bytes();
    for arg in args {
        out.extend_from_slice(format!("${}\r\n", arg.len()).as_bytes());
        out.extend_from_slice(arg.as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    out
}

/// True if 127.0.0.1:`port` answers `PING` with `+PONG` within a second.
pub fn redis_ping(port: u16) -> bool {
    roundtrip(port, &resp_cmd(&["PING"])).is_ok_and(|reply| reply.starts_with(b"+PONG"))
}

/// Sends `bytes` to 127.0.0.1:`port` and returns what comes back up to the first line end
/// (or EOF), with a 1 s bound on connect and on each read.
pub fn roundtrip(port: u16, bytes: &[u8]) -> std::io::Result<Vec<u8>> {
    let timeout = Duration::from_secs(1);
    let mut stream = TcpStream::connect_timeout(&loopback(port), timeout)?;
    stream.set_read_timeout(Some(timeout))?;
    stream.write_all(bytes)?;
    let mut reply = Vec::new();
    let mut chunk = [0u8; 4096];
    while !reply.ends_with(b"\r\n") {
        let n = stream.read(&mut chunk)?;
        if n == 0 {
            break;
        }
        reply.extend_from_slice(&chunk[..n]);
    }
    Ok(reply)
}

/// `127.0.0.1:port`.
pub fn loopback(port: u16) -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], port))
}

/// A port on 127.0.0.1 with nothing listening (bound then released): connecting is refused.
///
/// Another process may take it before the caller does; servers started on it retry.
pub fn unused_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("bind 127.0.0.1:0 to find an unused port")
        .port()
}

/// Locks `m` even if a panicking test thread poisoned it, so one failure does not cascade
/// into every other user of a shared server.
pub fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The message of a panic payload (`panic!` with a literal or with a format string).
pub fn panic_text(payload: &(dyn Any + Send)) -> String {
    payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_default()
}
