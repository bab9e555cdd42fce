//! The classifier's table: every rustls and webpki error it can meet, read against chains
//! minted with rcgen in the shapes people make (self-signed with and without CA:TRUE, a
//! namesake in the store, CN only, an intermediate not sent).

use std::sync::Arc;

use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, SanType};
use rustls::pki_types::ServerName;
use rustls::{AlertDescription, CertificateError, OtherError};
use webpki::Error as W;

use super::*;

/// A certificate for `localhost` (`sans` empty: CN only), self-signed or signed by `by`.
pub(super) fn mint(
    cn: &str,
    sans: bool,
    ca: bool,
    by: Option<(&CertificateParams, &KeyPair)>,
) -> (CertificateParams, KeyPair, CertInfo) {
    let mut params = CertificateParams::default();
    params.distinguished_name.push(DnType::CommonName, cn);
    if sans {
        params.subject_alt_names = vec![SanType::DnsName("localhost".try_into().unwrap())];
    }
    params.is_ca = if ca {
        IsCa::Ca(BasicConstraints::Unconstrained)
    } else {
        IsCa::ExplicitNoCa
    };
    let key = KeyPair::generate().unwrap();
    let cert = match by {
        None => params.self_signed(&key).unwrap(),
        Some((p, k)) => params.signed_by(&key, &Issuer::from_params(p, k)).unwrap(),
    };
    let info = CertInfo::from_der(cert.der()).unwrap();
    (params, key, info)
}

pub(super) fn store(info: &CertInfo, path: &str) -> StoreCert {
    StoreCert {
        cert: info.clone(),
        path: Some(path.into()),
    }
}

pub(super) fn evidence<'a>(chain: &'a [CertInfo], store: &'a [StoreCert]) -> Evidence<'a> {
    Evidence {
        chain,
        issuers_in_store: store,
        leaf_in_store: false,
        source: TrustSource::System,
        roots: 140,
        server_name: "localhost",
        cert_requested: false,
        client_cert: None,
        server_suites: None,
    }
}

pub(super) fn invalid(ce: CertificateError) -> rustls::Error {
    rustls::Error::InvalidCertificate(ce)
}

pub(super) fn other(w: W) -> rustls::Error {
    invalid(CertificateError::Other(OtherError(Arc::new(w))))
}

/// No Debug debris a person cannot read: braces, byte arrays, wrapper names.
#[track_caller]
pub(super) fn assert_readable(f: &Failure) {
    for debris in [
        "{",
        "}",
        "[6, 8,",
        "Other(",
        "Some(",
        "OtherError",
        "Context",
    ] {
        assert!(!f.cause.contains(debris), "{debris:?} in {:?}", f.cause);
    }
    assert!(f.cause.len() > 15, "{:?}", f.cause);
}

#[test]
fn self_signed_is_told_by_its_own_key_even_when_a_namesake_shadows_it() {
    let (_, _, leaf) = mint("localhost", true, false, None);
    let (_, _, snakeoil) = mint("localhost", true, false, None);
    assert!(leaf.self_signed && !leaf.is_ca);
    let shadow = [store(&snakeoil, "/etc/ssl/certs/ssl-cert-snakeoil.pem")];
    let chain = [leaf];
    // RSA against RSA gives BadSignature; an EC leaf against an RSA namesake, this.
    let mismatch = CertificateError::UnsupportedSignatureAlgorithmForPublicKeyContext {
        signature_algorithm_id: vec![6, 8, 42, 134, 72, 206, 61, 4, 3, 2],
        public_key_algorithm_id: vec![6, 9, 42, 134, 72, 134, 247, 13, 1, 1, 1],
    };
    for e in [
        invalid(CertificateError::BadSignature),
        invalid(mismatch),
        other(W::InvalidSignatureForPublicKey),
    ] {
        let f = classify(&e, &evidence(&chain, &shadow));
        assert_eq!(f.reason, Reason::SelfSigned, "{e:?}");
        assert!(
            f.cause.contains("ssl-cert-snakeoil.pem") && f.cause.contains("same name"),
            "{}",
            f.cause
        );
        assert_readable(&f);
    }
    let f = classify(
        &invalid(CertificateError::UnknownIssuer),
        &evidence(&chain, &[]),
    );
    assert_eq!(f.reason, Reason::SelfSigned);
    assert!(!f.cause.contains("CA:TRUE"), "{}", f.cause);
}

#[test]
fn a_ca_certificate_as_the_leaf_is_named_when_trusted_and_self_signed_when_not() {
    let (_, _, leaf) = mint("localhost", true, true, None);
    assert!(leaf.is_ca && leaf.self_signed);
    let chain = [leaf];
    let untrusted = classify(&other(W::CaUsedAsEndEntity), &evidence(&chain, &[]));
    assert_eq!(untrusted.reason, Reason::SelfSigned);
    assert!(
        untrusted.cause.contains("CA:TRUE") && untrusted.cause.contains("openssl req -x509"),
        "{}",
        untrusted.cause
    );
    let mut ev = evidence(&chain, &[]);
    ev.leaf_in_store = true;
    ev.source = TrustSource::CustomCa;
    let trusted = classify(&other(W::CaUsedAsEndEntity), &ev);
    assert_eq!(trusted.reason, Reason::CaUsedAsLeaf);
    assert!(
        trusted
            .cause
            .contains("even though the given CA file holds it"),
        "{}",
        trusted.cause
    );
    assert_readable(&trusted);
    // Signed by a CA, and a CA itself: no question of self-signing.
    let (cap, cak, _) = mint("Test CA", false, true, None);
    let (_, _, ca_leaf) = mint("localhost", true, true, Some((&cap, &cak)));
    let chain = [ca_leaf];
    assert_eq!(
        classify(&other(W::CaUsedAsEndEntity), &evidence(&chain, &[])).reason,
        Reason::CaUsedAsLeaf
    );
}

