//! Trust material: the system store, a user's CA file, bundled Mozilla roots, client identity.
//!
//! Files named on the command line are read here and fail as usage errors (exit 2) that name
//! the flag; the system store is read only for `rediss://` without `--cacert`.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use anyhow::bail;
use rustls::RootCertStore;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::sign::CertifiedKey;
use serde::Serialize;

use crate::x509::CertInfo;

/// Which roots verified (or would have verified) the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum TrustSource {
    /// The operating system's CA store (`SSL_CERT_FILE` / `SSL_CERT_DIR` honoured).
    System,
    /// Mozilla's roots compiled into redcheck, because the system store was empty.
    Bundled,
    /// `--cacert` or `?ssl_ca_certs=`.
    CustomCa,
    /// Verification was switched off.
    Insecure,
}

impl TrustSource {
    /// How the report names it.
    pub fn describe(self) -> &'static str {
        match self {
            TrustSource::System => "the system store",
            TrustSource::Bundled => "bundled Mozilla roots",
            TrustSource::CustomCa => "the given CA file",
            TrustSource::Insecure => "nothing (verification off)",
        }
    }
}

/// A loaded root store and where it came from.
#[derive(Debug, Clone)]
pub struct Roots {
    /// The anchors.
    pub store: Arc<RootCertStore>,
    /// Where they came from.
    pub source: TrustSource,
    /// How many anchors were loaded.
    pub count: usize,
    /// Set when the system store was empty or unreadable and bundled roots were used.
    pub fallback_note: Option<String>,
    /// The certificates behind the anchors (none for the bundled roots), to explain a
    /// failure by what the store holds.
    pub certs: Arc<Vec<CertificateDer<'static>>>,
    /// The CA file they came from (`--cacert`, `?ssl_ca_certs=`).
    pub file: Option<PathBuf>,
}

/// A certificate of the trust store and the file that holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoreCert {
    /// What it says about itself.
    #[serde(flatten)]
    pub cert: CertInfo,
    /// The file it was loaded from, when it can be found.
    pub path: Option<String>,
}

impl Roots {
    /// The store's certificates whose subject is `name` (as encoded), each with its file.
    pub fn named(&self, name: &[u8]) -> Vec<(CertificateDer<'static>, StoreCert)> {
        self.certs
            .iter()
            .filter(|der| CertInfo::has_subject(der, name))
            .filter_map(|der| Some((der, CertInfo::from_der(der)?)))
            .map(|(der, cert)| {
                let path = self.locate(der);
                (der.clone(), StoreCert { cert, path })
            })
            .collect()
    }

    /// The file that holds `der`: the CA file, or the system store's file or folder entry
    /// (the real name behind a hash link such as `ce275665.0`).
    fn locate(&self, der: &CertificateDer<'_>) -> Option<String> {
        if let Some(file) = &self.file {
            return Some(file.display().to_string());
        }
        if self.source != TrustSource::System {
            return None;
        }
        let (files, dirs) = system_locations();
        // A line from the middle of its PEM picks the few files worth parsing out of hundreds.
        let pem = crate::x509::to_pem(der);
        let lines: Vec<&str> = pem.lines().collect();
        let needle = lines[lines.len() / 2];
        let holds = |path: &Path| {
            std::fs::read_to_string(path).is_ok_and(|text| text.contains(needle))
                && CertificateDer::pem_file_iter(path)
                    .is_ok_and(|mut certs| certs.any(|c| c.is_ok_and(|c| c == *der)))
        };
        let in_dirs = dirs.iter().find_map(|dir| {
            let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
                .ok()?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.is_file())
                .collect();
            // Real names first: a hash link names nothing a person recognises.
            entries.sort_by_key(|p| is_hash_link(p));
            entries.into_iter().find(|p| holds(p))
        });
        in_dirs
            .or_else(|| files.into_iter().find(|f| holds(f)))
            .map(|p| std::fs::canonicalize(&p).unwrap_or(p).display().to_string())
    }
}

/// Where the system store is read from: `SSL_CERT_FILE` / `SSL_CERT_DIR`, else the usual
/// places (as rustls-native-certs finds them through openssl-probe).
fn system_locations() -> (Vec<PathBuf>, Vec<PathBuf>) {
    let file = std::env::var_os("SSL_CERT_FILE").map(PathBuf::from);
    let dirs: Vec<PathBuf> = std::env::var_os("SSL_CERT_DIR")
        .map(|d| std::env::split_paths(&d).collect())
        .unwrap_or_default();
    if file.is_some() || !dirs.is_empty() {
        return (file.into_iter().collect(), dirs);
    }
    let files = [
        "/etc/ssl/certs/ca-certificates.crt",
        "/etc/pki/tls/certs/ca-bundle.crt",
        "/etc/ssl/cert.pem",
        "/etc/ssl/ca-bundle.pem",
    ];
    let dirs = ["/etc/ssl/certs", "/etc/pki/tls/certs", "/etc/ssl"];
    (
        files.iter().map(PathBuf::from).collect(),
        dirs.iter().map(PathBuf::from).collect(),
    )
}

