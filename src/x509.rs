//! Certificate details for reports: subject, issuer, names, validity, key, fingerprint.

use std::time::{SystemTime, UNIX_EPOCH};

use serde::Serialize;
use x509_parser::prelude::*;
use x509_parser::public_key::PublicKey;

use crate::text::printable;

/// What a certificate says about itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CertInfo {
    /// Subject common name, or the whole subject when it has none.
    pub subject: String,
    /// Issuer common name, or the whole issuer.
    pub issuer: String,
    /// DNS and IP subject alternative names.
    pub sans: Vec<String>,
    /// Start of validity (RFC 3339, UTC).
    pub not_before: String,
    /// End of validity (RFC 3339, UTC).
    pub not_after: String,
    /// Whole days until `not_after` (negative once expired).
    pub days_left: i64,
    /// Whole days since `not_after` (0 until it has passed by a full day).
    #[serde(skip)]
    pub days_expired: i64,
    /// Days until `not_before` (positive when not valid yet).
    #[serde(skip)]
    pub days_until_valid: i64,
    /// Key algorithm and size, e.g. `RSA 2048`, `EC 256`.
    pub key: String,
    /// SHA-256 of the DER encoding, colon-separated hex.
    pub sha256: String,
    /// Whether it is a CA certificate.
    pub is_ca: bool,
    /// Whether subject and issuer are the same (self-issued).
    pub self_issued: bool,
    /// Self-issued and its signature verifies with its own key: self-signed as a fact, not
    /// a guess from equal names.
    pub self_signed: bool,
    /// Where its issuer's certificate can be downloaded (Authority Information Access).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ca_issuers: Vec<String>,
    /// The whole subject, `CN=…, O=…`.
    #[serde(skip)]
    pub subject_dn: String,
    /// The whole issuer.
    #[serde(skip)]
    pub issuer_dn: String,
    /// Signature algorithm, e.g. `sha256WithRSAEncryption`.
    #[serde(skip)]
    pub signature_algorithm: String,
    /// The subject as encoded, to match issuers byte for byte as verifiers do.
    #[serde(skip)]
    pub subject_der: Vec<u8>,
    /// The issuer as encoded.
    #[serde(skip)]
    pub issuer_der: Vec<u8>,
}

impl CertInfo {
    /// Parses a DER certificate; `None` when it is not X.509.
    pub fn from_der(der: &[u8]) -> Option<CertInfo> {
        let (_, cert) = X509Certificate::from_der(der).ok()?;
        let now = now_unix();
        let nb = cert.validity().not_before.timestamp();
        let na = cert.validity().not_after.timestamp();
        let (days_left, days_expired) = whole_days(na - now);
        let mut sans = Vec::new();
        if let Ok(Some(ext)) = cert.subject_alternative_name() {
            for name in &ext.value.general_names {
                match name {
                    GeneralName::DNSName(d) => sans.push(printable(d).into_owned()),
                    GeneralName::IPAddress(b) => sans.push(ip_text(b)),
                    _ => {}
                }
            }
        }
        Some(CertInfo {
            subject: name_text(cert.subject()),
            issuer: name_text(cert.issuer()),
            sans,
            not_before: rfc3339(nb),
            not_after: rfc3339(na),
            days_left,
            days_expired,
            days_until_valid: (nb - now).div_euclid(86_400) + 1,
            key: key_text(&cert),
            sha256: fingerprint(der),
            is_ca: cert.is_ca(),
            self_issued: cert.subject() == cert.issuer(),
            self_signed: cert.subject().as_raw() == cert.issuer().as_raw()
                && cert.verify_signature(None).is_ok(),
            ca_issuers: ca_issuers(&cert),
            subject_dn: printable(&cert.subject().to_string()).into_owned(),
            issuer_dn: printable(&cert.issuer().to_string()).into_owned(),
            signature_algorithm: algorithm_name(&cert.signature_algorithm.algorithm),
            subject_der: cert.subject().as_raw().to_vec(),
            issuer_der: cert.issuer().as_raw().to_vec(),
        })
    }

    /// Whether the DER certificate's subject is `name` (as encoded), without the cost of a
    /// whole [`CertInfo`] (which checks the signature of a self-issued certificate).
    pub fn has_subject(der: &[u8], name: &[u8]) -> bool {
        X509Certificate::from_der(der).is_ok_and(|(_, c)| c.subject().as_raw() == name)
    }

    /// Whether the only names it holds are IP addresses.
    pub fn only_ip_names(&self) -> bool {
        !self.sans.is_empty()
            && self
                .sans
                .iter()
                .all(|s| s.parse::<std::net::IpAddr>().is_ok())
    }
}

/// Escaped here too: a certificate is the server's text, and reports carry it in JSON.
fn name_text(name: &X509Name<'_>) -> String {
    let text = name
        .iter_common_name()
        .next()
        .and_then(|cn| cn.as_str().ok())
        .map_or_else(|| name.to_string(), str::to_string);
    printable(&text).into_owned()
}

