//! The classifier's wording table: every rustls error, webpki error, alert, incompatibility
//! and misbehaviour variant reads as a sentence with no Debug debris.

use std::sync::Arc;
use std::time::Duration;

use rcgen::KeyPair;
use rustls::pki_types::{ServerName, UnixTime};
use rustls::{
    AlertDescription, CertificateError, ExtendedKeyPurpose, OtherError, PeerIncompatible,
    PeerMisbehaved,
};
use webpki::Error as W;

use super::tests::{assert_readable, evidence, invalid, mint, other};
use super::*;
use crate::probe::tls::words::alert_text;

#[test]
fn every_certificate_error_reads_as_a_sentence() {
    let (_, _, leaf) = mint(
        "localhost",
        true,
        false,
        Some((
            &mint("Test CA", false, true, None).0,
            &KeyPair::generate().unwrap(),
        )),
    );
    let chain = [leaf];
    let t = UnixTime::since_unix_epoch(Duration::from_secs(1_700_000_000));
    #[allow(deprecated)]
    let all = vec![
        CertificateError::BadEncoding,
        CertificateError::Expired,
        CertificateError::ExpiredContext {
            time: t,
            not_after: t,
        },
        CertificateError::NotValidYet,
        CertificateError::NotValidYetContext {
            time: t,
            not_before: t,
        },
        CertificateError::Revoked,
        CertificateError::UnhandledCriticalExtension,
        CertificateError::UnknownIssuer,
        CertificateError::UnknownRevocationStatus,
        CertificateError::ExpiredRevocationList,
        CertificateError::ExpiredRevocationListContext {
            time: t,
            next_update: t,
        },
        CertificateError::BadSignature,
        CertificateError::UnsupportedSignatureAlgorithm,
        CertificateError::UnsupportedSignatureAlgorithmContext {
            signature_algorithm_id: vec![6, 8, 42, 134, 72, 206, 61, 4, 3, 2],
            supported_algorithms: vec![],
        },
        CertificateError::UnsupportedSignatureAlgorithmForPublicKeyContext {
            signature_algorithm_id: vec![6, 8, 42],
            public_key_algorithm_id: vec![6, 9, 42],
        },
        CertificateError::NotValidForName,
        CertificateError::NotValidForNameContext {
            expected: ServerName::try_from("localhost").unwrap(),
            presented: vec!["other.example".into()],
        },
        CertificateError::InvalidPurpose,
        CertificateError::InvalidPurposeContext {
            required: ExtendedKeyPurpose::ServerAuth,
            presented: vec![ExtendedKeyPurpose::ClientAuth],
        },
        CertificateError::InvalidOcspResponse,
        CertificateError::ApplicationVerificationFailure,
        CertificateError::Other(OtherError(Arc::new(std::io::Error::other(
            "custom {verifier}",
        )))),
    ];
    for ce in all {
        let f = classify(&invalid(ce.clone()), &evidence(&chain, &[]));
        assert_readable(&f);
        if f.reason == Reason::TlsHandshake {
            assert!(
                f.cause.starts_with("certificate rejected ("),
                "{ce:?}: {}",
                f.cause
            );
        }
    }
}

