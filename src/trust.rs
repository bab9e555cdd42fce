//! Trust material: the system store, a user's CA file, bundled Mozilla roots, client identity.
//!
//! Files named on the command line are read here and fail as usage errors (exit 2) that name
//! the flag; the system store is read only for `rediss://` without `--cacert`.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use anyhow::bail;
use rustls::RootCertStore;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::sign::CertifiedKey;
use serde::Serialize;

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
    let (added, _ignored) = store.add_parsable_certificates(certs);
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
    })
}

/// The system store, or bundled roots (with a note) when it is empty or missing.
pub fn system_roots() -> Roots {
    let found = rustls_native_certs::load_native_certs();
    let mut store = RootCertStore::empty();
    let (added, _) = store.add_parsable_certificates(found.certs);
    if added > 0 {
        return Roots {
            store: Arc::new(store),
            source: TrustSource::System,
            count: added,
            fallback_note: None,
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
