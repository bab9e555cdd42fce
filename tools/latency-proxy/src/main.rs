//! A loopback TCP proxy that delays every chunk by a fixed one-way delay, in both directions.
//!
//! This kernel has no netem, and loopback hides round trips: through this proxy a command that
//! needs N round trips takes N × 2 × DELAY longer. Every chunk (what one read returned) leaves
//! DELAY after it arrived, in order, without waiting for the chunks before it (a link with
//! latency, not a slow link); an end of stream is passed on DELAY later too. The TCP handshake
//! itself is not delayed (the kernel answers the SYN before the proxy sees the connection): count
//! one round trip per connection on the critical path when reading figures taken through it.
//!
//! `latency-proxy --delay-ms 10 --upstream 127.0.0.1:6379 [--listen 127.0.0.1:0]` prints
//! `listening ADDR` once it accepts, then runs until killed.
//!
//! One event loop per CPU, each with its own connections: non-blocking sockets on epoll (mio)
//! and one queue of chunks in flight. The delay is the same for every chunk, so a loop's chunks
//! fall due in the order they arrived and a FIFO is its whole timer queue; a timerfd wakes the
//! loop when the oldest is due (epoll's own timeout is in whole milliseconds, which would add up
//! to 1 ms to every hop). The first loop accepts and deals the connections out in turn.
//! Over a real network the delay costs the client machine nothing; a thread per direction (the
//! first version of this proxy) cost two CPUs' worth of context switches under a 200-target
//! fleet and so slowed the very thing it measured, while a single loop forwarded each burst of
//! 200 replies one after the other on one CPU. A destination that stops reading keeps its bytes
//! queued here (a partial write waits for the socket to be writable again), and past `HOLD`
//! bytes queued in one direction the proxy stops reading that direction's source, so TCP pushes
//! back on the sender as it would on a real path.

use std::collections::{HashMap, VecDeque};
use std::io::{self, ErrorKind, Read, Write};
use std::net::{Shutdown, SocketAddr};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::sync::Arc;
use std::sync::mpsc::{self, Receiver, Sender};
use std::thread;
use std::time::{Duration, Instant};

use mio::net::{TcpListener, TcpStream};
use mio::unix::SourceFd;
use mio::{Events, Interest, Poll, Token, Waker};

const LISTENER: Token = Token(usize::MAX);
const TIMER: Token = Token(usize::MAX - 1);
const HANDOFF: Token = Token(usize::MAX - 2);
/// The most one read takes in: one chunk.
const CHUNK: usize = 64 * 1024;
/// Bytes one direction may hold (in flight or waiting for the destination) before the proxy
/// stops reading its source.
const HOLD: usize = 4 * 1024 * 1024;

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
    let listener = std::net::TcpListener::bind(listen).expect("bind the listening address");
    deepen_backlog(&listener);
    listener
        .set_nonblocking(true)
        .expect("a non-blocking listener");
    println!(
        "listening {}",
        listener.local_addr().expect("a bound address")
    );
    // One loop per CPU; the first accepts and deals the connections out in turn.
    let loops = thread::available_parallelism().map_or(1, std::num::NonZero::get);
    let mut first = Proxy::new(upstream, delay).expect("set up epoll and a timerfd");
    for _ in 1..loops {
        let (tx, rx) = mpsc::channel();
        let mut other = Proxy::new(upstream, delay).expect("set up epoll and a timerfd");
        let waker = Waker::new(other.poll.registry(), HANDOFF).expect("an eventfd");
        other.inbox = Some(rx);
        thread::spawn(move || other.run());
        first.peers.push((tx, Arc::new(waker)));
    }
    let mut listener = TcpListener::from_std(listener);
    first
        .poll
        .registry()
        .register(&mut listener, LISTENER, Interest::READABLE)
        .expect("register the listener");
    first.listener = Some(listener);
    first.run()
}

/// The standard library listens with a backlog of 128: hundreds of checks connecting at once
/// (a fleet, each with its pub/sub subscriber) overflow it, and the dropped handshakes then
/// cost retransmission timeouts that a real server (redis-server's `tcp-backlog` is 511) would
/// not. Linux lets `listen` be called again to raise it.
fn deepen_backlog(listener: &std::net::TcpListener) {
    // SAFETY: `listen` on a socket this process owns and keeps open; no memory is shared.
    let rc = unsafe { libc::listen(listener.as_raw_fd(), 4096) };
    if rc != 0 {
        eprintln!(
            "latency-proxy: could not raise the listen backlog; expect drops past 128 connections"
        );
    }
}

