//! `tls`: the handshake, what the server presented, and what verification found.
//!
//! Verification runs through a recording verifier, so even when it fails (or `--insecure`
//! lets it pass) we still know the chain and the exact reason.

use std::io::{self, Read};
use std::net::TcpStream;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::{ResolvesClientCert, WebPkiServerVerifier};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::sign::CertifiedKey;
use rustls::{
    AlertDescription, CertificateError, ClientConfig, ClientConnection, DigitallySignedStruct,
    SignatureScheme,
};

use crate::deadline::Deadline;
use crate::failure::{Failure, Reason};
use crate::trust::{Roots, TrustSource};
use crate::x509::CertInfo;

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
    /// Whether we had one to send.
    pub client_cert_sent: bool,
}

/// Why the handshake did not complete.
pub enum HandshakeError {
    /// The port does not seem to speak TLS (silence, EOF or non-TLS bytes); `resp` is set when
    /// a plaintext probe of the same port got a RESP answer.
    NotTls { cause: String, resp: Option<String> },
    /// A classified TLS failure, with whatever the server presented.
    Failed(Failure, Option<Box<TlsFacts>>),
}

/// Performs the handshake on `sock`. `probe_plaintext` is called once, when the server has
/// sent nothing within [`FIRST_BYTE_WINDOW`], and says whether the port answers RESP.
pub fn handshake(
    sock: TcpStream,
    host: &str,
    settings: &TlsSettings,
    deadline: Deadline,
    probe_plaintext: &mut dyn FnMut() -> Option<String>,
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
    let recorder = Arc::new(Recorder::new(settings)?);
    let resolver = Arc::new(ClientCertRecorder {
        identity: settings.identity.clone(),
        asked: AtomicBool::new(false),
    });
    let config = client_config(recorder.clone(), resolver.clone())?;
    let mut conn = ClientConnection::new(Arc::new(config), server_name).map_err(|e| {
        HandshakeError::Failed(Failure::new(Reason::TlsHandshake, e.to_string()), None)
    })?;
    let mut sock = sock;

    let facts = |conn: &ClientConnection, verification: Result<(), Failure>| {
        let chain_der = recorder.chain();
        Box::new(TlsFacts {
            version: conn.protocol_version().map_or_else(
                || "unknown".into(),
                |v| version_text(v.as_str().unwrap_or("unknown")),
            ),
            cipher: conn
                .negotiated_cipher_suite()
                .map_or_else(|| "unknown".into(), |c| format!("{:?}", c.suite())),
            alpn: conn
                .alpn_protocol()
                .map(|p| String::from_utf8_lossy(p).into_owned()),
            server_name: name_text.clone(),
            chain: chain_der
                .iter()
                .filter_map(|c| CertInfo::from_der(c))
                .collect(),
            chain_der,
            trust: if settings.insecure {
                TrustSource::Insecure
            } else {
                settings.roots.source
            },
            roots: settings.roots.count,
            fallback_note: settings.roots.fallback_note.clone(),
            verification,
            client_cert_requested: resolver.asked.load(Ordering::Relaxed),
            client_cert_sent: resolver.asked.load(Ordering::Relaxed) && settings.identity.is_some(),
        })
    };

    match drive(&mut conn, &mut sock, deadline, probe_plaintext) {
        Ok(()) => {
            let verification = recorder.outcome().map_or(Ok(()), |r| {
                r.map_err(|e| classify(&e, &recorder, settings, &name_text, false))
            });
            let facts = facts(&conn, verification);
            Ok((rustls::StreamOwned::new(conn, sock), *facts))
        }
        Err(Drive::NotTls { cause, resp }) => Err(HandshakeError::NotTls { cause, resp }),
        Err(Drive::Tls(e)) => {
            let asked = resolver.asked.load(Ordering::Relaxed);
            let failure = match recorder.outcome() {
                Some(Err(v)) => classify(&v, &recorder, settings, &name_text, asked),
                _ => classify(&e, &recorder, settings, &name_text, asked),
            };
            let verification = Err(failure.clone());
            Err(HandshakeError::Failed(
                failure,
                Some(facts(&conn, verification)),
            ))
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
                Some(facts(&conn, Ok(()))),
            ))
        }
    }
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
    probe_plaintext: &mut dyn FnMut() -> Option<String>,
) -> Result<(), Drive> {
    let mut got_bytes = false;
    let mut probed = false;
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
        } else {
            left.min(FIRST_BYTE_WINDOW)
        };
        sock.set_read_timeout(Some(wait)).map_err(Drive::Io)?;
        match conn.read_tls(sock) {
            Ok(0) if !got_bytes => {
                return Err(Drive::NotTls {
                    cause: "the server closed the connection without a TLS answer".into(),
                    resp: probe_plaintext(),
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
                            resp: probe_plaintext(),
                        });
                    }
                    return Err(Drive::Tls(e));
                }
            }
            Err(e) if is_timeout(&e) && !got_bytes && !probed => {
                probed = true;
                if let Some(resp) = probe_plaintext() {
                    return Err(Drive::NotTls {
                        cause: format!("no TLS answer within {} ms", FIRST_BYTE_WINDOW.as_millis()),
                        resp: Some(resp),
                    });
                }
            }
            Err(e) if !got_bytes && matches!(e.kind(), io::ErrorKind::ConnectionReset) => {
                return Err(Drive::NotTls {
                    cause: "the server reset the connection at the TLS ClientHello".into(),
                    resp: probe_plaintext(),
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

/// Sends a ClientHello on a fresh connection and says whether a TLS server answered before
/// `deadline`.
pub fn speaks_tls(mut sock: TcpStream, host: &str, deadline: Deadline) -> bool {
    let settings = TlsSettings {
        roots: crate::trust::bundled_roots(),
        insecure: true,
        skip_hostname_check: true,
        sni: None,
        identity: None,
    };
    let name = ServerName::try_from(host.to_string())
        .unwrap_or_else(|_| ServerName::try_from("localhost").expect("static name"));
    let Ok(recorder) = Recorder::new(&settings) else {
        return false;
    };
    let resolver = Arc::new(ClientCertRecorder {
        identity: None,
        asked: AtomicBool::new(false),
    });
    let Ok(config) = client_config(Arc::new(recorder), resolver) else {
        return false;
    };
    let Ok(mut conn) = ClientConnection::new(Arc::new(config), name) else {
        return false;
    };
    let Ok(left) = deadline.remaining() else {
        return false;
    };
    if sock.set_write_timeout(Some(left)).is_err() || conn.write_tls(&mut sock).is_err() {
        return false;
    }
    let mut head = [0u8; 3];
    let mut got = 0;
    // A peer dripping bytes makes every read succeed: each one may wait only what is left.
    while got < head.len() {
        let Ok(left) = deadline.remaining() else {
            return false;
        };
        if sock.set_read_timeout(Some(left)).is_err() {
            return false;
        }
        match sock.read(&mut head[got..]) {
            Ok(0) => return false,
            Ok(n) => got += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(_) => return false,
        }
    }
    // A TLS record starts with a content type (handshake 22 or alert 21) and version 3.x.
    matches!(head, [21 | 22, 3, 0..=4])
}

/// A verifier that delegates to webpki, records the chain and result, and under
/// `--insecure` lets the handshake continue whatever the result.
#[derive(Debug)]
struct Recorder {
    inner: Arc<WebPkiServerVerifier>,
    insecure: bool,
    skip_hostname_check: bool,
    seen: Mutex<Seen>,
}

impl Recorder {
    fn new(settings: &TlsSettings) -> Result<Self, HandshakeError> {
        let inner = WebPkiServerVerifier::builder_with_provider(
            settings.roots.store.clone(),
            Arc::new(rustls::crypto::ring::default_provider()),
        )
        .build()
        .map_err(|e| {
            HandshakeError::Failed(
                Failure::new(Reason::TlsHandshake, format!("trust store unusable: {e}")),
                None,
            )
        })?;
        Ok(Self {
            inner,
            insecure: settings.insecure,
            skip_hostname_check: settings.skip_hostname_check,
            seen: Mutex::new((Vec::new(), None)),
        })
    }

    fn chain(&self) -> Vec<CertificateDer<'static>> {
        self.seen.lock().map(|s| s.0.clone()).unwrap_or_default()
    }

    fn outcome(&self) -> Option<Result<(), rustls::Error>> {
        self.seen.lock().ok().and_then(|s| s.1.clone())
    }
}

impl ServerCertVerifier for Recorder {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let mut result =
            self.inner
                .verify_server_cert(end_entity, intermediates, server_name, ocsp, now);
        if self.skip_hostname_check
            && matches!(
                result,
                Err(rustls::Error::InvalidCertificate(
                    CertificateError::NotValidForName
                        | CertificateError::NotValidForNameContext { .. }
                ))
            )
        {
            result = Ok(ServerCertVerified::assertion());
        }
        if let Ok(mut seen) = self.seen.lock() {
            seen.0 = std::iter::once(end_entity)
                .chain(intermediates)
                .map(|c| c.clone().into_owned())
                .collect();
            seen.1 = Some(result.as_ref().map(|_| ()).map_err(Clone::clone));
        }
        match result {
            Err(_) if self.insecure => Ok(ServerCertVerified::assertion()),
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.inner.supported_verify_schemes()
    }
}

/// The chain the server presented and what webpki made of it.
type Seen = (
    Vec<CertificateDer<'static>>,
    Option<Result<(), rustls::Error>>,
);

/// Records whether the server asked for a client certificate.
#[derive(Debug)]
struct ClientCertRecorder {
    identity: Option<Arc<CertifiedKey>>,
    asked: AtomicBool,
}

impl ResolvesClientCert for ClientCertRecorder {
    fn resolve(&self, _hints: &[&[u8]], _schemes: &[SignatureScheme]) -> Option<Arc<CertifiedKey>> {
        self.asked.store(true, Ordering::Relaxed);
        self.identity.clone()
    }

    fn has_certs(&self) -> bool {
        // Always take part, so that a request is recorded even without an identity.
        true
    }
}

/// Names a handshake failure; `cert_requested` says whether the server asked for a client
/// certificate before it failed.
fn classify(
    e: &rustls::Error,
    recorder: &Recorder,
    settings: &TlsSettings,
    name: &str,
    cert_requested: bool,
) -> Failure {
    let chain: Vec<CertInfo> = recorder
        .chain()
        .iter()
        .filter_map(|c| CertInfo::from_der(c))
        .collect();
    let leaf = chain.first();
    match e {
        rustls::Error::InvalidCertificate(ce) => {
            classify_cert(ce, leaf, chain.len(), settings, name)
        }
        rustls::Error::AlertReceived(AlertDescription::CertificateRequired) => Failure::new(
            Reason::ClientCertRequired,
            "the server requires a client certificate (alert: certificate required)",
        ),
        // An alert before any CertificateRequest is about something else (no shared cipher,
        // a broken server): only a server that asked can be missing our certificate.
        rustls::Error::AlertReceived(
            a @ (AlertDescription::HandshakeFailure
            | AlertDescription::BadCertificate
            | AlertDescription::UnknownCA),
        ) if settings.identity.is_none() && cert_requested => Failure::new(
            Reason::ClientCertRequired,
            format!(
                "the server rejected the handshake ({a:?}) after asking for a client certificate we did not have"
            ),
        ),
        rustls::Error::AlertReceived(AlertDescription::ProtocolVersion)
        | rustls::Error::PeerIncompatible(_) => Failure::new(
            Reason::TlsHandshake,
            format!(
                "no common TLS version or cipher ({e}); redcheck speaks TLS 1.2 and 1.3 — the server may offer only TLS 1.0/1.1"
            ),
        ),
        other => Failure::new(Reason::TlsHandshake, other.to_string()),
    }
}

fn classify_cert(
    ce: &CertificateError,
    leaf: Option<&CertInfo>,
    chain_len: usize,
    settings: &TlsSettings,
    name: &str,
) -> Failure {
    let source = settings.roots.source.describe();
    match ce {
        CertificateError::UnknownIssuer => match leaf {
            Some(l) if l.self_issued && chain_len == 1 => Failure::new(
                Reason::SelfSigned,
                format!(
                    "the certificate for {} is self-signed (it is its own issuer)",
                    l.subject
                ),
            ),
            Some(l) => Failure::new(
                Reason::UnknownIssuer,
                format!(
                    "issued by '{}', which is not in {source} ({})",
                    l.issuer,
                    crate::text::plural(settings.roots.count, "root", "roots")
                ),
            ),
            None => Failure::new(
                Reason::UnknownIssuer,
                format!("the issuer is not in {source}"),
            ),
        },
        CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. } => {
            let names = leaf.map(|l| l.names().join(", ")).unwrap_or_default();
            Failure::new(
                Reason::HostnameMismatch,
                format!("the certificate is for {names}, not '{}'", name),
            )
        }
        CertificateError::Expired | CertificateError::ExpiredContext { .. } => {
            let (when, ago) = leaf.map_or((String::new(), 0), |l| {
                (l.not_after.clone(), l.days_expired)
            });
            Failure::new(
                Reason::Expired,
                format!("the certificate expired on {when} ({ago} days ago)"),
            )
        }
        CertificateError::NotValidYet | CertificateError::NotValidYetContext { .. } => {
            let (when, ahead) = leaf.map_or((String::new(), 0), |l| {
                (l.not_before.clone(), l.days_until_valid)
            });
            Failure::new(
                Reason::NotYetValid,
                format!("the certificate is valid only from {when} ({ahead} days ahead)"),
            )
        }
        other => Failure::new(
            Reason::TlsHandshake,
            format!("certificate rejected: {other:?}"),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_alert_is_about_a_client_certificate_only_after_the_server_asked_for_one() {
        let settings = TlsSettings {
            roots: crate::trust::bundled_roots(),
            insecure: false,
            skip_hostname_check: false,
            sni: None,
            identity: None,
        };
        let Ok(recorder) = Recorder::new(&settings) else {
            panic!("the bundled roots do not load");
        };
        let alert = rustls::Error::AlertReceived(AlertDescription::HandshakeFailure);
        let reason = |asked| classify(&alert, &recorder, &settings, "h", asked).reason;
        assert_eq!(reason(false), Reason::TlsHandshake);
        assert_eq!(reason(true), Reason::ClientCertRequired);
    }
}
