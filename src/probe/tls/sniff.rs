//! Whether a port speaks TLS: one ClientHello on a fresh connection, within the deadline.

use super::*;

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
