//! Library names made readable: TLS alerts by their RFC names and meanings, cipher suites by
//! their IANA names, and any enum variant the tables do not word as plain words.

use rustls::AlertDescription;

/// The cipher suites rustls offers, by IANA name.
pub fn rustls_suites() -> Vec<String> {
    rustls::crypto::ring::default_provider()
        .cipher_suites
        .iter()
        .map(|s| suite_name(s.suite()))
        .collect()
}

/// A cipher suite by its IANA name, or its code.
pub fn suite_name(s: rustls::CipherSuite) -> String {
    s.as_str()
        .map_or_else(|| format!("0x{:04x}", u16::from(s)), str::to_string)
}

/// An alert by its RFC name and what it means.
pub fn alert_text(a: AlertDescription) -> String {
    use AlertDescription as A;
    let meaning = match a {
        A::CloseNotify => "the connection was closed",
        A::UnexpectedMessage => "it got a message it did not expect",
        A::BadRecordMac => "a record did not authenticate",
        A::DecryptionFailed => "a record did not decrypt",
        A::RecordOverflow => "a record was too long",
        A::DecompressionFailure => "decompression failed",
        A::HandshakeFailure => "it found no acceptable set of parameters",
        A::NoCertificate => "no certificate",
        A::BadCertificate => "the certificate is corrupt or its signature does not verify",
        A::UnsupportedCertificate => "that kind of certificate is not supported",
        A::CertificateRevoked => "the certificate was revoked",
        A::CertificateExpired => "the certificate has expired or is not yet valid",
        A::CertificateUnknown => "the certificate is not acceptable",
        A::IllegalParameter => "a handshake field was out of range",
        A::UnknownCA => "it does not trust the CA that issued the certificate",
        A::AccessDenied => "access denied",
        A::DecodeError => "a message could not be decoded",
        A::DecryptError => "a signature or the handshake check did not verify",
        A::ExportRestriction => "export restriction",
        A::ProtocolVersion => "it does not speak the TLS version offered",
        A::InsufficientSecurity => "it wants stronger cipher suites",
        A::InternalError => "the server had an internal error",
        A::InappropriateFallback => "a downgrade was attempted",
        A::UserCanceled => "the handshake was cancelled",
        A::NoRenegotiation => "it refuses renegotiation",
        A::MissingExtension => "an extension it needs was missing",
        A::UnsupportedExtension => "an extension was not expected",
        A::CertificateUnobtainable => "a certificate could not be fetched",
        A::UnrecognisedName => "it does not know the server name (SNI) sent",
        A::BadCertificateStatusResponse => "the OCSP status was bad",
        A::BadCertificateHashValue => "the certificate hash was bad",
        A::UnknownPSKIdentity => "unknown pre-shared key identity",
        A::CertificateRequired => "a client certificate is required",
        A::NoApplicationProtocol => "no ALPN protocol in common",
        A::EncryptedClientHelloRequired => "encrypted ClientHello is required",
        other => {
            return match other.as_str() {
                Some(name) => format!("{} (number {})", snake(name), u8::from(other)),
                None => format!("number {} (unknown to redcheck)", u8::from(other)),
            };
        }
    };
    let name = a.as_str().map_or_else(|| u8::from(a).to_string(), snake);
    format!("{name} ({meaning})")
}

/// `HandshakeFailure` → `handshake_failure`, the name in RFCs and OpenSSL logs.
fn snake(name: &str) -> String {
    let name = match name {
        "UnknownCA" => "UnknownCa",
        "UnknownPSKIdentity" => "UnknownPskIdentity",
        other => other,
    };
    split_camel(name).join("_")
}

/// `SelectedUnofferedCipherSuite { .. }` → `selected unoffered cipher suite`: the variant's
/// name without its fields, for variants the table does not word itself.
pub fn variant_words(v: &impl std::fmt::Debug) -> String {
    let debug = format!("{v:?}");
    let name = debug
        .split(|c: char| !c.is_ascii_alphanumeric())
        .next()
        .unwrap_or_default();
    split_camel(name).join(" ")
}

/// Free text from a library, kept to its first line and without braces or brackets.
pub fn words(text: &str) -> String {
    text.lines()
        .next()
        .unwrap_or_default()
        .chars()
        .filter(|c| !matches!(c, '{' | '}' | '[' | ']'))
        .collect()
}

fn split_camel(name: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let chars: Vec<char> = name.chars().collect();
    let mut cur = String::new();
    for (i, &c) in chars.iter().enumerate() {
        let next_lower = chars.get(i + 1).is_some_and(char::is_ascii_lowercase);
        let prev_lower =
            i > 0 && (chars[i - 1].is_ascii_lowercase() || chars[i - 1].is_ascii_digit());
        if c.is_ascii_uppercase() && !cur.is_empty() && (prev_lower || next_lower) {
            out.push(std::mem::take(&mut cur));
        }
        cur.push(c.to_ascii_lowercase());
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}
