//! Naming a failed exchange: what the wire error says, and whether it smells of TLS.

use crate::conn::WireError;
use crate::failure::{Failure, Reason};

use super::Findings;
use super::session;
use super::tls;

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
