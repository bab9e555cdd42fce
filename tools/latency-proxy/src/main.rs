//! A loopback TCP proxy that delays every chunk by a fixed one-way delay, in both directions.
//!
//! This kernel has no netem, and loopback hides round trips: through this proxy a command that
//! needs N round trips takes N × 2 × DELAY longer. Every chunk leaves DELAY after it arrived,
//! in order, without waiting for the chunks before it (a link with latency, not a slow link);
//! an end of stream is passed on DELAY later too. The TCP handshake itself is not delayed (the
//! kernel answers the SYN before the proxy sees the connection): count one round trip per
//! connection on the critical path when reading figures taken through it.
//!
//! `latency-proxy --delay-ms 10 --upstream 127.0.0.1:6379 [--listen 127.0.0.1:0]` prints
//! `listening ADDR` once it accepts, then runs until killed. A thread per direction keeps up
//! with hundreds of connections (scripts/bench's fleet rows), which a Python proxy does not.

use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

const STACK: usize = 64 * 1024;

fn main() {
    let mut delay = None;
    let mut listen: SocketAddr = "127.0.0.1:0".parse().expect("static address");
    let mut upstream = None;
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let value = args
            .next()
            .unwrap_or_else(|| usage(&format!("{flag} needs a value")));
        match flag.as_str() {
            "--delay-ms" => {
                let ms: f64 = value
                    .parse()
                    .unwrap_or_else(|_| usage("--delay-ms: a number"));
                delay = Some(Duration::from_secs_f64(ms / 1000.0));
            }
            "--listen" => {
                listen = value
                    .parse()
                    .unwrap_or_else(|_| usage("--listen: HOST:PORT"))
            }
            "--upstream" => {
                upstream = Some(
                    value
                        .parse()
                        .unwrap_or_else(|_| usage("--upstream: HOST:PORT")),
                )
            }
            _ => usage(&format!("unknown flag {flag}")),
        }
    }
    let delay = delay.unwrap_or_else(|| usage("--delay-ms is required"));
    let upstream: SocketAddr = upstream.unwrap_or_else(|| usage("--upstream is required"));
    let listener = TcpListener::bind(listen).expect("bind the listening address");
    deepen_backlog(&listener);
    println!(
        "listening {}",
        listener.local_addr().expect("a bound address")
    );
    for client in listener.incoming().flatten() {
        let _ = thread::Builder::new()
            .stack_size(STACK)
            .spawn(move || relay(client, upstream, delay));
    }
}

/// The standard library listens with a backlog of 128: hundreds of checks connecting at once
/// (a fleet, each with its pub/sub subscriber) overflow it, and the dropped handshakes then
/// cost retransmission timeouts that a real server (redis-server's `tcp-backlog` is 511) would
/// not. Linux lets `listen` be called again to raise it.
#[cfg(target_os = "linux")]
fn deepen_backlog(listener: &TcpListener) {
    use std::os::fd::AsRawFd;
    unsafe extern "C" {
        fn listen(fd: i32, backlog: i32) -> i32;
    }
    // SAFETY: `listen` on a socket this process owns and keeps open; no memory is shared.
    let rc = unsafe { listen(listener.as_raw_fd(), 4096) };
    if rc != 0 {
        eprintln!(
            "latency-proxy: could not raise the listen backlog; expect drops past 128 connections"
        );
    }
}

#[cfg(not(target_os = "linux"))]
fn deepen_backlog(_: &TcpListener) {}

fn usage(why: &str) -> ! {
    eprintln!(
        "latency-proxy: {why}\nusage: latency-proxy --delay-ms MS --upstream HOST:PORT [--listen HOST:PORT]"
    );
    std::process::exit(2)
}

fn relay(client: TcpStream, upstream: SocketAddr, delay: Duration) {
    let Ok(server) = TcpStream::connect(upstream) else {
        return;
    };
    for s in [&client, &server] {
        let _ = s.set_nodelay(true);
    }
    let (c2, s2) = match (client.try_clone(), server.try_clone()) {
        (Ok(c), Ok(s)) => (c, s),
        _ => return,
    };
    let up = thread::Builder::new()
        .stack_size(STACK)
        .spawn(move || pump(client, s2, delay));
    pump(server, c2, delay);
    if let Ok(up) = up {
        let _ = up.join();
    }
}

/// Copies `from` → `to`, each chunk `delay` after it arrived, in order; passes the end on.
fn pump(mut from: TcpStream, mut to: TcpStream, delay: Duration) {
    let (tx, rx) = mpsc::channel::<(Instant, Vec<u8>)>();
    let writer = thread::Builder::new().stack_size(STACK).spawn(move || {
        for (due, chunk) in rx {
            if let Some(wait) = due.checked_duration_since(Instant::now()) {
                thread::sleep(wait);
            }
            if chunk.is_empty() {
                let _ = to.shutdown(Shutdown::Write);
                return;
            }
            if to.write_all(&chunk).is_err() {
                return;
            }
        }
    });
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = from.read(&mut buf).unwrap_or(0);
        if tx
            .send((Instant::now() + delay, buf[..n].to_vec()))
            .is_err()
            || n == 0
        {
            break;
        }
    }
    drop(tx);
    if let Ok(w) = writer {
        let _ = w.join();
    }
}