/// `ce275665.0`: the name `c_rehash` gives a link to a certificate.
fn is_hash_link(path: &Path) -> bool {
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default();
    name.split_once('.').is_some_and(|(hash, n)| {
        hash.len() == 8
            && hash.bytes().all(|b| b.is_ascii_hexdigit())
            && n.bytes().all(|b| b.is_ascii_digit())
    })
}

/// Certificates from a PEM file given as `flag`, read within `within`; an error names the
/// flag and the problem.
pub fn load_certs(
    path: &Path,
    flag: &str,
    within: Duration,
) -> anyhow::Result<Vec<CertificateDer<'static>>> {
    let bytes = crate::input::read(path, flag, within)?;
    if bytes.is_empty() {
        bail!(
            "{flag} {}: the file is empty; expected PEM certificates",
            path.display()
        );
    }
    let certs: Vec<_> = CertificateDer::pem_slice_iter(&bytes)
        .collect::<Result<_, _>>()
        .map_err(|e| anyhow::anyhow!("{flag} {}: not valid PEM ({e})", path.display()))?;
    if certs.is_empty() {
        bail!(
            "{flag} {}: no '-----BEGIN CERTIFICATE-----' block found; expected PEM certificates",
            path.display()
        );
    }
    Ok(certs)
}

/// Roots from a CA file.
pub fn custom_roots(path: &Path, flag: &str, within: Duration) -> anyhow::Result<Roots> {
    let certs = load_certs(path, flag, within)?;
    let mut store = RootCertStore::empty();
    let (added, _ignored) = store.add_parsable_certificates(certs.clone());
    if added == 0 {
        bail!(
            "{flag} {}: none of the certificates could be used as a trust anchor",
            path.display()
        );
    }
    Ok(Roots {
        store: Arc::new(store),
        source: TrustSource::CustomCa,
        count: added,
        fallback_note: None,
        certs: Arc::new(certs),
        file: Some(path.to_path_buf()),
    })
}

/// The system store, or bundled roots (with a note) when it is empty or missing.
pub fn system_roots() -> Roots {
    let found = rustls_native_certs::load_native_certs();
    let mut store = RootCertStore::empty();
    let (added, _) = store.add_parsable_certificates(found.certs.clone());
    if added > 0 {
        return Roots {
            store: Arc::new(store),
            source: TrustSource::System,
            count: added,
            fallback_note: None,
            certs: Arc::new(found.certs),
            file: None,
        };
    }
    let why = found
        .errors
        .first()
        .map_or_else(|| "it is empty".to_string(), |e| e.to_string());
    let mut roots = bundled_roots();
    roots.fallback_note = Some(format!(
        "no system CA bundle ({why}); used redcheck's bundled Mozilla roots — your app may have none: install ca-certificates in the image"
    ));
    roots
}

/// Mozilla's roots as compiled in.
pub fn bundled_roots() -> Roots {
    let store = RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    let count = store.len();
    Roots {
        store: Arc::new(store),
        source: TrustSource::Bundled,
        count,
        fallback_note: None,
        certs: Arc::new(Vec::new()),
        file: None,
    }
}

/// A client certificate and key for mutual TLS, checked to belong together.
pub fn load_identity(
    cert: &Path,
    key: &Path,
    within: Duration,
) -> anyhow::Result<Arc<CertifiedKey>> {
    let chain = load_certs(cert, "--cert", within)?;
    let key_bytes = crate::input::read(key, "--key", within)?;
    let key_der = PrivateKeyDer::from_pem_slice(&key_bytes)
        .map_err(|e| anyhow::anyhow!("--key {}: no PEM private key found ({e})", key.display()))?;
    let provider = rustls::crypto::ring::default_provider();
    let certified = CertifiedKey::from_der(chain, key_der, &provider).map_err(|e| match e {
        rustls::Error::InconsistentKeys(_) => anyhow::anyhow!(
            "--key {} does not belong to the certificate in --cert {}",
            key.display(),
            cert.display()
        ),
        e => anyhow::anyhow!("--key {}: unusable private key ({e})", key.display()),
    })?;
    Ok(Arc::new(certified))
}
