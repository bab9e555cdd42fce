//! The server said no: a fatal alert (about our client certificate, the cipher suites, the
//! version) or a handshake rustls found incompatible.

use rustls::{AlertDescription, PeerIncompatible};

use super::diagnose::Evidence;
use super::words::{alert_text, rustls_suites, variant_words};
use crate::failure::{Failure, Reason};

/// A fatal alert from the server, during the handshake or right after it.
pub fn alert(a: AlertDescription, ev: &Evidence<'_>) -> Failure {
    let said = alert_text(a);
    let about_certs = matches!(
        a,
        AlertDescription::HandshakeFailure
            | AlertDescription::BadCertificate
            | AlertDescription::UnsupportedCertificate
            | AlertDescription::CertificateRevoked
            | AlertDescription::CertificateExpired
            | AlertDescription::CertificateUnknown
            | AlertDescription::UnknownCA
            | AlertDescription::AccessDenied
            | AlertDescription::DecryptError
    );
    match (a, ev.client_cert) {
        (AlertDescription::CertificateRequired, _) if ev.client_cert.is_none() => Failure::new(
            Reason::ClientCertRequired,
            format!("the server requires a client certificate (alert: {said})"),
        ),
        // Only a server that asked can be missing or refusing our certificate.
        (_, None)
            if ev.cert_requested && (about_certs || a == AlertDescription::CertificateRequired) =>
        {
            Failure::new(
                Reason::ClientCertRequired,
                format!(
                    "the server asked for a client certificate, and without one ended the handshake (alert: {said})"
                ),
            )
        }
        (_, Some(ours)) if ev.cert_requested && about_certs => Failure::new(
            Reason::ClientCertRejected,
            format!(
                "the server rejected our client certificate ({}, issued by '{}') with alert {said}",
                ours.subject, ours.issuer
            ),
        ),
        (AlertDescription::HandshakeFailure | AlertDescription::InsufficientSecurity, _) => {
            no_common(a, ev)
        }
        (AlertDescription::ProtocolVersion, _) => Failure::new(
            Reason::TlsHandshake,
            format!(
                "no TLS version in common (alert: {said}); redcheck speaks TLS 1.2 and 1.3 — the server may offer only TLS 1.0/1.1"
            ),
        ),
        _ => Failure::new(
            Reason::TlsHandshake,
            format!("the server ended the handshake with alert {said}"),
        ),
    }
}

/// `handshake_failure` before any certificate: what the server chose from a wide offer says
/// whether the cipher suites are the reason.
fn no_common(a: AlertDescription, ev: &Evidence<'_>) -> Failure {
    match ev.server_suites {
        Some(theirs) if !theirs.is_empty() => {
            let ours = rustls_suites();
            let tls12: Vec<&String> = ours.iter().filter(|s| !s.starts_with("TLS13_")).collect();
            let example = tls12
                .iter()
                .find(|s| s.contains("RSA_WITH_AES_128_GCM"))
                .or(tls12.first());
            Failure::new(
                Reason::NoCommonCipher,
                format!(
                    "the server offers no cipher suite redcheck (rustls) speaks: it accepts {}, while rustls speaks TLS 1.3 and, in TLS 1.2, only ECDHE suites with AES-GCM or ChaCha20-Poly1305 ({} and {} more)",
                    theirs.join(", "),
                    example.map_or("", |s| s.as_str()),
                    tls12.len().saturating_sub(1)
                ),
            )
        }
        _ => Failure::new(
            Reason::TlsHandshake,
            format!(
                "the server refused the handshake (alert {}): no cipher suite, key exchange group or signature scheme in common with redcheck (rustls speaks TLS 1.3, and TLS 1.2 with ECDHE and AES-GCM or ChaCha20-Poly1305), or the server expects something else, such as a server name (SNI) it knows",
                alert_text(a)
            ),
        ),
    }
}

pub fn incompatible(p: &PeerIncompatible, ev: &Evidence<'_>) -> Failure {
    let text = match p {
        PeerIncompatible::ServerDoesNotSupportTls12Or13
        | PeerIncompatible::ServerTlsVersionIsDisabledByOurConfig
        | PeerIncompatible::Tls12NotOffered
        | PeerIncompatible::Tls12NotOfferedOrEnabled
        | PeerIncompatible::SupportedVersionsExtensionRequired => {
            "no TLS version in common; redcheck speaks TLS 1.2 and 1.3 — the server may offer only TLS 1.0/1.1".to_string()
        }
        PeerIncompatible::NoCipherSuitesInCommon => {
            return no_common(AlertDescription::HandshakeFailure, ev);
        }
        PeerIncompatible::NoKxGroupsInCommon | PeerIncompatible::NamedGroupsExtensionRequired => {
            "no key exchange group in common (redcheck offers X25519, P-256 and P-384)".to_string()
        }
        PeerIncompatible::NoSignatureSchemesInCommon
        | PeerIncompatible::SignatureAlgorithmsExtensionRequired => {
            "no signature scheme in common: the server's key cannot sign in a way rustls accepts (RSA below 2048 bits? DSA?)".to_string()
        }
        PeerIncompatible::NoCertificateRequestSignatureSchemesInCommon => {
            "the server asks for a client certificate signed in a way our key cannot sign".to_string()
        }
        other => format!(
            "the server's TLS is incompatible with redcheck's ({})",
            variant_words(other)
        ),
    };
    Failure::new(Reason::TlsHandshake, text)
}
