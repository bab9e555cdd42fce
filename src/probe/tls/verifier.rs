//! The recording verifier: webpki decides, and we keep the chain and the verdict, so a
//! failed (or `--insecure`) handshake can still be explained.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::{ResolvesClientCert, WebPkiServerVerifier};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::sign::CertifiedKey;
use rustls::{CertificateError, DigitallySignedStruct, SignatureScheme};

use super::{HandshakeError, TlsSettings};
use crate::failure::{Failure, Reason};

/// A verifier that delegates to webpki, records the chain and result, and under
/// `--insecure` lets the handshake continue whatever the result.
#[derive(Debug)]
pub(super) struct Recorder {
    inner: Arc<WebPkiServerVerifier>,
    insecure: bool,
    skip_hostname_check: bool,
    seen: Mutex<Seen>,
}

impl Recorder {
    pub(super) fn new(settings: &TlsSettings) -> Result<Self, HandshakeError> {
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

    pub(super) fn chain(&self) -> Vec<CertificateDer<'static>> {
        self.seen.lock().map(|s| s.0.clone()).unwrap_or_default()
    }

    pub(super) fn outcome(&self) -> Option<Result<(), rustls::Error>> {
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
pub(super) struct ClientCertRecorder {
    pub(super) identity: Option<Arc<CertifiedKey>>,
    pub(super) asked: AtomicBool,
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

impl ClientCertRecorder {
    /// Whether the server asked for a client certificate.
    pub(super) fn was_asked(&self) -> bool {
        self.asked.load(Ordering::Relaxed)
    }
}
