//! `tls`: the handshake, what the server presented, and what verification found.
//!
//! Verification runs through a recording verifier, so even when it fails (or `--insecure`
//! lets it pass) we still know the chain and the exact reason.

use std::io::{self, Read};
use std::net::TcpStream;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use rustls::pki_types::{CertificateDer, ServerName};
use rustls::sign::CertifiedKey;
use rustls::{AlertDescription, ClientConfig, ClientConnection};

use crate::deadline::Deadline;
use crate::failure::{Failure, Reason};
use crate::trust::{Roots, StoreCert, TrustSource};
use crate::x509::CertInfo;

mod ciphers;
mod diagnose;
mod refusal;
mod sniff;
mod verifier;
mod words;

pub use sniff::speaks_tls;

pub use diagnose::{Evidence, store_cert_text};
use verifier::{ClientCertRecorder, Recorder};
pub use words::rustls_suites;

use super::eyeballs::{Heard, POLL, PlainProbe, Running};

/// How long a TLS client waits for the server's first byte before suspecting a plaintext port.
pub const FIRST_BYTE_WINDOW: Duration = Duration::from_millis(1000);

/// Everything the TLS stage needs, resolved from flags and the URL.
#[derive(Clone)]
pub struct TlsSettings {
    /// Trust anchors.
    pub roots: Roots,
    /// Proceed whatever verification finds.
    pub insecure: bool,
    /// Accept a certificate for another name (redis-py's `ssl_check_hostname=false`).
    pub skip_hostname_check: bool,
    /// Server name to send and verify, instead of the URL's host.
    pub sni: Option<String>,
    /// Client certificate for mutual TLS.
    pub identity: Option<Arc<CertifiedKey>>,
}

/// What the handshake established.
#[derive(Debug, Clone)]
pub struct TlsFacts {
    /// Negotiated protocol, e.g. `TLSv1.3`.
    pub version: String,
    /// Negotiated cipher suite.
    pub cipher: String,
    /// Negotiated ALPN protocol.
    pub alpn: Option<String>,
    /// The name verified against the certificate.
    pub server_name: String,
    /// The chain as presented, leaf first.
    pub chain: Vec<CertInfo>,
    /// The chain as presented, DER, for `--save-chain`.
    pub chain_der: Vec<CertificateDer<'static>>,
    /// Which roots were used.
    pub trust: TrustSource,
    /// How many roots were loaded.
    pub roots: usize,
    /// Set when the system store was missing and bundled roots were used.
    pub fallback_note: Option<String>,
    /// What verification found; an error only survives the handshake under `--insecure`.
    pub verification: Result<(), Failure>,
    /// Whether the server asked for a client certificate.
    pub client_cert_requested: bool,
    /// The client certificate we had (`--cert`).
    pub client_cert: Option<CertInfo>,
    /// Store certificates named like the issuer of the chain's top certificate: for a
    /// self-signed leaf, the leaf itself when trusted, or what shadows it.
    pub issuers_in_store: Vec<StoreCert>,
    /// Whether the store holds the leaf itself.
    pub leaf_in_store: bool,
    /// After a refused handshake: the suites the server picked from a wide TLS 1.2 offer.
    pub server_suites: Option<Vec<String>>,
}

impl TlsFacts {
    /// The evidence the classifier reads, from these facts.
    pub fn evidence(&self) -> Evidence<'_> {
        Evidence {
            chain: &self.chain,
            issuers_in_store: &self.issuers_in_store,
            leaf_in_store: self.leaf_in_store,
            source: self.trust,
            roots: self.roots,
            server_name: &self.server_name,
            cert_requested: self.client_cert_requested,
            client_cert: self.client_cert.as_ref(),
            server_suites: self.server_suites.as_deref(),
        }
    }
}

/// Why the handshake did not complete.
pub enum HandshakeError {
    /// The port does not seem to speak TLS (silence, EOF or non-TLS bytes); `resp` is set when
    /// a plaintext probe of the same port got a RESP answer.
    NotTls { cause: String, resp: Option<String> },
    /// A classified TLS failure, with whatever the server presented.
    Failed(Failure, Option<Box<TlsFacts>>),
}

