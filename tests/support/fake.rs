//! Scripted fake servers on 127.0.0.1 for failures a real redis-server won't show.

use std::collections::HashMap;
use std::io::{ErrorKind, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, OnceLock};
use std::thread::{self, JoinHandle};
use std::time::Duration;

use super::{lock, loopback};

/// A responder for [`Behavior::Respond`]: parsed command args in, reply bytes out (empty = no reply).
pub type Responder = Box<dyn Fn(&[Vec<u8>]) -> Vec<u8> + Send + Sync>;

/// What a [`Behavior::Script`] step expects to receive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expect {
    /// Any command.
    Any,
    /// A command whose first word matches this, case-insensitively.
    Command(&'static str),
}

impl Expect {
    fn matches(&self, args: &[Vec<u8>]) -> bool {
        match self {
            Expect::Any => true,
            Expect::Command(name) => args
                .first()
                .is_some_and(|first| first.eq_ignore_ascii_case(name.as_bytes())),
        }
    }
}

/// How every accepted connection of a [`FakeServer`] behaves.
pub enum Behavior {
    /// Resets the connection (RST) as soon as the client sends anything.
    ResetOnAccept,
    /// Accepts, then closes cleanly (client reads EOF).
    CloseOnAccept,
    /// Reads and discards everything, never answers, holds the socket until the server drops.
    Silent,
    /// After the first bytes arrive, sends these bytes one at a time with the delay between each.
    Drip(Vec<u8>, Duration),
    /// Closes plaintext clients at their first bytes; answers a TLS ClientHello (first byte
    /// 0x16) like [`Behavior::Drip`]: a port that speaks TLS, slowly.
    DripToTls(Vec<u8>, Duration),
    /// After the first bytes arrive, sends these bytes and closes.
    Garbage(Vec<u8>),
    /// Per connection, answers the n-th command with the n-th reply (empty reply = say nothing);
    /// a command not matching the step's [`Expect`] gets an `-ERR fake: expected ...` error.
    /// After the script: `+PONG` to PING, `-ERR unknown command` to anything else.
    Script(Vec<(Expect, Vec<u8>)>),
    /// Answers every command with whatever the responder returns (empty = say nothing).
    Respond(Responder),
}

impl Behavior {
    /// Builds [`Behavior::Respond`] from a closure.
    pub fn respond(f: impl Fn(&[Vec<u8>]) -> Vec<u8> + Send + Sync + 'static) -> Behavior {
        Behavior::Respond(Box::new(f))
    }
}

struct Shared {
    behavior: Behavior,
    stopped: Mutex<bool>,
    stop_signal: Condvar,
    commands: Mutex<Vec<Vec<String>>>,
    // Clones of live sockets so drop can shut them down and unblock their threads.
    live: Mutex<HashMap<u64, TcpStream>>,
    handles: Mutex<Vec<JoinHandle<()>>>,
    accepted: AtomicUsize,
}

impl Shared {
    fn is_stopped(&self) -> bool {
        *lock(&self.stopped)
    }

    /// Sleeps for `d` unless stopped first; returns false if stopped.
    fn sleep(&self, d: Duration) -> bool {
        let stopped = lock(&self.stopped);
        let (stopped, _) = self
            .stop_signal
            .wait_timeout_while(stopped, d, |s| !*s)
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        !*stopped
    }

    fn wait_for_stop(&self) {
        let stopped = lock(&self.stopped);
        let _stopped = self
            .stop_signal
            .wait_while(stopped, |s| !*s)
            .unwrap_or_else(|poisoned| poisoned.into_inner());
    }

    fn record(&self, args: &[Vec<u8>]) {
        let words = args
            .iter()
            .map(|a| String::from_utf8_lossy(a).into_owned())
            .collect();
        lock(&self.commands).push(words);
    }
}

/// A scripted server on 127.0.0.1:0, a thread per connection; stops and joins on drop.
pub struct FakeServer {
    port: u16,
    shared: Arc<Shared>,
    acceptor: Option<JoinHandle<()>>,
}