#[test]
fn every_webpki_error_inside_other_is_downcast_and_worded() {
    let (cap, cak, _) = mint("Test CA", false, true, None);
    let (_, _, leaf) = mint("localhost", true, false, Some((&cap, &cak)));
    let chain = [leaf];
    let t = UnixTime::since_unix_epoch(Duration::from_secs(1_700_000_000));
    #[allow(deprecated)]
    let mut all = vec![
        W::BadDer,
        W::BadDerTime,
        W::CaUsedAsEndEntity,
        W::CertDistrusted,
        W::CertRevoked,
        W::EmptyEkuExtension,
        W::EndEntityUsedAsCa,
        W::ExtensionValueInvalid,
        W::InvalidCertValidity,
        W::InvalidCrlNumber,
        W::InvalidNetworkMaskConstraint,
        W::InvalidSerialNumber,
        W::InvalidCrlSignatureForPublicKey,
        W::InvalidSignatureForPublicKey,
        W::IssuerNotCrlSigner,
        W::MalformedDnsIdentifier,
        W::MalformedExtensions,
        W::MalformedNameConstraint,
        W::MaximumNameConstraintComparisonsExceeded,
        W::MaximumPathBuildCallsExceeded,
        W::MaximumPathDepthExceeded,
        W::MaximumSignatureChecksExceeded,
        W::NameConstraintViolation,
        W::PathLenConstraintViolated,
        W::RequiredEkuNotFound,
        W::SignatureAlgorithmMismatch,
        W::UnknownIssuer,
        W::UnknownRevocationStatus,
        W::UnsupportedCertVersion,
        W::UnsupportedCriticalExtension,
        W::UnsupportedCrlIssuingDistributionPoint,
        W::UnsupportedCrlVersion,
        W::UnsupportedDeltaCrl,
        W::UnsupportedIndirectCrl,
        W::UnsupportedNameType,
        W::UnsupportedRevocationReason,
        W::UnsupportedRevocationReasonsPartitioning,
        W::UnsupportedCrlSignatureAlgorithm,
        W::UnsupportedSignatureAlgorithm,
        W::UnsupportedCrlSignatureAlgorithmForPublicKey,
        W::UnsupportedSignatureAlgorithmForPublicKey,
    ];
    all.extend([
        W::CertExpired {
            time: t,
            not_after: t,
        },
        W::CertNotValidYet {
            time: t,
            not_before: t,
        },
        W::CrlExpired {
            time: t,
            next_update: t,
        },
        W::TrailingData(webpki::DerTypeId::Certificate),
        W::RequiredEkuNotFoundContext(webpki::RequiredEkuNotFoundContext {
            required: webpki::KeyUsage::server_auth(),
            present: vec![vec![1, 3, 6, 1, 5, 5, 7, 3, 2]],
        }),
        W::CertNotValidForName(webpki::InvalidNameContext {
            expected: ServerName::try_from("localhost").unwrap(),
            presented: vec![],
        }),
        W::UnsupportedSignatureAlgorithmContext(webpki::UnsupportedSignatureAlgorithmContext {
            signature_algorithm_id: vec![6, 8, 42],
            supported_algorithms: vec![],
        }),
        W::UnsupportedSignatureAlgorithmForPublicKeyContext(
            webpki::UnsupportedSignatureAlgorithmForPublicKeyContext {
                signature_algorithm_id: vec![6, 8, 42],
                public_key_algorithm_id: vec![6, 9, 42],
            },
        ),
    ]);
    for w in all {
        let name = variant_words(&w);
        let f = classify(&other(w), &evidence(&chain, &[]));
        assert_readable(&f);
        // Unworded variants (revocation lists, which redcheck never loads) still say which.
        if f.reason == Reason::TlsHandshake {
            assert!(f.cause.contains(&name), "{name}: {}", f.cause);
        }
    }
}

#[test]
fn every_alert_number_reads_as_a_sentence() {
    for n in 0..=u8::MAX {
        let a = AlertDescription::from(n);
        let f = classify(&rustls::Error::AlertReceived(a), &evidence(&[], &[]));
        assert_readable(&f);
        assert!(
            f.cause.contains(&format!("{n}")) || a.as_str().is_some(),
            "{n}: {}",
            f.cause
        );
    }
    assert_eq!(
        alert_text(AlertDescription::UnknownCA),
        "unknown_ca (it does not trust the CA that issued the certificate)"
    );
    assert_eq!(
        alert_text(AlertDescription::from(200)),
        "number 200 (unknown to redcheck)"
    );
}