fn usage(why: &str) -> ! {
    eprintln!(
        "latency-proxy: {why}\nusage: latency-proxy --delay-ms MS --upstream HOST:PORT [--listen HOST:PORT]"
    );
    std::process::exit(2)
}

/// A one-shot timer on `CLOCK_MONOTONIC` (the clock `Instant` reads) with nanosecond precision.
struct Timer(OwnedFd);

impl Timer {
    fn new() -> io::Result<Self> {
        // SAFETY: plain system call; a non-negative result is a new descriptor only we own.
        let fd = unsafe {
            libc::timerfd_create(
                libc::CLOCK_MONOTONIC,
                libc::TFD_NONBLOCK | libc::TFD_CLOEXEC,
            )
        };
        if fd < 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: `fd` was just returned by timerfd_create and is owned by nothing else.
        Ok(Self(unsafe { OwnedFd::from_raw_fd(fd) }))
    }

    /// Fires once, `after` from now (at least 1 ns: a zero value would disarm it).
    fn arm(&self, after: Duration) {
        let after = after.max(Duration::from_nanos(1));
        let spec = libc::itimerspec {
            it_interval: libc::timespec {
                tv_sec: 0,
                tv_nsec: 0,
            },
            it_value: libc::timespec {
                tv_sec: after.as_secs() as libc::time_t,
                tv_nsec: after.subsec_nanos().into(),
            },
        };
        // SAFETY: `spec` lives across the call; a null old value is allowed.
        let rc =
            unsafe { libc::timerfd_settime(self.0.as_raw_fd(), 0, &spec, std::ptr::null_mut()) };
        assert_eq!(rc, 0, "timerfd_settime: {}", io::Error::last_os_error());
    }

    /// Consumes the expiry count, so the descriptor reads as idle again.
    fn clear(&self) {
        let mut count = [0u8; 8];
        // SAFETY: reads at most 8 bytes into a buffer of 8 that lives across the call.
        let _ = unsafe { libc::read(self.0.as_raw_fd(), count.as_mut_ptr().cast(), count.len()) };
    }
}

/// A chunk in flight: it is released to its destination at `due`. `None` is an end of stream.
struct Due {
    due: Instant,
    conn: usize,
    flow: usize,
    chunk: Option<Vec<u8>>,
}

/// One direction of a connection: flow 0 reads the client and writes the server, flow 1 the
/// reverse.
#[derive(Default)]
struct Flow {
    /// Chunks whose delay is over, not yet taken by the destination; the first from `sent` on.
    out: VecDeque<Vec<u8>>,
    sent: usize,
    /// Bytes read from the source and not yet written (in flight or in `out`).
    held: usize,
    /// The source ended or failed: nothing more to read.
    read_done: bool,
    /// Reading stopped at `HOLD`; `write` resumes it.
    paused: bool,
    /// The end of stream is due: shut the destination's write side once `out` is empty.
    end_due: bool,
    /// The end was passed on, or the destination failed: nothing more to write.
    done: bool,
}

struct Conn {
    /// The accepted client, then the upstream server.
    sockets: [TcpStream; 2],
    /// The upstream connect has completed.
    connected: bool,
    flows: [Flow; 2],
}

/// One event loop: its own epoll, timer and connections.
struct Proxy {
    poll: Poll,
    /// The first loop accepts, keeps every n-th connection and hands the others to `peers`.
    listener: Option<TcpListener>,
    peers: Vec<(Sender<TcpStream>, Arc<Waker>)>,
    dealt: usize,
    /// The other loops take their connections from here, woken by `HANDOFF`.
    inbox: Option<Receiver<TcpStream>>,
    timer: Timer,
    upstream: SocketAddr,
    delay: Duration,
    conns: HashMap<usize, Conn>,
    next_id: usize,
    in_flight: VecDeque<Due>,
    /// When the timer is set to fire, so an unchanged oldest chunk does not cost a system call.
    armed_for: Option<Instant>,
    buf: Vec<u8>,
}

fn token(conn: usize, side: usize) -> Token {
    Token(conn * 2 + side)
}

impl Proxy {
    fn new(upstream: SocketAddr, delay: Duration) -> io::Result<Self> {
        let poll = Poll::new()?;
        let timer = Timer::new()?;
        poll.registry().register(
            &mut SourceFd(&timer.0.as_raw_fd()),
            TIMER,
            Interest::READABLE,
        )?;
        Ok(Self {
            poll,
            listener: None,
            peers: Vec::new(),
            dealt: 0,
            inbox: None,
            timer,
            upstream,
            delay,
            conns: HashMap::new(),
            next_id: 0,
            in_flight: VecDeque::new(),
            armed_for: None,
            buf: vec![0; CHUNK],
        })
    }