impl FakeServer {
    /// Binds 127.0.0.1:0 and serves `behavior` on every connection until dropped.
    pub fn start(behavior: Behavior) -> FakeServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind fake server on 127.0.0.1:0");
        let port = listener
            .local_addr()
            .expect("fake server local address")
            .port();
        let shared = Arc::new(Shared {
            behavior,
            stopped: Mutex::new(false),
            stop_signal: Condvar::new(),
            commands: Mutex::new(Vec::new()),
            live: Mutex::new(HashMap::new()),
            handles: Mutex::new(Vec::new()),
            accepted: AtomicUsize::new(0),
        });
        let acceptor = {
            let shared = Arc::clone(&shared);
            thread::Builder::new()
                .name(format!("fake-accept-{port}"))
                .spawn(move || accept_loop(listener, shared))
                .expect("spawn fake server accept thread")
        };
        FakeServer {
            port,
            shared,
            acceptor: Some(acceptor),
        }
    }

    /// The listening port on 127.0.0.1.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// `redis://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    /// Every command received so far on any connection, in arrival order.
    pub fn commands(&self) -> Vec<Vec<String>> {
        lock(&self.shared.commands).clone()
    }

    /// How many connections were accepted so far.
    pub fn connections(&self) -> usize {
        self.shared.accepted.load(Ordering::SeqCst)
    }
}

impl Drop for FakeServer {
    fn drop(&mut self) {
        *lock(&self.shared.stopped) = true;
        self.shared.stop_signal.notify_all();
        // The acceptor blocks in accept(): a throwaway connection wakes it to see the flag.
        let _ = TcpStream::connect_timeout(&loopback(self.port), Duration::from_secs(1));
        if let Some(acceptor) = self.acceptor.take() {
            let _ = acceptor.join();
        }
        for stream in lock(&self.shared.live).values() {
            let _ = stream.shutdown(Shutdown::Both);
        }
        let handles = std::mem::take(&mut *lock(&self.shared.handles));
        for handle in handles {
            let _ = handle.join();
        }
    }
}

fn accept_loop(listener: TcpListener, shared: Arc<Shared>) {
    static NEXT_ID: AtomicU64 = AtomicU64::new(0);
    for stream in listener.incoming() {
        if shared.is_stopped() {
            break;
        }
        let Ok(stream) = stream else { continue };
        shared.accepted.fetch_add(1, Ordering::SeqCst);
        let id = NEXT_ID.fetch_add(1, Ordering::Relaxed);
        if let Ok(clone) = stream.try_clone() {
            lock(&shared.live).insert(id, clone);
        }
        let conn_shared = Arc::clone(&shared);
        let handle = thread::Builder::new()
            .name(format!("fake-conn-{id}"))
            .spawn(move || {
                serve(&conn_shared, stream);
                // Drop our clone too, or the socket would stay open past the handler.
                lock(&conn_shared.live).remove(&id);
            })
            .expect("spawn fake server connection thread");
        lock(&shared.handles).push(handle);
    }
}

fn serve(shared: &Shared, mut stream: TcpStream) {
    let mut buf = Vec::new();
    match &shared.behavior {
        Behavior::ResetOnAccept => {
            // std has no SO_LINGER (unstable) and unsafe is forbidden, so use the other way
            // Linux sends RST: close while received data is still unread. peek() waits for the
            // client's first bytes without consuming them.
            let mut peeked = [0u8; 64 * 1024];
            if let Ok(n @ 1..) = stream.peek(&mut peeked) {
                record_all(shared, &mut peeked[..n].to_vec());
            }
        }
        Behavior::CloseOnAccept => {}
        Behavior::Silent => {
            while read_more(&mut stream, &mut buf) {
                record_all(shared, &mut buf);
            }
            shared.wait_for_stop();
        }
        Behavior::Drip(bytes, delay) => {
            if !read_more(&mut stream, &mut buf) {
                return;
            }
            record_all(shared, &mut buf);
            if drip(shared, &mut stream, bytes, *delay) {
                while read_more(&mut stream, &mut buf) {
                    record_all(shared, &mut buf);
                }
                shared.wait_for_stop();
            }
        }
        Behavior::DripToTls(bytes, delay) => {
            if !read_more(&mut stream, &mut buf) || buf.first() != Some(&0x16) {
                return;
            }
            if drip(shared, &mut stream, bytes, *delay) {
                // Never parse TLS records as commands.
                while read_more(&mut stream, &mut buf) {
                    buf.clear();
                }
                shared.wait_for_stop();
            }
        }
        Behavior::Garbage(bytes) => {
            if read_more(&mut stream, &mut buf) {
                record_all(shared, &mut buf);
                let _ = stream.write_all(bytes);
            }
        }
        Behavior::Script(steps) => {
            let mut next = 0;
            serve_commands(shared, &mut stream, |args| {
                let Some((expect, reply)) = steps.get(next) else {
                    return after_script(args);
                };
                if expect.matches(args) {
                    next += 1;
                    reply.clone()
                } else {
                    let got = args
                        .first()
                        .map(|a| String::from_utf8_lossy(a).into_owned());
                    format!("-ERR fake: expected {expect:?}, got {got:?}\r\n").into_bytes()
                }
            });
        }
        Behavior::Respond(responder) => serve_commands(shared, &mut stream, |args| responder(args)),
    }
}

