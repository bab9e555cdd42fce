//! Opening further connections the way the first one was opened: to the same target (the
//! pub/sub subscriber) and to the nodes a cluster announces. Same connect bound, same trust.

use std::net::SocketAddr;

use crate::config::CheckConfig;
use crate::conn::{Connection, Transport};
use crate::deadline::Deadline;
use crate::failure::{Failure, Reason};
use crate::trust::Roots;
use crate::url::{Endpoint, Target};

use super::session::{self, AuthFacts, SessionError};
use super::tls::{self, HandshakeError, TlsFacts, TlsSettings};
use super::{Findings, tcp};

/// The TLS settings for a target: its roots (bundled when none were loaded), and what the
/// flags and the URL say about verification.
pub fn tls_settings(t: &Target, roots: Option<&Roots>, cfg: &CheckConfig) -> TlsSettings {
    TlsSettings {
        roots: roots.cloned().unwrap_or_else(crate::trust::bundled_roots),
        insecure: cfg.tls.insecure || t.insecure,
        skip_hostname_check: t.skip_hostname_check,
        sni: cfg.tls.sni.clone(),
        identity: cfg.tls.identity.clone(),
    }
}

/// Connects to `addr` within `--connect-timeout` and, with `tls`, completes a handshake that
/// verifies the certificate against `host`. Under `--insecure` a failed verification is
/// returned in the facts rather than as an error.
pub fn transport(
    host: &str,
    addr: SocketAddr,
    tls: Option<&TlsSettings>,
    cfg: &CheckConfig,
    deadline: Deadline,
) -> Result<(Transport, Option<TlsFacts>), Failure> {
    let (sock, _) = tcp::connect(&[addr], cfg.connect_timeout, deadline).map_err(|(f, _)| f)?;
    let Some(settings) = tls else {
        return Ok((Transport::Plain(sock), None));
    };
    // The first connection already told TLS from plaintext; no second opinion is needed here.
    match tls::handshake(sock, host, settings, deadline, None) {
        Ok((stream, facts)) => Ok((Transport::Tls(Box::new(stream)), Some(facts))),
        Err(HandshakeError::NotTls { cause, .. }) => Err(Failure::new(Reason::TlsHandshake, cause)),
        Err(HandshakeError::Failed(failure, _)) => Err(failure),
    }
}

/// Opens one more authenticated connection to the peer the first connection reached.
pub fn session(
    f: &Findings,
    t: &Target,
    roots: Option<&Roots>,
    cfg: &CheckConfig,
    deadline: Deadline,
) -> Result<(Connection, AuthFacts), Failure> {
    session_then(f, t, roots, cfg, deadline, &[])
}

/// [`session`], with `then` sent in the same flight as the login: the caller's next commands,
/// their replies waiting for it (`Connection::send_ahead`).
pub fn session_then(
    f: &Findings,
    t: &Target,
    roots: Option<&Roots>,
    cfg: &CheckConfig,
    deadline: Deadline,
    then: &[redis::Cmd],
) -> Result<(Connection, AuthFacts), Failure> {
    login(open(f, t, roots, cfg, deadline)?, t, deadline, then)
}

/// The first half of [`session`]: connected, and through the TLS handshake when the URL asks.
pub fn open(
    f: &Findings,
    t: &Target,
    roots: Option<&Roots>,
    cfg: &CheckConfig,
    deadline: Deadline,
) -> Result<Transport, Failure> {
    Ok(match &t.endpoint {
        #[cfg(unix)]
        Endpoint::Unix(path) => {
            Transport::Unix(super::unix::connect(path, cfg.connect_timeout, deadline)?)
        }
        #[cfg(not(unix))]
        Endpoint::Unix(_) => {
            return Err(Failure::new(
                Reason::Unreachable,
                "Unix sockets are not supported here",
            ));
        }
        Endpoint::Tcp { host, .. } => {
            let addr = f
                .tcp
                .facts()
                .and_then(|tcp| tcp.attempts.last())
                .map(|a| a.addr)
                .ok_or_else(|| Failure::new(Reason::Unreachable, "no address answered"))?;
            let settings = t.tls.then(|| tls_settings(t, roots, cfg));
            transport(&host.as_str(), addr, settings.as_ref(), cfg, deadline)?.0
        }
    })
}

/// The second half of [`session`]: the login on an open transport, `then` in its flight.
pub fn login(
    transport: Transport,
    t: &Target,
    deadline: Deadline,
    then: &[redis::Cmd],
) -> Result<(Connection, AuthFacts), Failure> {
    let mut conn = Connection::new(transport, deadline);
    // A failed write shows again, and is judged, at authenticate's first command.
    let mut flight = super::pipeline::auth_flight(t);
    flight.extend_from_slice(then);
    let _ = conn.send_ahead(&flight);
    match session::authenticate(&mut conn, t) {
        Ok(auth) => Ok((conn, auth)),
        Err(SessionError::Server(failure)) => Err(failure),
        Err(SessionError::Wire(wire)) => Err(super::wire_failure(&wire)),
    }
}
