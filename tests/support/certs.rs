//! Test PKI minted at test time with rcgen: a CA, server leaves (good and broken), client certs.

use std::fs;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose, SanType,
};
use tempfile::TempDir;

/// Common name of the CA that signs everything [`Pki`] serves.
pub const CA_NAME: &str = "redcheck test CA";
/// Common name of the second CA, which no served certificate chains to.
pub const OTHER_CA_NAME: &str = "redcheck other CA";

const DAY: Duration = Duration::from_secs(24 * 60 * 60);

/// Server certificate, its key and the test CA file redis-server needs for `tls-ca-cert-file`.
#[derive(Debug, Clone)]
pub struct TlsFiles {
    /// Leaf certificate (PEM).
    pub cert: PathBuf,
    /// Leaf private key (PEM, PKCS#8).
    pub key: PathBuf,
    /// The test CA (PEM), always [`Pki::ca_pem`] whatever signed the leaf.
    pub ca: PathBuf,
}

/// Who signs a leaf made by [`Pki::server_with`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signer {
    /// The test CA, the one clients are told to trust.
    Ca,
    /// The other CA, unknown to clients.
    OtherCa,
}

/// Shape of a server leaf: names, validity window relative to now, and issuer.
#[derive(Debug, Clone)]
pub struct LeafSpec {
    /// Subject alternative names; entries that parse as IP addresses become IP SANs.
    pub sans: Vec<String>,
    /// Start of validity, in days from now (negative is in the past).
    pub not_before_days: i64,
    /// End of validity, in days from now (negative is in the past).
    pub not_after_days: i64,
    /// Self-signed leaf (then `signer` is ignored).
    pub self_signed: bool,
    /// Which CA signs the leaf when not self-signed.
    pub signer: Signer,
    /// Subject common name; the first SAN when `None`.
    pub cn: Option<String>,
}

impl LeafSpec {
    /// A good leaf for `sans`: signed by the test CA, valid from yesterday for 365 days.
    pub fn valid(sans: &[&str]) -> LeafSpec {
        LeafSpec {
            sans: sans.iter().map(|s| s.to_string()).collect(),
            not_before_days: -1,
            not_after_days: 365,
            self_signed: false,
            signer: Signer::Ca,
            cn: None,
        }
    }

    /// The same leaf with this subject common name (any text, control characters included).
    pub fn with_cn(self, cn: &str) -> LeafSpec {
        LeafSpec {
            cn: Some(cn.to_string()),
            ..self
        }
    }

    /// Expired ten days ago (valid from 40 days ago).
    pub fn expired(sans: &[&str]) -> LeafSpec {
        LeafSpec {
            not_before_days: -40,
            not_after_days: -10,
            ..LeafSpec::valid(sans)
        }
    }

    /// Not valid before ten days from now.
    pub fn not_yet_valid(sans: &[&str]) -> LeafSpec {
        LeafSpec {
            not_before_days: 10,
            not_after_days: 375,
            ..LeafSpec::valid(sans)
        }
    }

    /// Valid now but expiring in `days` days (e.g. 5 for an "expires soon" warning).
    pub fn expiring_in(sans: &[&str], days: i64) -> LeafSpec {
        LeafSpec {
            not_after_days: days,
            ..LeafSpec::valid(sans)
        }
    }

    /// Self-signed leaf, otherwise valid.
    pub fn self_signed(sans: &[&str]) -> LeafSpec {
        LeafSpec {
            self_signed: true,
            ..LeafSpec::valid(sans)
        }
    }

    /// Leaf signed by the other (unknown) CA, otherwise valid.
    pub fn other_ca(sans: &[&str]) -> LeafSpec {
        LeafSpec {
            signer: Signer::OtherCa,
            ..LeafSpec::valid(sans)
        }
    }

    /// Leaf valid only for `wrong.example`, for host-name mismatch tests.
    pub fn wrong_host() -> LeafSpec {
        LeafSpec::valid(&["wrong.example"])
    }
}

struct Ca {
    params: CertificateParams,
    key: KeyPair,
    pem: PathBuf,
}

/// A throwaway PKI in its own temp dir: the test CA, another CA, and whatever leaves are asked for.
pub struct Pki {
    dir: TempDir,
    ca: Ca,
    other: Ca,
    counter: AtomicUsize,
}

impl Pki {
    /// Creates the temp dir, the CA "redcheck test CA" and the other CA.
    pub fn new() -> Pki {
        let dir = tempfile::Builder::new()
            .prefix("redcheck-pki-")
            .tempdir()
            .expect("create temp dir for test certificates");
        let ca = make_ca(CA_NAME, &dir.path().join("ca.pem"));
        let other = make_ca(OTHER_CA_NAME, &dir.path().join("other-ca.pem"));
        Pki {
            dir,
            ca,
            other,
            counter: AtomicUsize::new(0),
        }
    }