fn after_script(args: &[Vec<u8>]) -> Vec<u8> {
    if Expect::Command("PING").matches(args) {
        b"+PONG\r\n".to_vec()
    } else {
        b"-ERR unknown command\r\n".to_vec()
    }
}

fn serve_commands(
    shared: &Shared,
    stream: &mut TcpStream,
    mut answer: impl FnMut(&[Vec<u8>]) -> Vec<u8>,
) {
    let mut buf = Vec::new();
    while read_more(stream, &mut buf) {
        loop {
            match parse_command(&buf) {
                Parsed::Command(args, used) => {
                    buf.drain(..used);
                    shared.record(&args);
                    let reply = answer(&args);
                    if !reply.is_empty() && stream.write_all(&reply).is_err() {
                        return;
                    }
                }
                Parsed::Incomplete => break,
                Parsed::Invalid => {
                    let _ = stream.write_all(b"-ERR Protocol error\r\n");
                    return;
                }
            }
        }
    }
}

/// Records every complete command in `buf` and drops it; unparsable input is discarded.
fn record_all(shared: &Shared, buf: &mut Vec<u8>) {
    loop {
        match parse_command(buf) {
            Parsed::Command(args, used) => {
                buf.drain(..used);
                shared.record(&args);
            }
            Parsed::Incomplete => return,
            Parsed::Invalid => {
                buf.clear();
                return;
            }
        }
    }
}

/// Appends what the peer sends next to `buf`; false on EOF or error (incl. shutdown on drop).
/// Sends `bytes` one at a time, `delay` apart; false if the client or the server ended first.
fn drip(shared: &Shared, stream: &mut TcpStream, bytes: &[u8], delay: Duration) -> bool {
    for (i, byte) in bytes.iter().enumerate() {
        if i > 0 && !shared.sleep(delay) {
            return false;
        }
        if stream.write_all(&[*byte]).is_err() {
            return false;
        }
    }
    true
}

fn read_more(stream: &mut TcpStream, buf: &mut Vec<u8>) -> bool {
    let mut chunk = [0u8; 16 * 1024];
    loop {
        match stream.read(&mut chunk) {
            Ok(0) => return false,
            Ok(n) => {
                buf.extend_from_slice(&chunk[..n]);
                return true;
            }
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(_) => return false,
        }
    }
}

/// Result of [`parse_command`].
#[derive(Debug, PartialEq, Eq)]
pub enum Parsed {
    /// A command's arguments and how many bytes it took.
    Command(Vec<Vec<u8>>, usize),
    /// Need more bytes.
    Incomplete,
    /// Not RESP (or absurdly long).
    Invalid,
}

const MAX_COMMAND: usize = 1 << 20;

/// Parses one client command: a RESP array of bulk strings, or an inline command line.
pub fn parse_command(buf: &[u8]) -> Parsed {
    let parsed = if buf.first() == Some(&b'*') {
        parse_array(buf)
    } else {
        parse_inline(buf)
    };
    match parsed {
        Parsed::Incomplete if buf.len() > MAX_COMMAND => Parsed::Invalid,
        other => other,
    }
}

