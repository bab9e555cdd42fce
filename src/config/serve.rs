//! `serve` arguments → a validated [`ServeConfig`].

use std::collections::BTreeMap;
use std::net::{SocketAddr, ToSocketAddrs};

use super::{
    CheckConfig, Extras, UsageError, targets, validate_connect_timeout, validate_tls, workload,
};
use crate::cli::ServeArgs;
use crate::config::Workload;
use crate::url::sentinel::SentinelFlags;
use targets::Named;

/// A validated `serve` invocation.
pub struct ServeConfig {
    /// Where to listen.
    pub listen: SocketAddr,
    /// Named targets from `--targets`.
    pub targets: BTreeMap<String, Named>,
    /// `--allow-url-targets`.
    pub allow_url_targets: bool,
    /// Probes that run at once.
    pub concurrency: usize,
    /// Every probe's settings; `timeout` is the most a probe may take.
    pub check: CheckConfig,
    /// `--use`, for targets that do not say.
    pub workload: Option<Workload>,
}

impl ServeConfig {
    /// Validates the arguments of `serve`.
    pub fn from_serve(args: &ServeArgs) -> Result<ServeConfig, UsageError> {
        let targets = match &args.targets {
            Some(path) => targets::load(path, args.timing.timeout)?,
            None => BTreeMap::new(),
        };
        if targets.is_empty() && !args.allow_url_targets {
            return Err(UsageError(
                "nothing to probe: give --targets FILE (named targets), or --allow-url-targets"
                    .into(),
            ));
        }
        Ok(ServeConfig {
            listen: validate_listen(&args.listen)?,
            targets,
            allow_url_targets: args.allow_url_targets,
            concurrency: usize::try_from(args.concurrency).unwrap_or(1),
            check: CheckConfig {
                timeout: args.timing.timeout,
                connect_timeout: validate_connect_timeout(&args.timing),
                samples: usize::try_from(args.samples).unwrap_or(10),
                tls: validate_tls(&args.tls, args.timing.timeout)?,
                handshake_only: false,
                // A password comes from the targets file, per target; never from the request.
                password: None,
                extras: Extras {
                    cluster: true,
                    pubsub: true,
                    write: false,
                    config: true,
                    // The default check's sample (`redcheck --help`: 1000 keys, 100 ms).
                    sample_keys: Some(1000),
                    sample_read: crate::cli::SAMPLE_READ,
                    sample_budget: std::time::Duration::from_millis(100),
                    connections: true,
                },
                sentinel: SentinelFlags::default(),
            },
            workload: args.workload.map(workload),
        })
    }
}

/// `HOST:PORT`, one address. Go's `:9121` (every interface) is refused with the spelling to
/// use, so listening beyond loopback is always written out.
pub fn validate_listen(listen: &str) -> Result<SocketAddr, UsageError> {
    if let Some(port) = listen.strip_prefix(':') {
        return Err(UsageError(format!(
            "--listen {listen}: name the address: 127.0.0.1:{port} (this host only) or 0.0.0.0:{port} (every interface)"
        )));
    }
    if let Ok(addr) = listen.parse::<SocketAddr>() {
        return Ok(addr);
    }
    let mut addrs = listen.to_socket_addrs().map_err(|e| {
        UsageError(format!(
            "--listen {listen}: {e}: use HOST:PORT, e.g. 127.0.0.1:9121"
        ))
    })?;
    addrs
        .next()
        .ok_or_else(|| UsageError(format!("--listen {listen}: the name has no address")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listen_addresses() {
        assert_eq!(
            validate_listen("127.0.0.1:9121").unwrap(),
            "127.0.0.1:9121".parse().unwrap()
        );
        assert!(validate_listen("[::1]:9121").unwrap().ip().is_loopback());
        assert!(
            validate_listen("localhost:9121")
                .unwrap()
                .ip()
                .is_loopback()
        );
        let go = validate_listen(":9121").unwrap_err().0;
        assert!(go.contains("0.0.0.0:9121"), "{go}");
        assert!(validate_listen("9121").is_err());
        assert!(validate_listen("127.0.0.1:99999").is_err());
    }
}
