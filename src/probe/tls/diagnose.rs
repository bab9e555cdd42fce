//! A rustls error, read with the chain and the trust store, as a reason and a sentence.
//!
//! Pure: everything it knows comes in [`Evidence`]. webpki only says what failed first
//! (`UnknownIssuer`, `BadSignature`, `Other(CaUsedAsEndEntity)`); the chain and the store
//! say why: a self-signed certificate shadowed by a store certificate of the same name, an
//! intermediate the server does not send, a name that lives only in the CN.

use rustls::CertificateError;

use super::refusal::{alert, incompatible};
use super::words::{variant_words, words};
use crate::failure::{Failure, Reason};
use crate::text::plural;
use crate::trust::{StoreCert, TrustSource};
use crate::x509::CertInfo;

/// What the classifier knows besides the error.
#[derive(Debug, Clone, Copy)]
pub struct Evidence<'a> {
    /// The chain as presented, leaf first.
    pub chain: &'a [CertInfo],
    /// Store certificates named like the issuer of the presented chain's top certificate.
    pub issuers_in_store: &'a [StoreCert],
    /// Whether the store holds the leaf itself.
    pub leaf_in_store: bool,
    /// Where the roots came from.
    pub source: TrustSource,
    /// How many roots there are.
    pub roots: usize,
    /// The name verified against the certificate.
    pub server_name: &'a str,
    /// Whether the server asked for a client certificate.
    pub cert_requested: bool,
    /// The client certificate we had to send, if any.
    pub client_cert: Option<&'a CertInfo>,
    /// The cipher suites the server chose from a wide offer, when that was asked.
    pub server_suites: Option<&'a [String]>,
}

/// Names a handshake failure.
pub fn classify(e: &rustls::Error, ev: &Evidence<'_>) -> Failure {
    match e {
        rustls::Error::InvalidCertificate(ce) => certificate(ce, ev),
        rustls::Error::AlertReceived(a) => alert(*a, ev),
        rustls::Error::PeerIncompatible(p) => incompatible(p, ev),
        rustls::Error::PeerMisbehaved(m) => Failure::new(
            Reason::TlsHandshake,
            format!(
                "the server broke the TLS protocol ({}): a buggy server, or something in between (a proxy, a middlebox) rewrote the handshake",
                variant_words(m)
            ),
        ),
        rustls::Error::InvalidMessage(m) => Failure::new(
            Reason::TlsHandshake,
            format!(
                "the server sent a malformed TLS message ({}): the port may not be a TLS server, or something in between alters the bytes",
                variant_words(m)
            ),
        ),
        rustls::Error::NoCertificatesPresented => {
            Failure::new(Reason::TlsHandshake, "the server presented no certificate")
        }
        rustls::Error::DecryptError => Failure::new(
            Reason::TlsHandshake,
            "a TLS record from the server did not decrypt: something in between alters the bytes",
        ),
        rustls::Error::InappropriateMessage { .. }
        | rustls::Error::InappropriateHandshakeMessage { .. } => Failure::new(
            Reason::TlsHandshake,
            "the server sent a TLS message out of order",
        ),
        rustls::Error::PeerSentOversizedRecord => Failure::new(
            Reason::TlsHandshake,
            "the server sent a TLS record larger than TLS allows",
        ),
        rustls::Error::Other(other) => match other.0.downcast_ref::<webpki::Error>() {
            Some(w) => webpki(w, ev),
            None => Failure::new(
                Reason::TlsHandshake,
                format!("TLS failed: {}", words(&other.to_string())),
            ),
        },
        other => Failure::new(
            Reason::TlsHandshake,
            format!("TLS failed ({})", variant_words(other)),
        ),
    }
}

