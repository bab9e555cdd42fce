//! What a server that refused our handshake would have spoken: a TLS 1.2 ClientHello that
//! offers the older suites too (CBC, 3DES, RC4), once per suite the server picks, as
//! `nmap ssl-enum-ciphers` does. rustls cannot offer suites it does not implement, so the
//! hello is written by hand; only the ServerHello's chosen suite is read back.

use std::io::{Read, Write};
use std::net::{IpAddr, SocketAddr, TcpStream};
use std::time::Duration;

use crate::deadline::Deadline;

/// Suites offered: the AEAD ones rustls speaks, then what older servers are configured with.
const OFFER: &[u16] = &[
    0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8, // ECDHE AEAD (rustls speaks these)
    0x009e, 0x009f, 0x009c, 0x009d, // DHE and RSA GCM
    0xc009, 0xc013, 0xc00a, 0xc014, 0xc023, 0xc027, 0xc024, 0xc028, // ECDHE CBC
    0x0033, 0x0039, 0x0067, 0x006b, // DHE CBC
    0x002f, 0x0035, 0x003c, 0x003d, // RSA CBC
    0x0041, 0x0084, 0x0096, // Camellia, SEED
    0x000a, 0xc012, 0xc008, 0x0016, // 3DES
    0x0005, 0x0004, 0xc011, 0xc007, // RC4
];

/// How long the whole scan may take, within the deadline.
const BUDGET: Duration = Duration::from_secs(3);

/// The suites the server picks from [`OFFER`], most preferred first; `None` when it picks
/// none (or cannot be asked).
pub fn server_suites(addr: SocketAddr, server_name: &str, deadline: Deadline) -> Option<Vec<u16>> {
    let window = deadline.sooner(BUDGET);
    let mut offer: Vec<u16> = OFFER.to_vec();
    let mut picked = Vec::new();
    while !offer.is_empty() && picked.len() < 8 {
        let Some(suite) = pick(addr, server_name, &offer, window) else {
            break;
        };
        picked.push(suite);
        offer.retain(|s| *s != suite);
    }
    (!picked.is_empty()).then_some(picked)
}

