//! TLS peers that misbehave: a rustls server that completes the handshake and then says
//! nothing, raw-byte peers that break the handshake, and `openssl s_server` for what rustls
//! cannot serve (TLS 1.0 and 1.1, CBC cipher suites).

use std::io::{ErrorKind, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::{ServerConfig, ServerConnection};

use super::certs::TlsFiles;
use super::redis::find_binary;
use super::{lock, loopback, unused_port};

/// A fatal `handshake_failure` alert record (TLS 1.2 record version).
pub const HANDSHAKE_FAILURE_ALERT: [u8; 7] = [0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28];

/// How every connection to a [`TlsFake`] behaves.
pub enum TlsBehavior {
    /// Completes a real TLS handshake with this certificate, then never sends application data.
    SilentAfterHandshake(TlsFiles),
    /// Reads the ClientHello, answers with these raw bytes, then closes.
    AnswerHello(Vec<u8>),
}

struct Shared {
    stopped: AtomicBool,
    // Clones of live sockets, shut down on drop to unblock their threads.
    live: Mutex<Vec<TcpStream>>,
    handles: Mutex<Vec<JoinHandle<()>>>,
}

/// A misbehaving TLS peer on 127.0.0.1:0, a thread per connection; stops and joins on drop.
pub struct TlsFake {
    port: u16,
    shared: Arc<Shared>,
    acceptor: Option<JoinHandle<()>>,
}

impl TlsFake {
    /// Binds 127.0.0.1:0 and serves `behavior` until dropped.
    pub fn start(behavior: TlsBehavior) -> TlsFake {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind TLS fake on 127.0.0.1:0");
        let port = listener.local_addr().expect("TLS fake address").port();
        let config = match &behavior {
            TlsBehavior::SilentAfterHandshake(files) => Some(server_config(files)),
            TlsBehavior::AnswerHello(_) => None,
        };
        let behavior = Arc::new(behavior);
        let shared = Arc::new(Shared {
            stopped: AtomicBool::new(false),
            live: Mutex::new(Vec::new()),
            handles: Mutex::new(Vec::new()),
        });
        let acceptor = {
            let shared = Arc::clone(&shared);
            thread::Builder::new()
                .name(format!("tls-fake-accept-{port}"))
                .spawn(move || {
                    for stream in listener.incoming() {
                        if shared.stopped.load(Ordering::SeqCst) {
                            break;
                        }
                        let Ok(stream) = stream else { continue };
                        if let Ok(clone) = stream.try_clone() {
                            lock(&shared.live).push(clone);
                        }
                        let behavior = Arc::clone(&behavior);
                        let config = config.clone();
                        let handle = thread::spawn(move || serve(&behavior, config, stream));
                        lock(&shared.handles).push(handle);
                    }
                })
                .expect("spawn TLS fake accept thread")
        };
        TlsFake {
            port,
            shared,
            acceptor: Some(acceptor),
        }
    }

    /// The listening port on 127.0.0.1.
    pub fn port(&self) -> u16 {
        self.port
    }
}

impl Drop for TlsFake {
    fn drop(&mut self) {
        self.shared.stopped.store(true, Ordering::SeqCst);
        // The acceptor blocks in accept(): a throwaway connection wakes it to see the flag.
        let _ = TcpStream::connect_timeout(&loopback(self.port), Duration::from_secs(1));
        if let Some(acceptor) = self.acceptor.take() {
            let _ = acceptor.join();
        }
        for stream in lock(&self.shared.live).iter() {
            let _ = stream.shutdown(Shutdown::Both);
        }
        for handle in std::mem::take(&mut *lock(&self.shared.handles)) {
            let _ = handle.join();
        }
    }
}

fn serve(behavior: &TlsBehavior, config: Option<Arc<ServerConfig>>, mut stream: TcpStream) {
    match (behavior, config) {
        (TlsBehavior::SilentAfterHandshake(_), Some(config)) => {
            let Ok(mut conn) = ServerConnection::new(config) else {
                return;
            };
            while conn.is_handshaking() {
                if conn.complete_io(&mut stream).is_err() {
                    return;
                }
            }
            // Session tickets and the like still go out; application data never does.
            let _ = conn.complete_io(&mut stream);
            drain(&mut stream);
        }
        (TlsBehavior::AnswerHello(bytes), _) => {
            let mut hello = [0u8; 16 * 1024];
            if matches!(stream.read(&mut hello), Ok(1..)) {
                let _ = stream.write_all(bytes);
            }
            // Drop keeps a clone for shutdown, so closing takes an explicit shutdown.
            let _ = stream.shutdown(Shutdown::Both);
        }
        (TlsBehavior::SilentAfterHandshake(_), None) => {}
    }
}

/// Reads and discards until EOF or until the socket is shut down.
fn drain(stream: &mut TcpStream) {
    let mut buf = [0u8; 16 * 1024];
    loop {
        match stream.read(&mut buf) {
            Ok(0) => return,
            Ok(_) => {}
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(_) => return,
        }
    }
}

fn server_config(files: &TlsFiles) -> Arc<ServerConfig> {
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(&files.cert)
        .expect("open server certificate")
        .collect::<Result<_, _>>()
        .expect("parse server certificate");
    let key = PrivateKeyDer::from_pem_file(&files.key).expect("read server key");
    let config =
        ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
            .with_safe_default_protocol_versions()
            .expect("TLS versions")
            .with_no_client_auth()
            .with_single_cert(certs, key)
            .expect("server certificate and key");
    Arc::new(config)
}

/// `openssl s_server` with an old configuration (TLS 1.0/1.1, or CBC suites), killed on drop.
pub struct OldTlsServer {
    child: Child,
    port: u16,
}

/// Why [`OldTlsServer::start`] needs the openssl CLI.
pub const OPENSSL_REQUIRED: &str = "the openssl command is needed to make test certificates and serve old TLS (apt-get install openssl)";

impl OldTlsServer {
    /// Starts `openssl s_server` with this certificate, offering only TLS 1.0 and 1.1.
    pub fn start(files: &TlsFiles) -> OldTlsServer {
        // OpenSSL 3 refuses TLS < 1.2 above security level 0.
        let args = ["-no_tls1_2", "-no_tls1_3", "-cipher", "DEFAULT@SECLEVEL=0"];
        OldTlsServer::start_with(files, &args)
    }

    /// Starts `openssl s_server` with this certificate and these protocol and cipher options,
    /// e.g. `-tls1_2 -cipher AES128-SHA` for a TLS 1.2 server with only a CBC suite.
    pub fn start_with(files: &TlsFiles, args: &[&str]) -> OldTlsServer {
        let openssl = find_binary("REDCHECK_OPENSSL", "openssl").expect(OPENSSL_REQUIRED);
        let mut last = String::new();
        // Bind-then-release leaves a race for the port with other processes: retry.
        for _ in 0..5 {
            let port = unused_port();
            let mut child = spawn_s_server(&openssl, port, files, args);
            let deadline = Instant::now() + Duration::from_secs(5);
            while Instant::now() < deadline {
                if let Ok(Some(status)) = child.try_wait() {
                    last = format!("openssl s_server exited early ({status})");
                    break;
                }
                if TcpStream::connect_timeout(&loopback(port), Duration::from_millis(200)).is_ok() {
                    return OldTlsServer { child, port };
                }
                thread::sleep(Duration::from_millis(20));
            }
            let _ = child.kill();
            let _ = child.wait();
        }
        panic!("openssl s_server did not start: {last}");
    }

    /// The listening port on 127.0.0.1.
    pub fn port(&self) -> u16 {
        self.port
    }
}

impl Drop for OldTlsServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn spawn_s_server(openssl: &Path, port: u16, files: &TlsFiles, args: &[&str]) -> Child {
    Command::new(openssl)
        .args(["s_server", "-quiet", "-accept"])
        .arg(format!("127.0.0.1:{port}"))
        .arg("-cert")
        .arg(&files.cert)
        .arg("-key")
        .arg(&files.key)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn openssl s_server")
}
