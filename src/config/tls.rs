//! TLS flags → trust roots and a client identity, loaded once.

use std::sync::Arc;
use std::time::Duration;

use rustls::sign::CertifiedKey;

use super::UsageError;
use crate::cli::TlsArgs;
use crate::trust::{self, Roots};

/// TLS settings from flags (the URL may add `?ssl_ca_certs=` / `#insecure` per target).
#[derive(Clone, Default)]
pub struct TlsConfig {
    /// Roots from `--cacert`, loaded once.
    pub cacert: Option<Roots>,
    /// `--insecure`.
    pub insecure: bool,
    /// `--sni`.
    pub sni: Option<String>,
    /// `--cert` / `--key`.
    pub identity: Option<Arc<CertifiedKey>>,
}

/// Loads `--cacert` and `--cert/--key` once, so a bad file is a usage error naming the flag;
/// each is read within `within` (`--timeout`).
pub fn validate_tls(args: &TlsArgs, within: Duration) -> Result<TlsConfig, UsageError> {
    let cacert = match &args.cacert {
        Some(path) => Some(
            trust::custom_roots(path, "--cacert", within)
                .map_err(|e| UsageError(format!("{e:#}")))?,
        ),
        None => None,
    };
    let identity = match (&args.cert, &args.key) {
        (Some(cert), Some(key)) => Some(
            trust::load_identity(cert, key, within).map_err(|e| UsageError(format!("{e:#}")))?,
        ),
        (None, None) => None,
        (Some(_), None) => {
            return Err(UsageError(
                "--cert needs --key: give the certificate's private key too".into(),
            ));
        }
        (None, Some(_)) => {
            return Err(UsageError(
                "--key needs --cert: give the certificate the key belongs to".into(),
            ));
        }
    };
    if let Some(sni) = &args.sni
        && rustls::pki_types::ServerName::try_from(sni.as_str()).is_err()
    {
        return Err(UsageError(format!(
            "--sni '{sni}' is not a valid DNS name or IP address"
        )));
    }
    Ok(TlsConfig {
        cacert,
        insecure: args.insecure,
        sni: args.sni.clone(),
        identity,
    })
}