/// A certificate rustls rejected.
fn certificate(ce: &CertificateError, ev: &Evidence<'_>) -> Failure {
    let leaf = ev.chain.first();
    let subject = leaf.map_or("the server", |l| l.subject.as_str());
    match ce {
        CertificateError::UnknownIssuer => unknown_issuer(ev),
        CertificateError::BadSignature
        | CertificateError::UnsupportedSignatureAlgorithmForPublicKeyContext { .. } => {
            signature_mismatch(ev)
        }
        CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. } => {
            name_mismatch(ev)
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
        #[allow(deprecated)]
        CertificateError::UnsupportedSignatureAlgorithm
        | CertificateError::UnsupportedSignatureAlgorithmContext { .. } => {
            let algs: Vec<&str> = ev
                .chain
                .iter()
                .map(|c| c.signature_algorithm.as_str())
                .collect();
            Failure::new(
                Reason::BadCertificate,
                format!(
                    "the chain is signed with an algorithm rustls does not accept ({}): SHA-1 and MD5 signatures are refused; re-issue with SHA-256",
                    algs.join(", ")
                ),
            )
        }
        CertificateError::InvalidPurpose | CertificateError::InvalidPurposeContext { .. } => {
            Failure::new(
                Reason::BadCertificate,
                format!(
                    "the certificate of {subject} is not for servers: its extendedKeyUsage lacks serverAuth"
                ),
            )
        }
        CertificateError::BadEncoding => Failure::new(
            Reason::BadCertificate,
            "a certificate in the chain is malformed (not valid DER)",
        ),
        CertificateError::UnhandledCriticalExtension => Failure::new(
            Reason::BadCertificate,
            "a certificate in the chain has a critical extension rustls does not understand",
        ),
        CertificateError::Revoked => {
            Failure::new(Reason::BadCertificate, "the certificate has been revoked")
        }
        CertificateError::UnknownRevocationStatus
        | CertificateError::ExpiredRevocationList
        | CertificateError::ExpiredRevocationListContext { .. } => Failure::new(
            Reason::BadCertificate,
            format!("the revocation check failed ({})", variant_words(ce)),
        ),
        CertificateError::InvalidOcspResponse => Failure::new(
            Reason::BadCertificate,
            "the server stapled an invalid OCSP response",
        ),
        CertificateError::Other(other) => match other.0.downcast_ref::<webpki::Error>() {
            Some(w) => webpki(w, ev),
            None => Failure::new(
                Reason::TlsHandshake,
                format!("certificate rejected ({})", words(&other.to_string())),
            ),
        },
        // ApplicationVerificationFailure, and variants rustls adds later.
        other => Failure::new(
            Reason::TlsHandshake,
            format!("certificate rejected ({})", variant_words(other)),
        ),
    }
}