#[test]
fn every_peer_incompatibility_and_misbehaviour_reads_as_a_sentence() {
    let incompatible = [
        PeerIncompatible::EcPointsExtensionRequired,
        PeerIncompatible::ExtendedMasterSecretExtensionRequired,
        PeerIncompatible::IncorrectCertificateTypeExtension,
        PeerIncompatible::KeyShareExtensionRequired,
        PeerIncompatible::NamedGroupsExtensionRequired,
        PeerIncompatible::NoCertificateRequestSignatureSchemesInCommon,
        PeerIncompatible::NoCipherSuitesInCommon,
        PeerIncompatible::NoEcPointFormatsInCommon,
        PeerIncompatible::NoKxGroupsInCommon,
        PeerIncompatible::NoSignatureSchemesInCommon,
        PeerIncompatible::NullCompressionRequired,
        PeerIncompatible::ServerDoesNotSupportTls12Or13,
        PeerIncompatible::ServerSentHelloRetryRequestWithUnknownExtension,
        PeerIncompatible::ServerTlsVersionIsDisabledByOurConfig,
        PeerIncompatible::SignatureAlgorithmsExtensionRequired,
        PeerIncompatible::SupportedVersionsExtensionRequired,
        PeerIncompatible::Tls12NotOffered,
        PeerIncompatible::Tls12NotOfferedOrEnabled,
        PeerIncompatible::Tls13RequiredForQuic,
        PeerIncompatible::UncompressedEcPointsRequired,
        PeerIncompatible::UnsolicitedCertificateTypeExtension,
        PeerIncompatible::ServerRejectedEncryptedClientHello(None),
    ];
    for p in incompatible {
        let f = classify(
            &rustls::Error::PeerIncompatible(p.clone()),
            &evidence(&[], &[]),
        );
        assert_readable(&f);
    }
    let misbehaved = [
        PeerMisbehaved::AttemptedDowngradeToTls12WhenTls13IsSupported,
        PeerMisbehaved::BadCertChainExtensions,
        PeerMisbehaved::CipherSuiteDifferedOnRetry,
        PeerMisbehaved::DisallowedEncryptedExtension,
        PeerMisbehaved::DuplicateClientHelloExtensions,
        PeerMisbehaved::DuplicateEncryptedExtensions,
        PeerMisbehaved::DuplicateHelloRetryRequestExtensions,
        PeerMisbehaved::DuplicateNewSessionTicketExtensions,
        PeerMisbehaved::DuplicateServerHelloExtensions,
        PeerMisbehaved::DuplicateServerNameTypes,
        PeerMisbehaved::EarlyDataAttemptedInSecondClientHello,
        PeerMisbehaved::EarlyDataExtensionWithoutResumption,
        PeerMisbehaved::EarlyDataOfferedWithVariedCipherSuite,
        PeerMisbehaved::EchAcceptanceVariedAfterRetry,
        PeerMisbehaved::HandshakeHashVariedAfterRetry,
        PeerMisbehaved::IllegalHelloRetryRequestWithEmptyCookie,
        PeerMisbehaved::IllegalHelloRetryRequestWithNoChanges,
        PeerMisbehaved::IllegalHelloRetryRequestWithOfferedGroup,
        PeerMisbehaved::IllegalHelloRetryRequestWithUnofferedCipherSuite,
        PeerMisbehaved::IllegalHelloRetryRequestWithUnofferedNamedGroup,
        PeerMisbehaved::IllegalHelloRetryRequestWithUnsupportedVersion,
        PeerMisbehaved::IllegalHelloRetryRequestWithWrongSessionId,
        PeerMisbehaved::IllegalHelloRetryRequestWithInvalidEch,
        PeerMisbehaved::IllegalMiddleboxChangeCipherSpec,
        PeerMisbehaved::IllegalTlsInnerPlaintext,
        PeerMisbehaved::IncorrectBinder,
        PeerMisbehaved::InvalidCertCompression,
        PeerMisbehaved::InvalidMaxEarlyDataSize,
        PeerMisbehaved::InvalidKeyShare,
        PeerMisbehaved::KeyEpochWithPendingFragment,
        PeerMisbehaved::KeyUpdateReceivedInQuicConnection,
        PeerMisbehaved::MessageInterleavedWithHandshakeMessage,
        PeerMisbehaved::MissingBinderInPskExtension,
        PeerMisbehaved::MissingKeyShare,
        PeerMisbehaved::MissingPskExtensionInSecondClientHello,
        PeerMisbehaved::MissingPskModesExtension,
        PeerMisbehaved::MissingQuicTransportParameters,
        PeerMisbehaved::OfferedDuplicateCertificateCompressions,
        PeerMisbehaved::OfferedDuplicateKeyShares,
        PeerMisbehaved::OfferedEarlyDataWithOldProtocolVersion,
        PeerMisbehaved::OfferedEmptyApplicationProtocol,
        PeerMisbehaved::OfferedIncorrectCompressions,
        PeerMisbehaved::PskExtensionMustBeLast,
        PeerMisbehaved::PskExtensionWithMismatchedIdsAndBinders,
        PeerMisbehaved::RefusedToFollowHelloRetryRequest,
        PeerMisbehaved::RejectedEarlyDataInterleavedWithHandshakeMessage,
        PeerMisbehaved::ResumptionAttemptedWithVariedEms,
        PeerMisbehaved::ResumptionOfferedWithVariedCipherSuite,
        PeerMisbehaved::ResumptionOfferedWithVariedEms,
        PeerMisbehaved::ResumptionOfferedWithIncompatibleCipherSuite,
        PeerMisbehaved::SelectedDifferentCipherSuiteAfterRetry,
        PeerMisbehaved::SelectedInvalidPsk,
        PeerMisbehaved::SelectedTls12UsingTls13VersionExtension,
        PeerMisbehaved::SelectedUnofferedApplicationProtocol,
        PeerMisbehaved::SelectedUnofferedCertCompression,
        PeerMisbehaved::SelectedUnofferedCipherSuite,
        PeerMisbehaved::SelectedUnofferedCompression,
        PeerMisbehaved::SelectedUnofferedKxGroup,
        PeerMisbehaved::SelectedUnofferedPsk,
        PeerMisbehaved::SelectedUnusableCipherSuiteForVersion,
        PeerMisbehaved::ServerEchoedCompatibilitySessionId,
        PeerMisbehaved::ServerHelloMustOfferUncompressedEcPoints,
        PeerMisbehaved::ServerNameDifferedOnRetry,
        PeerMisbehaved::ServerNameMustContainOneHostName,
        PeerMisbehaved::SignedKxWithWrongAlgorithm,
        PeerMisbehaved::SignedHandshakeWithUnadvertisedSigScheme,
        PeerMisbehaved::TooManyEmptyFragments,
        PeerMisbehaved::TooManyKeyUpdateRequests,
        PeerMisbehaved::TooManyRenegotiationRequests,
        PeerMisbehaved::TooManyWarningAlertsReceived,
        PeerMisbehaved::TooMuchEarlyDataReceived,
        PeerMisbehaved::UnexpectedCleartextExtension,
        PeerMisbehaved::UnsolicitedCertExtension,
        PeerMisbehaved::UnsolicitedEncryptedExtension,
        PeerMisbehaved::UnsolicitedSctList,
        PeerMisbehaved::UnsolicitedServerHelloExtension,
        PeerMisbehaved::WrongGroupForKeyShare,
        PeerMisbehaved::UnsolicitedEchExtension,
    ];
    for m in misbehaved {
        let words = variant_words(&m);
        let f = classify(&rustls::Error::PeerMisbehaved(m), &evidence(&[], &[]));
        assert_readable(&f);
        assert!(f.cause.contains(&words), "{}", f.cause);
    }
    assert_eq!(
        variant_words(&PeerMisbehaved::SelectedUnofferedCipherSuite),
        "selected unoffered cipher suite"
    );
}

#[test]
fn other_top_level_errors_read_as_sentences() {
    for e in [
        rustls::Error::NoCertificatesPresented,
        rustls::Error::DecryptError,
        rustls::Error::PeerSentOversizedRecord,
        rustls::Error::HandshakeNotComplete,
        rustls::Error::FailedToGetCurrentTime,
        rustls::Error::General("custom {text}".into()),
        rustls::Error::InvalidMessage(rustls::InvalidMessage::MessageTooShort),
        rustls::Error::InvalidMessage(rustls::InvalidMessage::MissingData("ServerHello")),
        rustls::Error::Other(OtherError(Arc::new(W::PathLenConstraintViolated))),
    ] {
        let f = classify(&e, &evidence(&[], &[]));
        assert_readable(&f);
    }
}