/// The `caIssuers` URLs of the Authority Information Access extension.
fn ca_issuers(cert: &X509Certificate<'_>) -> Vec<String> {
    cert.extensions()
        .iter()
        .filter_map(|ext| match ext.parsed_extension() {
            ParsedExtension::AuthorityInfoAccess(aia) => Some(aia),
            _ => None,
        })
        .flat_map(|aia| aia.iter())
        .filter(|desc| {
            desc.access_method == x509_parser::oid_registry::OID_PKIX_ACCESS_DESCRIPTOR_CA_ISSUERS
        })
        .filter_map(|desc| match &desc.access_location {
            GeneralName::URI(uri) => Some(printable(uri).into_owned()),
            _ => None,
        })
        .collect()
}

/// The short name of an algorithm OID (`sha256WithRSAEncryption`), or the dotted OID.
fn algorithm_name(oid: &x509_parser::oid_registry::Oid<'_>) -> String {
    x509_parser::objects::oid2sn(oid, x509_parser::objects::oid_registry())
        .map_or_else(|_| oid.to_id_string(), str::to_string)
}

fn ip_text(bytes: &[u8]) -> String {
    match bytes.len() {
        4 => std::net::Ipv4Addr::from(<[u8; 4]>::try_from(bytes).expect("length checked"))
            .to_string(),
        16 => std::net::Ipv6Addr::from(<[u8; 16]>::try_from(bytes).expect("length checked"))
            .to_string(),
        _ => format!("{bytes:02x?}"),
    }
}

fn key_text(cert: &X509Certificate<'_>) -> String {
    match cert.public_key().parsed() {
        Ok(PublicKey::RSA(k)) => format!("RSA {}", k.key_size()),
        Ok(PublicKey::EC(p)) => format!("EC {}", p.key_size()),
        Ok(PublicKey::DSA(_)) => "DSA".into(),
        Ok(PublicKey::GostR3410(_) | PublicKey::GostR3410_2012(_)) => "GOST".into(),
        Ok(PublicKey::Unknown(_)) | Err(_) => {
            let oid = cert.public_key().algorithm.algorithm.to_id_string();
            match oid.as_str() {
                "1.3.101.112" => "Ed25519".into(),
                "1.3.101.113" => "Ed448".into(),
                _ => oid,
            }
        }
    }
}

/// SHA-256 fingerprint as `AB:CD:…`.
pub fn fingerprint(der: &[u8]) -> String {
    let digest = ring::digest::digest(&ring::digest::SHA256, der);
    digest
        .as_ref()
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(":")
}

/// A DER certificate as a PEM block.
pub fn to_pem(der: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut b64 = String::with_capacity(der.len().div_ceil(3) * 4);
    for chunk in der.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |acc, (i, &b)| acc | (u32::from(b) << (16 - 8 * i)));
        for i in 0..4 {
            if i <= chunk.len() {
                b64.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                b64.push('=');
            }
        }
    }
    let mut pem = String::from("-----BEGIN CERTIFICATE-----\n");
    for line in b64.as_bytes().chunks(64) {
        pem.push_str(std::str::from_utf8(line).unwrap_or_default());
        pem.push('\n');
    }
    pem.push_str("-----END CERTIFICATE-----\n");
    pem
}

/// Seconds since the Unix epoch.
pub fn now_unix() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// `2026-11-26T04:46:40Z` from a Unix time (civil-from-days, proleptic Gregorian).
pub fn rfc3339(t: i64) -> String {
    let days = t.div_euclid(86_400);
    let secs = t.rem_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

/// Whole days left before a moment `secs` seconds away, and whole days since it once passed.
// Not -days_left for the second: that floors the other way, so ten days and a second is 11.
fn whole_days(secs: i64) -> (i64, i64) {
    (secs.div_euclid(86_400), (-secs).div_euclid(86_400).max(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_are_whole_days_on_both_sides_of_expiry() {
        const DAY: i64 = 86_400;
        assert_eq!(whole_days(365 * DAY - 1), (364, 0));
        assert_eq!(whole_days(1), (0, 0));
        assert_eq!(whole_days(0), (0, 0));
        assert_eq!(whole_days(-1), (-1, 0));
        assert_eq!(whole_days(-10 * DAY), (-10, 10));
        assert_eq!(whole_days(-10 * DAY - 1), (-11, 10));
    }

    #[test]
    fn formats_dates() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(rfc3339(1_795_668_400), "2026-11-26T04:46:40Z");
        assert_eq!(rfc3339(-86_400), "1969-12-31T00:00:00Z");
    }

    #[test]
    fn pem_is_base64_in_64_column_lines() {
        let pem = to_pem(b"Man is distinguished");
        assert_eq!(
            pem,
            "-----BEGIN CERTIFICATE-----\nTWFuIGlzIGRpc3Rpbmd1aXNoZWQ=\n-----END CERTIFICATE-----\n"
        );
        let long = to_pem(&[0u8; 100]);
        assert!(long.lines().all(|l| l.len() <= 64));
        assert_eq!(to_pem(b"M").lines().nth(1), Some("TQ=="));
    }

    #[test]
    fn garbage_is_not_a_certificate() {
        assert!(CertInfo::from_der(b"not a certificate").is_none());
        assert!(CertInfo::from_der(&[]).is_none());
    }
}