/// What webpki passes on inside `Other`, and the rest of its errors for completeness.
fn webpki(w: &webpki::Error, ev: &Evidence<'_>) -> Failure {
    use webpki::Error as W;
    let bad = |text: &str| Failure::new(Reason::BadCertificate, text.to_string());
    match w {
        W::CaUsedAsEndEntity => ca_as_leaf(ev),
        W::UnknownIssuer => unknown_issuer(ev),
        W::InvalidSignatureForPublicKey => signature_mismatch(ev),
        W::CertNotValidForName(_) => name_mismatch(ev),
        W::CertExpired { .. } | W::InvalidCertValidity => {
            certificate(&CertificateError::Expired, ev)
        }
        W::CertNotValidYet { .. } => certificate(&CertificateError::NotValidYet, ev),
        W::EndEntityUsedAsCa => bad(
            "a certificate in the chain signs another but is not a CA (CA:FALSE): the server sends the wrong intermediate, or it was made without basicConstraints CA:TRUE",
        ),
        W::PathLenConstraintViolated => {
            bad("the chain is longer than a CA in it allows (its pathlen constraint)")
        }
        W::NameConstraintViolation
        | W::InvalidNetworkMaskConstraint
        | W::MalformedNameConstraint => {
            bad("a CA in the chain may not issue for this name (its name constraints forbid it)")
        }
        W::CertDistrusted => bad("the chain's root is distrusted for new certificates"),
        W::CertRevoked => bad("the certificate has been revoked"),
        W::EmptyEkuExtension => bad("the certificate's extendedKeyUsage is empty"),
        #[allow(deprecated)]
        W::RequiredEkuNotFound | W::RequiredEkuNotFoundContext(_) => {
            certificate(&CertificateError::InvalidPurpose, ev)
        }
        W::BadDer | W::BadDerTime | W::TrailingData(_) => {
            certificate(&CertificateError::BadEncoding, ev)
        }
        W::MalformedDnsIdentifier => bad("a DNS name in the certificate is malformed"),
        W::MalformedExtensions | W::ExtensionValueInvalid => {
            bad("a certificate in the chain has a malformed extension")
        }
        W::UnsupportedCriticalExtension => {
            certificate(&CertificateError::UnhandledCriticalExtension, ev)
        }
        W::UnsupportedCertVersion => bad("a certificate in the chain is not X.509 version 3"),
        W::InvalidSerialNumber => bad("a certificate in the chain has an invalid serial number"),
        W::SignatureAlgorithmMismatch => {
            bad("a certificate names two different signature algorithms")
        }
        W::UnsupportedNameType => bad("the certificate uses a name type rustls cannot check"),
        #[allow(deprecated)]
        W::UnsupportedSignatureAlgorithm
        | W::UnsupportedSignatureAlgorithmContext(_)
        | W::UnsupportedSignatureAlgorithmForPublicKey
        | W::UnsupportedSignatureAlgorithmForPublicKeyContext(_) => signature_mismatch(ev),
        W::MaximumNameConstraintComparisonsExceeded
        | W::MaximumPathBuildCallsExceeded
        | W::MaximumPathDepthExceeded
        | W::MaximumSignatureChecksExceeded => {
            bad("the chain is too long or too tangled for verification to finish (webpki's limits)")
        }
        // Revocation lists: redcheck loads none, so these name what went wrong and no more.
        other => Failure::new(
            Reason::TlsHandshake,
            format!("certificate rejected ({})", variant_words(other)),
        ),
    }
}

/// `UnknownIssuer`: self-signed, a root not in the store, or an intermediate not sent.
fn unknown_issuer(ev: &Evidence<'_>) -> Failure {
    let source = ev.source.describe();
    let Some(leaf) = ev.chain.first() else {
        return Failure::new(
            Reason::UnknownIssuer,
            format!("the issuer is not in {source}"),
        );
    };
    // Self-issued alone in its chain counts too: its key may use an algorithm the
    // self-signature check cannot verify.
    if leaf.self_signed || (leaf.self_issued && ev.chain.len() == 1) {
        return self_signed(leaf, ev);
    }
    let top = ev.chain.last().unwrap_or(leaf);
    let roots = plural(ev.roots, "root", "roots");
    if top.self_issued {
        return Failure::new(
            Reason::UnknownIssuer,
            format!(
                "the chain ends at the root '{}', which is not in {source} ({roots})",
                top.subject
            ),
        );
    }
    let sent = if ev.chain.len() == 1 {
        "the server sent only its own certificate".to_string()
    } else {
        format!("the chain the server sent stops at '{}'", top.subject)
    };
    // Only the issuer's certificate would say whether it is an intermediate or a root; an
    // AIA link is how public CAs mark an intermediate a client may fetch.
    if let Some(url) = top.ca_issuers.first() {
        return Failure::new(
            Reason::IncompleteChain,
            format!(
                "{sent}: its issuer, the intermediate CA '{}' (published at {url}), is missing, so nothing links it to a root in {source}",
                top.issuer_dn
            ),
        );
    }
    Failure::new(
        Reason::UnknownIssuer,
        format!(
            "issued by '{}', which is not in {source} ({roots}); {sent}, so if '{}' is an intermediate CA, the server must send it too",
            top.issuer, top.issuer
        ),
    )
}