/// Performs the handshake on `sock`. `plain`, when given, is started once the server has been
/// silent for its `after` (`eyeballs.rs`), or run when the server closes or answers with bytes
/// that are not TLS, and says whether the port answers RESP.
pub fn handshake(
    sock: TcpStream,
    host: &str,
    settings: &TlsSettings,
    deadline: Deadline,
    plain: Option<&PlainProbe>,
) -> Result<(rustls::StreamOwned<ClientConnection, TcpStream>, TlsFacts), HandshakeError> {
    let name_text = settings.sni.clone().unwrap_or_else(|| host.to_string());
    let server_name = ServerName::try_from(name_text.clone()).map_err(|_| {
        HandshakeError::Failed(
            Failure::new(
                Reason::TlsHandshake,
                format!("'{name_text}' is not a valid TLS server name"),
            ),
            None,
        )
    })?;
    let peer = sock.peer_addr().ok();
    let recorder = Arc::new(Recorder::new(settings)?);
    let resolver = Arc::new(ClientCertRecorder {
        identity: settings.identity.clone(),
        asked: AtomicBool::new(false),
    });
    let config = client_config(recorder.clone(), resolver.clone())?;
    let mut conn = ClientConnection::new(Arc::new(config), server_name).map_err(|e| {
        HandshakeError::Failed(
            Failure::new(Reason::TlsHandshake, words::variant_words(&e)),
            None,
        )
    })?;
    let mut sock = sock;

    let facts = |conn: &ClientConnection| {
        let chain_der = recorder.chain();
        let chain: Vec<CertInfo> = chain_der
            .iter()
            .filter_map(|c| CertInfo::from_der(c))
            .collect();
        let roots = &settings.roots;
        // The store is searched only to explain: a failure, or a self-signed certificate.
        let explain = !matches!(recorder.outcome(), Some(Ok(())))
            || chain.first().is_some_and(|l| l.self_signed);
        let issuers_in_store = chain
            .last()
            .filter(|_| explain)
            .map(|top| roots.named(&top.issuer_der))
            .unwrap_or_default()
            .into_iter()
            .map(|(_, s)| s)
            .collect();
        let leaf_in_store = chain_der
            .first()
            .is_some_and(|leaf| roots.certs.iter().any(|c| c == leaf));
        Box::new(TlsFacts {
            version: conn.protocol_version().map_or_else(
                || "unknown".into(),
                |v| version_text(v.as_str().unwrap_or("unknown")),
            ),
            cipher: conn
                .negotiated_cipher_suite()
                .map_or_else(|| "unknown".into(), |c| words::suite_name(c.suite())),
            alpn: conn
                .alpn_protocol()
                .map(|p| String::from_utf8_lossy(p).into_owned()),
            server_name: name_text.clone(),
            chain,
            chain_der,
            trust: if settings.insecure {
                TrustSource::Insecure
            } else {
                roots.source
            },
            roots: roots.count,
            fallback_note: roots.fallback_note.clone(),
            verification: Ok(()),
            client_cert_requested: resolver.was_asked(),
            client_cert: settings
                .identity
                .as_ref()
                .and_then(|id| id.cert.first())
                .and_then(|c| CertInfo::from_der(c)),
            issuers_in_store,
            leaf_in_store,
            server_suites: None,
        })
    };
    // Explained against the store the verifier used, even under --insecure.
    let explain = |e: &rustls::Error, facts: &TlsFacts| {
        let mut ev = facts.evidence();
        ev.source = settings.roots.source;
        diagnose::classify(e, &ev)
    };

    match drive(&mut conn, &mut sock, deadline, plain) {
        Ok(()) => {
            let mut facts = facts(&conn);
            if let Some(Err(e)) = recorder.outcome() {
                facts.verification = Err(explain(&e, &facts));
            }
            Ok((rustls::StreamOwned::new(conn, sock), *facts))
        }
        Err(Drive::NotTls { cause, resp }) => Err(HandshakeError::NotTls { cause, resp }),
        Err(Drive::Tls(e)) => {
            let mut facts = facts(&conn);
            let e = match recorder.outcome() {
                Some(Err(v)) => v,
                _ => e,
            };
            // Refused before any certificate: ask what it would have spoken instead.
            if refused_outright(&e) && facts.chain.is_empty() && !facts.client_cert_requested {
                // Some servers (openssl s_server) serve one connection at a time.
                let _ = sock.shutdown(std::net::Shutdown::Both);
                facts.server_suites = peer
                    .and_then(|addr| ciphers::server_suites(addr, &name_text, deadline))
                    .map(|codes| {
                        codes
                            .into_iter()
                            .map(|c| words::suite_name(c.into()))
                            .collect()
                    });
                // A suite rustls speaks means the suites were not the problem.
                let ours = words::rustls_suites();
                if facts
                    .server_suites
                    .as_ref()
                    .is_some_and(|s| s.iter().any(|name| ours.contains(name)))
                {
                    facts.server_suites = None;
                }
            }
            let failure = explain(&e, &facts);
            facts.verification = Err(failure.clone());
            Err(HandshakeError::Failed(failure, Some(facts)))
        }
        Err(Drive::Io(e)) => {
            let reason = if is_timeout(&e) {
                Reason::Timeout
            } else {
                Reason::TlsHandshake
            };
            let cause = if is_timeout(&e) {
                "the TLS handshake did not finish before the deadline".to_string()
            } else {
                format!("the connection failed during the TLS handshake: {e}")
            };
            Err(HandshakeError::Failed(
                Failure::new(reason, cause),
                Some(facts(&conn)),
            ))
        }
    }
}

