//! TLS peers that fail the handshake.

use super::{Peer, QUICK, Row, Want, run_matrix};
use crate::support::Pki;
use crate::support::run::secret_url;
use crate::support::tls_fake::{HANDSHAKE_FAILURE_ALERT, OldTlsServer, TlsBehavior, TlsFake};

#[test]
fn tls_failures_end_within_the_deadline_with_a_reason() {
    run_matrix(
        "TLS",
        &[
            Row {
                // No CertificateRequest came first, so this is not about a client certificate.
                name: "fatal alert right after the ClientHello",
                start: || {
                    let server =
                        TlsFake::start(TlsBehavior::AnswerHello(HANDSHAKE_FAILURE_ALERT.to_vec()));
                    let url = secret_url("rediss", server.port());
                    Some(Peer::new(url, server))
                },
                timeout: QUICK,
                want: Want::Fail("tls", &["tls-handshake"]),
                says: Some("handshake_failure"),
            },
            Row {
                name: "closes in the middle of the ServerHello",
                start: || {
                    let partial = vec![0x16, 0x03, 0x03, 0x00, 0x40, 0x02, 0x00, 0x00];
                    let server = TlsFake::start(TlsBehavior::AnswerHello(partial));
                    let url = secret_url("rediss", server.port());
                    Some(Peer::new(url, server))
                },
                timeout: QUICK,
                want: Want::Fail("tls", &["tls-handshake"]),
                says: Some("during the TLS handshake"),
            },
            Row {
                name: "offers only TLS 1.0 and 1.1 (openssl s_server)",
                start: || {
                    let pki = Pki::new();
                    let server = OldTlsServer::start(&pki.server(&["127.0.0.1"]));
                    let url = secret_url("rediss", server.port());
                    let ca = pki.ca_pem();
                    Some(Peer::new(url, (server, pki)).flag("--cacert", ca))
                },
                timeout: QUICK,
                want: Want::Fail("tls", &["tls-handshake"]),
                says: Some("TLS 1.0/1.1"),
            },
        ],
    );
}