/// A self-signed leaf the store does not hold.
fn self_signed(leaf: &CertInfo, ev: &Evidence<'_>) -> Failure {
    let source = ev.source.describe();
    let mut cause = format!(
        "the certificate for {} is self-signed (its own issuer), and it is not in {source}",
        leaf.subject
    );
    if let Some(other) = ev.issuers_in_store.iter().find(|s| s.cert != *leaf) {
        cause = format!(
            "the certificate for {} is self-signed; {source} holds a different certificate with the same name ({}), so verification checked the signature with that certificate's key and failed",
            leaf.subject,
            store_cert_text(other)
        );
    }
    if leaf.is_ca {
        cause.push_str("; it is also a CA certificate (CA:TRUE, what openssl req -x509 makes by default), which rustls-based clients refuse as a server certificate even when trusted");
    }
    Failure::new(Reason::SelfSigned, cause)
}

/// A store certificate as a person finds it: its file, or its fingerprint.
pub fn store_cert_text(s: &StoreCert) -> String {
    let head: String = s.cert.sha256.chars().take(23).collect();
    match &s.path {
        Some(p) => format!("{p}, SHA-256 {head}…"),
        None => format!("SHA-256 {head}…"),
    }
}

/// A CA certificate used as the server's own.
fn ca_as_leaf(ev: &Evidence<'_>) -> Failure {
    let Some(leaf) = ev.chain.first() else {
        return Failure::new(
            Reason::CaUsedAsLeaf,
            "the server's certificate is a CA certificate (CA:TRUE)",
        );
    };
    if leaf.self_signed && !ev.leaf_in_store {
        return self_signed(leaf, ev);
    }
    let trusted = if ev.leaf_in_store {
        format!(" even though {} holds it", ev.source.describe())
    } else {
        String::new()
    };
    Failure::new(
        Reason::CaUsedAsLeaf,
        format!(
            "the server's certificate for {} is a CA certificate (basicConstraints CA:TRUE, what openssl req -x509 makes by default): rustls-based clients (redcheck, redis-rs with rustls) refuse it{trusted}, while OpenSSL-based ones (redis-cli, redis-py) accept it",
            leaf.subject
        ),
    )
}

/// A signature that does not verify: often a store certificate with the issuer's name but
/// another key (a re-created CA, Debian's snakeoil certificate for `localhost`).
fn signature_mismatch(ev: &Evidence<'_>) -> Failure {
    let Some(leaf) = ev.chain.first() else {
        return Failure::new(
            Reason::BadCertificate,
            "a signature in the chain does not verify",
        );
    };
    if leaf.self_signed && !ev.leaf_in_store {
        return self_signed(leaf, ev);
    }
    let top = ev.chain.last().unwrap_or(leaf);
    if let Some(other) = ev.issuers_in_store.first() {
        return Failure::new(
            Reason::UnknownIssuer,
            format!(
                "issued by '{}', but the '{}' in {} is a different certificate ({}) whose key does not verify the signature: a CA re-created under the same name?",
                top.issuer,
                other.cert.subject,
                ev.source.describe(),
                store_cert_text(other)
            ),
        );
    }
    Failure::new(
        Reason::BadCertificate,
        format!(
            "the signature on '{}' ({}) does not verify with its issuer's key: the certificate is damaged, or its issuer's key does not match the algorithm",
            top.subject, top.signature_algorithm
        ),
    )
}

/// `NotValidForName`: no SAN at all, or names other than ours.
fn name_mismatch(ev: &Evidence<'_>) -> Failure {
    let name = ev.server_name;
    match ev.chain.first() {
        Some(leaf) if leaf.sans.is_empty() => Failure::new(
            Reason::NoSan,
            format!(
                "the certificate has no subjectAltName: '{}' is only its CN (common name), which rustls, Go and browsers ignore when checking the name '{name}'",
                leaf.subject
            ),
        ),
        Some(leaf) => Failure::new(
            Reason::HostnameMismatch,
            format!(
                "the certificate is for {}, not '{name}'",
                leaf.sans.join(", ")
            ),
        ),
        None => Failure::new(
            Reason::HostnameMismatch,
            format!("the certificate is not for '{name}'"),
        ),
    }
}

#[cfg(test)]
#[path = "diagnose_tests.rs"]
mod tests;

#[cfg(test)]
#[path = "diagnose_wording_tests.rs"]
mod wording_tests;