/// A refusal that may be about cipher suites.
fn refused_outright(e: &rustls::Error) -> bool {
    matches!(
        e,
        rustls::Error::AlertReceived(
            AlertDescription::HandshakeFailure | AlertDescription::InsufficientSecurity
        ) | rustls::Error::PeerIncompatible(rustls::PeerIncompatible::NoCipherSuitesInCommon)
    )
}

/// Names a TLS alert that ended a session right after the handshake (TLS 1.3 servers judge
/// our client certificate only then), with the facts the handshake left.
pub fn explain_alert(e: &rustls::Error, facts: &TlsFacts) -> Failure {
    diagnose::classify(e, &facts.evidence())
}

fn client_config(
    recorder: Arc<Recorder>,
    resolver: Arc<ClientCertRecorder>,
) -> Result<ClientConfig, HandshakeError> {
    let config =
        ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
            .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
            .map_err(|e| {
                HandshakeError::Failed(Failure::new(Reason::TlsHandshake, e.to_string()), None)
            })?
            .dangerous()
            .with_custom_certificate_verifier(recorder)
            .with_client_cert_resolver(resolver);
    Ok(config)
}

enum Drive {
    NotTls { cause: String, resp: Option<String> },
    Tls(rustls::Error),
    Io(io::Error),
}

fn drive(
    conn: &mut ClientConnection,
    sock: &mut TcpStream,
    deadline: Deadline,
    plain: Option<&PlainProbe>,
) -> Result<(), Drive> {
    let mut got_bytes = false;
    let mut probed = false;
    let hello_sent = std::time::Instant::now();
    // The plaintext probe, once started, and what it says when the server gives up on TLS.
    let mut running: Option<Running> = None;
    let probe_plaintext = |running: &mut Option<Running>| match running.take() {
        Some(r) => r.wait(),
        None => plain.and_then(PlainProbe::now),
    };
    loop {
        while conn.wants_write() {
            let left = deadline.remaining().map_err(Drive::Io)?;
            sock.set_write_timeout(Some(left)).map_err(Drive::Io)?;
            conn.write_tls(sock).map_err(Drive::Io)?;
        }
        if !conn.is_handshaking() {
            return Ok(());
        }
        let left = deadline.remaining().map_err(Drive::Io)?;
        let wait = if got_bytes || probed {
            left
        } else if running.is_some() {
            left.min(POLL)
        } else {
            left.min(plain.map_or(FIRST_BYTE_WINDOW, |p| p.after))
        };
        sock.set_read_timeout(Some(wait)).map_err(Drive::Io)?;
        match conn.read_tls(sock) {
            Ok(0) if !got_bytes => {
                return Err(Drive::NotTls {
                    cause: "the server closed the connection without a TLS answer".into(),
                    resp: probe_plaintext(&mut running),
                });
            }
            Ok(0) => {
                return Err(Drive::Io(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "closed mid-handshake",
                )));
            }
            Ok(_) => {
                let first = !got_bytes;
                got_bytes = true;
                if let Err(e) = conn.process_new_packets() {
                    // Send our alert, so the server logs why.
                    let _ = conn.write_tls(sock);
                    if first && matches!(e, rustls::Error::InvalidMessage(_)) {
                        return Err(Drive::NotTls {
                            cause: "the server answered with bytes that are not TLS".into(),
                            resp: probe_plaintext(&mut running),
                        });
                    }
                    return Err(Drive::Tls(e));
                }
            }
            Err(e) if is_timeout(&e) && !got_bytes && !probed => match (plain, &running) {
                (None, _) => probed = true,
                (Some(p), None) => running = Some(p.start()),
                (Some(_), Some(r)) => match r.poll() {
                    Heard::Nothing => {}
                    Heard::Ended(None) => {
                        running = None;
                        probed = true;
                    }
                    Heard::Ended(Some(resp)) => {
                        return Err(Drive::NotTls {
                            cause: format!(
                                "no TLS answer within {} ms",
                                hello_sent.elapsed().as_millis()
                            ),
                            resp: Some(resp),
                        });
                    }
                },
            },
            Err(e) if !got_bytes && matches!(e.kind(), io::ErrorKind::ConnectionReset) => {
                return Err(Drive::NotTls {
                    cause: "the server reset the connection at the TLS ClientHello".into(),
                    resp: probe_plaintext(&mut running),
                });
            }
            Err(e) => return Err(Drive::Io(e)),
        }
    }
}

/// Whether an I/O error is a timeout (Unix reports `WouldBlock` for socket timeouts).
pub fn is_timeout(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock
    )
}

fn version_text(v: &str) -> String {
    v.replace("TLSv1_", "TLS 1.").replace("TLSv1", "TLS 1.0")
}