/// One connection: the hello, then the suite from the ServerHello.
fn pick(addr: SocketAddr, server_name: &str, offer: &[u16], window: Deadline) -> Option<u16> {
    let mut sock = TcpStream::connect_timeout(&addr, window.remaining().ok()?).ok()?;
    sock.set_write_timeout(Some(window.remaining().ok()?))
        .ok()?;
    sock.write_all(&client_hello(server_name, offer)).ok()?;
    let mut buf = Vec::with_capacity(512);
    let mut chunk = [0u8; 512];
    loop {
        if let Some(answer) = server_hello_suite(&buf) {
            return answer;
        }
        sock.set_read_timeout(Some(window.remaining().ok()?)).ok()?;
        match sock.read(&mut chunk) {
            Ok(0) | Err(_) => return None,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
        if buf.len() > 16 * 1024 {
            return None;
        }
    }
}

/// `Some(Some(suite))` once a ServerHello is read, `Some(None)` for anything else (an
/// alert), `None` while more bytes are needed.
fn server_hello_suite(buf: &[u8]) -> Option<Option<u16>> {
    let (&kind, rest) = buf.split_first()?;
    if kind != 0x16 {
        return Some(None);
    }
    // record: type, version(2), length(2); handshake: type, length(3), version(2), random(32)
    let hs = rest.get(4..)?;
    if *hs.first()? != 0x02 {
        return Some(None);
    }
    let sid_len = usize::from(*hs.get(38)?);
    let at = 39 + sid_len;
    let suite = hs.get(at..at + 2)?;
    Some(Some(u16::from_be_bytes([suite[0], suite[1]])))
}

/// A TLS 1.2 ClientHello offering `suites`, with SNI (for a host name), the usual groups,
/// point formats and signature algorithms.
fn client_hello(server_name: &str, suites: &[u16]) -> Vec<u8> {
    let mut ext = Vec::new();
    if server_name.parse::<IpAddr>().is_err() && !server_name.is_empty() {
        let name = server_name.as_bytes();
        let mut sni = Vec::new();
        put_u16(&mut sni, len16(name.len() + 3));
        sni.push(0);
        put_u16(&mut sni, len16(name.len()));
        sni.extend_from_slice(name);
        extension(&mut ext, 0x0000, &sni);
    }
    list16(&mut ext, 0x000a, &[0x001d, 0x0017, 0x0018, 0x0019]);
    extension(&mut ext, 0x000b, &[1, 0]);
    list16(
        &mut ext,
        0x000d,
        &[
            0x0403, 0x0503, 0x0603, 0x0804, 0x0805, 0x0806, 0x0401, 0x0501, 0x0601, 0x0201, 0x0203,
        ],
    );
    extension(&mut ext, 0x0017, &[]);
    extension(&mut ext, 0xff01, &[0]);

    let mut body = vec![3, 3];
    body.extend(random());
    body.push(0);
    put_u16(&mut body, len16(suites.len() * 2));
    for s in suites {
        put_u16(&mut body, *s);
    }
    body.extend_from_slice(&[1, 0]);
    put_u16(&mut body, len16(ext.len()));
    body.extend(ext);

    let mut hs = vec![1];
    let len = u32::try_from(body.len()).unwrap_or(0).to_be_bytes();
    hs.extend_from_slice(&len[1..]);
    hs.extend(body);
    let mut record = vec![0x16, 3, 1];
    put_u16(&mut record, len16(hs.len()));
    record.extend(hs);
    record
}

fn random() -> [u8; 32] {
    use ring::rand::SecureRandom;
    let mut r = [0u8; 32];
    // A failed fill leaves zeros: a fine random for a hello whose session is never used.
    let _ = ring::rand::SystemRandom::new().fill(&mut r);
    r
}

fn extension(out: &mut Vec<u8>, kind: u16, data: &[u8]) {
    put_u16(out, kind);
    put_u16(out, len16(data.len()));
    out.extend_from_slice(data);
}

fn list16(out: &mut Vec<u8>, kind: u16, items: &[u16]) {
    let mut data = Vec::new();
    put_u16(&mut data, len16(items.len() * 2));
    for i in items {
        put_u16(&mut data, *i);
    }
    extension(out, kind, &data);
}

fn put_u16(out: &mut Vec<u8>, v: u16) {
    out.extend_from_slice(&v.to_be_bytes());
}

fn len16(n: usize) -> u16 {
    u16::try_from(n).unwrap_or(u16::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hello_is_one_well_formed_record() {
        let hello = client_hello("cache.example", &[0x002f, 0xc02f]);
        assert_eq!(&hello[..3], &[0x16, 3, 1]);
        let record_len = usize::from(u16::from_be_bytes([hello[3], hello[4]]));
        assert_eq!(hello.len(), 5 + record_len);
        assert_eq!(hello[5], 1, "a ClientHello");
        let hs_len = usize::from(hello[7]) << 8 | usize::from(hello[8]);
        assert_eq!(record_len, 4 + hs_len);
        assert!(hello.windows(13).any(|w| w == b"cache.example"));
        // No SNI for an address.
        let by_ip = client_hello("127.0.0.1", &[0x002f]);
        assert!(!by_ip.windows(9).any(|w| w == b"127.0.0.1"));
    }

    #[test]
    fn the_chosen_suite_is_read_from_a_server_hello() {
        let mut hello = vec![0x16, 3, 3, 0, 0x4a, 2, 0, 0, 0x46, 3, 3];
        hello.extend([7u8; 32]);
        hello.push(32);
        hello.extend([9u8; 32]);
        hello.extend([0x00, 0x2f, 0]);
        assert_eq!(server_hello_suite(&hello), Some(Some(0x002f)));
        assert_eq!(server_hello_suite(&hello[..40]), None, "needs more bytes");
        assert_eq!(server_hello_suite(&[0x15, 3, 3, 0, 2, 2, 40]), Some(None));
        assert_eq!(server_hello_suite(&[]), None);
    }
}