    fn run(mut self) -> ! {
        let mut events = Events::with_capacity(1024);
        loop {
            self.release_due();
            // Sleep until the oldest chunk is due, or indefinitely: never a busy loop.
            if let Some(first) = self.in_flight.front() {
                let wait = first.due.saturating_duration_since(Instant::now());
                if wait.is_zero() {
                    continue;
                }
                if self.armed_for != Some(first.due) {
                    self.timer.arm(wait);
                    self.armed_for = Some(first.due);
                }
            }
            if let Err(e) = self.poll.poll(&mut events, None) {
                assert!(e.kind() == ErrorKind::Interrupted, "epoll: {e}");
                continue;
            }
            for event in &events {
                match event.token() {
                    LISTENER => self.accept(),
                    HANDOFF => {
                        while let Some(client) = self.inbox.as_ref().and_then(|r| r.try_recv().ok())
                        {
                            self.adopt(client);
                        }
                    }
                    TIMER => {
                        self.timer.clear();
                        self.armed_for = None;
                    }
                    Token(t) => {
                        let ending = event.is_read_closed() || event.is_error();
                        let read = match (event.is_readable(), ending) {
                            (_, true) => Some(Drain::UntilWouldBlock),
                            (true, false) => Some(Drain::UntilShortRead),
                            (false, false) => None,
                        };
                        let writable = event.is_writable() || event.is_error();
                        self.on_socket(t / 2, t % 2, read, writable);
                    }
                }
            }
        }
    }

    fn accept(&mut self) {
        loop {
            let Some(listener) = &self.listener else {
                return;
            };
            let client = match listener.accept() {
                Ok((client, _)) => client,
                Err(e) if e.kind() == ErrorKind::WouldBlock => return,
                Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                Err(e) => {
                    // Out of descriptors, say: the rest wait in the backlog for the next edge.
                    eprintln!("latency-proxy: accept: {e}");
                    return;
                }
            };
            let turn = self.dealt % (self.peers.len() + 1);
            self.dealt += 1;
            match turn.checked_sub(1).map(|i| &self.peers[i]) {
                None => self.adopt(client),
                Some((tx, waker)) => {
                    if tx.send(client).is_ok() {
                        let _ = waker.wake();
                    }
                }
            }
        }
    }

    /// Connects upstream for an accepted client and starts relaying.
    fn adopt(&mut self, mut client: TcpStream) {
        let Ok(mut server) = TcpStream::connect(self.upstream) else {
            return;
        };
        for s in [&client, &server] {
            let _ = s.set_nodelay(true);
        }
        let id = self.next_id;
        self.next_id += 1;
        let both = Interest::READABLE | Interest::WRITABLE;
        let registry = self.poll.registry();
        if registry.register(&mut client, token(id, 0), both).is_err()
            || registry.register(&mut server, token(id, 1), both).is_err()
        {
            return;
        }
        self.conns.insert(
            id,
            Conn {
                sockets: [client, server],
                connected: false,
                flows: [Flow::default(), Flow::default()],
            },
        );
    }

    fn on_socket(&mut self, id: usize, side: usize, read_to: Option<Drain>, writable: bool) {
        let Some(conn) = self.conns.get_mut(&id) else {
            return;
        };
        if side == 1 && !conn.connected && writable {
            match connect_result(&conn.sockets[1]) {
                Ok(true) => conn.connected = true,
                Ok(false) => {}
                Err(_) => return self.close(id),
            }
        }
        if let Some(drain) = read_to
            && (side == 0 || conn.connected)
        {
            read(
                conn,
                id,
                side,
                drain,
                self.delay,
                &mut self.buf,
                &mut self.in_flight,
            );
        }
        if writable {
            // The flow that writes to this socket; after the connect, also what fell due before it.
            write(
                conn,
                id,
                1 - side,
                self.delay,
                &mut self.buf,
                &mut self.in_flight,
            );
        }
        if conn.flows.iter().all(|f| f.done) {
            self.close(id);
        }
    }

