//! Naming a failed exchange: what the wire error says, and whether it smells of TLS.

use std::net::TcpStream;
use std::time::Instant;

use crate::conn::WireError;
use crate::deadline::Deadline;
use crate::failure::{Failure, Reason};
use crate::url::Target;

use super::eyeballs::PROBE_WINDOW;
use super::session::{self, SessionError};
use super::tls;
use super::{Findings, Outcome, Stage, StageId};

/// Whether a plaintext exchange ended the way a TLS port ends one (EOF, reset, or a TLS record).
pub(super) fn looks_like_tls_refusal(wire: &WireError) -> bool {
    match wire {
        WireError::Closed => true,
        WireError::Io(e) => matches!(
            e.kind(),
            std::io::ErrorKind::ConnectionReset
                | std::io::ErrorKind::ConnectionAborted
                | std::io::ErrorKind::BrokenPipe
        ),
        WireError::Protocol { first_bytes, .. } => {
            matches!(first_bytes.as_slice(), [21 | 22, 3, ..])
        }
    }
}

/// A TLS alert after the handshake, named by the TLS classifier (a client certificate the
/// server demanded or refused, or another).
pub(super) fn tls_alert(wire: &WireError, f: &Findings) -> Option<Failure> {
    let WireError::Io(e) = wire else { return None };
    let rustls_err = e.get_ref()?.downcast_ref::<rustls::Error>()?;
    let facts = f.tls.facts()?;
    Some(tls::explain_alert(rustls_err, facts))
}

/// A wire error as a failure: timeout, reset, closed, or not RESP (with the first bytes).
pub(super) fn wire_failure(wire: &WireError) -> Failure {
    match wire {
        WireError::Closed => Failure::new(
            Reason::Closed,
            "the server closed the connection without a reply",
        ),
        WireError::Io(e) if tls::is_timeout(e) => {
            Failure::new(Reason::Timeout, "no reply before the deadline")
        }
        WireError::Io(e) => match e.kind() {
            std::io::ErrorKind::ConnectionReset
            | std::io::ErrorKind::ConnectionAborted
            | std::io::ErrorKind::BrokenPipe => {
                Failure::new(Reason::Reset, format!("the connection was reset ({e})"))
            }
            std::io::ErrorKind::UnexpectedEof => {
                Failure::new(Reason::Closed, "the server closed the connection mid-reply")
            }
            _ => Failure::new(Reason::Protocol, e.to_string()),
        },
        WireError::Protocol {
            message,
            first_bytes,
        } => Failure::new(
            Reason::Protocol,
            format!(
                "{} (first bytes: {})",
                session::sanitize(message),
                show_bytes(first_bytes)
            ),
        ),
    }
}

/// The first bytes of a reply: as text when printable, else hex.
pub(super) fn show_bytes(b: &[u8]) -> String {
    let printable = b
        .iter()
        .all(|c| c.is_ascii_graphic() || *c == b' ' || *c == b'\r' || *c == b'\n');
    if printable {
        // Masked before it is quoted: the quoting escapes a `\r` that may end the password.
        let text = String::from_utf8_lossy(b);
        format!("{:?}", crate::secret::Masker::current().excerpt(&text))
    } else {
        b.iter()
            .map(|c| format!("{c:02x}"))
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// Records a session failure on the stage that hit it; a TLS alert belongs to `tls`, and a
/// plaintext exchange that dies at a TLS port belongs to `scheme`.
pub(super) fn record_session_error(
    f: &mut Findings,
    t: &Target,
    e: SessionError,
    started: Instant,
    deadline: Deadline,
    stage: StageId,
) {
    let took = started.elapsed();
    let failure = match e {
        SessionError::Server(failure) => failure,
        SessionError::Wire(wire) => {
            if let Some(failure) = tls_alert(&wire, f) {
                let facts = match std::mem::replace(&mut f.tls, Stage::not_reached("")).outcome {
                    Outcome::Done(facts) => Some(Box::new(facts)),
                    _ => None,
                };
                let tls_took = f.tls.took;
                f.tls = Stage {
                    outcome: Outcome::Failed(failure, facts),
                    took: tls_took,
                };
                f.skip_from(stage, "the TLS session was rejected");
                return;
            }
            if !t.tls
                && looks_like_tls_refusal(&wire)
                && let Some(addr) = f
                    .tcp
                    .facts()
                    .and_then(|tcp| tcp.attempts.last())
                    .map(|a| a.addr)
            {
                let host = t.host().map(crate::url::Host::as_str).unwrap_or_default();
                // Connect and handshake share one window, cut short by the deadline.
                let window = deadline.sooner(PROBE_WINDOW);
                if let Ok(left) = window.remaining()
                    && let Ok(sock) = TcpStream::connect_timeout(&addr, left)
                    && tls::speaks_tls(sock, &host, window)
                {
                    f.scheme = Stage::failed(
                        Failure::new(
                            Reason::TlsExpected,
                            format!(
                                "the plaintext exchange ended ({wire}); a TLS handshake on the same port was answered"
                            ),
                        ),
                        took,
                    );
                    f.skip_from(StageId::Tls, "the port speaks TLS");
                    f.tls = Stage::not_applicable("the URL asks for plaintext");
                    return;
                }
            }
            wire_failure(&wire)
        }
    };
    match stage {
        StageId::Auth => {
            f.auth = Stage::failed(failure, took);
            f.skip_from(StageId::Ping, "authentication failed");
        }
        StageId::Ping => {
            f.ping = Stage::failed(failure, took);
            f.skip_from(StageId::Info, "PING failed");
        }
        _ => f.info = Stage::failed(failure, took),
    }
}