fn parse_array(buf: &[u8]) -> Parsed {
    let Some((count, mut pos)) = header(buf, 0, b'*') else {
        return incomplete_or_invalid(buf, 0);
    };
    let Ok(count) = usize::try_from(count) else {
        return Parsed::Invalid;
    };
    let mut args = Vec::with_capacity(count.min(64));
    for _ in 0..count {
        if pos >= buf.len() {
            return Parsed::Incomplete;
        }
        let Some((len, start)) = header(buf, pos, b'$') else {
            return incomplete_or_invalid(buf, pos);
        };
        let Ok(len) = usize::try_from(len) else {
            return Parsed::Invalid;
        };
        let end = start + len;
        if buf.len() < end + 2 {
            return Parsed::Incomplete;
        }
        if &buf[end..end + 2] != b"\r\n" {
            return Parsed::Invalid;
        }
        args.push(buf[start..end].to_vec());
        pos = end + 2;
    }
    Parsed::Command(args, pos)
}

/// Reads `<marker><integer>\r\n` at `pos`; returns the integer and the position after it.
fn header(buf: &[u8], pos: usize, marker: u8) -> Option<(i64, usize)> {
    if buf.get(pos) != Some(&marker) {
        return None;
    }
    let rel = buf[pos..].windows(2).position(|w| w == b"\r\n")?;
    let text = std::str::from_utf8(&buf[pos + 1..pos + rel]).ok()?;
    Some((text.parse().ok()?, pos + rel + 2))
}

fn incomplete_or_invalid(buf: &[u8], pos: usize) -> Parsed {
    let rest = &buf[pos..];
    let marker_ok = matches!(rest.first(), None | Some(b'*' | b'$'));
    let line_done = rest.windows(2).any(|w| w == b"\r\n");
    if marker_ok && !line_done && rest.len() < 32 {
        Parsed::Incomplete
    } else {
        Parsed::Invalid
    }
}

fn parse_inline(buf: &[u8]) -> Parsed {
    let Some(nl) = buf.iter().position(|&b| b == b'\n') else {
        return Parsed::Incomplete;
    };
    let args = buf[..nl]
        .split(|b| b.is_ascii_whitespace())
        .filter(|w| !w.is_empty())
        .map(<[u8]>::to_vec)
        .collect::<Vec<_>>();
    if args.is_empty() {
        // Blank line: nothing to answer, keep going after it.
        return match parse_command(&buf[nl + 1..]) {
            Parsed::Command(args, used) => Parsed::Command(args, used + nl + 1),
            other => other,
        };
    }
    Parsed::Command(args, nl + 1)
}

/// A listener whose accept queue is full, so further connects get no handshake (they hang).
pub struct Blackhole {
    addr: SocketAddr,
    _listener: TcpListener,
    _fillers: Vec<TcpStream>,
}

impl Blackhole {
    /// `127.0.0.1:PORT` of the full listener.
    pub fn addr(&self) -> String {
        self.addr.to_string()
    }
}

/// Fills a never-accepting listener's queue; `None` if connects do not start hanging.
pub fn blackhole_listener() -> Option<Blackhole> {
    // Linux drops SYNs to a listener whose accept queue is full, so the client's connect
    // retransmits for minutes. std listens with backlog SOMAXCONN and can't set it lower,
    // so the queue takes somaxconn + 1 connections to fill.
    let somaxconn: usize = std::fs::read_to_string("/proc/sys/net/core/somaxconn")
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(4096);
    if somaxconn > 16 * 1024 {
        return None;
    }
    let listener = TcpListener::bind("127.0.0.1:0").ok()?;
    let addr = listener.local_addr().ok()?;
    let mut fillers = Vec::with_capacity(somaxconn + 2);
    for _ in 0..somaxconn + 64 {
        match TcpStream::connect_timeout(&addr, Duration::from_millis(100)) {
            Ok(stream) => fillers.push(stream),
            Err(e) if e.kind() == ErrorKind::TimedOut => {
                // Full: confirm a second connect hangs too.
                let again = TcpStream::connect_timeout(&addr, Duration::from_millis(100));
                return matches!(again, Err(e) if e.kind() == ErrorKind::TimedOut).then_some(
                    Blackhole {
                        addr,
                        _listener: listener,
                        _fillers: fillers,
                    },
                );
            }
            Err(_) => return None,
        }
    }
    None
}

/// `127.0.0.1:PORT` where connects hang (no SYN-ACK), shared by the whole test binary.
pub fn blackhole_addr() -> Option<String> {
    static BLACKHOLE: OnceLock<Option<Blackhole>> = OnceLock::new();
    BLACKHOLE
        .get_or_init(blackhole_listener)
        .as_ref()
        .map(Blackhole::addr)
}