    /// Hands every chunk whose delay is over to its destination.
    fn release_due(&mut self) {
        let now = Instant::now();
        while self.in_flight.front().is_some_and(|d| d.due <= now) {
            let Due {
                conn: id,
                flow,
                chunk,
                ..
            } = self.in_flight.pop_front().expect("a front entry");
            let Some(conn) = self.conns.get_mut(&id) else {
                continue;
            };
            let f = &mut conn.flows[flow];
            if f.done {
                continue;
            }
            match chunk {
                Some(chunk) => f.out.push_back(chunk),
                None => f.end_due = true,
            }
            // Chunks due together leave in one write where they can: write when the next due
            // entry is not for the same flow.
            let more = self
                .in_flight
                .front()
                .is_some_and(|d| d.due <= now && d.conn == id && d.flow == flow);
            if !more {
                write(
                    conn,
                    id,
                    flow,
                    self.delay,
                    &mut self.buf,
                    &mut self.in_flight,
                );
                if conn.flows.iter().all(|f| f.done) {
                    self.close(id);
                }
            }
        }
    }

    fn close(&mut self, id: usize) {
        if let Some(mut conn) = self.conns.remove(&id) {
            for s in &mut conn.sockets {
                let _ = self.poll.registry().deregister(s);
            }
        }
    }
}

/// Whether a non-blocking connect has completed (`Ok(false)`: not yet), or how it failed.
fn connect_result(server: &TcpStream) -> io::Result<bool> {
    if let Some(e) = server.take_error()? {
        return Err(e);
    }
    match server.peer_addr() {
        Ok(_) => Ok(true),
        Err(e) if e.kind() == ErrorKind::NotConnected => Ok(false),
        Err(e) => Err(e),
    }
}

/// How far one readiness event lets a source be read.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Drain {
    /// Data arrived: a read shorter than the buffer emptied the socket, and epoll (edge
    /// triggered) reports any later arrival (epoll(7) on stream sockets), so no read is spent
    /// just to see it would block.
    UntilShortRead,
    /// The peer closed or failed (its end may wait behind the data), or reading resumes after
    /// `HOLD` (the events that came meanwhile were already taken): read until it would block.
    UntilWouldBlock,
}

/// Reads flow `flow`'s source as far as `drain` says, to its end, or to `HOLD`; each read is a
/// chunk due `delay` from now.
fn read(
    conn: &mut Conn,
    id: usize,
    flow: usize,
    drain: Drain,
    delay: Duration,
    buf: &mut [u8],
    in_flight: &mut VecDeque<Due>,
) {
    let f = &mut conn.flows[flow];
    f.paused = false;
    while !f.read_done && !f.done {
        if f.held >= HOLD {
            f.paused = true;
            return;
        }
        let chunk = match conn.sockets[flow].read(buf) {
            Ok(0) => None,
            Ok(n) => Some(buf[..n].to_vec()),
            Err(e) if e.kind() == ErrorKind::WouldBlock => return,
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            // A reset reads as an end, as it did for the threaded proxy.
            Err(_) => None,
        };
        let drained = match &chunk {
            Some(c) => {
                f.held += c.len();
                drain == Drain::UntilShortRead && c.len() < buf.len()
            }
            None => {
                f.read_done = true;
                true
            }
        };
        in_flight.push_back(Due {
            due: Instant::now() + delay,
            conn: id,
            flow,
            chunk,
        });
        if drained {
            return;
        }
    }
}

/// Writes what flow `flow` has released until the destination would block; then passes on a due
/// end, and resumes reading the source if holding fell below `HOLD`.
fn write(
    conn: &mut Conn,
    id: usize,
    flow: usize,
    delay: Duration,
    buf: &mut [u8],
    in_flight: &mut VecDeque<Due>,
) {
    if !conn.connected {
        return;
    }
    let dst = &conn.sockets[1 - flow];
    let f = &mut conn.flows[flow];
    if f.done {
        return;
    }
    while let Some(front) = f.out.front() {
        match (&*dst).write(&front[f.sent..]) {
            Ok(n) if n > 0 => {
                f.sent += n;
                f.held -= n;
                if f.sent == front.len() {
                    f.out.pop_front();
                    f.sent = 0;
                }
            }
            Err(e) if e.kind() == ErrorKind::WouldBlock => return,
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            // The destination is gone: drop this direction, as the threaded proxy did.
            _ => {
                f.done = true;
                f.out.clear();
                return;
            }
        }
    }
    if f.end_due {
        let _ = dst.shutdown(Shutdown::Write);
        f.done = true;
        return;
    }
    if f.paused && f.held < HOLD {
        read(
            conn,
            id,
            flow,
            Drain::UntilWouldBlock,
            delay,
            buf,
            in_flight,
        );
    }
}