    /// PEM file of the test CA.
    pub fn ca_pem(&self) -> PathBuf {
        self.ca.pem.clone()
    }

    /// PEM file of the other CA, which signs nothing unless asked with [`Signer::OtherCa`].
    pub fn other_ca_pem(&self) -> PathBuf {
        self.other.pem.clone()
    }

    /// Server leaf for `sans` signed by the test CA, valid now-1d..now+365d.
    pub fn server(&self, sans: &[&str]) -> TlsFiles {
        self.server_with(LeafSpec::valid(sans))
    }

    /// Server leaf shaped by `spec` (expired, not yet valid, self-signed, other CA, wrong name...).
    pub fn server_with(&self, spec: LeafSpec) -> TlsFiles {
        let cn = spec
            .cn
            .clone()
            .or_else(|| spec.sans.first().cloned())
            .unwrap_or_else(|| "redcheck test server".to_string());
        let mut params = leaf_params(&cn, &spec.sans);
        set_validity(&mut params, spec.not_before_days, spec.not_after_days);
        // Both usages so the same leaf can also act as a client cert for redis-cli
        // against a server with tls-auth-clients yes.
        params.extended_key_usages = vec![
            ExtendedKeyUsagePurpose::ServerAuth,
            ExtendedKeyUsagePurpose::ClientAuth,
        ];
        let key = KeyPair::generate().expect("generate server key pair");
        let cert = if spec.self_signed {
            params.self_signed(&key).expect("self-sign server leaf")
        } else {
            let ca = match spec.signer {
                Signer::Ca => &self.ca,
                Signer::OtherCa => &self.other,
            };
            let issuer = Issuer::from_params(&ca.params, &ca.key);
            params
                .signed_by(&key, &issuer)
                .expect("sign server leaf with CA")
        };
        let (cert, key) = self.write_pair("server", &cert.pem(), &key.serialize_pem());
        TlsFiles {
            cert,
            key,
            ca: self.ca_pem(),
        }
    }

    /// Client certificate and key for common name `cn`, signed by the test CA; returns (cert, key).
    pub fn client(&self, cn: &str) -> (PathBuf, PathBuf) {
        let mut params = leaf_params(cn, &[]);
        set_validity(&mut params, -1, 365);
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
        let key = KeyPair::generate().expect("generate client key pair");
        let issuer = Issuer::from_params(&self.ca.params, &self.ca.key);
        let cert = params
            .signed_by(&key, &issuer)
            .expect("sign client cert with CA");
        self.write_pair("client", &cert.pem(), &key.serialize_pem())
    }

    fn write_pair(&self, kind: &str, cert_pem: &str, key_pem: &str) -> (PathBuf, PathBuf) {
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        let cert = self.dir.path().join(format!("{kind}-{n}.pem"));
        let key = self.dir.path().join(format!("{kind}-{n}.key"));
        write(&cert, cert_pem);
        write(&key, key_pem);
        (cert, key)
    }
}

impl Default for Pki {
    fn default() -> Self {
        Pki::new()
    }
}

fn make_ca(cn: &str, path: &Path) -> Ca {
    let mut params = CertificateParams::default();
    params.distinguished_name.push(DnType::CommonName, cn);
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    set_validity(&mut params, -30, 3650);
    let key = KeyPair::generate().expect("generate CA key pair");
    let cert = params.self_signed(&key).expect("self-sign test CA");
    write(path, &cert.pem());
    Ca {
        params,
        key,
        pem: path.to_path_buf(),
    }
}

fn leaf_params(cn: &str, sans: &[String]) -> CertificateParams {
    let mut params = CertificateParams::default();
    params.distinguished_name.push(DnType::CommonName, cn);
    params.subject_alt_names = sans
        .iter()
        .map(|s| match s.parse::<IpAddr>() {
            Ok(ip) => SanType::IpAddress(ip),
            Err(_) => SanType::DnsName(
                s.as_str()
                    .try_into()
                    .unwrap_or_else(|e| panic!("SAN {s:?} is not a valid DNS name: {e}")),
            ),
        })
        .collect();
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    params.use_authority_key_identifier_extension = true;
    params
}

// rcgen takes `time::OffsetDateTime`; `time` is not a dependency of ours, so the type is
// only ever inferred (closure) and "now" is built from the epoch plus `SystemTime`.
fn set_validity(params: &mut CertificateParams, not_before_days: i64, not_after_days: i64) {
    let since_epoch = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("system clock is before 1970");
    let now = rcgen::date_time_ymd(1970, 1, 1) + since_epoch;
    let at = |days: i64| {
        let shift = DAY * u32::try_from(days.unsigned_abs()).expect("validity shift too large");
        if days >= 0 { now + shift } else { now - shift }
    };
    params.not_before = at(not_before_days);
    params.not_after = at(not_after_days);
}

fn write(path: &Path, contents: &str) {
    fs::write(path, contents).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
}