#[test]
fn a_name_only_in_the_cn_is_no_san_and_other_names_are_a_mismatch() {
    let (cap, cak, _) = mint("Test CA", false, true, None);
    let (_, _, cn_only) = mint("localhost", false, false, Some((&cap, &cak)));
    let chain = [cn_only];
    let context = CertificateError::NotValidForNameContext {
        expected: ServerName::try_from("localhost").unwrap(),
        presented: vec![],
    };
    let f = classify(&invalid(context), &evidence(&chain, &[]));
    assert_eq!(f.reason, Reason::NoSan);
    assert!(
        f.cause.contains("no subjectAltName") && f.cause.contains("CN"),
        "{}",
        f.cause
    );
    assert_readable(&f);
    let (_, _, named) = mint("localhost", true, false, Some((&cap, &cak)));
    let chain = [named];
    let f = classify(
        &invalid(CertificateError::NotValidForName),
        &evidence(&chain, &[]),
    );
    assert_eq!(f.reason, Reason::HostnameMismatch);
}

#[test]
fn an_intermediate_not_sent_is_incomplete_chain_when_its_certificate_says_so() {
    let (rp, rk, _) = mint("Test Root CA", false, true, None);
    let (ip, ik, _) = mint("Test Intermediate CA", false, true, Some((&rp, &rk)));
    let (_, _, mut leaf) = mint("localhost", true, false, Some((&ip, &ik)));
    let chain = [leaf.clone()];
    let f = classify(
        &invalid(CertificateError::UnknownIssuer),
        &evidence(&chain, &[]),
    );
    assert_eq!(f.reason, Reason::UnknownIssuer);
    assert!(
        f.cause.contains("sent only its own certificate") && f.cause.contains("must send it"),
        "{}",
        f.cause
    );
    leaf.ca_issuers = vec!["http://pki.example/int.der".into()];
    let chain = [leaf];
    let f = classify(
        &invalid(CertificateError::UnknownIssuer),
        &evidence(&chain, &[]),
    );
    assert_eq!(f.reason, Reason::IncompleteChain);
    assert!(
        f.cause.contains("CN=Test Intermediate CA")
            && f.cause.contains("http://pki.example/int.der"),
        "{}",
        f.cause
    );
    assert_readable(&f);
}

#[test]
fn a_root_sent_but_not_trusted_is_unknown_issuer() {
    let (rp, rk, root) = mint("Test Root CA", false, true, None);
    let (_, _, leaf) = mint("localhost", true, false, Some((&rp, &rk)));
    let chain = [leaf, root];
    let f = classify(
        &invalid(CertificateError::UnknownIssuer),
        &evidence(&chain, &[]),
    );
    assert_eq!(f.reason, Reason::UnknownIssuer);
    assert!(
        f.cause.contains("ends at the root 'Test Root CA'"),
        "{}",
        f.cause
    );
}

#[test]
fn a_store_ca_with_the_issuers_name_but_another_key_is_named() {
    let (rp, rk, _) = mint("Test Root CA", false, true, None);
    let (_, _, recreated) = mint("Test Root CA", false, true, None);
    let (_, _, leaf) = mint("localhost", true, false, Some((&rp, &rk)));
    let chain = [leaf];
    let namesake = [store(&recreated, "/tmp/ca.pem")];
    let f = classify(
        &invalid(CertificateError::BadSignature),
        &evidence(&chain, &namesake),
    );
    assert_eq!(f.reason, Reason::UnknownIssuer);
    assert!(
        f.cause.contains("different certificate") && f.cause.contains("/tmp/ca.pem"),
        "{}",
        f.cause
    );
}

#[test]
fn client_certificate_alerts_depend_on_whether_the_server_asked_and_we_sent() {
    let (_, _, ours) = mint("app-client", false, false, None);
    let alert = rustls::Error::AlertReceived(AlertDescription::UnknownCA);
    let hs = rustls::Error::AlertReceived(AlertDescription::HandshakeFailure);
    let mut ev = evidence(&[], &[]);
    assert_eq!(classify(&hs, &ev).reason, Reason::TlsHandshake);
    ev.cert_requested = true;
    assert_eq!(classify(&hs, &ev).reason, Reason::ClientCertRequired);
    ev.client_cert = Some(&ours);
    let f = classify(&alert, &ev);
    assert_eq!(f.reason, Reason::ClientCertRejected);
    assert!(
        f.cause.contains("issued by 'app-client'") && f.cause.contains("unknown_ca"),
        "{}",
        f.cause
    );
    let required = rustls::Error::AlertReceived(AlertDescription::CertificateRequired);
    assert_eq!(
        classify(&required, &evidence(&[], &[])).reason,
        Reason::ClientCertRequired
    );
}

#[test]
fn a_refusal_is_no_common_cipher_only_when_the_server_named_its_suites() {
    let hs = rustls::Error::AlertReceived(AlertDescription::HandshakeFailure);
    let mut ev = evidence(&[], &[]);
    let f = classify(&hs, &ev);
    assert_eq!(f.reason, Reason::TlsHandshake);
    assert!(f.cause.contains("handshake_failure"), "{}", f.cause);
    let cbc = ["TLS_RSA_WITH_AES_128_CBC_SHA".to_string()];
    ev.server_suites = Some(&cbc);
    let f = classify(&hs, &ev);
    assert_eq!(f.reason, Reason::NoCommonCipher);
    assert!(
        f.cause.contains("TLS_RSA_WITH_AES_128_CBC_SHA")
            && f.cause.contains("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"),
        "{}",
        f.cause
    );
}
