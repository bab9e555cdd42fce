//! A loopback TCP proxy that forgets flows idle for longer than a set time, the way NAT
//! gateways, cloud load balancers, firewalls and conntrack do: it then either resets the
//! flow at its next packet, or drops everything on it without a word.

use std::io::{ErrorKind, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use super::loopback;

/// What happens to a flow after it sat idle past the limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Forget {
    /// The next packet from the client gets a reset (RST), as AWS NLB and NAT gateways do.
    Reset,
    /// Everything is dropped silently from then on; the sockets stay open.
    Drop,
}

/// How often each flow's pump looks at its two sockets.
const POLL: Duration = Duration::from_millis(5);

/// A proxy on 127.0.0.1:0 in front of 127.0.0.1:`upstream`; stops on drop.
pub struct Middlebox {
    port: u16,
    stop: Arc<AtomicBool>,
    acceptor: Option<JoinHandle<()>>,
}

impl Middlebox {
    /// Starts forwarding to `upstream`, forgetting flows idle longer than `idle` as `forget` says.
    pub fn start(upstream: u16, idle: Duration, forget: Forget) -> Middlebox {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the middlebox");
        listener
            .set_nonblocking(true)
            .expect("a non-blocking middlebox listener");
        let port = listener.local_addr().expect("middlebox address").port();
        let stop = Arc::new(AtomicBool::new(false));
        let acceptor = {
            let stop = Arc::clone(&stop);
            thread::spawn(move || {
                let mut flows = Vec::new();
                while !stop.load(Ordering::Relaxed) {
                    match listener.accept() {
                        Ok((client, _)) => {
                            let stop = Arc::clone(&stop);
                            flows.push(thread::spawn(move || {
                                pump(client, upstream, idle, forget, &stop);
                            }));
                        }
                        Err(e) if e.kind() == ErrorKind::WouldBlock => thread::sleep(POLL),
                        Err(_) => break,
                    }
                }
                for f in flows {
                    let _ = f.join();
                }
            })
        };
        Middlebox {
            port,
            stop,
            acceptor: Some(acceptor),
        }
    }

    /// The port clients connect to.
    pub fn port(&self) -> u16 {
        self.port
    }
}

impl Drop for Middlebox {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(a) = self.acceptor.take() {
            let _ = a.join();
        }
    }
}

/// Copies bytes both ways until one side closes, the flow is forgotten, or the box stops.
fn pump(client: TcpStream, upstream: u16, idle: Duration, forget: Forget, stop: &AtomicBool) {
    let Ok(server) = TcpStream::connect_timeout(&loopback(upstream), Duration::from_secs(2)) else {
        return;
    };
    for s in [&client, &server] {
        let _ = s.set_read_timeout(Some(POLL));
        let _ = s.set_nodelay(true);
    }
    let mut last = Instant::now();
    let mut forgotten = false;
    let mut buf = [0u8; 16 * 1024];
    while !stop.load(Ordering::Relaxed) {
        if !forgotten && last.elapsed() > idle {
            forgotten = true;
        }
        if forgotten && forget == Forget::Reset {
            // Data unread in the receive buffer turns close() into a reset: the client's
            // next packet is answered with RST, as a device that lost the flow does.
            let mut one = [0u8; 1];
            if matches!(client.peek(&mut one), Ok(n) if n > 0) {
                drop(client);
                let _ = server.shutdown(Shutdown::Both);
                return;
            }
            thread::sleep(POLL);
            continue;
        }
        match (&client).read(&mut buf) {
            Ok(0) => break,
            Ok(n) => {
                if !forgotten {
                    if (&server).write_all(&buf[..n]).is_err() {
                        break;
                    }
                    last = Instant::now();
                }
            }
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
            Err(_) => break,
        }
        match (&server).read(&mut buf) {
            Ok(0) => {
                // The server closed: pass the close on, as any proxy does.
                let _ = client.shutdown(Shutdown::Write);
                break;
            }
            Ok(n) => {
                if !forgotten {
                    if (&client).write_all(&buf[..n]).is_err() {
                        break;
                    }
                    last = Instant::now();
                }
            }
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
            Err(_) => break,
        }
    }
    // Hold a dropped flow's socket open until the box stops: silence, not a close.
    while forget == Forget::Drop && forgotten && !stop.load(Ordering::Relaxed) {
        thread::sleep(POLL);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::support::{RedisServer, resp_cmd};

    fn ping_after(port: u16, wait: Duration) -> std::io::Result<Vec<u8>> {
        let mut s = TcpStream::connect(loopback(port))?;
        s.set_read_timeout(Some(Duration::from_millis(700)))?;
        s.write_all(&resp_cmd(&["PING"]))?;
        let mut buf = [0u8; 64];
        let n = s.read(&mut buf)?;
        assert_eq!(&buf[..n], b"+PONG\r\n");
        thread::sleep(wait);
        s.write_all(&resp_cmd(&["PING"]))?;
        let n = s.read(&mut buf)?;
        Ok(buf[..n].to_vec())
    }

    #[test]
    fn the_middlebox_forwards_then_resets_or_drops_idle_flows() {
        let server = RedisServer::start();
        let reset = Middlebox::start(server.port(), Duration::from_millis(300), Forget::Reset);
        assert_eq!(
            ping_after(reset.port(), Duration::from_millis(50)).unwrap(),
            b"+PONG\r\n"
        );
        let err = ping_after(reset.port(), Duration::from_millis(600)).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::ConnectionReset, "{err}");
        let quiet = Middlebox::start(server.port(), Duration::from_millis(300), Forget::Drop);
        let err = ping_after(quiet.port(), Duration::from_millis(600)).unwrap_err();
        assert!(
            matches!(err.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut),
            "{err}"
        );
    }
}
